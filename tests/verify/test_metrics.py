"""Each metric against its reference package on fixed inputs; the bootstrap and the verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tracker.errors import UsageError
from tracker.verify import metrics as m
from tracker.verify import text_metrics as tm
from tracker.verify.bootstrap import estimate
from tracker.verify.verdict import Claim, judge

REFS = [
    "The cat sat on the mat.",
    "A quick brown fox jumps over the lazy dog, twice!",
    "Prices rose 3.5% in 2024 -- economists said.",
    "Nothing here matches at all",
]
HYPS = [
    "The cat is on the mat.",
    "A fast brown fox jumped over the lazy dog twice.",
    "Prices rose 3.5 % in 2024, economists say.",
    "completely different words",
]


def test_macro_f1_and_accuracy_match_sklearn() -> None:
    from sklearn.metrics import accuracy_score, f1_score

    refs = [0, 1, 2, 2, 1, 0, 0, 3]
    preds = [0, 2, 2, 2, 1, 1, 0, 1]
    metrics = m.task_metrics("text-classification")
    assert metrics["accuracy"].compute(refs, preds) == pytest.approx(accuracy_score(refs, preds))
    assert metrics["f1"].compute(refs, preds) == pytest.approx(
        f1_score(refs, preds, average="macro")
    )


def test_entity_f1_matches_seqeval() -> None:
    from seqeval.metrics import f1_score

    refs = [
        ["B-PER", "I-PER", "O", "B-LOC", "O"],
        ["O", "B-ORG", "I-ORG", "I-ORG", "O", "B-PER"],
        ["I-LOC", "I-LOC", "O", "B-MISC", "I-PER"],
    ]
    preds = [
        ["B-PER", "I-PER", "O", "B-ORG", "O"],
        ["O", "B-ORG", "I-ORG", "O", "O", "B-PER"],
        ["I-LOC", "I-LOC", "O", "B-MISC", "I-MISC"],
    ]
    ours = m.task_metrics("token-classification")["f1"].compute(refs, preds)
    assert ours == pytest.approx(f1_score(refs, preds))
    for tags in refs + preds:
        from seqeval.metrics.sequence_labeling import get_entities

        assert tm.entities(tags) == set(get_entities(tags))


def test_squad_scores_match_the_official_definition_including_no_answer() -> None:
    # The reference values, worked out from the official evaluate-v2.0.py rules.
    assert tm.squad_scores("the Eiffel Tower!", ["Eiffel tower", "a tower"]) == (1.0, 1.0)
    exact, f1 = tm.squad_scores("Eiffel Tower in Paris", ["Eiffel Tower"])
    assert (exact, f1) == (0.0, pytest.approx(2 * 0.5 * 1.0 / 1.5))
    assert tm.squad_scores("", []) == (1.0, 1.0)  # v2: no answer, correctly abstained
    assert tm.squad_scores("Paris", []) == (0.0, 0.0)
    assert tm.squad_scores("", ["Paris"]) == (0.0, 0.0)


def test_wer_matches_jiwer() -> None:
    import jiwer

    refs = ["the cat sat on the mat", "hello world", "a b c d e"]
    hyps = ["the cat sit on mat", "hello there world", "a c d e f g"]
    ours = m.task_metrics("automatic-speech-recognition")["wer"].compute(refs, hyps)
    assert ours == pytest.approx(jiwer.wer(refs, hyps))


def test_rouge_matches_rouge_score() -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    metrics = m.task_metrics("summarization")
    for name in ("rouge1", "rouge2", "rougeL"):
        expected = np.mean(
            [scorer.score(r, h)[name].fmeasure for r, h in zip(REFS, HYPS, strict=True)]
        )
        assert metrics[name].compute(REFS, HYPS) == pytest.approx(expected)


def test_bleu_matches_sacrebleu() -> None:
    import sacrebleu
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    for line in REFS + HYPS:
        assert tm.tokenize_13a(line) == Tokenizer13a()(line).split()
    ours = m.task_metrics("translation")["bleu"].compute(REFS, HYPS)
    assert ours * 100 == pytest.approx(sacrebleu.corpus_bleu(HYPS, [REFS]).score)
    few = m.task_metrics("translation")["bleu"].compute(REFS[:1], HYPS[:1])
    assert few * 100 == pytest.approx(sacrebleu.corpus_bleu(HYPS[:1], [REFS[:1]]).score)


def test_correlations_match_scipy() -> None:
    from scipy.stats import pearsonr, spearmanr

    gold = [0.0, 1.5, 2.5, 2.5, 4.0, 5.0, 3.2]
    pred = [0.1, 0.3, 0.35, 0.8, 0.7, 0.9, 0.35]
    metrics = m.task_metrics("sentence-similarity")
    assert metrics["spearman"].compute(gold, pred) == pytest.approx(spearmanr(gold, pred)[0])
    assert metrics["pearson"].compute(gold, pred) == pytest.approx(pearsonr(gold, pred)[0])


def test_top_k_accuracy() -> None:
    metrics = m.task_metrics("image-classification")
    preds = [[3, 1, 2, 0, 4, 5], [0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]]
    assert metrics["accuracy"].compute([3, 1, 0], preds) == pytest.approx(1 / 3)
    assert metrics["top5_accuracy"].compute([3, 1, 0], preds) == pytest.approx(2 / 3)


def test_metric_names_from_cards_resolve_and_others_are_refused() -> None:
    assert m.resolve_metric("question-answering", "Exact Match").name == "exact_match"
    assert m.resolve_metric("translation", "sacrebleu").name == "bleu"
    assert m.resolve_metric("text-classification", None).name == "accuracy"
    with pytest.raises(UsageError, match="metric 'perplexity' is not supported"):
        m.resolve_metric("text-classification", "perplexity")
    with pytest.raises(UsageError, match="no metrics for task 'fill-mask'"):
        m.task_metrics("fill-mask")


def test_bootstrap_is_seeded_and_degenerate_for_perfect_scores() -> None:
    accuracy = m.task_metrics("text-classification")["accuracy"]
    perfect = accuracy.stats([1, 0, 1, 1], [1, 0, 1, 1])
    assert estimate(accuracy, perfect, seed=0) == estimate(accuracy, perfect, seed=5)
    result = estimate(accuracy, perfect, seed=0)
    assert (result.value, result.low, result.high) == (1.0, 1.0, 1.0)
    mixed = accuracy.stats([1] * 100, [1] * 70 + [0] * 30)
    a, b = estimate(accuracy, mixed, seed=1), estimate(accuracy, mixed, seed=1)
    assert a == b and a.low < 0.7 < a.high
    assert math.isclose(a.value, 0.7)
    # about ±1.96 * sqrt(.7 * .3 / 100) = ±0.09
    assert 0.05 < a.high - a.value < 0.13


def test_verdict_inside_above_below_and_not_comparable() -> None:
    accuracy = m.task_metrics("text-classification")["accuracy"]
    result = estimate(accuracy, accuracy.stats([1] * 100, [1] * 90 + [0] * 10), seed=0)
    claim = Claim(value=91.0, dataset="sst2", metric="accuracy", split="validation")
    inside = judge(accuracy, result, claim, split="validation", config="", sampled_from=None)
    assert inside.status == "inside" and inside.comparable and inside.scale == 100
    assert inside.value == pytest.approx(90.0)
    low = Claim(value=0.5, dataset="sst2", metric="accuracy", split="validation")
    above = judge(accuracy, result, low, split="validation", config="", sampled_from=None)
    assert above.status == "above" and above.difference == pytest.approx(0.4)
    nosplit = Claim(value=0.99, dataset="sst2", metric="accuracy")
    below = judge(accuracy, result, nosplit, split="validation", config="", sampled_from=872)
    assert below.status == "below" and not below.comparable
    assert below.reasons == ["the claim names no split", "a sample of 100 of 872 examples"]
    other = Claim(value=0.9, dataset="sst2", metric="accuracy", split="test")
    different = judge(accuracy, result, other, split="validation", config="", sampled_from=None)
    assert "the claim is on split 'test'" in different.sentence()
