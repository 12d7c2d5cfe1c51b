"""tracker import arxiv-snapshot: parsing, broken lines, resume, merge with sync, kills."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from tests.support.feeds import Entry, feed_xml
from tests.support.server import Reply
from tracker.db import fulltext
from tracker.db.engine import write_transaction
from tracker.db.index_state import index_is_stale
from tracker.db.models import Paper, PaperAuthor
from tracker.db.papers import upsert_papers
from tracker.imports.arxiv_snapshot import (
    BATCH,
    _defer_pays,
    _read_state,
    _state_key,
    _write_state,
    import_snapshot,
    to_record,
)
from tracker.sync.lock import SyncLock


def snapshot_line(i: int, version: int = 1, category: str = "cs.LG") -> str:
    versions = [
        {"version": f"v{v}", "created": f"Mon, {v} Apr 2024 10:00:00 GMT"}
        for v in range(1, version + 1)
    ]
    return json.dumps(
        {
            "id": f"2404.{i:05d}",
            "authors": "Ada Lovelace, Émile Borel",
            "title": f"Paper {i} on\n  sparse attention",
            "comments": "Code: https://github.com/ada/sparse",
            "journal-ref": None,
            "doi": None,
            "categories": f"{category} stat.ML",
            "abstract": f"  Abstract {i} with $\\alpha$-entmax.\n",
            "versions": versions,
            "update_date": "2024-04-10",
            "authors_parsed": [["Lovelace", "Ada", ""], ["Borel", "Émile", ""]],
        }
    )


def write_lines(path, lines, gz=False):
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def papers(engine):
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(Paper.__table__)).scalar()
        authors = conn.execute(select(func.count()).select_from(PaperAuthor.__table__)).scalar()
        fts = conn.execute(
            text("SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'entmax'")
        ).scalar()
        ok = conn.execute(text("PRAGMA integrity_check")).scalar()
    return n, authors, fts, ok


def test_real_snapshot_lines(shared, cli):
    path = shared / "arxiv" / "kaggle_arxiv-metadata-oai-snapshot_first20.jsonl"
    result = cli("import", "arxiv-snapshot", str(path), "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 20
    assert result.json()["broken_lines"] == 0
    paper = cli("show", "0704.0001", "--json").json()
    assert paper["title"] == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert paper["authors"][:2] == ["C. Balázs", "E. L. Berger"]
    assert paper["version"] == 2
    assert paper["published"] == "2007-04-02T19:18:42Z"
    assert paper["doi"] == "10.1103/PhysRevD.76.013009"
    assert cli("search", "diphoton", "--json").json()[0]["arxiv_id"] == "0704.0001"


def test_broken_lines_are_reported_and_the_rest_imported(env, cli, tmp_path, db_engine):
    lines = [snapshot_line(1), '{"id": "2404.00002", "title": ', "[1, 2]", snapshot_line(4), "{}"]
    path = write_lines(tmp_path / "s.json.gz", lines, gz=True)
    result = cli("import", "arxiv-snapshot", str(path))
    assert result.code == 0
    assert result.err.splitlines()[0].startswith(
        "import: 2 new, 0 updated, 0 filtered, 3 broken lines in "
    )
    assert result.err.splitlines()[1:] == [
        "  line 2: not valid JSON (Expecting value at character 32)",
        "  line 3: not a JSON object",
        "  line 5: no id",
    ]
    n, authors, fts, ok = papers(db_engine)
    assert (n, authors, fts, ok) == (2, 4, 2, "ok")
    shown = cli("show", "2404.00001", "--json").json()
    assert shown["title"] == "Paper 1 on sparse attention"
    assert shown["code_links"] == ["https://github.com/ada/sparse"]


def test_rerun_skips_what_is_stored_and_category_filter(env, cli, tmp_path):
    lines = [snapshot_line(i, category="cs.LG" if i % 2 else "math.CO") for i in range(1, 11)]
    path = write_lines(tmp_path / "s.jsonl", lines)
    first = cli("import", "arxiv-snapshot", str(path), "--category", "cs.", "--json").json()
    assert (first["new"], first["filtered"]) == (5, 5)
    again = cli("import", "arxiv-snapshot", str(path), "--json").json()
    assert (again["new"], again["skipped_lines"]) == (0, 10)


def test_merges_with_synced_papers_newer_version_wins(env, cli, tmp_path, db_engine):
    write_lines(tmp_path / "a.jsonl", [snapshot_line(1, version=3)])
    write_lines(tmp_path / "b.jsonl", [snapshot_line(1, version=1), snapshot_line(2, version=2)])
    assert cli("import", "arxiv-snapshot", str(tmp_path / "a.jsonl")).code == 0
    result = cli("import", "arxiv-snapshot", str(tmp_path / "b.jsonl"), "--json").json()
    assert (result["new"], result["updated"]) == (1, 0)
    assert cli("show", "2404.00001", "--json").json()["version"] == 3
    write_lines(tmp_path / "c.jsonl", [snapshot_line(2, version=4), snapshot_line(3)])
    result = cli("import", "arxiv-snapshot", str(tmp_path / "c.jsonl"), "--json").json()
    assert (result["new"], result["updated"]) == (1, 1)
    n, _, fts, _ = papers(db_engine)
    assert (n, fts) == (3, 3)


def interrupt_after_20(engine, path, defer_index):
    """Import path in batches of 10 and stop it (Ctrl-C) once 20 papers are stored."""

    def crash(done: int, total: int, stored: int) -> None:
        if stored >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_snapshot(engine, path, progress=crash, batch_size=10, defer_index=defer_index)


@pytest.mark.parametrize("defer_index", [False, True], ids=["indexed-per-batch", "deferred"])
def test_interrupted_import_resumes(env, tmp_path, defer_index, db_engine):
    path = write_lines(tmp_path / "s.jsonl", [snapshot_line(i) for i in range(1, 51)])
    interrupt_after_20(db_engine, path, defer_index)
    n, _, fts, _ = papers(db_engine)
    # Indexed per batch, what is stored is searchable; deferred, the index waits
    # for the end, which the next run reaches even if it would not defer itself.
    assert (n, fts) == (20, 0 if defer_index else 20)
    report = import_snapshot(db_engine, path, batch_size=10, defer_index=False)
    assert (report.skipped_lines, report.new) == (20, 30)
    assert (report.index_seconds > 0) == defer_index
    assert papers(db_engine) == (50, 100, 50, "ok")


def test_the_index_is_deferred_for_a_first_import_not_for_a_small_one(env, tmp_path, db_engine):
    big = write_lines(tmp_path / "big.jsonl", [snapshot_line(i) for i in range(1, 41)])
    assert _defer_pays(db_engine, big)  # an empty database
    report = import_snapshot(db_engine, big)
    assert report.index_seconds > 0
    small = write_lines(tmp_path / "small.jsonl", [snapshot_line(i) for i in range(41, 43)])
    assert not _defer_pays(db_engine, small)  # 2 lines into 40 indexed papers
    assert import_snapshot(db_engine, small).index_seconds == 0
    assert papers(db_engine) == (42, 84, 42, "ok")


def test_an_index_left_stale_by_an_older_import_is_rebuilt(env, tmp_path, db_engine):
    # Older versions stored rows first and indexed them at the end; one of those
    # interrupted leaves rows that the index lacks, and a flag saying so.
    lines = [snapshot_line(i) for i in range(1, 21)]
    lines += [snapshot_line(1, version=2)] + [snapshot_line(i) for i in range(21, 30)]
    path = write_lines(tmp_path / "s.jsonl", lines)
    now = datetime.now(UTC)
    with write_transaction(db_engine) as conn:
        records = [to_record(json.loads(line)) for line in lines[:20]]
        upsert_papers(conn, records, now, index=False)
        _write_state(conn, _state_key(path), 20, True, now)
    report = import_snapshot(db_engine, path, batch_size=10)
    assert (report.skipped_lines, report.new, report.updated) == (20, 9, 1)
    assert report.index_seconds > 0
    with db_engine.connect() as conn:
        fulltext.integrity_check(conn)
    assert papers(db_engine) == (29, 58, 29, "ok")


def test_missing_file_is_a_usage_error(cli, tmp_path):
    result = cli("import", "arxiv-snapshot", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert result.err.startswith(f"Error: {tmp_path / 'nope.json'}: no such file.")


def start_import(path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "import", "arxiv-snapshot", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )


def kill_after_batches(engine, path, batches: int) -> None:
    """Start an import and SIGKILL it once it has committed `batches` more batches."""
    key = _state_key(path)
    target = _read_state(engine, key) + batches * BATCH
    proc = start_import(path)
    try:
        deadline = time.monotonic() + 120
        while _read_state(engine, key) < target and proc.poll() is None:
            assert time.monotonic() < deadline, f"no commit of line {target} in 120 s"
            time.sleep(0.01)
        assert proc.poll() is None, f"the import ended before committing line {target}"
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err


def test_sigkill_during_import_then_rerun(env, tmp_path, db_engine):
    # 16 batches of BATCH lines. Each run is killed once it has committed one or two
    # batches more than the last, so it dies while storing (or between) batches: 8
    # batches in all, at most 6 more when a kill comes a batch late; the final run
    # resumes from the last commit and always has work left.
    total = 16 * BATCH
    path = write_lines(tmp_path / "s.jsonl", [snapshot_line(i) for i in range(1, total + 1)])
    for batches in (1, 2, 1, 1, 2, 1):
        kill_after_batches(db_engine, path, batches)
    assert _read_state(db_engine, _state_key(path)) < total
    final = subprocess.run(
        [sys.executable, "-m", "tracker", "import", "arxiv-snapshot", str(path)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert final.returncode == 0, final.stderr
    assert papers(db_engine) == (total, 2 * total, total, "ok")


def test_a_sync_after_an_interrupted_deferred_import_finishes_the_index_first(
    env, server, cli, tmp_path, db_engine
):
    # Without this, the sync's update of a paper that the import stored but had not
    # indexed yet would remove text the index never held: a corrupt index.
    path = write_lines(tmp_path / "s.jsonl", [snapshot_line(i) for i in range(1, 31)])
    interrupt_after_20(db_engine, path, defer_index=True)
    with db_engine.connect() as conn:
        assert index_is_stale(conn)
    newer = Entry(
        arxiv_id="2404.00003",
        version=2,
        title="Paper 3, revised",
        abstract="Now with entmax everywhere.",
        published=datetime.now(UTC) - timedelta(days=3),
        updated=datetime.now(UTC) - timedelta(hours=2),
    )
    env.configure(arxiv={"categories": ["cs.LG"], "lookback_days": 7})
    server.add(
        "/api/query",
        Reply(body=feed_xml([newer], 1, 0)),
        params={"search_query": "cat:cs.LG", "start": "0"},
    )
    result = cli("sync", "--json")
    assert result.code == 0, result.err
    assert result.json()["updated"] == 1
    with db_engine.connect() as conn:
        assert not index_is_stale(conn)
        fulltext.integrity_check(conn)
    assert papers(db_engine) == (20, 39, 20, "ok")  # paper 3 now has one author, still entmax
    assert cli("search", "revised", "--json").json()[0]["arxiv_id"] == "2404.00003"


def test_an_import_does_not_start_while_a_sync_runs(env, cli, tmp_path, db_engine):
    path = write_lines(tmp_path / "s.jsonl", [snapshot_line(1)])
    with SyncLock(db_engine):
        result = cli("import", "arxiv-snapshot", str(path))
    assert result.code == 75
    assert result.err.strip() == (
        "Error: another tracker sync or import is running on this database; "
        "not starting this import."
    )
    assert papers(db_engine)[0] == 0
