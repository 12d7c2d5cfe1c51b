"""Plain records that sources produce and the store consumes. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PaperRecord:
    arxiv_id: str  # canonical, without version
    version: int
    title: str
    abstract: str
    authors: list[str]
    primary_category: str
    categories: list[str]
    published: datetime | None  # aware, UTC
    updated: datetime | None  # aware, UTC
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    withdrawn: bool = False
    code_links: list[tuple[str, str]] = field(default_factory=list)  # (url, source)
