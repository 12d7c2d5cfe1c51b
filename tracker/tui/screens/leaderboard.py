"""A leaderboard: ranked results for one task, dataset and metric, with provenance."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from tracker.tui.formatting import metric
from tracker.tui.hub_data import leaderboard, leaderboard_metrics
from tracker.tui.navigation import TrackerScreen


class LeaderboardScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("m", "next_metric", "Next metric"),
        Binding("p", "open_paper", "Paper"),
        Binding("enter", "open_model", "Model", show=False),
    ]

    class Loaded(Message):
        def __init__(self, metrics: list[str], metric: str, rows: list[dict[str, Any]]) -> None:
            super().__init__()
            self.metrics = metrics
            self.metric = metric
            self.rows = rows

    def __init__(self, task_id: str, dataset_id: str, metric_type: str | None = None) -> None:
        super().__init__()
        self.task_id = task_id
        self.dataset_id = dataset_id
        self.metric_type = metric_type
        self.metrics: list[str] = []
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="board-title")
        yield DataTable(id="board-table", cursor_type="row", zebra_stripes=True)
        yield Static("enter: model · p: paper · m: next metric · esc: back", id="board-hint")
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
            metrics = leaderboard_metrics(conn, self.task_id, self.dataset_id)
            chosen = metric_type if metric_type in metrics else (metrics[0] if metrics else "")
            rows = leaderboard(conn, self.task_id, self.dataset_id, chosen) if chosen else []
        self.post_message(self.Loaded(metrics, chosen, rows))

    def on_leaderboard_screen_loaded(self, message: Loaded) -> None:
        self.metrics, self.metric_type, self.rows = message.metrics, message.metric, message.rows
        title = Text()
        title.append(f"{self.task_id} on {self.dataset_id}", style="bold")
        if self.metric_type:
            arrow = (
                "lower is better"
                if self.rows and self.rows[0]["lower_is_better"]
                else "higher is better"
            )
            title.append(f"  ·  metric {self.metric_type} ({arrow})", style="cyan")
            if len(self.metrics) > 1:
                title.append(f"  ·  {len(self.metrics)} metrics (m switches)", style="dim")
        else:
            title.append("  ·  no results", style="yellow")
        self.query_one("#board-title", Static).update(title)
        table = self.query_one("#board-table", DataTable)
        table.clear()
        for i, r in enumerate(self.rows):
            split = "/".join(x for x in (r["config"], r["split"]) if x)
            table.add_row(
                Text(str(r["rank"]), justify="right"),
                Text(r["model"], style="bold"),
                Text(metric(r["value"], r["value_text"]), justify="right"),
                Text(split, style="dim"),
                Text("✓" if r["verified"] else "", style="green"),
                Text(r["source"], style="dim"),
                Text(r["paper"] or "", style="cyan"),
                key=str(i),
            )

    def _row(self) -> dict[str, Any] | None:
        table = self.query_one("#board-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_next_metric(self) -> None:
        if len(self.metrics) > 1 and self.metric_type in self.metrics:
            index = (self.metrics.index(self.metric_type) + 1) % len(self.metrics)
            self.load(self.metrics[index])

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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_model()
