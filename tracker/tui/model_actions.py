"""Actions on the shown model: open on the Hub, copy its id, try it, open its paper.

Mixed into the models list and the model page; the host keeps the shown
model_detail() dict in `model`.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.binding import Binding
from textual.widgets import DataTable

from tracker.tui.navigation import TrackerScreen

MODEL_BINDINGS = [
    Binding("o", "open_model", "Open on Hub"),
    Binding("y", "copy_model_id", "Copy id"),
    Binding("t", "try_model", "Try"),
    Binding("p", "model_paper", "Paper"),
]


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
        if (model := self._model()) is None:
            return
        if not model["papers"]:
            self.notify(f"No paper is linked to {model['repo_id']}.", severity="warning")
            return
        self.tracker.open_paper(model["papers"][0]["arxiv_id"])

    @on(DataTable.RowSelected, "#model-papers")
    def _paper_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.tracker.open_paper(event.row_key.value)
