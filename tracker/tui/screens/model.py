"""One model on a full page: card facts, papers, datasets, results, Try."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header

from tracker.db.model_queries import model_detail
from tracker.tui.model_actions import MODEL_BINDINGS, ModelActions
from tracker.tui.widgets.model_detail import ModelDetail, show_trials


class ModelScreen(ModelActions):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), *MODEL_BINDINGS]

    class Loaded(Message):
        def __init__(self, detail: dict[str, Any]) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, repo_id: str) -> None:
        super().__init__()
        self.repo_id = repo_id
        self.model = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModelDetail(id="model-page")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"model {self.repo_id}"
        self.query_one(ModelDetail).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load(self) -> None:
        from tracker.trial.ledger import list_trials

        with self.engine.connect() as conn:
            detail = model_detail(conn, self.repo_id)
            detail["trials"] = list_trials(conn, model=self.repo_id, limit=5)
        self.post_message(self.Loaded(detail))

    def on_model_screen_loaded(self, message: Loaded) -> None:
        self.model = message.detail
        self.query_one(ModelDetail).show(message.detail)
        show_trials(self.query_one(ModelDetail), message.detail["trials"])

    def on_screen_resume(self) -> None:
        if self.model is not None:  # back from a trial: show it among the past trials
            self.load()
