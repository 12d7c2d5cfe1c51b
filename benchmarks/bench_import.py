"""Import benchmark: `tracker import arxiv-snapshot` on a generated file in the snapshot format.

Same run, same rows:
  import    import_snapshot (a child process parses the JSON lines while this one
            upserts them with authors, categories and code links; the full-text
            index is built at the end), peak memory of both processes
  parse     json.loads + to_record alone, one process: the parsing half's ceiling
  raw       sqlite3 executemany of the same rows into the papers table alone,
            then the same FTS5 rebuild (no authors, categories or links), each timed

Usage: python benchmarks/bench_import.py [--papers N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import REPO, vocabulary  # noqa: I001 - sets sys.path

OUT = REPO / "benchmarks" / "out"


def generate(path: Path, papers: int, seed: int = 5) -> None:
    words = np.array(vocabulary())
    rng = np.random.default_rng(seed)
    probs = 1.0 / np.arange(1, len(words) + 1) ** 1.07
    probs /= probs.sum()
    with path.open("w", encoding="utf-8") as out:
        for base in range(0, papers, 50_000):
            n = min(50_000, papers - base)
            lengths = rng.integers(100, 220, n)
            tokens = rng.choice(len(words), size=int(lengths.sum()) + 10 * n, p=probs)
            pos = 0
            for i in range(n):
                k = base + i
                title = " ".join(words[tokens[pos : pos + 10]])
                pos += 10
                abstract = " ".join(words[tokens[pos : pos + lengths[i]]])
                pos += lengths[i]
                month = k // 90_000
                item = {
                    "id": f"{10 + month // 12:02d}{month % 12 + 1:02d}.{k % 90_000 + 1:05d}",
                    "submitter": "A. Writer",
                    "authors": "A. Writer, B. Reader",
                    "title": title.capitalize(),
                    "comments": "12 pages",
                    "journal-ref": None,
                    "doi": None,
                    "categories": "cs.LG stat.ML",
                    "abstract": "  " + abstract + "\n",
                    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                    "update_date": "2008-11-13",
                    "authors_parsed": [["Writer", "A.", ""], ["Reader", "B.", ""]],
                }
                out.write(json.dumps(item) + "\n")


def run_import(path: Path, db: Path) -> dict:
    """Run the import in a fresh process, so its peak RSS is the import's own."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from tracker.db.engine import open_database\n"
        "from tracker.imports.arxiv_snapshot import import_snapshot\n"
        f"engine = open_database('sqlite:///{db}')\n"
        f"r = import_snapshot(engine, Path('{path}'))\n"
        "print(json.dumps({'new': r.new, 'seconds': r.seconds, 'index_seconds': r.index_seconds,"
        " 'errors': r.error_count,"
        " 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,"
        " 'child_peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return json.loads(out.stdout)


def parse_baseline(path: Path, limit: int = 200_000) -> float:
    """Lines/s of json.loads + to_record in this process, over the first `limit` lines."""
    import gc

    from tracker.imports.arxiv_snapshot import to_record

    gc.disable()  # as in the import's parsing process
    started = time.perf_counter()
    count = 0
    with path.open("rb") as lines:
        for line in lines:
            to_record(json.loads(line))
            count += 1
            if count == limit:
                break
    rate = count / (time.perf_counter() - started)
    gc.enable()
    return rate


def raw_baseline(path: Path, db: Path) -> tuple[float, float, float]:
    from tracker.db.engine import open_database

    open_database(f"sqlite:///{db}").dispose()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8") as lines, conn:
        batch = []
        for line in lines:
            item = json.loads(line)
            count += 1
            batch.append(
                (item["id"], item["title"], " ".join(item["abstract"].split()), item["authors"])
            )
            if len(batch) == 5000:
                conn.executemany(
                    "INSERT INTO papers (arxiv_id, version, title, abstract, authors, "
                    "primary_category, withdrawn, upvotes, is_stub) VALUES (?, 1, ?, ?, ?, 'cs.LG', 0, 0, 0)",
                    batch,
                )
                batch = []
        conn.executemany(
            "INSERT INTO papers (arxiv_id, version, title, abstract, authors, "
            "primary_category, withdrawn, upvotes, is_stub) VALUES (?, 1, ?, ?, ?, 'cs.LG', 0, 0, 0)",
            batch,
        )
    rows_seconds = time.perf_counter() - started
    with conn:
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    total = time.perf_counter() - started
    conn.close()
    return count / rows_seconds, count / (total - rows_seconds), count / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"snapshot_{args.papers}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.papers)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    print(f"{args.papers} lines, {path.stat().st_size / 1e6:.0f} MB")
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        result = run_import(path, Path(tmp) / "import.db")
        rate = result["new"] / result["seconds"]
        size = (Path(tmp) / "import.db").stat().st_size
        rows_rate, fts_rate, with_fts = raw_baseline(path, Path(tmp) / "raw.db")
    parse_rate = parse_baseline(path)
    print(
        f"tracker import:            {rate:8.0f} papers/s  ({result['seconds']:.1f} s, of which "
        f"index {result['index_seconds']:.1f} s), peak RSS {result['peak_mb']:.0f} MB "
        f"(+ {result['child_peak_mb']:.0f} MB its parsing process)"
    )
    print(f"baseline parse alone:      {parse_rate:8.0f} lines/s (json + to_record, one process)")
    print(f"baseline raw rows only:    {rows_rate:8.0f} rows/s")
    print(f"baseline raw FTS5 rebuild: {fts_rate:8.0f} rows/s (after the rows)")
    print(f"baseline raw rows + FTS:   {with_fts:8.0f} rows/s")
    print(f"database: {size / args.papers / 1024:.1f} KiB per paper")
    print(
        "goal >= 20000 papers/s under 500 MB: "
        + (
            "met"
            if rate >= 20000 and result["peak_mb"] + result["child_peak_mb"] < 500
            else "NOT met"
        )
    )


if __name__ == "__main__":
    main()
