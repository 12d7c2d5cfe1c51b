"""The tasks view: modality -> task (description, pipeline id) -> datasets -> leaderboard."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static, Tree

from tracker.db.benchmarks import benchmarks_of_task
from tracker.db.hub_queries import TaskRow, task_catalogue, task_datasets
from tracker.tui.navigation import TrackerScreen

MODALITY_ORDER = ("text", "vision", "audio", "multimodal", "tabular", "rl", "other")


def with_benchmarks(
    rows: list[dict[str, Any]], benches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The task's datasets, those with a Hub leaderboard marked, and the benchmarks of the
    task that none of our results cite yet (the board's entry count as their models)."""
    boards = {b["benchmark"]: b for b in benches}
    out = [{**r, "name": r["name"] + ("  · Hub board" if r["id"] in boards else "")} for r in rows]
    seen = {r["id"] for r in rows}
    out += [
        {"id": b, "name": f"{b}  · Hub board", "results": 0, "models": info["entries"]}
        for b, info in boards.items()
        if b not in seen
    ]
    return out


class TasksScreen(TrackerScreen):
    BINDINGS = [
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("l", "leaderboard", "Leaderboard"),
    ]

    class TasksLoaded(Message):
        def __init__(self, rows: list[TaskRow]) -> None:
            super().__init__()
            self.rows = rows

    class DatasetsLoaded(Message):
        def __init__(self, task_id: str, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.task_id = task_id
            self.rows = rows

    def __init__(self) -> None:
        super().__init__()
        self.chosen_task: TaskRow | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="tasks-body"):
            tree: Tree[TaskRow | None] = Tree("Tasks", id="task-tree")
            tree.show_root = False
            yield tree
            with Vertical(id="task-side"):
                yield Static("Pick a task on the left.", id="task-info")
                yield Label("Datasets (enter opens the leaderboard)", classes="section")
                yield DataTable(id="task-datasets", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#task-datasets", DataTable)
        table.add_columns("Dataset", "Results", "Models")
        self.query_one("#task-tree", Tree).focus()
        self.watch(self.app, "data_version", self.reload, init=False)
        self.reload()

    def reload(self) -> None:
        self.load_tasks()

    @work(thread=True, exclusive=True, exit_on_error=False, group="tasks")
    def load_tasks(self) -> None:
        with self.engine.connect() as conn:
            rows = task_catalogue(conn)
        self.post_message(self.TasksLoaded(rows))

    def on_tasks_screen_tasks_loaded(self, message: TasksLoaded) -> None:
        tree: Tree[TaskRow | None] = self.query_one("#task-tree", Tree)
        tree.clear()
        if not message.rows:
            self.query_one("#task-info", Static).update(
                "No tasks yet: tasks come with the Hub models and results a sync fetches."
            )
            return

        def rank(row: TaskRow) -> tuple[int, str]:
            order = MODALITY_ORDER.index(row.modality) if row.modality in MODALITY_ORDER else 99
            return order, row.modality

        rows = sorted(message.rows, key=lambda r: (rank(r), -r.results, r.id))
        for modality, group in groupby(rows, key=lambda r: r.modality):
            items = list(group)
            node = tree.root.add(f"{modality} ({len(items)})", data=None, expand=True)
            for row in items:
                label = Text(row.id)
                label.append(f"  {row.results} results · {row.models} models", style="dim")
                node.add_leaf(label, data=row)
        if tree.last_line >= 1:
            tree.move_cursor_to_line(1)

    @on(Tree.NodeHighlighted, "#task-tree")
    def _task_highlighted(self, event: Tree.NodeHighlighted[TaskRow | None]) -> None:
        row = event.node.data
        if row is None:
            return
        self.chosen_task = row
        info = Text()
        info.append(row.name, style="bold")
        info.append(f"  ({row.id})", style="cyan")
        info.append(f"\nmodality: {row.modality}", style="dim")
        info.append(f" · try it: {'yes' if row.trial_supported else 'not yet'}", style="dim")
        if row.description:
            info.append(f"\n{row.description}")
        self.query_one("#task-info", Static).update(info)
        self.load_datasets(row.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="datasets")
    def load_datasets(self, task_id: str) -> None:
        with self.engine.connect() as conn:
            rows = with_benchmarks(task_datasets(conn, task_id), benchmarks_of_task(conn, task_id))
        self.post_message(self.DatasetsLoaded(task_id, rows))

    def on_tasks_screen_datasets_loaded(self, message: DatasetsLoaded) -> None:
        if self.chosen_task is None or self.chosen_task.id != message.task_id:
            return
        table = self.query_one("#task-datasets", DataTable)
        table.clear()
        for row in message.rows:
            table.add_row(
                Text(row["name"]),
                Text(str(row["results"]), justify="right"),
                Text(str(row["models"]), justify="right"),
                key=row["id"],
            )

    @on(Tree.NodeSelected, "#task-tree")
    def _task_selected(self) -> None:
        self.query_one("#task-datasets", DataTable).focus()

    @on(DataTable.RowSelected, "#task-datasets")
    def _dataset_selected(self, event: DataTable.RowSelected) -> None:
        if self.chosen_task is not None and event.row_key.value:
            self._open_board(event.row_key.value)

    def action_leaderboard(self) -> None:
        table = self.query_one("#task-datasets", DataTable)
        if self.chosen_task is None or table.row_count == 0:
            self.notify("Pick a task with datasets first.", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            self._open_board(key)

    def _open_board(self, dataset_id: str) -> None:
        assert self.chosen_task is not None
        self.tracker.open_leaderboard(self.chosen_task.id, dataset_id)
