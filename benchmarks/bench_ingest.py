"""Ingest benchmark: `tracker sync` end to end against a local arXiv, and its baselines.

Measured in the same run, on the same synthetic papers:
  sync      arXiv pages served by a local server (delay 0), fetched and parsed by the
            real arxiv client, upserted with authors, categories, code links and the
            full-text index (run_sync, as the CLI calls it)
  parse     the arxiv package's feed parser alone, on the same pages
  raw       sqlite3 executemany of the same rows into the same papers table, plus the
            FTS5 index rows (what a hand-written loader would do)

Usage: python benchmarks/bench_ingest.py [--papers N] [--page-size N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path

from common import synthetic_entries, write_config  # noqa: I001 - sets sys.path

from tests.support.feeds import feed_xml
from tests.support.server import FakeServer, Reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=30_000)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument(
        "--into",
        type=Path,
        help="also sync the same pages into a copy-free existing database (e.g. the 1M one "
        "bench_search.py builds) to show that its size does not slow a sync",
    )
    args = parser.parse_args()

    from arxiv import _feed

    from tracker.config import load_config
    from tracker.db.engine import open_database
    from tracker.sync import run_sync

    entries = synthetic_entries(args.papers)
    bodies = {
        start: feed_xml(entries[start : start + args.page_size], len(entries), start)
        for start in range(0, len(entries), args.page_size)
    }
    megabytes = sum(len(b) for b in bodies.values()) / 1e6
    print(
        f"{args.papers} papers in {len(bodies)} pages of {args.page_size} ({megabytes:.0f} MB of Atom)"
    )

    # parse only
    started = time.perf_counter()
    parsed = sum(len(_feed.parse(body).results) for body in bodies.values())
    parse_rate = parsed / (time.perf_counter() - started)

    # The server runs in its own process, as arXiv would: in this one it would
    # compete with the store for the GIL.
    server = FakeServer()
    for start, body in bodies.items():
        server.add(
            "/api/query",
            Reply(body=body),
            params={"search_query": "cat:cs.LG", "start": str(start)},
            repeat=True,
        )
    if args.into:
        # Ids that the big database does not hold (an earlier run of this script may
        # have added some): a new week, not updates.
        with sqlite3.connect(args.into) as probe:
            newest_id = (
                probe.execute(
                    "SELECT max(arxiv_id) FROM papers WHERE arxiv_id GLOB '[0-9]*'"
                ).fetchone()[0]
                or "26"
            )
        year = int(newest_id[:2]) + 1
        fresh = synthetic_entries(args.papers, seed=2, year=year)
        # A category of its own, so no watermark of an earlier run shortens the pass.
        into_category = f"bench.into{year}"
        for start in range(0, len(fresh), args.page_size):
            body = feed_xml(fresh[start : start + args.page_size], len(fresh), start)
            server.add(
                "/api/query",
                Reply(body=body),
                params={"search_query": f"cat:{into_category}", "start": str(start)},
            )
    serving = multiprocessing.get_context("fork").Process(
        target=server.httpd.serve_forever, daemon=True
    )
    serving.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        config_path = write_config(
            Path(tmp) / "c.toml",
            db,
            api_url=server.url + "/api/query",
            page_size=args.page_size,
            lookback_days=3650,
        )
        config = load_config(config_path, environ={})
        engine = open_database(config.database_url)
        started = time.perf_counter()
        report = run_sync(engine, config, sources=("arxiv",))
        sync_seconds = time.perf_counter() - started
        assert report.new == args.papers, report
        engine.dispose()
        db_mb = db.stat().st_size / 1e6

        # raw sqlite3 baseline into the same schema
        raw_db = Path(tmp) / "raw.db"
        open_database(f"sqlite:///{raw_db}").dispose()
        conn = sqlite3.connect(raw_db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        rows = [
            (
                i + 1,
                e.arxiv_id,
                e.version,
                e.title,
                e.abstract,
                ", ".join(e.authors),
                e.primary_category,
                e.published.isoformat(),
                e.published.isoformat(),
            )
            for i, e in enumerate(entries)
        ]
        started = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO papers (id, arxiv_id, version, title, abstract, authors, "
                "primary_category, published, updated, withdrawn, upvotes, is_stub) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
                rows,
            )
            conn.executemany(
                "INSERT INTO papers_fts (rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
                [(r[0], r[3], r[4], r[5]) for r in rows],
            )
        raw_rate = len(rows) / (time.perf_counter() - started)
        conn.close()
        if args.into:
            config = load_config(
                write_config(
                    Path(tmp) / "into.toml",
                    args.into.resolve(),
                    api_url=server.url + "/api/query",
                    page_size=args.page_size,
                    lookback_days=3650,
                    categories=[into_category],
                ),
                environ={},
            )
            engine = open_database(config.database_url)
            with engine.connect() as conn:
                before = conn.exec_driver_sql("SELECT count(*) FROM papers").scalar()
            started = time.perf_counter()
            into = run_sync(engine, config, sources=("arxiv",))
            into_seconds = time.perf_counter() - started
            engine.dispose()
    serving.terminate()
    server.httpd.server_close()
    if args.into:
        print(
            f"sync into a {before:,}-paper database: {into.new / into_seconds:8.0f} papers/s "
            f"({into.new} new in {into_seconds:.2f} s)"
        )

    sync_rate = args.papers / sync_seconds
    print(
        f"sync (fetch + parse + upsert + FTS): {sync_rate:8.0f} papers/s  ({sync_seconds:.2f} s, {report.requests} requests)"
    )
    print(f"baseline: arxiv parser alone:        {parse_rate:8.0f} entries/s")
    print(f"baseline: raw sqlite3 rows + FTS:    {raw_rate:8.0f} rows/s")
    print(f"database size: {db_mb:.1f} MB, {db_mb * 1e6 / args.papers / 1024:.1f} KiB per paper")
    print(f"goal >= 5000 papers/s: {'met' if sync_rate >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
