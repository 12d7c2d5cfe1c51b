"""The search matrix: exact below approximate_above, IVF above it, rebuilt when stale."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.semantic.conftest import HashEncoder
from tracker.embed.index import index_folder, lay_out, load_index, open_folder
from tracker.embed.pipeline import embed_pending

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _clustered(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dim)).astype(np.float32)
    x = centres[rng.integers(0, 40, rows)] + 0.3 * rng.standard_normal((rows, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _folder(tmp: Path, name: str, x: np.ndarray, approximate: bool) -> Any:
    folder = tmp / name
    folder.mkdir()
    np.save(folder / "matrix.npy", x)
    ids = np.arange(100, 100 + len(x), dtype=np.int64)
    lay_out(folder, ids, folder / "matrix.npy", MODEL, 1, approximate)
    return open_folder(folder, json.loads((folder / "meta.json").read_text()))


def test_ivf_recall_against_exact_search(tmp_path: Path) -> None:
    x = _clustered(4000)
    exact = _folder(tmp_path, "exact", x, approximate=False)
    ivf = _folder(tmp_path, "ivf", x, approximate=True)
    assert not exact.approximate and ivf.approximate
    assert ivf.nprobe < len(ivf.centroids)  # it does not read every list
    rng = np.random.default_rng(1)
    recalls = []
    for row in rng.integers(0, len(x), 50):
        truth = [pid for pid, _ in exact.search(x[row], 10)]
        got = [pid for pid, _ in ivf.search(x[row], 10)]
        assert truth[0] == 100 + row  # a paper is its own nearest
        recalls.append(len(set(truth) & set(got)) / 10)
    assert np.mean(recalls) >= 0.95
    scores = [s for _, s in ivf.search(x[0], 10)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.backends
def test_the_matrix_is_rebuilt_when_vectors_change(demo_engine: Any, env: Any) -> None:
    config = env.config()
    embed_pending(demo_engine, config, encoder=lambda m, c: HashEncoder(), refresh_index=False)
    first = load_index(demo_engine, MODEL, approximate_above=0)
    assert first.approximate and len(first) > 40
    assert index_folder(demo_engine, MODEL).is_dir()
    same = load_index(demo_engine, MODEL, approximate_above=0)
    assert same.generation == first.generation
    with demo_engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE papers SET version = version + 1 WHERE arxiv_id = '1706.03762'"
        )
    embed_pending(demo_engine, config, encoder=lambda m, c: HashEncoder(), refresh_index=False)
    again = load_index(demo_engine, MODEL)
    assert again.generation > first.generation and not again.approximate
    me = again.row_of(int(again.ids[0]))
    assert me == 0
    nearest = again.search(np.asarray(again.matrix[0]), 1)
    assert nearest[0][0] == int(again.ids[0]) and nearest[0][1] == pytest.approx(1.0, abs=1e-5)


def test_embed_and_similar_from_the_cli(demo_engine: Any, cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("tracker.embed.pipeline.open_encoder", lambda m, c: HashEncoder())
    result = cli("embed", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["model"] == MODEL and report["embedded"] > 40 and report["device"] == "cpu"
    assert cli("embed", "--json").json()["embedded"] == 0
    result = cli("embed")
    assert result.err.startswith(f"embed: every paper has an embedding of {MODEL}.")
    hits = cli("similar", "1706.03762", "--limit", "3", "--json").json()
    assert len(hits) == 3 and all(h["arxiv_id"] != "1706.03762" for h in hits)
    text = cli("similar", "1706.03762", "--limit", "3")
    assert text.code == 0 and "cosine" in text.out and hits[0]["arxiv_id"] in text.out
    missing = cli("similar", "2999.99999")
    assert missing.code == 2
    assert missing.err.startswith("Error: paper 2999.99999 is not in the database.")
