"""A synthetic corpus where the right recommendations are known.

Every paper mixes a background vocabulary (Zipf-distributed, shared by all) with the
words of two topics, a primary and a secondary one. A reader who starred papers on
one pair of topics should be shown the other papers on that pair.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class Doc:
    title: str
    abstract: str
    topics: frozenset[int]


def _words(rng: random.Random, count: int, length: tuple[int, int]) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    seen: set[str] = set()
    out = []
    while len(out) < count:
        word = "".join(rng.choices(letters, k=rng.randint(*length)))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def topical_corpus(
    papers: int, *, topics: int = 20, share: float = 0.3, seed: int = 7
) -> list[Doc]:
    rng = random.Random(seed)
    background = _words(rng, 3000, (3, 9))
    bg_weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(background))]
    topic_words = [_words(rng, 80, (5, 10)) for _ in range(topics)]
    topic_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(80)]
    docs = []
    for _ in range(papers):
        a, b = rng.sample(range(topics), 2)
        length = rng.randint(110, 200)

        def mix(n: int, a: int = a, b: int = b) -> list[str]:
            bg = rng.choices(background, bg_weights, k=int(n * (1 - share)))
            ta = rng.choices(topic_words[a], topic_weights, k=int(n * share * 0.6))
            tb = rng.choices(topic_words[b], topic_weights, k=n - len(bg) - len(ta))
            words = bg + ta + tb
            rng.shuffle(words)
            return words

        docs.append(
            Doc(" ".join(mix(9)).capitalize(), " ".join(mix(length)) + ".", frozenset((a, b)))
        )
    return docs


def interest(docs: list[Doc]) -> frozenset[int]:
    """The most common pair of topics (the reader's interest)."""
    counts: dict[frozenset[int], int] = {}
    for d in docs:
        counts[d.topics] = counts.get(d.topics, 0) + 1
    return max(counts, key=lambda k: (counts[k], sorted(k)))
