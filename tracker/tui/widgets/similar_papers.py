"""The "Similar papers" section of a paper's detail: nearest by meaning; enter opens one.

It loads in its own thread worker (numpy and the memory-mapped search matrix; no
model, no torch) and stays hidden while the database has no embeddings.
"""

from __future__ import annotations

from typing import Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label

from tracker.errors import TrackerError
from tracker.tui.navigation import Navigator

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
        yield Label("Similar papers", classes="section")
        table: DataTable[Any] = DataTable(id="paper-similar", cursor_type="row", show_cursor=False)
        table.add_columns("Cosine", "Id", "Title", "Why")
        yield table

    def on_mount(self) -> None:
        self.display = False

    # The cursor shows (and enter selects) only while the table has focus.
    def on_descendant_focus(self) -> None:
        self.query_one(DataTable).show_cursor = True

    def on_descendant_blur(self) -> None:
        self.query_one(DataTable).show_cursor = False

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
        table = self.query_one(DataTable)
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

    @on(DataTable.RowSelected, "#paper-similar")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            cast(Navigator, self.app).open_paper(event.row_key.value)
