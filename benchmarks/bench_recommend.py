"""Recommendation benchmark: how long an update takes after a week's sync, and how good it is.

Builds (once, cached in benchmarks/out/) a database of synthetic papers on topics
(tests/follow/corpus.py: a Zipf background vocabulary plus the words of two topics
per paper): OLD papers from earlier weeks and a WEEK of new ones. The reader tagged
the old papers of three topic pairs (one tag each); the new papers on those pairs
are held out. For each tag it times `tracker recommend --tag T` end to end (read
the pool, tf-idf, train, score, explain) and counts the held-out papers in the top
20, beside:
  random    the expected count for a random ranking of the candidates
  centroid  Rocchio: cosine to the mean of the tagged papers (same tf-idf)
  sklearn   arxiv-sanity-lite's exact recipe (TfidfVectorizer + LinearSVC), when
            scikit-learn is importable (it is not a dependency of tracker)
Then it times the digest over the week with a few watchlists.

Usage: python benchmarks/bench_recommend.py [--old N] [--week N] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import REPO  # noqa: I001 - sets sys.path

OUT = REPO / "benchmarks" / "out"
NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
TAGS = ("alpha", "beta", "gamma")


def build(path: Path, old: int, week: int) -> dict[str, tuple[list[int], list[int]]]:
    """Write the papers (old ones two to six weeks back, the week's in the last 7 days)
    and the tags; return tag -> (tagged indexes, held-out indexes)."""
    from tests.follow.corpus import topical_corpus
    from tracker.db.engine import open_database, write_transaction
    from tracker.db.papers import upsert_papers
    from tracker.db.userdata import add_tags
    from tracker.records import PaperRecord

    docs = topical_corpus(old + week, topics=30, share=0.1, seed=5)
    counts: dict[frozenset[int], list[int]] = {}
    for i, d in enumerate(docs):
        counts.setdefault(d.topics, []).append(i)
    pairs = sorted(counts, key=lambda k: (-len(counts[k]), sorted(k)))[: len(TAGS)]
    split = {
        tag: ([i for i in counts[p] if i < old][:30], [i for i in counts[p] if i >= old])
        for tag, p in zip(TAGS, pairs, strict=True)
    }
    if path.exists():
        return split
    tmp = path.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    engine = open_database(f"sqlite:///{tmp}")
    records = []
    for i, d in enumerate(docs):
        when = (
            NOW - timedelta(days=14 + 28 * (old - i) / old)
            if i < old
            else NOW - timedelta(days=7 * (old + week - i) / week)
        )
        records.append(
            PaperRecord(
                arxiv_id=f"2611.{i:05d}",
                version=1,
                title=d.title,
                abstract=d.abstract,
                authors=[f"Author {i % 997}"],
                primary_category=("cs.CL", "cs.LG", "cs.CV")[i % 3],
                categories=[("cs.CL", "cs.LG", "cs.CV")[i % 3]],
                published=when,
                updated=when,
            )
        )
    for start in range(0, len(records), 2000):
        with write_transaction(engine) as conn:
            upsert_papers(conn, records[start : start + 2000], NOW - timedelta(days=1))
    with write_transaction(engine) as conn:
        ids = dict(conn.exec_driver_sql("SELECT arxiv_id, id FROM papers").all())
        for tag, (tagged, _held) in split.items():
            for i in tagged:
                add_tags(conn, ids[f"2611.{i:05d}"], [tag])
    engine.dispose()
    tmp.rename(path)
    return split


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def centroid_hits(texts: list[str], y: list[bool], candidates: list[int], held: set[int]) -> int:
    import numpy as np

    from tracker.follow.textvec import SparseOps, Tfidf

    x = Tfidf().fit_transform(texts)
    ops = SparseOps(x)
    center = ops.tdot(np.asarray(y, dtype=float))
    scores = ops.dot(center)[candidates]
    top = [candidates[k] for k in np.argsort(-scores)[:20]]
    return len(set(top) & held)


def sklearn_hits(texts: list[str], y: list[bool], candidates: list[int], held: set[int]) -> str:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC
    except ImportError:
        return "n/a"
    import numpy as np

    start = time.perf_counter()
    v = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        max_features=20000,
        norm="l2",
        sublinear_tf=True,
        max_df=0.1,
        min_df=5,
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
    )
    x = v.fit_transform(texts)
    clf = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01)
    clf.fit(x, np.asarray(y, dtype=int))
    scores = clf.decision_function(x[candidates])
    top = [candidates[k] for k in np.argsort(-scores)[:20]]
    return f"{len(set(top) & held)} in {time.perf_counter() - start:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=int, default=12_000, help="papers from earlier weeks")
    parser.add_argument("--week", type=int, default=8_000, help="papers of the new week")
    parser.add_argument("--threads", default="2", help="BLAS/OpenMP threads (the 2-core target)")
    args = parser.parse_args()
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = args.threads

    from tracker.config import Config
    from tracker.db.engine import open_database
    from tracker.follow.digest import run_digest
    from tracker.follow.recommend import load_corpus, recommend

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"recommend_{args.old}_{args.week}.db"
    started = time.perf_counter()
    split = build(path, args.old, args.week)
    print(f"database: {path.name} ({args.old:,} old + {args.week:,} new papers)", end="")
    print(f", built/checked in {time.perf_counter() - started:.1f} s")
    engine = open_database(f"sqlite:///{path}")
    config = Config().with_database_url(f"sqlite:///{path}")
    config = config.replace(recommend=config.recommend.replace(days=7))

    with engine.connect() as conn:
        corpus = load_corpus(conn, config)
    index = {aid: k for k, aid in enumerate(corpus.arxiv_ids)}
    print(f"pool: {len(corpus.ids):,} papers ([recommend] pool = {config.recommend.pool:,})")
    print(
        f"{'tag':6} {'tagged':>6} {'held':>5} {'seconds':>8} {'top-20 hits':>11} "
        f"{'random':>7} {'centroid':>8}  sklearn (arxiv-sanity-lite)"
    )
    total = 0.0
    for tag, (tagged, held_out) in split.items():
        start = time.perf_counter()
        result = recommend(engine, config, tag=tag, limit=20, now=NOW)
        seconds = time.perf_counter() - start
        total += seconds
        held = {f"2611.{i:05d}" for i in held_out}
        hits = len({h["arxiv_id"] for h in result.items} & held)
        cutoff = NOW - timedelta(days=7)
        candidates = [
            k
            for k, pid in enumerate(corpus.ids)
            if not corpus.marks.get(pid) and aware(corpus.published[k]) >= cutoff
        ]
        random_expected = 20 * len(held) / len(candidates)
        y = [tag in corpus.marks.get(pid, ()) for pid in corpus.ids]
        held_k = {index[a] for a in held}
        base = centroid_hits(corpus.texts, y, candidates, held_k)
        sk = sklearn_hits(corpus.texts, y, candidates, held_k)
        print(
            f"{tag:6} {len(tagged):>6} {len(held):>5} {seconds:>8.1f} {hits:>11} "
            f"{random_expected:>7.2f} {base:>8}  {sk}"
        )
    print(f"update after the week's sync, all {len(split)} tags: {total:.1f} s (target <= 30 s)")

    config = config.replace(
        watch=config.watch.replace(categories=("cs.CL",), authors=("Author 7",))
    )
    start = time.perf_counter()
    digest = run_digest(engine, config, since=NOW - timedelta(days=8), now=NOW, mark=False)
    print(
        f"digest over {digest.new_papers:,} new papers, 2 watchlists: "
        f"{time.perf_counter() - start:.1f} s"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
