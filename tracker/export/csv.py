"""CSV, one row per paper, for spreadsheets: lists are joined with "; "."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from tracker.export.keys import citation_keys
from tracker.export.record import ExportPaper, one_line

COLUMNS = (
    "key",
    "arxiv_id",
    "version",
    "title",
    "authors",
    "published",
    "updated",
    "primary_category",
    "categories",
    "doi",
    "journal_ref",
    "comment",
    "url",
    "pdf_url",
    "tags",
    "starred",
    "note",
    "abstract",
)


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _row(paper: ExportPaper, key: str) -> list[str]:
    return [
        key,
        paper.arxiv_id,
        str(paper.version),
        one_line(paper.title),
        "; ".join(one_line(a) for a in paper.authors),
        _day(paper.published),
        _day(paper.updated),
        paper.primary_category,
        "; ".join(paper.categories),
        paper.doi or "",
        one_line(paper.journal_ref),
        one_line(paper.comment),
        paper.abs_url,
        paper.pdf_url,
        "; ".join(paper.tags),
        "yes" if paper.starred else "",
        paper.note,
        one_line(paper.abstract),
    ]


def render(papers: Sequence[ExportPaper]) -> str:
    """A CSV document with a header row (RFC 4180 quoting, \\r\\n line ends)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    keys = citation_keys(papers)
    writer.writerows(_row(p, k) for p, k in zip(papers, keys, strict=True))
    return out.getvalue()
