"""The "Similar papers" section of a paper's detail: nearest by meaning; enter opens one.

DataTable loads with the first paper shown, as in PaperDetail: the papers list paints
its first rows before it. It loads in its own thread worker (numpy and the memory-mapped search matrix; no
model, no torch) and stays hidden while the database has no embeddings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from tracker.errors import TrackerError
from tracker.tui.navigation import Navigator

if TYPE_CHECKING:
    from textual.widgets import DataTable

LIMIT = 5


class SimilarPapers(Vertical):
    class Found(Message):
        def __init__(self, arxiv_id: str, hits: list[dict[str, Any]]) -> None:
            super().__init__()
            self.arxiv_id = arxiv_id
            self.hits = hits

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arxiv_id: str | None = None

    def compose(self) -> ComposeResult:
        from textual.widgets import DataTable, Label

        yield Label("Similar papers", classes="section")
        table: DataTable[Any] = DataTable(id="paper-similar", cursor_type="row", show_cursor=False)
        table.add_columns("Cosine", "Id", "Title", "Why")
        yield table

    def on_mount(self) -> None:
        self.display = False

    # The cursor shows (and enter selects) only while the table has focus.
    def on_descendant_focus(self) -> None:
        self._table().show_cursor = True

    def on_descendant_blur(self) -> None:
        self._table().show_cursor = False

    def _table(self) -> DataTable[Any]:
        return cast("DataTable[Any]", self.query_one("#paper-similar"))

    def load(self, arxiv_id: str) -> None:
        self.arxiv_id = arxiv_id
        self.find(arxiv_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="similar")
    def find(self, arxiv_id: str) -> None:
        navigator = cast(Navigator, self.app)
        if navigator.engine is None:
            return
        from tracker.embed.semantic import similar_papers

        try:
            hits = similar_papers(navigator.engine, navigator.config, arxiv_id, limit=LIMIT)
        except TrackerError:  # no embeddings (yet), or none of this paper
            hits = []
        self.post_message(self.Found(arxiv_id, hits))

    def on_similar_papers_found(self, message: Found) -> None:
        message.stop()
        if message.arxiv_id != self.arxiv_id:
            return
        table = self._table()
        table.clear()
        for hit in message.hits:
            table.add_row(
                Text(f"{hit['score']:.2f}", justify="right"),
                Text(hit["arxiv_id"], style="cyan"),
                Text(hit["title"]),
                Text(hit["reason"], style="dim"),
                key=hit["arxiv_id"],
            )
        self.display = bool(message.hits)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "paper-similar":
            return
        event.stop()
        if event.row_key.value:
            cast(Navigator, self.app).open_paper(event.row_key.value)
