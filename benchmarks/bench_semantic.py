"""Related papers and search by meaning: speed at scale, recall, throughput, quality.

speed    p50/p95 of `similar` (a paper's own vector as the query) and of semantic
         search (a query vector not in the data) over N synthetic papers, through
         the search matrix tracker uses (memory-mapped float32, IVF past
         [search] approximate_above), beside exact search over the same matrix, same
         run; recall@10 of the IVF against exact; the query heap (tracemalloc peak).
         Vectors are synthetic: unit vectors in 384 dimensions drawn around 2,000
         topics x 8 subtopics, so that neighbours are as close as real abstracts'
         (nearest cosine about 0.7) and far papers as far (about 0.1).
embed    papers/s of tracker's Encoder (length-sorted batches, mask pooling) beside
         the transformers pipeline called once per text, same texts, same run.
quality  MRR and recall@5 on the hand-judged demo relevance (tests/semantic/
         judgments.py) for similar, and for keyword, semantic and hybrid search.

  .venv/bin/python benchmarks/bench_semantic.py [--papers 200000] [--skip-embed]
      [--skip-quality] [--texts 128] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384


def synthetic_matrix(path: Path, rows: int, noise: float = 0.035, seed: int = 0) -> None:
    """Clustered unit vectors written straight to a float32 .npy (memory bounded)."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((2000, DIM)).astype(np.float32)
    subtopics = np.repeat(topics, 8, axis=0) + 0.5 * rng.standard_normal((16000, DIM)).astype(
        np.float32
    )
    subtopics /= np.linalg.norm(subtopics, axis=1, keepdims=True)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, DIM))
    for start in range(0, rows, 65536):
        n = min(65536, rows - start)
        block = subtopics[rng.integers(0, len(subtopics), n)] + noise * rng.standard_normal(
            (n, DIM)
        ).astype(np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    out.flush()


def percentiles(times: list[float]) -> dict[str, float]:
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
    }


def run_queries(
    index: Any, queries: np.ndarray, k: int = 10
) -> tuple[list[list[int]], list[float], int]:
    found, times = [], []
    tracemalloc.start()
    for q in queries:
        start = time.perf_counter()
        found.append([pid for pid, _ in index.search(q, k)])
        times.append(time.perf_counter() - start)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return found, times, peak


def bench_speed(papers: int, approximate_above: int, noise: float) -> dict[str, Any]:
    from tracker.embed.index import lay_out, open_folder

    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        exact_dir, ivf_dir = Path(tmp) / "exact", Path(tmp) / "ivf"
        exact_dir.mkdir()
        started = time.perf_counter()
        synthetic_matrix(exact_dir / "matrix.npy", papers, noise)
        made = time.perf_counter() - started
        ids = np.arange(1, papers + 1, dtype=np.int64)
        lay_out(exact_dir, ids, exact_dir / "matrix.npy", MODEL, 1, approximate=False)
        ivf_dir.mkdir()
        started = time.perf_counter()
        shutil.copyfile(exact_dir / "matrix.npy", ivf_dir / "matrix.npy")
        lay_out(ivf_dir, ids, ivf_dir / "matrix.npy", MODEL, 1, approximate=True)
        built = time.perf_counter() - started
        exact = open_folder(exact_dir, json.loads((exact_dir / "meta.json").read_text()))
        ivf = open_folder(ivf_dir, json.loads((ivf_dir / "meta.json").read_text()))
        own = np.asarray(exact.matrix[rng.integers(0, papers, 200)], dtype=np.float32)
        other = own + 0.08 * rng.standard_normal(own.shape).astype(np.float32)
        other /= np.linalg.norm(other, axis=1, keepdims=True)
        result: dict[str, Any] = {
            "papers": papers,
            "matrix_seconds": round(made, 1),
            "ivf_build_seconds": round(built, 1),
            "ivf_lists": len(ivf.centroids) if ivf.centroids is not None else 0,
            "nprobe": ivf.nprobe,
            "tracker_uses": "ivf" if papers > approximate_above else "exact",
            "noise": noise,
            "nearest_cosine": round(_nearest(exact, own[:50]), 3),
        }
        for name, queries in (("similar", own), ("semantic", other)):
            truth, exact_times, exact_peak = run_queries(exact, queries)
            got, ivf_times, ivf_peak = run_queries(ivf, queries)
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, truth, strict=True)])
            result[name] = {
                "exact": {**percentiles(exact_times), "heap_peak_mb": round(exact_peak / 2**20, 1)},
                "ivf": {**percentiles(ivf_times), "heap_peak_mb": round(ivf_peak / 2**20, 1)},
                "ivf_recall@10": round(float(recall), 3),
            }
    return result


