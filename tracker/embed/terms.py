"""A short reason why two papers are alike: the key terms they share.

A term is a content word of the title or abstract (tracker.follow.textvec's words);
shared terms are ranked by how often they occur in the two texts together, longer
words first on ties, and the title's words count double (they name the subject).
"""

from __future__ import annotations

from collections import Counter

from tracker.follow.textvec import words

MIN_LENGTH = 4


def _counts(title: str, abstract: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for weight, text in ((2, title), (1, abstract)):
        for word in words(text):
            if len(word) >= MIN_LENGTH and not word.isdigit():
                counts[word] += weight
    return counts


def shared_terms(a: tuple[str, str], b: tuple[str, str], limit: int = 3) -> list[str]:
    """The up to `limit` key terms of (title, abstract) a that b has too."""
    left, right = _counts(*a), _counts(*b)
    common = set(left) & set(right)
    ranked = sorted(common, key=lambda w: (-(left[w] + right[w]), -len(w), w))
    return ranked[:limit]
