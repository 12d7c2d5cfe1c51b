"""Sync as cron runs it: real processes, SIGKILL at chosen requests, a second sync at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from tests.support.feeds import feed_xml, make_entries
from tests.support.server import Reply
from tracker.db.models import Paper, PaperAuthor, PaperCategory

NOW = datetime.now(UTC).replace(microsecond=0)
# Each run is killed when its n-th page request reaches the server, i.e. once its
# first n - 1 pages are answered (and being stored, or stored) out of 10.
KILL_AT_REQUEST = (1, 9, 4, 2, 7, 5, 3, 8)


def start_sync(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "sync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll condition until it holds; fail, saying what, after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def kill_at_request(server, n: int) -> None:
    """Start a sync and SIGKILL it as soon as the server has its n-th request."""
    before = len(server.requests)
    proc = start_sync("-q")
    try:
        wait_for(
            lambda: len(server.requests) >= before + n or proc.poll() is not None,
            f"request {n} of a sync",
        )
        assert proc.poll() is None, f"the sync ended before its request {n}"
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err


def test_sigkill_during_sync_then_rerun_leaves_no_duplicate_and_no_gap(env, server, db_engine):
    page_size, total = 20, 200
    env.configure(arxiv={"page_size": page_size})
    entries = make_entries(total, newest=NOW - timedelta(minutes=5), step=timedelta(minutes=10))
    for start in range(0, total, page_size):
        body = feed_xml(entries[start : start + page_size], total, start)
        # The last page answers slowly: a run killed at request 9 is surely still running.
        last = start + page_size >= total
        server.add(
            "/api/query",
            Reply(body=body, delay=1.0 if last else 0.05),
            params={"search_query": "cat:cs.CL", "start": str(start)},
            repeat=True,
        )
    for n in KILL_AT_REQUEST:
        kill_at_request(server, n)

    final = start_sync("--json")
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err

    with db_engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        ids = [r[0] for r in conn.execute(select(Paper.__table__.c.arxiv_id))]
        assert sorted(ids) == sorted(e.arxiv_id for e in entries)
        assert (
            conn.execute(select(func.count()).select_from(PaperAuthor.__table__)).scalar()
            == 2 * total
        )
        assert (
            conn.execute(select(func.count()).select_from(PaperCategory.__table__)).scalar()
            == 2 * total
        )
        fts = conn.execute(
            text("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'synthetic'")
        )
        assert fts.scalar() == total


def test_second_sync_exits_75_at_once(env, server):
    server.add("/api/query", Reply(hang=True), params={"search_query": "cat:cs.CL"}, repeat=True)
    env.configure(arxiv={"timeout_seconds": 10})
    first = start_sync("-q")
    try:
        lock = env.tmp / "tracker.db.sync.lock"
        wait_for(lambda: bool(server.requests), "the first sync's request", timeout=15)
        assert lock.exists()
        started = time.monotonic()
        second = start_sync()
        out, err = second.communicate(timeout=15)
        assert second.returncode == 75
        assert time.monotonic() - started < 10
        assert out == ""
        assert err.strip().splitlines() == [
            "Error: another tracker sync or import is running on this database; "
            "not starting this sync."
        ]
    finally:
        first.kill()
        first.communicate()


def test_readers_never_see_a_locked_database_while_sync_writes(env, server, db_engine):
    page_size, total = 50, 1000
    env.configure(arxiv={"page_size": page_size})
    entries = make_entries(total, newest=NOW - timedelta(minutes=5), step=timedelta(minutes=1))
    for start in range(0, total, page_size):
        body = feed_xml(entries[start : start + page_size], total, start)
        server.add(
            "/api/query",
            Reply(body=body),
            params={"search_query": "cat:cs.CL", "start": str(start)},
        )
    from tracker.db.queries import counts
    from tracker.db.search import search_papers

    sync = start_sync("-q")
    reads = 0
    seen = []
    try:
        while sync.poll() is None:
            with db_engine.connect() as conn:
                search_papers(conn, "graph neural", limit=20)
                seen.append(counts(conn)["papers"])
            reads += 1
    finally:
        out, err = sync.communicate(timeout=60)
    assert sync.returncode == 0, err
    assert reads >= 5
    assert seen == sorted(seen), "readers see whole pages, in order"
    assert seen[-1] <= total
