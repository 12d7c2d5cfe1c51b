"""The plain record every export format is written from (no I/O, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.records import parse_utc


@dataclass(frozen=True)
class ExportPaper:
    """One paper as reference managers need it; tracker.db.export_queries reads these."""

    arxiv_id: str  # canonical, without version
    title: str
    authors: list[str]
    version: int = 1
    abstract: str = ""
    primary_category: str = ""
    categories: list[str] = field(default_factory=list)
    published: datetime | None = None  # aware, UTC
    updated: datetime | None = None  # aware, UTC
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    tags: list[str] = field(default_factory=list)
    starred: bool = False
    note: str = ""

    @classmethod
    def from_detail(cls, paper: dict[str, Any]) -> ExportPaper:
        """From a tracker.db.queries.paper_detail() dict (what `show` and the TUI hold)."""
        return cls(
            arxiv_id=paper["arxiv_id"],
            title=paper.get("title") or "",
            authors=list(paper.get("authors") or []),
            version=paper.get("version") or 1,
            abstract=paper.get("abstract") or "",
            primary_category=paper.get("primary_category") or "",
            categories=list(paper.get("categories") or []),
            published=parse_utc(paper.get("published")),
            updated=parse_utc(paper.get("updated")),
            doi=paper.get("doi"),
            journal_ref=paper.get("journal_ref"),
            comment=paper.get("comment"),
        )

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}v{self.version}"

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None


def one_line(text: str | None) -> str:
    """Runs of whitespace (arXiv wraps titles and abstracts) -> one space."""
    return " ".join(text.split()) if text else ""
