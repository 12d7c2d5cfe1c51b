"""Our own arXiv Atom feeds, written in the 2026 serializer's shape, for paging tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape


@dataclass
class Entry:
    arxiv_id: str
    version: int = 1
    title: str = "A paper"
    abstract: str = "An abstract."
    authors: list[str] = field(default_factory=lambda: ["Ada Lovelace"])
    primary_category: str = "cs.CL"
    categories: list[str] = field(default_factory=lambda: ["cs.CL"])
    published: datetime = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    updated: datetime | None = None
    comment: str | None = None


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_xml(e: Entry) -> str:
    updated = e.updated or e.published
    cats = "".join(
        f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in e.categories
    )
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in e.authors)
    comment = f"<arxiv:comment>{escape(e.comment)}</arxiv:comment>" if e.comment else ""
    return (
        f"<entry><id>http://arxiv.org/abs/{e.arxiv_id}v{e.version}</id>"
        f"<title>{escape(e.title)}</title><updated>{_ts(updated)}</updated>"
        f'<link href="https://arxiv.org/abs/{e.arxiv_id}v{e.version}" rel="alternate" type="text/html"/>'
        f'<link href="https://arxiv.org/pdf/{e.arxiv_id}v{e.version}" rel="related" '
        f'type="application/pdf" title="pdf"/>'
        f"<summary>{escape(e.abstract)}</summary>{cats}<published>{_ts(e.published)}</published>"
        f'{comment}<arxiv:primary_category term="{e.primary_category}"/>{authors}</entry>'
    )


def feed_xml(entries: list[Entry], total: int, start: int = 0) -> bytes:
    body = "".join(entry_xml(e) for e in entries)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/api/test</id><title>arXiv Query: test</title>"
        f"<updated>2026-11-26T00:00:00Z</updated>"
        f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>{body}</feed>\n"
    ).encode()


def make_entries(
    count: int,
    *,
    newest: datetime,
    step: timedelta = timedelta(minutes=30),
    prefix: str = "2611",
    category: str = "cs.CL",
    first_number: int = 1,
) -> list[Entry]:
    """count entries, newest first, each updated `step` before the previous one."""
    return [
        Entry(
            arxiv_id=f"{prefix}.{first_number + i:05d}",
            title=f"Synthetic paper {first_number + i} on graph neural networks",
            abstract=f"We study problem {first_number + i} with transformers and attention.",
            authors=["Ada Lovelace", f"Author {i % 7}"],
            primary_category=category,
            categories=[category, "cs.LG"],
            published=newest - step * i,
        )
        for i in range(count)
    ]
