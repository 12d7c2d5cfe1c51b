"""Text features in numpy: a tokenizer, tf-idf rows in CSR form, and a linear model.

The vectorizer follows arxiv-sanity-lite's (scikit-learn's TfidfVectorizer with
unigrams and bigrams, English stop words, sublinear tf, smooth idf, l2 rows,
max_df 0.1); the model is its linear SVM (squared hinge, C = 0.01, balanced class
weights), solved here by accelerated gradient descent on the primal. Sparse
products are two numpy calls (a gather and a bincount), fast enough for tens of
thousands of abstracts.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

TOKEN = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
STOP_WORDS = frozenset(
    """a about above after again against all also although am among an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each either et etc few for from further had has have having he her here hers him his
    how however i if in into is it its itself just may me might more most much must my no nor
    not now of off on once only or other our ours out over own per same she should since so
    some such than that the their theirs them then there these they this those through thus
    to too under until up upon us very via was we were what when where whether which while who
    whom why will with within without would yet you your paper propose proposed show shows
    shown present presents use used uses using based new results result approach method
    methods work also well first two one three several many different various however""".split()
)


def words(text: str) -> list[str]:
    """The words of text, lower case, without stop words (bigrams are pairs of these)."""
    return [w for w in TOKEN.findall(text.lower()) if w not in STOP_WORDS]


@dataclass
class Csr:
    """A sparse row matrix: row i holds indices[indptr[i]:indptr[i+1]] with data."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    columns: int

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.rows), np.diff(self.indptr))

    def take(self, rows: Sequence[int] | np.ndarray) -> Csr:
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        positions = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Csr(indptr, self.indices[positions], self.data[positions], self.columns)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.indptr[i], self.indptr[i + 1]
        return self.indices[start:end], self.data[start:end]


class SparseOps:
    """X @ w and X.T @ v for one Csr (rows are contiguous: reduceat and bincount)."""

    def __init__(self, x: Csr) -> None:
        self.x = x
        self.lengths = np.diff(x.indptr)
        self.empty = self.lengths == 0
        self.starts = np.minimum(x.indptr[:-1], max(len(x.data) - 1, 0))

    def dot(self, w: np.ndarray) -> np.ndarray:
        if not len(self.x.data):
            return np.zeros(self.x.rows)
        out = np.add.reduceat(self.x.data * w[self.x.indices], self.starts)
        out[self.empty] = 0.0
        return out

    def tdot(self, v: np.ndarray) -> np.ndarray:
        weights = self.x.data * np.repeat(v, self.lengths)
        return np.bincount(self.x.indices, weights=weights, minlength=self.x.columns)


