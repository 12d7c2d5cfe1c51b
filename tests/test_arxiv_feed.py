"""Our one-pass Atom parser against the `arxiv` package's own parser, the reference."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import arxiv
import pytest
from arxiv import _feed

from tests.support.feeds import Entry, feed_xml
from tracker.records import PaperRecord
from tracker.sources.arxiv_feed import make_record, parse_page


def to_record(result: arxiv.Result) -> PaperRecord:
    """The record for a Result of the package's own parser."""
    return make_record(
        result.entry_id,
        title=result.title,
        summary=result.summary,
        authors=[a.name for a in result.authors],
        primary_category=result.primary_category,
        categories=result.categories,
        published=result.published,
        updated=result.updated,
        comment=result.comment,
        journal_ref=result.journal_ref,
        doi=result.doi,
    )


def reference(content: bytes) -> tuple[list, tuple[int, int, int]]:
    feed = _feed.parse(content)
    header = (feed.header.total_results, feed.header.items_per_page, feed.header.start_index)
    return [to_record(r) for r in feed.results], header


def assert_same(content: bytes) -> int:
    page = parse_page(content)
    records, header = reference(content)
    assert page.records == records
    assert (page.total_results, page.items_per_page, page.start_index) == header
    return len(records)


def test_recorded_feeds_parse_as_the_package_parses_them(shared: Path) -> None:
    feeds = [p for p in sorted((shared / "arxiv").glob("*.xml")) if not p.name.startswith("error_")]
    assert feeds, "no recorded arXiv feeds"
    entries = 0
    for path in feeds:
        if path.name.startswith("oaipmh"):
            continue  # OAI-PMH, not the API's Atom
        entries += assert_same(path.read_bytes())
    assert entries > 0


def test_recorded_error_feed_is_an_error(shared: Path) -> None:
    path = next((shared / "arxiv").glob("error_*.xml"))
    page = parse_page(path.read_bytes())
    assert page.records == []
    assert page.error and "incorrect id format" in page.error.lower()


def test_our_feeds_parse_as_the_package_parses_them() -> None:
    published = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    entries = [
        Entry(
            "2611.00001",
            version=3,
            title="  Attention\n   is all you need: $O(n^2)$ \\emph{bounds}  ",
            abstract="Code: https://github.com/Org/Repo.git and\n  https://org.github.io/x/ .",
            authors=["Łukasz Kaiser", "  ", "Ada   Lovelace"],
            categories=["cs.CL", "cs.LG", "cs.CL"],
            comment="Withdrawn; see https://gitlab.com/a/b",
            published=published,
        ),
        Entry("2611.00002", title="Ünïcode — ok", published=published, comment=None),
        Entry("hep-th/9901001", version=2, published=published, primary_category="hep-th"),
    ]
    assert assert_same(feed_xml(entries, total=42, start=7)) == 3
    record = parse_page(feed_xml(entries, total=42, start=7)).records[0]
    assert record.title == "Attention is all you need: $O(n^2)$ \\emph{bounds}"
    assert record.authors == ["Łukasz Kaiser", "Ada Lovelace"]
    assert record.withdrawn and record.version == 3
    assert record.categories == ["cs.CL", "cs.LG"]
    assert [url for url, _ in record.code_links] == [
        "https://gitlab.com/a/b",
        "https://github.com/org/repo",
        "https://org.github.io/x",
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"not xml at all", b"<feed xmlns='http://www.w3.org/2005/Atom'>"],
)
def test_garbage_is_an_empty_page_not_an_exception(content: bytes) -> None:
    page = parse_page(content)
    assert page.records == []


def test_entries_without_id_or_dates_are_skipped() -> None:
    good = feed_xml([Entry("2611.00009")], total=1)
    broken = good.replace(b"<published>", b"<nope>").replace(b"</published>", b"</nope>")
    assert parse_page(broken).records == []
    assert len(parse_page(good).records) == 1
