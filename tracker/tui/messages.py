"""App-level messages. Workers post them from their threads (post_message is thread-safe)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tracker.db import Engine
    from tracker.db.paper_list import Page


class FirstPageRead(Message):
    """The newest page, read with sqlite3 before the engine opened (None: take the
    ordinary path)."""

    def __init__(self, page: Page | None) -> None:
        super().__init__()
        self.page = page


class DatabaseOpened(Message):
    """The database opened (and was upgraded if needed); papers: 0 when it holds none."""

    def __init__(self, engine: Engine, papers: int) -> None:
        super().__init__()
        self.engine = engine
        self.papers = papers


class DatabaseFailed(Message):
    """The database could not be opened: missing, locked, too new or not ours."""

    def __init__(self, message: str, hint: str | None) -> None:
        super().__init__()
        self.message = message
        self.hint = hint


class SyncProgressed(Message):
    def __init__(self, source_key: str, fetched: int) -> None:
        super().__init__()
        self.source_key = source_key
        self.fetched = fetched


class SyncFinished(Message):
    def __init__(self, report: Any, papers: int) -> None:
        super().__init__()
        self.report = report
        self.papers = papers


class PaperChanged(Message):
    """The user's data about a paper changed (star, read, tag, note)."""

    def __init__(self, arxiv_id: str) -> None:
        super().__init__()
        self.arxiv_id = arxiv_id
