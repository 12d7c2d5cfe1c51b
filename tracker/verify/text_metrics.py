"""Tokenisers and per-example counts behind the text metrics, each as its reference computes it.

SQuAD's answer normalisation (the official v2 script), sacrebleu's 13a tokeniser, the
rouge-score tokeniser (no stemming, as `evaluate`'s default), seqeval's chunking
(default mode) and word-level edit distance (jiwer's default: split on whitespace).
tests/verify/test_metrics.py checks each against its reference package.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

# --- SQuAD (official evaluate-v2.0.py) ---

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def squad_scores(prediction: str, answers: Sequence[str]) -> tuple[float, float]:
    """(exact match, F1) against the best gold answer; no gold answer means "" (SQuAD v2)."""
    golds = [a for a in answers if normalize_answer(a)] or [""]
    pred = normalize_answer(prediction)
    exact = max(float(pred == normalize_answer(g)) for g in golds)
    return exact, max(_token_f1(pred.split(), normalize_answer(g).split()) for g in golds)


def _token_f1(pred: list[str], gold: list[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


# --- sacrebleu's 13a tokeniser and BLEU statistics ---

_13A_RULES = (
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
)


def tokenize_13a(line: str) -> list[str]:
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        for entity, char in (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
            line = line.replace(entity, char)
    line = f" {line} "
    for pattern, replacement in _13A_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu_counts(hypothesis: str, reference: str, order: int = 4) -> list[float]:
    """[hyp_len, ref_len, matches_1..order, totals_1..order] for one sentence."""
    hyp, ref = tokenize_13a(hypothesis), tokenize_13a(reference)
    matches, totals = [], []
    for n in range(1, order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        matches.append(float(sum((h & r).values())))
        totals.append(float(max(0, len(hyp) - n + 1)))
    return [float(len(hyp)), float(len(ref)), *matches, *totals]


# --- rouge-score ---

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def tokenize_rouge(text: str) -> list[str]:
    return [t for t in _NON_ALNUM.sub(" ", text.lower()).split() if t]


def _f(overlap: float, pred_total: int, ref_total: int) -> float:
    if pred_total == 0 or ref_total == 0 or overlap == 0:
        return 0.0
    precision, recall = overlap / pred_total, overlap / ref_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    pred, ref = _ngrams(tokenize_rouge(prediction), n), _ngrams(tokenize_rouge(reference), n)
    return _f(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def rouge_l(prediction: str, reference: str) -> float:
    pred, ref = tokenize_rouge(prediction), tokenize_rouge(reference)
    return _f(_lcs(pred, ref), len(pred), len(ref))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


# --- word error rate ---


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference words)."""
    ref, hyp = reference.split(), hypothesis.split()
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1], len(ref)


# --- seqeval's entity chunks (default, non-strict mode) ---


def _split_tag(chunk: str) -> tuple[str, str]:
    return chunk[0], chunk[1:].split("-", maxsplit=1)[-1] or "_"


def _ends(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _starts(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != type_


def entities(tags: Sequence[str]) -> set[tuple[str, int, int]]:
    """(type, first, last) of each entity in an IOB/IOBES tag sequence."""
    found = set()
    prev_tag, prev_type, begin = "O", "", 0
    for i, chunk in enumerate([*tags, "O"]):
        tag, type_ = _split_tag(chunk)
        if _ends(prev_tag, tag, prev_type, type_):
            found.add((prev_type, begin, i - 1))
        if _starts(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return found
