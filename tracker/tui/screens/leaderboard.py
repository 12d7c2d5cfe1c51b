"""A leaderboard: ranked results for one task and dataset, one board (config, split,
metric) at a time, with provenance. The rows are `tracker leaderboard`'s
(tracker.db.leaderboards): the same merge of sources, the same ranks and direction."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from tracker.db.benchmarks import hub_boards
from tracker.db.leaderboards import Board, boards, leaderboard
from tracker.db.measurements import attach_measurements
from tracker.db.metrics import direction_label
from tracker.errors import NotFoundError
from tracker.tui.formatting import metric
from tracker.tui.navigation import TrackerScreen


class LeaderboardScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("m", "next_metric", "Next board"),
        Binding("p", "open_paper", "Paper"),
        Binding("enter", "open_model", "Model", show=False),
        Binding("v", "verify", "Verify here"),
    ]

    class Loaded(Message):
        def __init__(self, boards: list[Board], index: int) -> None:
            super().__init__()
            self.boards = boards
            self.index = index

    def __init__(self, task_id: str, dataset_id: str, metric_type: str | None = None) -> None:
        super().__init__()
        self.task_id = task_id
        self.dataset_id = dataset_id
        self.metric_type = metric_type
        self.boards: list[Board] = []
        self.board_index = 0
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="board-title")
        yield DataTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "enter: model · p: paper · v: verify here · m: next board · esc: back", id="board-hint"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"leaderboard {self.task_id} / {self.dataset_id}"
        table = self.query_one("#board-table", DataTable)
        table.add_columns("#", "Model", "Value", "Config/split", "✓", "Source", "Paper")
        table.focus()
        self.load(self.metric_type)

    @work(thread=True, exclusive=True, exit_on_error=False, group="leaderboard")
    def load(self, metric_type: str | None) -> None:
        with self.engine.connect() as conn:
            try:
                rows = leaderboard(conn, self.task_id, dataset=self.dataset_id)
            except NotFoundError:  # no results for the task at all: an empty board says so
                rows = []
            attach_measurements(conn, rows)  # what `tracker verify` measured here
            # The benchmark's own Hub board(s), after our results' boards.
            hub = hub_boards(conn, self.dataset_id)
        # The dataset filter also matches names; this screen is about one dataset id.
        found = [b for b in boards(rows) if b.dataset == self.dataset_id] + hub
        index = next((i for i, b in enumerate(found) if b.metric == metric_type), 0)
        self.post_message(self.Loaded(found, index))

    def on_leaderboard_screen_loaded(self, message: Loaded) -> None:
        self.boards, self.board_index = message.boards, message.index
        self.show_board()

    def show_board(self) -> None:
        board = self.boards[self.board_index] if self.boards else None
        self.rows = board.rows if board else []
        self.metric_type = board.metric if board else None
        self.query_one("#board-title", Static).update(self._title(board))
        table = self.query_one("#board-table", DataTable)
        table.clear()
        for i, r in enumerate(self.rows):
            split = "/".join(x for x in (r["config"], r["split"]) if x)
            table.add_row(
                Text(str(r["rank"]), justify="right"),
                Text(r["model"], style="bold"),
                _value(r),
                Text(split, style="dim"),
                Text("✓" if r["verified"] else "", style="green"),
                Text("+".join(r["sources"]), style="dim"),
                Text(r["paper"] or "", style="cyan"),
                key=str(i),
            )

    def on_screen_resume(self) -> None:
        if self.boards:  # back from a verification: its measurement shows in place
            self.load(self.metric_type)

    def _title(self, board: Board | None) -> Text:
        title = Text()
        title.append(f"{self.task_id} on {self.dataset_id}", style="bold")
        if board is None:
            title.append("  ·  no results", style="yellow")
            return title
        first = board.rows[0]
        better = direction_label(first["direction"], first["direction_guessed"])
        title.append(f"  ·  {board.title} ({better})", style="cyan")
        if len(self.boards) > 1:
            title.append(
                f"  ·  board {self.board_index + 1} of {len(self.boards)} (m switches)",
                style="dim",
            )
        return title

    def _row(self) -> dict[str, Any] | None:
        table = self.query_one("#board-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_next_metric(self) -> None:
        if len(self.boards) > 1:
            self.board_index = (self.board_index + 1) % len(self.boards)
            self.show_board()

    def action_open_model(self) -> None:
        row = self._row()
        if row is not None:
            self.tracker.open_model(row["model"])

    def action_open_paper(self) -> None:
        row = self._row()
        if row is None:
            return
        if not row["paper"]:
            self.notify(f"No paper is recorded for {row['model']}'s result.", severity="warning")
            return
        self.tracker.open_paper(row["paper"])

    def action_verify(self) -> None:
        """Measure this row's claim on this machine (tracker verify)."""
        from tracker.verify.verdict import Claim

        row = self._row()
        if row is None or row["value"] is None:
            return
        claim = Claim(
            value=float(row["value"]), dataset=row["dataset"], metric=self.metric_type or "",
            config=row["config"] or "", split=row["split"] or "", source=row["source"],
            task=self.task_id,
        )  # fmt: skip
        self.tracker.verify_claim(row.get("model_repo") or row["model"], claim)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_model()


def _value(row: dict[str, Any]) -> Text:
    text = Text(metric(row["value"], row["value_text"]), justify="right")
    if "measured" in row:
        text.append(f" · {row['measured']['text']}", style="green")
    return text
