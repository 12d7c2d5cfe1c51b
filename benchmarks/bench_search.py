"""Search benchmark: relevance-ranked full-text search on a large paper database.

Builds (once, cached in benchmarks/out/) a database of N synthetic papers whose words
follow a Zipf law, then times 200 queries of 1-3 words drawn from the same law:
  baseline  naive FTS5: MATCH ... ORDER BY bm25 LIMIT 20 (scores every match)
  tracker   tracker.db.search.search_papers (what `tracker search` runs), by
            relevance (also in CPU time: the machine may be shared) and by date
and `show` on random ids. Prints p50/p95 in ms.

Usage: python benchmarks/bench_search.py [--papers N] [--queries N] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from common import REPO, vocabulary  # noqa: I001 - sets sys.path

OUT = REPO / "benchmarks" / "out"


def build_database(path: Path, papers: int, seed: int = 3) -> None:
    """Fill the real schema with raw inserts, then build the FTS index in one pass."""
    from tracker.db.engine import open_database

    open_database(f"sqlite:///{path}").dispose()
    words = np.array(vocabulary())
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, len(words) + 1)
    probs = 1.0 / ranks**1.07
    probs /= probs.sum()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    batch = 20_000
    with conn:
        for base in range(0, papers, batch):
            n = min(batch, papers - base)
            lengths = rng.integers(100, 220, n)
            tokens = rng.choice(len(words), size=int(lengths.sum()) + n * 10, p=probs)
            rows, cats, pos = [], [], 0
            for i in range(n):
                pid = base + i + 1
                title = " ".join(words[tokens[pos : pos + 10]]).capitalize()
                pos += 10
                abstract = " ".join(words[tokens[pos : pos + lengths[i]]])
                pos += lengths[i]
                when = (start - timedelta(minutes=(papers - pid) * 3)).strftime(
                    "%Y-%m-%d %H:%M:%S.%f"
                )
                rows.append(
                    (
                        pid,
                        f"{26 - pid // 1_200_000:02d}{pid // 100_000 % 12 + 1:02d}.{pid % 100_000:05d}",
                        title,
                        abstract,
                        f"Author {pid % 5000}, Writer {pid % 777}",
                        "cs.LG",
                        when,
                        when,
                    )
                )
                cats.append((pid, "cs.LG"))
            conn.executemany(
                "INSERT INTO papers (id, arxiv_id, version, title, abstract, authors, "
                "primary_category, published, updated, withdrawn, upvotes, is_stub) "
                "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, 0, 0, 0)",
                rows,
            )
            conn.executemany("INSERT INTO paper_categories VALUES (?, ?)", cats)
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('optimize')")
    conn.close()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--skip-baseline", action="store_true", help="skip naive bm25 (minutes at 1M papers)"
    )
    args = parser.parse_args()

    from common import TextMaker

    from tracker.db.engine import open_database
    from tracker.db.queries import paper_detail
    from tracker.db.query_syntax import parse
    from tracker.db.search import search_papers

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"search_{args.papers}.db"
    if not path.exists():
        started = time.perf_counter()
        build_database(path, args.papers)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s")
    print(f"{args.papers} papers, {path.stat().st_size / 1e6:.0f} MB")

    maker = TextMaker(seed=11)
    queries = [maker.zipf_query() for _ in range(args.queries)]

    raw = sqlite3.connect(path)
    naive = []
    for q in [] if args.skip_baseline else queries:
        started = time.perf_counter()
        raw.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY rank LIMIT 20",
            (parse(q).fts5(),),
        ).fetchall()
        naive.append(time.perf_counter() - started)
    raw.close()

    engine = open_database(f"sqlite:///{path}")
    ours, cpu, by_date, shows = [], [], [], []
    with engine.connect() as conn:
        for q in queries:
            started, used = time.perf_counter(), time.process_time()
            search_papers(conn, q, limit=20)
            ours.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        for q in queries:
            started = time.perf_counter()
            search_papers(conn, q, sort="date", limit=20)
            by_date.append(time.perf_counter() - started)
        rng = random.Random(5)
        ids = [r[0] for r in conn.exec_driver_sql("SELECT arxiv_id FROM papers LIMIT 5000")]
        for arxiv_id in rng.sample(ids, 100):
            started = time.perf_counter()
            paper_detail(conn, arxiv_id)
            shows.append(time.perf_counter() - started)
    engine.dispose()
    if naive:
        print(f"baseline naive bm25 (all matches): {percentiles(naive)}")
    print(f"tracker search (relevance):        {percentiles(ours)}")
    print(f"  the same in CPU time:            {percentiles(cpu)}")
    print(f"tracker search (date):             {percentiles(by_date)}")
    print(f"tracker show:                      {percentiles(shows)}")


if __name__ == "__main__":
    main()
