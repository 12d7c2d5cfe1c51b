"""One paper on a full page (from a leaderboard, a model or the list's enter key)."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header

from tracker.db.queries import paper_detail
from tracker.tui.messages import PaperChanged
from tracker.tui.paper_actions import PAPER_BINDINGS, PaperActions
from tracker.tui.widgets.paper_detail import PaperDetail


class PaperScreen(PaperActions):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), *PAPER_BINDINGS]

    class Loaded(Message):
        def __init__(self, detail: dict[str, Any]) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, arxiv_id: str) -> None:
        super().__init__()
        self.arxiv_id = arxiv_id
        self.paper_detail = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield PaperDetail(id="paper-page")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"paper {self.arxiv_id}"
        self.query_one(PaperDetail).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load(self) -> None:
        from tracker.db.measurements import attach_measurements

        with self.engine.connect() as conn:
            detail = paper_detail(conn, self.arxiv_id)
            if detail:
                attach_measurements(conn, detail["results"])  # "verified here" marks
        self.post_message(self.Loaded(detail))

    def on_paper_screen_loaded(self, message: Loaded) -> None:
        self.paper_detail = message.detail
        self.query_one(PaperDetail).show(message.detail)

    def on_paper_changed(self, message: PaperChanged) -> None:
        if message.arxiv_id == self.arxiv_id:
            self.load()

    @on(DataTable.RowSelected, "#paper-models")
    def _model_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.tracker.open_model(event.row_key.value)