def _nearest(index: Any, queries: np.ndarray) -> float:
    """The mean cosine of each query paper's nearest other paper."""
    return float(np.mean([index.search(q, 2)[1][1] for q in queries]))


def bench_embed(texts_count: int) -> dict[str, Any]:
    import torch

    from benchmarks.bench_trial import make_texts
    from tracker.config import load_config
    from tracker.embed.encoder import Encoder

    torch.set_num_threads(os.cpu_count() or 1)
    config = load_config(environ={"TRACKER_TRIAL_DEVICE": "cpu"})
    encoder = Encoder(MODEL, config, batch_size=config.search.embed_batch_size)
    pipe = encoder._loaded.pipe
    texts = make_texts(pipe.tokenizer, texts_count)
    encoder.encode(texts[:8])  # warm up
    start = time.perf_counter()
    for text in texts:
        pipe(text)
    per_text = texts_count / (time.perf_counter() - start)
    start = time.perf_counter()
    encoder.encode(texts)
    batched = texts_count / (time.perf_counter() - start)
    encoder.close()
    return {
        "device": "cpu",
        "texts": texts_count,
        "pipeline_per_text_per_s": round(per_text, 1),
        "tracker_per_s": round(batched, 1),
        "speedup": round(batched / per_text, 2),
    }


def bench_quality() -> dict[str, Any]:
    from tests.semantic.judgments import QUERIES, RELATED, scores
    from tracker.config import load_config
    from tracker.db.engine import open_database, read_connection
    from tracker.db.search import search_papers
    from tracker.demo import load_demo
    from tracker.embed.pipeline import embed_pending
    from tracker.embed.semantic import hybrid_search, model_encoder, semantic_search, similar_papers

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRACKER_HOME"] = tmp
        config = load_config(
            environ={"TRACKER_DATABASE_URL": f"sqlite:///{tmp}/q.db", "TRACKER_TRIAL_DEVICE": "cpu"}
        )
        engine = open_database(config.database_url)
        load_demo(engine)
        embed_pending(engine, config)
        encode, close = model_encoder(config)
        rankings: dict[str, list[tuple[list[str], set[str]]]] = {
            "keyword": [],
            "semantic": [],
            "hybrid": [],
        }
        for query, relevant in QUERIES:
            with read_connection(engine) as conn:
                hits = search_papers(conn, query, limit=10)
            rankings["keyword"].append(([h["arxiv_id"] for h in hits], relevant))
            for mode, find in (("semantic", semantic_search), ("hybrid", hybrid_search)):
                hits = find(engine, config, query, encode, limit=10)
                rankings[mode].append(([h["arxiv_id"] for h in hits], relevant))
        similar = [
            ([h["arxiv_id"] for h in similar_papers(engine, config, pid, limit=5)], related)
            for pid, related in RELATED.items()
        ]
        close()
        engine.dispose()
    return {
        "queries": len(QUERIES),
        "search": {mode: scores(r) for mode, r in rankings.items()},
        "similar": {"papers": len(RELATED), **scores(similar)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=200_000)
    parser.add_argument("--texts", type=int, default=128)
    parser.add_argument(
        "--noise",
        type=float,
        default=0.035,
        help="spread around subtopics: 0.035 gives nearest neighbours at cosine ~0.7 "
        "(like abstracts); 0.055 ~0.46 (a flat, harder space)",
    )
    parser.add_argument("--skip-embed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from tracker.config import load_config

    report: dict[str, Any] = {
        "speed": bench_speed(
            args.papers, load_config(environ={}).search.approximate_above, args.noise
        )
    }
    if not args.skip_embed:
        report["embed"] = bench_embed(args.texts)
    if not args.skip_quality:
        report["quality"] = bench_quality()
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
