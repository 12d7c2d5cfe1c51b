"""What the papers list shows (filters, rows, pages), without SQLAlchemy.

Standard library only: the TUI imports this before its first paint, and
tracker.db.paper_pages (SQLAlchemy) loads after. `newest_page` reads the first
page of the default list (newest first, no filters) with the standard library's
sqlite3, so that the rows are on screen while the engine, the models and the
migrations check are still loading. It returns the same rows as
`tracker.db.paper_pages.fetch_papers(conn, PaperFilters())` (a test compares
them), and None whenever it cannot be sure: the caller then takes the ordinary
path. Its paper condition is tracker.db.paper_rule's, like every other read. `NewestPage` runs it in a thread, started before Textual
is imported so that the read and the imports overlap.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from tracker.db.paper_rule import IS_PAPER_SQL

PAGE_SIZE = 100
Sort = Literal["relevance", "newest", "upvotes", "models", "hot"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "upvotes", "models", "hot")
SORT_LABELS: dict[str, str] = {
    "relevance": "best match",
    "newest": "newest",
    "upvotes": "most upvoted",
    "models": "most models",
    "hot": "hot",
}


@dataclass(frozen=True)
class PaperFilters:
    """What the papers list shows. `relevance` falls back to newest without text;
    `hot` is `tracker search --sort hot` (tracker.follow.hot), paged by tracker.db.paper_pages."""

    text: str = ""
    category: str = ""
    task: str = ""
    dataset: str = ""
    tag: str = ""
    has_models: bool = False
    has_code: bool = False
    starred: bool = False
    unread: bool = False
    since: date | None = None
    until: date | None = None
    sort: Sort = "relevance"

    def with_text(self, text: str) -> PaperFilters:
        return replace(self, text=text)

    def cleared(self) -> PaperFilters:
        return PaperFilters(text=self.text)

    @property
    def effective_sort(self) -> Sort:
        if self.sort == "relevance" and not self.text.strip():
            return "newest"
        return self.sort

    def describe(self) -> list[str]:
        """Short labels of the active filters, for the status line."""
        labels = []
        for name in ("category", "task", "dataset", "tag"):
            value = getattr(self, name)
            if value:
                labels.append(f"{name}:{value}")
        for name, label in (
            ("has_models", "has models"),
            ("has_code", "has code"),
            ("starred", "starred"),
            ("unread", "unread"),
        ):
            if getattr(self, name):
                labels.append(label)
        if self.since:
            labels.append(f"since {self.since.isoformat()}")
        if self.until:
            labels.append(f"until {self.until.isoformat()}")
        return labels

    @property
    def extra(self) -> bool:
        """Filters that full-text search cannot apply itself."""
        return bool(
            self.task
            or self.dataset
            or self.tag
            or self.has_models
            or self.has_code
            or self.starred
            or self.unread
        )


@dataclass(frozen=True)
class PaperRow:
    id: int
    arxiv_id: str
    title: str
    published: datetime | None
    category: str
    upvotes: int
    models: int
    has_code: bool
    starred: bool
    read: bool


@dataclass
class Page:
    rows: list[PaperRow]
    offset: int
    has_more: bool
    filters: PaperFilters = field(default_factory=PaperFilters)


def sqlite_file(url: str) -> Path | None:
    """The file of a sqlite:/// URL (None for other databases and :memory:)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.endswith(":memory:"):
        return Path(url[len(prefix) :])
    return None


_NEWEST = f"""
SELECT papers.id, papers.arxiv_id, papers.title, papers.published, papers.primary_category,
       papers.upvotes,
       (SELECT count(*) FROM paper_models pm WHERE pm.paper_id = papers.id),
       EXISTS (SELECT 1 FROM code_links cl WHERE cl.paper_id = papers.id),
       u.starred, u.read_at
FROM papers LEFT JOIN paper_user u ON u.paper_id = papers.id
WHERE {IS_PAPER_SQL}
ORDER BY papers.published DESC, papers.id DESC
LIMIT ?
"""


def _utc(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def newest_page(path: Path, limit: int = PAGE_SIZE) -> Page | None:
    """The first page of the default list, read-only, or None (missing file, other
    schema, empty, locked: anything the ordinary path should handle and explain)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            raw = conn.execute(_NEWEST, (limit + 1,)).fetchall()
        finally:
            conn.close()
        rows = [
            PaperRow(
                id=r[0],
                arxiv_id=r[1],
                title=r[2],
                published=_utc(r[3]),
                category=r[4],
                upvotes=r[5] or 0,
                models=r[6] or 0,
                has_code=bool(r[7]),
                starred=bool(r[8]),
                read=r[9] is not None,
            )
            for r in raw
        ]
    except (sqlite3.Error, ValueError, TypeError):
        return None
    if not rows:
        return None
    return Page(rows[:limit], 0, len(rows) > limit, PaperFilters())


class NewestPage:
    """newest_page(path) read in a thread, started before Textual loads (tracker.tui.run_app)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.page: Page | None = None
        self._done = threading.Event()
        threading.Thread(target=self._read, name="newest-page", daemon=True).start()

    def _read(self) -> None:
        try:
            self.page = newest_page(self.path)
        except Exception:  # noqa: BLE001 - None sends the app down the ordinary path
            self.page = None
        finally:
            self._done.set()

    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self) -> Page | None:
        self._done.wait()
        return self.page
