"""Ground truth: datasets whose answers are the model's own predictions score exactly 1.0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.verify.datasets_helpers import SST2_CARD, write_parquet
from tracker.trial import runner
from tracker.verify.run import Request, measure, plan_verify

TEXTS = [
    "a good movie",
    "a terrible movie",
    "the cat sits on the mat",
    "the dog rests on the rug",
    "great paper about attention",
    "bad data",
    "the stock market fell today",
    "the stock market rose today",
    "paris is the capital of france",
    "who wrote the paper",
    "neural language model",
    "the kitten was good",
]


def _measure(env: Any, model: Path, dataset: Path, **kwargs: Any) -> Any:
    plan = plan_verify(Request(str(model), str(dataset), seed=1, **kwargs), env.config())
    loaded = runner.load(plan.trial)
    try:
        return measure(plan, loaded, batch_size=4, tick=lambda n: None)
    finally:
        loaded.close()


def _predicted_labels(model: Path) -> list[str]:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(model))
    return [pipe(t)[0]["label"] for t in TEXTS]


def test_labels_equal_to_the_predictions_give_accuracy_one(
    env: Any, classifier: Path, tmp_path: Path
) -> None:
    model = classifier
    predicted = _predicted_labels(model)
    assert len(set(predicted)) == 2  # both classes occur: a real test of the mapping
    ids = [0 if label == "NEGATIVE" else 1 for label in predicted]
    rows = [
        {"sentence": t, "label": i, "idx": n}
        for n, (t, i) in enumerate(zip(TEXTS, ids, strict=True))
    ]
    write_parquet(tmp_path / "same" / "data" / "validation-00000-of-00001.parquet", rows)
    (tmp_path / "same" / "README.md").write_text(SST2_CARD)
    result = _measure(env, model, tmp_path / "same")
    assert (result.estimate.value, result.estimate.low, result.estimate.high) == (1.0, 1.0, 1.0)
    assert result.estimate.n == len(TEXTS) and not result.plan.rows.sampled
    flipped = [{**r, "label": 1 - r["label"]} for r in rows]
    write_parquet(tmp_path / "flipped" / "data" / "validation-00000-of-00001.parquet", flipped)
    (tmp_path / "flipped" / "README.md").write_text(SST2_CARD)
    assert _measure(env, model, tmp_path / "flipped").estimate.value == 0.0
