"""The search matrix: every paper's vector of one model, memory-mapped from disk.

The database holds the vectors compactly (float16/int8); searching them there would
decode every row per query. So a float32 copy lives in a cache folder beside the
database, one per (database, model), with the paper ids and the model's generation
(tracker.db.vectors) it was built at. It is rebuilt when that generation moves on.
Queries memory-map it and score it in chunks: memory stays bounded by the chunk, and
the operating system keeps hot pages cached between queries. float32 because numpy
converts float16 about 40 times slower than it multiplies float32 (measured here).
Past `approximate_above` rows the matrix is laid out by IVF lists (tracker.embed.ivf).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from tracker.db.engine import read_connection
from tracker.db.vectors import all_vectors, generation, unpack
from tracker.embed import ivf
from tracker.locations import data_dir

F32 = NDArray[np.float32]
MIN_PROBES = 8
CHUNK = 65536  # rows scored at once: bounds the memory a query takes (~100 MB at 384 dims)


def index_folder(engine: Engine, model: str, root: Path | None = None) -> Path:
    key = f"{engine.url.render_as_string(hide_password=True)}\n{model}"
    name = hashlib.sha1(key.encode()).hexdigest()[:16]
    return (root or data_dir()) / "vectors" / name


@dataclass
class VectorIndex:
    """A loaded search matrix (rows unit-length, float32, memory-mapped)."""

    model: str
    generation: int
    ids: NDArray[np.int64]
    matrix: Any  # np.memmap (rows, dim)
    centroids: F32 | None = None
    offsets: NDArray[np.int64] | None = None
    nprobe: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def approximate(self) -> bool:
        return self.centroids is not None

    def row_of(self, paper_id: int) -> int | None:
        hits = np.flatnonzero(self.ids == paper_id)
        return int(hits[0]) if len(hits) else None

    def search(self, query: F32, k: int) -> list[tuple[int, float]]:
        """The k (paper id, cosine) nearest the unit-length query, best first."""
        if not len(self.ids) or k < 1:
            return []
        if self.centroids is None or self.offsets is None:
            ranges = [(s, min(s + CHUNK, len(self.ids))) for s in range(0, len(self.ids), CHUNK)]
        else:
            ranges = ivf.probe_rows(query, self.centroids, self.offsets, self.nprobe)
        rows: list[NDArray[np.int64]] = []
        scores: list[F32] = []
        for start, end in ranges:
            block = np.asarray(self.matrix[start:end]) @ query
            keep = _top(block, k)
            rows.append(keep + start)
            scores.append(block[keep])
        if not rows:
            return []
        all_rows, all_scores = np.concatenate(rows), np.concatenate(scores)
        best = _top(all_scores, k)
        best = best[np.argsort(-all_scores[best], kind="stable")]
        return [(int(self.ids[all_rows[i]]), float(all_scores[i])) for i in best]


def _top(scores: F32, k: int) -> NDArray[np.int64]:
    if len(scores) <= k:
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, k - 1)[:k].astype(np.int64)


def load_index(
    engine: Engine,
    model: str,
    *,
    root: Path | None = None,
    approximate_above: int = 100_000,
    probe_share: float = 0.04,
) -> VectorIndex:
    """The search matrix of model, rebuilt first when the database has moved on."""
    folder = index_folder(engine, model, root)
    with read_connection(engine) as conn:
        current = generation(conn, model)
    meta = _read_meta(folder)
    if meta is None or meta.get("generation") != current or meta.get("model") != model:
        build_index(engine, model, folder, current, approximate_above)
        meta = _read_meta(folder) or {}
    return open_folder(folder, meta, probe_share)


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def open_folder(folder: Path, meta: dict[str, Any], probe_share: float = 0.04) -> VectorIndex:
    ids = np.load(folder / "ids.npy")
    matrix = np.load(folder / "matrix.npy", mmap_mode="r")
    index = VectorIndex(str(meta["model"]), int(meta["generation"]), ids, matrix)
    if (folder / "centroids.npy").exists():
        index.centroids = np.load(folder / "centroids.npy")
        index.offsets = np.load(folder / "offsets.npy")
        lists = len(index.centroids)
        # At least MIN_PROBES lists: a small index is cheap to probe, and one list of
        # eight would miss the neighbours that sit across a list's border.
        index.nprobe = min(lists, max(MIN_PROBES, int(np.ceil(probe_share * lists))))
    return index


def build_index(
    engine: Engine, model: str, folder: Path, at_generation: int, approximate_above: int
) -> None:
    """Write the search matrix of model into folder (a fresh folder, then swapped in)."""
    # A folder of our own: two processes (or TUI workers) may rebuild at once.
    building = folder.with_name(f"{folder.name}.building-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    try:
        ids, matrix_path = _write_matrix(engine, model, building)
        lay_out(building, ids, matrix_path, model, at_generation, len(ids) > approximate_above)
        shutil.rmtree(folder, ignore_errors=True)
        # Readers that mapped the old files keep them until they close (POSIX).
        building.rename(folder)
    except OSError:
        if _read_meta(folder) is None:
            raise
        # Another builder's folder landed first; it is as fresh as ours.
    finally:
        shutil.rmtree(building, ignore_errors=True)


def lay_out(
    folder: Path,
    ids: NDArray[np.int64],
    matrix_path: Path,
    model: str,
    at_generation: int,
    approximate: bool,
) -> None:
    """Finish a folder whose matrix.npy is written: the ids, IVF lists, meta.json."""
    meta: dict[str, Any] = {"model": model, "generation": at_generation, "rows": len(ids)}
    if approximate:
        _lay_out_by_lists(folder, ids, matrix_path)
        meta["lists"] = int(len(np.load(folder / "centroids.npy")))
    else:
        np.save(folder / "ids.npy", ids)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _write_matrix(engine: Engine, model: str, folder: Path) -> tuple[NDArray[np.int64], Path]:
    """Decode every stored vector into a float32 file, page by page (memory bounded)."""
    all_ids: list[int] = []
    spill = folder / "rows.tmp"
    total, dim = 0, 0
    with read_connection(engine) as conn, spill.open("wb") as out:
        for ids, blobs, encodings in all_vectors(conn, model):
            block = np.stack([unpack(b, e) for b, e in zip(blobs, encodings, strict=True)])
            norms = np.linalg.norm(block, axis=1, keepdims=True)
            block = (block / np.where(norms == 0, 1.0, norms)).astype(np.float32)
            out.write(block.tobytes())
            all_ids.extend(ids)
            total, dim = total + len(ids), block.shape[1]
    path = folder / "matrix.npy"
    matrix = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(total, dim))
    if total:
        matrix[:] = np.memmap(spill, dtype=np.float32, mode="r", shape=(total, dim))
    matrix.flush()
    del matrix
    spill.unlink()
    return np.array(all_ids, dtype=np.int64), path


def _lay_out_by_lists(folder: Path, ids: NDArray[np.int64], path: Path) -> None:
    """Cluster the rows, then rewrite the matrix grouped by list (contiguous probes)."""
    rows = np.load(path, mmap_mode="r")
    centroids = ivf.train(rows, ivf.list_count(len(rows)))
    labels = ivf.assign(rows, centroids)
    order = np.argsort(labels, kind="stable")
    counts = np.bincount(labels, minlength=len(centroids))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    grouped_path = folder / "grouped.npy"
    grouped = np.lib.format.open_memmap(grouped_path, mode="w+", dtype=np.float32, shape=rows.shape)
    for start in range(0, len(order), CHUNK):
        part = order[start : start + CHUNK]
        grouped[start : start + len(part)] = rows[np.sort(part)][np.argsort(np.argsort(part))]
    grouped.flush()
    del grouped, rows
    grouped_path.replace(path)
    np.save(folder / "ids.npy", ids[order])
    np.save(folder / "centroids.npy", centroids)
    np.save(folder / "offsets.npy", offsets)
