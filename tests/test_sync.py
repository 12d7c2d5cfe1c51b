"""tracker sync against a local arXiv: the real arxiv.Client, our own feeds, scripted faults."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.feeds import Entry, feed_xml, make_entries
from tests.support.server import Reply
from tracker.db.models import Paper, PaperAuthor, SyncState

pytestmark = pytest.mark.backends

NOW = datetime.now(UTC).replace(microsecond=0)
PAGE = {"search_query": "cat:cs.CL"}


def serve_pages(server, entries, page_size, *, query="cat:cs.CL", faults=None, pages=None):
    """Serve entries as pages of page_size (the first `pages` of them);
    faults maps a start offset to replies served before the page."""
    faults = faults or {}
    total = len(entries)
    for start in list(range(0, max(total, 1), page_size))[:pages]:
        chunk = entries[start : start + page_size]
        replies = list(faults.get(start, [])) + [Reply(body=feed_xml(chunk, total, start))]
        server.add("/api/query", *replies, params={"search_query": query, "start": str(start)})


def count(engine, column=Paper.id):
    with engine.connect() as conn:
        return conn.execute(select(func.count(column))).scalar()


def state(engine, key="arxiv:cat:cs.CL"):
    with engine.connect() as conn:
        return conn.execute(
            select(SyncState.__table__).where(SyncState.__table__.c.source_key == key)
        ).first()


def test_first_sync_pages_down_to_lookback(env, server, cli, db_engine):
    env.configure(arxiv={"page_size": 5, "lookback_days": 2})
    # 12 entries, 6 hours apart: those older than 2 days (i >= 8) must not be stored,
    # and the third page is never requested: the second already reached the cutoff.
    entries = make_entries(12, newest=NOW - timedelta(hours=1), step=timedelta(hours=6))
    serve_pages(server, entries, 5, pages=2)
    result = cli("sync", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["new"] == 8
    assert report["updated"] == 0
    assert report["requests"] == 2
    assert report["errors"] == []
    assert count(db_engine) == 8
    assert state(db_engine).watermark == entries[0].published


def test_rerun_finds_nothing_new(env, server, cli, db_engine):
    env.configure(arxiv={"page_size": 10})
    entries = make_entries(6, newest=NOW - timedelta(hours=1))
    serve_pages(server, entries, 10)
    serve_pages(server, entries, 10)  # the second run reads the overlap window again
    assert cli("sync", "-q").code == 0
    again = cli("sync", "--json")
    assert again.code == 0
    assert again.json()["new"] == 0
    assert again.json()["updated"] == 0
    assert count(db_engine) == 6
    assert count(db_engine, PaperAuthor.paper_id) == 12


def test_new_version_updates_the_row(env, server, cli, db_engine):
    env.configure(arxiv={"page_size": 10})
    first = make_entries(3, newest=NOW - timedelta(days=1))
    serve_pages(server, first, 10)
    assert cli("sync", "-q").code == 0
    revised = Entry(
        arxiv_id=first[1].arxiv_id,
        version=2,
        title="A revised title",
        abstract="A new abstract about $\\alpha$-divergences.",
        authors=["Ada Lovelace", "Émile Borel"],
        published=first[1].published,
        updated=NOW - timedelta(hours=1),
    )
    serve_pages(server, [revised, first[0], first[2]], 10)
    result = cli("sync", "--json")
    assert result.json()["updated"] == 1
    assert result.json()["new"] == 0
    assert count(db_engine) == 3
    shown = cli("show", f"{first[1].arxiv_id}v1", "--json").json()
    assert shown["version"] == 2
    assert shown["title"] == "A revised title"
    assert shown["authors"] == ["Ada Lovelace", "Émile Borel"]
    hits = cli("search", "divergences", "--json").json()
    assert [h["arxiv_id"] for h in hits] == [first[1].arxiv_id]
    # The old text left the full-text index with the old version.
    old_title_hits = cli("search", f'"{first[1].title}"', "--json").json()
    assert first[1].arxiv_id not in [h["arxiv_id"] for h in old_title_hits]


def test_503_then_200_is_retried(env, server, cli):
    entries = make_entries(3, newest=NOW - timedelta(hours=2))
    serve_pages(server, entries, 200, faults={0: [Reply(status=503), Reply(status=503)]})
    result = cli("sync", "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 3
    assert result.json()["requests"] == 3


def test_429_honours_retry_after(env, server, cli):
    entries = make_entries(2, newest=NOW - timedelta(hours=2))
    serve_pages(server, entries, 200, faults={0: [Reply(status=429, headers={"Retry-After": "1"})]})
    started = time.monotonic()
    result = cli("sync", "--json")
    assert result.code == 0
    assert time.monotonic() - started >= 1.0
    assert result.json()["new"] == 2


def test_connection_dropped_mid_body_is_retried(env, server, cli):
    entries = make_entries(4, newest=NOW - timedelta(hours=2))
    body = feed_xml(entries, 4)
    serve_pages(server, entries, 200, faults={0: [Reply(body=body, drop_after=len(body) // 2)]})
    result = cli("sync", "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 4


def test_truncated_feed_is_never_stored(env, server, cli, db_engine):
    entries = make_entries(4, newest=NOW - timedelta(hours=2))
    body = feed_xml(entries, 4)
    cut = body[: body.index(b"</entry>", len(body) // 2) - 20]  # inside an entry
    server.add("/api/query", Reply(body=cut), params=PAGE, repeat=True)
    result = cli("sync", "--json")
    assert result.code == 1
    assert "truncated feed" in result.json()["errors"][0]
    assert count(db_engine) == 0


def test_server_that_never_answers_fails_within_timeout(env, server, cli):
    env.configure(arxiv={"timeout_seconds": 0.5, "max_retries": 1})
    server.add("/api/query", Reply(hang=True), params=PAGE, repeat=True)
    started = time.monotonic()
    result = cli("sync", "--json")
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert "timed out" in result.json()["errors"][0]
    assert elapsed < 5


def test_failing_source_is_reported_and_others_go_on(env, server, cli, db_engine):
    env.configure(arxiv={"categories": ["cs.CL", "cs.CV"]})
    server.add("/api/query", Reply(status=503), params=PAGE, repeat=True)
    serve_pages(server, make_entries(2, newest=NOW, category="cs.CV"), 200, query="cat:cs.CV")
    result = cli("sync", "--json")
    assert result.code == 1
    report = result.json()
    assert report["new"] == 2
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith("arxiv:cat:cs.CL: arXiv did not answer after 3 tries")
    assert state(db_engine).watermark is None  # the failed pass did not move its watermark
    assert state(db_engine, "arxiv:cat:cs.CV").watermark is not None
    serve_pages(server, make_entries(2, newest=NOW, category="cs.CV"), 200, query="cat:cs.CV")
    plain = cli("sync")
    assert plain.code == 1
    assert "Error: arxiv:cat:cs.CL" in plain.err


def test_http_400_error_feed_is_a_clear_error_and_keeps_data(env, server, cli, shared, db_engine):
    serve_pages(server, make_entries(2, newest=NOW), 200)
    assert cli("sync", "-q").code == 0
    error_feed = (shared / "arxiv" / "error_idlist_abc_http400_2026.xml").read_bytes()
    server.add("/api/query", Reply(status=400, body=error_feed), params=PAGE)
    result = cli("sync")
    assert result.code == 1
    assert "arXiv rejected the request: incorrect id format for abc" in result.err
    assert len(server.requests) == 2  # a 400 is not retried
    assert count(db_engine) == 2


def test_spurious_empty_page_is_retried(env, server, cli):
    env.configure(arxiv={"page_size": 3})
    entries = make_entries(6, newest=NOW - timedelta(hours=1))
    empty = Reply(body=feed_xml([], 6, 3))
    serve_pages(server, entries, 3, faults={3: [empty]})
    result = cli("sync", "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 6


def test_max_and_since_do_not_move_the_watermark_past_a_gap(env, server, cli, db_engine):
    entries = make_entries(5, newest=NOW - timedelta(hours=1))
    serve_pages(server, entries, 200)
    result = cli("sync", "--max", "2", "--json")
    assert result.json()["new"] == 2
    assert state(db_engine).watermark is None  # the pass stopped early


def test_category_option_limits_the_sources(env, server, cli):
    env.configure(arxiv={"categories": ["cs.CL", "cs.CV"]})
    serve_pages(server, make_entries(2, newest=NOW, category="cs.CV"), 200, query="cat:cs.CV")
    result = cli("sync", "--category", "cs.CV", "--json")
    assert result.code == 0
    assert list(result.json()["sources"]) == ["arxiv:cat:cs.CV"]


def test_bad_since_is_a_usage_error(cli):
    result = cli("sync", "--since", "last tuesday")
    assert result.code == 2
    assert result.err.startswith("Error: --since: 'last tuesday' is not a date.")


def test_quiet_prints_nothing_on_success(env, server, cli):
    serve_pages(server, make_entries(1, newest=NOW), 200)
    result = cli("sync", "-q")
    assert (result.code, result.out, result.err) == (0, "", "")


def test_summary_line(env, server, cli):
    serve_pages(server, make_entries(2, newest=NOW), 200)
    result = cli("sync")
    assert result.code == 0
    assert result.out == ""
    assert result.err.startswith("sync: 2 new, 0 updated, 0 models, 0 results, 1 requests in ")


def test_code_links_from_comments_are_normalized(env, server, cli):
    entry = Entry(
        arxiv_id="2611.00042",
        comment="Code: https://GitHub.com/Org/Repo.git; project page https://org.github.io/repo/",
        abstract="See github.com/org/repo/tree/main for code.",
        published=NOW,
    )
    serve_pages(server, [entry], 200)
    assert cli("sync", "-q").code == 0
    links = cli("show", "2611.00042", "--json").json()["code_links"]
    assert links == ["https://github.com/org/repo", "https://org.github.io/repo"]


def test_requests_are_spaced_by_delay_seconds(env, server, cli):
    env.configure(arxiv={"page_size": 2, "delay_seconds": 0.4})
    entries = make_entries(6, newest=NOW - timedelta(hours=1))
    serve_pages(server, entries, 2)
    assert cli("sync", "-q").code == 0
    gaps = [b - a for a, b in zip(server.request_times, server.request_times[1:], strict=False)]
    assert len(gaps) == 2
    assert min(gaps) >= 0.38


def test_verbose_logs_each_request(env, server):
    serve_pages(server, make_entries(1, newest=NOW), 200)
    # A real process: the requests are made (and logged) by the fetching child process.
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "sync", "-v"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    requests = [
        line for line in result.stderr.splitlines() if "arxiv: GET http://127.0.0.1" in line
    ]
    assert len(requests) == 1
    assert "search_query=cat%3Acs.CL" in requests[0]
