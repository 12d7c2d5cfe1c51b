"""An inverted-file (IVF) index built on numpy: k-means lists, probed nearest first.

Exact search reads every row; past a few hundred thousand papers that is more than
50 ms (float32 sgemv is memory-bound: about 65 ms at 200k rows on two cores). IVF
scores only the rows of the `nprobe` lists whose centroids are nearest the query,
a few percent of the matrix, kept contiguous on disk so a probe is one slice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]


def list_count(rows: int) -> int:
    """About 2·√rows lists: a probe of 2% of them scores about 2% of the rows."""
    return int(max(8, min(4096, round(2 * np.sqrt(rows)))))


def _normalise(x: F32) -> F32:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def assign(rows: Any, centroids: F32, chunk: int = 32768) -> NDArray[np.int32]:
    """The nearest centroid (by inner product) of each row, chunk by chunk."""
    out = np.empty(len(rows), dtype=np.int32)
    for start in range(0, len(rows), chunk):
        block = np.asarray(rows[start : start + chunk], dtype=np.float32)
        out[start : start + len(block)] = np.argmax(block @ centroids.T, axis=1)
    return out


def train(
    rows: Any, lists: int, *, sample: int = 65536, iterations: int = 10, seed: int = 0
) -> F32:
    """Spherical k-means centroids from a random sample of rows."""
    rng = np.random.default_rng(seed)
    n = len(rows)
    picked = np.sort(rng.choice(n, size=min(n, max(sample, lists)), replace=False))
    data = np.asarray(rows[picked], dtype=np.float32)
    centroids = data[rng.choice(len(data), size=lists, replace=False)].copy()
    for _ in range(iterations):
        labels = assign(data, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, data)
        empty = np.bincount(labels, minlength=lists) == 0
        # An empty list takes a random row, so no list stays dead.
        sums[empty] = data[rng.choice(len(data), size=int(empty.sum()))]
        centroids = _normalise(sums)
    return centroids.astype(np.float32)


def probe_rows(
    query: F32, centroids: F32, offsets: NDArray[np.int64], nprobe: int
) -> list[tuple[int, int]]:
    """The (start, end) row ranges of the nprobe lists nearest the query."""
    nearest = np.argsort(-(centroids @ query))[:nprobe]
    return [(int(offsets[k]), int(offsets[k + 1])) for k in nearest if offsets[k + 1] > offsets[k]]