class Tfidf:
    def __init__(self, *, min_df: int = 2, max_df: float = 0.1, max_features: int = 50_000):
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.vocabulary: dict[str, int] = {}
        self.terms: list[str] = []
        self.idf = np.zeros(0)

    def fit_transform(self, texts: Sequence[str]) -> Csr:
        """Learn the vocabulary and idf from texts; return their l2-normalised rows.

        Words get ids through one dict; bigrams are pairs of word ids, counted in numpy,
        so no bigram string is built except for the terms kept.
        """
        index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        lengths = np.empty(len(texts), dtype=np.int64)
        ids: list[int] = []
        for i, text in enumerate(texts):
            found = words(text)
            lengths[i] = len(found)
            ids += map(index.__getitem__, found)
        n, width = len(texts), max(len(index), 1)
        word_ids = np.asarray(ids, dtype=np.int64)
        docs = np.repeat(np.arange(n, dtype=np.int64), lengths)
        same = docs[1:] == docs[:-1]
        pair_keys = word_ids[:-1][same] * width + word_ids[1:][same]
        pair_codes, pair_ids = np.unique(pair_keys, return_inverse=True)
        terms = np.concatenate([word_ids, width + pair_ids.reshape(-1)])
        term_docs = np.concatenate([docs, docs[:-1][same]])
        total = width + len(pair_codes)
        keys, counts = np.unique(term_docs * total + terms, return_counts=True)
        docs, terms = keys // total, keys % total
        df = np.bincount(terms, minlength=total)
        ceiling = max(self.max_df * n, self.min_df)
        chosen = np.flatnonzero((df >= self.min_df) & (df <= ceiling))
        if len(chosen) > self.max_features:
            order = np.lexsort((chosen, -df[chosen]))
            chosen = np.sort(chosen[order[: self.max_features]])
        vocab = list(index)
        self.terms = [
            vocab[t]
            if t < width
            else f"{vocab[pair_codes[t - width] // width]} {vocab[pair_codes[t - width] % width]}"
            for t in chosen.tolist()
        ]
        self.vocabulary = {t: j for j, t in enumerate(self.terms)}
        self.idf = np.log((1 + n) / (1 + df[chosen])) + 1.0
        column = np.full(total, -1, dtype=np.int64)
        column[chosen] = np.arange(len(chosen))
        return self._build(docs, column[terms], counts.astype(np.float64), n)

    def _build(self, docs: np.ndarray, cols: np.ndarray, counts: np.ndarray, n: int) -> Csr:
        keep = cols >= 0
        docs, cols, counts = docs[keep], cols[keep], counts[keep]
        data = (1.0 + np.log(counts)) * self.idf[cols]
        norms = np.sqrt(np.bincount(docs, weights=data * data, minlength=n))
        norms[norms == 0] = 1.0
        indptr = np.concatenate([[0], np.cumsum(np.bincount(docs, minlength=n))])
        return Csr(indptr.astype(np.int64), cols, data / norms[docs], len(self.terms))


def _largest_eigenvalue(
    dot: Callable[[np.ndarray], np.ndarray],
    tdot: Callable[[np.ndarray], np.ndarray],
    ck: np.ndarray,
    columns: int,
    rounds: int = 10,
) -> float:
    """The top eigenvalue of [X 1]^T diag(ck) [X 1] by power iteration (with 10% slack)."""
    v = np.ones(columns + 1) / math.sqrt(columns + 1)
    value = 1.0
    for _ in range(rounds):
        z = ck * (dot(v[:-1]) + v[-1])
        u = np.append(tdot(z), z.sum())
        value = float(np.linalg.norm(u))
        if value == 0:
            return 1.0
        v = u / value
    return 1.1 * value


def train_linear(
    dot: Callable[[np.ndarray], np.ndarray],
    tdot: Callable[[np.ndarray], np.ndarray],
    y: np.ndarray,
    columns: int,
    *,
    c: float = 0.01,
    iterations: int = 30,
    tol: float = 1e-5,
) -> tuple[np.ndarray, float]:
    """A linear SVM (squared hinge, L2, balanced class weights) on rows of unit norm.

    Minimises 0.5 |w|^2 + c * sum_i k_i max(0, 1 - y_i (x_i . w + b))^2, with y in
    {-1, 1} and k_i = n / (2 * n_class(i)), by Nesterov's accelerated gradient.
    """
    n = len(y)
    positives = int((y > 0).sum())
    weights = np.where(y > 0, n / (2 * max(positives, 1)), n / (2 * max(n - positives, 1)))
    ck = c * weights
    lipschitz = 1.0 + 2.0 * _largest_eigenvalue(dot, tdot, ck, columns)
    step = 1.0 / lipschitz
    momentum = (math.sqrt(lipschitz) - 1) / (math.sqrt(lipschitz) + 1)
    w = np.zeros(columns)
    b = 0.0
    w_prev, b_prev = w.copy(), b
    for _ in range(iterations):
        vw = w + momentum * (w - w_prev)
        vb = b + momentum * (b - b_prev)
        margin = np.maximum(0.0, 1.0 - y * (dot(vw) + vb))
        coef = -2.0 * ck * y * margin
        grad_w = vw + tdot(coef)
        grad_b = float(coef.sum())
        w_prev, b_prev = w, b
        w = vw - step * grad_w
        b = vb - step * grad_b
        if np.sqrt(grad_w @ grad_w + grad_b * grad_b) < tol * max(1.0, np.sqrt(w @ w)):
            break
    return w, b
