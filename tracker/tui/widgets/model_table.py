"""The models list: repo id, task, library, downloads, likes, parameters."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message

from tracker.db.model_queries import ModelRow
from tracker.tui.formatting import clip, count, params
from tracker.tui.widgets.paged_table import PagedTable

_FIXED = (("Task", 16), ("Library", 8), ("Dl", 5), ("♥", 5), ("Params", 6))


class ModelTable(PagedTable[ModelRow]):
    class ModelHighlighted(Message):
        def __init__(self, model: ModelRow) -> None:
            super().__init__()
            self.model = model

    def repo_width(self, width: int) -> int:
        used = sum(w + 2 for _, w in _FIXED) + 2 + 3
        return max(width - used, 16)

    def columns_for(self, width: int) -> Sequence[tuple[str, int | None]]:
        return [("Model", self.repo_width(width)), *_FIXED]

    def cells(self, row: ModelRow) -> Sequence[str | Text]:
        return (
            Text(clip(row.repo_id, self.repo_width(self.size.width or 100)), style="bold"),
            Text(clip(row.task, 16), style="green"),
            Text(clip(row.library, 8), style="dim"),
            Text(count(row.downloads), justify="right"),
            Text(count(row.likes), justify="right"),
            Text(params(row.parameters), justify="right"),
        )

    def on_data_table_row_highlighted(self, event: PagedTable.RowHighlighted) -> None:
        event.stop()
        model = self.current
        if model is not None:
            self.post_message(self.ModelHighlighted(model))
