"""One rule for which way a metric ranks (tracker.db.metrics), over real metric names.

The names below are the metric types and display names of model-index cards and
the Papers-with-Code archive as they appear in ../shared/fixtures (hf model cards,
pwc evaluation tables and results) and data/demo/demo.json; a test checks that the
table covers every name those files hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hub.test_queries import result, write
from tracker.db.leaderboards import leaderboard
from tracker.db.metrics import metric_direction
from tracker.records import ModelRecord

REPO = Path(__file__).resolve().parents[2]

LOWER, HIGHER, GUESS = "lower", "higher", "guess"

# (metric type or name as found, expected): GUESS is higher-is-better, flagged as a guess.
REAL_NAMES: dict[str, str] = {
    # pwc evaluation tables (sota-extractor format) and api/v1 results
    "% Test Accuracy": HIGHER,
    "% Train Accuracy": HIGHER,
    "Parameters": GUESS,
    "CHALLENGE-EM": HIGHER,
    "CHALLENGE-F1": HIGHER,
    "TEST-EM": HIGHER,
    "TEST-F1": HIGHER,
    "PAC": GUESS,
    "QAC": GUESS,
    "total": GUESS,
    "SDRi": HIGHER,
    "SI-SNRi": HIGHER,
    # hf model-index cards (types and display names)
    "accuracy": HIGHER,
    "Accuracy": HIGHER,
    "f1": HIGHER,
    "F1": HIGHER,
    "F1 Macro": HIGHER,
    "F1 Micro": HIGHER,
    "F1 Weighted": HIGHER,
    "precision": HIGHER,
    "Precision": HIGHER,
    "Precision Macro": HIGHER,
    "Precision Micro": HIGHER,
    "Precision Weighted": HIGHER,
    "recall": HIGHER,
    "Recall": HIGHER,
    "Recall Macro": HIGHER,
    "Recall Micro": HIGHER,
    "Recall Weighted": HIGHER,
    "exact_match": HIGHER,
    "Exact Match": HIGHER,
    "auc": HIGHER,
    "AUC": HIGHER,
    "loss": LOWER,
    "wer": LOWER,
    "Test WER": LOWER,
    # demo.json (model-index and pwc-archive rows)
    "Linear-probe Top-1 Accuracy": HIGHER,
    "Top-1 Accuracy": HIGHER,
    "Zero-shot Top-1 Accuracy": HIGHER,
    "MMLU (5-shot)": HIGHER,
    "bleu": HIGHER,
    "BLEU (En-De)": HIGHER,
    "fid": LOWER,
    "FID": LOWER,
    "inception_score": HIGHER,
    "Inception Score": HIGHER,
    "map": HIGHER,
    "Box AP": HIGHER,
    "perplexity": LOWER,
    "Perplexity": LOWER,
    "pq": HIGHER,
    "Panoptic Quality": HIGHER,
    "rouge2": HIGHER,
    "ROUGE-2": HIGHER,
    "rougeL": HIGHER,
    "ROUGE-L": HIGHER,
}

# The names the issue names, some of which a substring match got wrong.
NAMED_IN_THE_RULE: dict[str, str] = {
    **{
        n: LOWER
        for n in (
            "wer",
            "cer",
            "ter",
            "fid",
            "kid",
            "perplexity",
            "nll",
            "bpb",
            "bits per dim",
            "eer",
            "error",
            "loss",
            "rmse",
            "mae",
            "latency",
            "eval_loss",
            "Test CER",
            "top-1 error",
            "word error rate",
        )
    },
    **{
        n: HIGHER
        for n in (
            "accuracy",
            "f1",
            "answer_f1",
            "exact_match",
            "bleu",
            "rouge",
            "map",
            "auc",
            "character_accuracy",
            "rougeLsum",
        )
    },
    "parameters": GUESS,
}


def _expected(direction: str) -> tuple[str, bool]:
    return ("higher", True) if direction == GUESS else (direction, False)


@pytest.mark.parametrize(("name", "direction"), sorted({**REAL_NAMES, **NAMED_IN_THE_RULE}.items()))
def test_metric_direction(name, direction):
    found = metric_direction(name)
    assert (found.direction, found.guessed) == _expected(direction)
    assert found.lower_is_better is (direction == LOWER)


def test_the_table_holds_forty_real_names():
    assert len(REAL_NAMES) >= 40


def test_type_and_name_are_read_together():
    assert metric_direction("accuracy", "Top-1 Accuracy").direction == "higher"
    assert metric_direction("wer", "Test WER").lower_is_better
    assert not metric_direction("map", "Box AP").guessed
    assert metric_direction("custom", "Mean Latency (ms)").lower_is_better


def _metric_names(data: Any, found: set[str]) -> set[str]:
    """Every metric type or name in a JSON document of cards, tables or results."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("metric", "metric_type", "metric_name") and isinstance(value, str):
                found.add(value)
            elif key == "metrics" and isinstance(value, list):
                for m in value:
                    if isinstance(m, str):
                        found.add(m)
                    elif isinstance(m, dict):
                        found.update(m[k] for k in ("type", "name") if isinstance(m.get(k), str))
            else:
                _metric_names(value, found)
    elif isinstance(data, list):
        for item in data:
            _metric_names(item, found)
    return found


def test_the_table_covers_the_demo_data():
    names = _metric_names(json.loads((REPO / "data/demo/demo.json").read_text()), set())
    assert len(names) >= 15
    assert names <= set(REAL_NAMES), names - set(REAL_NAMES)


def test_the_table_covers_the_recorded_fixtures(shared):
    names: set[str] = set()
    for path in [*(shared / "hf").glob("*.json"), *(shared / "pwc").glob("*.json")]:
        _metric_names(json.loads(path.read_text()), names)
    assert len(names) >= 30
    assert names <= set(REAL_NAMES), names - set(REAL_NAMES)


def test_a_guess_is_flagged_in_json_and_in_the_table(engine, cli):
    write(
        engine,
        [ModelRecord(repo_id=f"org/m{i}", pipeline_tag="text-generation") for i in range(2)],
        [
            result("org/m0", "PAC", 0.4),
            result("org/m1", "PAC", 0.7),
            result("org/m0", "bpb", 1.1),
            result("org/m1", "bpb", 0.9),
        ],
    )
    with engine.connect() as conn:
        rows = leaderboard(conn, "text-generation")
    keys = {
        (r["metric"], r["direction"], r["direction_guessed"], r["lower_is_better"]) for r in rows
    }
    assert keys == {("PAC", "higher", True, False), ("bpb", "lower", False, True)}
    assert [r["model"] for r in rows if r["metric"] == "bpb"] == ["org/m1", "org/m0"]
    shown = cli("leaderboard", "text-generation")
    assert shown.code == 0, shown.err
    assert "PAC (higher is better, guessed)" in shown.out
    assert "bpb (lower is better)" in shown.out
    as_json = cli("leaderboard", "text-generation", "--json").json()
    assert {r["direction_guessed"] for r in as_json if r["metric"] == "PAC"} == {True}


@pytest.fixture
def engine(env):
    from tracker.db.engine import open_database

    engine = open_database(f"sqlite:///{env.db_path}")
    yield engine
    engine.dispose()
