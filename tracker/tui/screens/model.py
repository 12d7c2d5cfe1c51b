"""One model on a full page: card facts, papers, datasets, results, Try."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Static

from tracker.db.model_queries import model_detail
from tracker.tui.screens.base import TrackerScreen
from tracker.tui.widgets.model_detail import ModelDetail

MODEL_BINDINGS = [
    Binding("o", "open_model", "Open on Hub"),
    Binding("y", "copy_model_id", "Copy id"),
    Binding("t", "try_model", "Try"),
    Binding("p", "model_paper", "Paper"),
]


def trials_text(trials: list[dict[str, Any]]) -> Text:
    """Past trials of a model, newest first: "the paper claims X; on my machine it did Y"."""
    from tracker.trial.checks import gib

    text = Text()
    for i, t in enumerate(trials):
        if i:
            text.append("\n")
        text.append("✓ " if t["ok"] else "✗ ", style="green" if t["ok"] else "red")
        text.append(f"{(t['created_at'] or '')[:10]} {t['device']} {t['dtype']}", style="dim")
        if t["ok"]:
            text.append(f"  {t['per_input_ms']:.1f} ms/input, load {t['load_seconds']:.1f} s")
            if t["peak_memory_bytes"]:
                text.append(f", peak {gib(t['peak_memory_bytes'])}")
            text.append(f"\n  {t['output_summary'][:160]}", style="italic")
        else:
            text.append(f"  failed: {t['error'][:160]}", style="red")
    return text


def show_trials(detail: ModelDetail, trials: list[dict[str, Any]]) -> None:
    """Add (or update) an "On this machine" section under the detail's results."""
    shown = detail.query(".model-trials")
    if not shown:
        if trials:
            detail.mount(
                Label("On this machine", classes="section model-trials"),
                Static(trials_text(trials), id="model-trials", classes="model-trials"),
            )
        return
    shown.set(display=bool(trials))
    detail.query_one("#model-trials", Static).update(trials_text(trials))


class ModelActions(TrackerScreen):
    """Actions on the shown model (its model_detail() dict is `model`)."""

    model: dict[str, Any] | None = None

    def _model(self) -> dict[str, Any] | None:
        if self.model is None:
            self.notify("No model selected.", severity="warning")
        return self.model

    def action_open_model(self) -> None:
        if (model := self._model()) is not None:
            self.tracker.open_url(model["hub_url"])

    def action_copy_model_id(self) -> None:
        if (model := self._model()) is not None:
            self.app.copy_to_clipboard(model["repo_id"])
            self.notify(f"Copied {model['repo_id']}.")

    def action_try_model(self) -> None:
        if (model := self._model()) is not None:
            self.tracker.try_model(model["repo_id"], model["task"])

    def action_model_paper(self) -> None:
        from tracker.tui.screens.paper import PaperScreen

        if (model := self._model()) is None:
            return
        if not model["papers"]:
            self.notify(f"No paper is linked to {model['repo_id']}.", severity="warning")
            return
        self.app.push_screen(PaperScreen(model["papers"][0]["arxiv_id"]))

    @on(DataTable.RowSelected, "#model-papers")
    def _paper_chosen(self, event: DataTable.RowSelected) -> None:
        from tracker.tui.screens.paper import PaperScreen

        if event.row_key.value:
            self.app.push_screen(PaperScreen(event.row_key.value))


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
