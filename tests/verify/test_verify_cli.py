"""`tracker verify` end to end on a tiny classifier and local datasets, with the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.verify.datasets_helpers import SST2_CARD, write_parquet
from tests.verify.test_ground_truth import TEXTS, _predicted_labels


@pytest.fixture
def own_labels(classifier: Path, tmp_path: Path) -> Path:
    """An SST-2-like folder whose labels are the classifier's own predictions (48 rows)."""
    predicted = _predicted_labels(classifier)
    rows = [
        {"sentence": t, "label": int(p == "POSITIVE"), "idx": i}
        for i, (t, p) in enumerate(zip(TEXTS * 4, predicted * 4, strict=True))
    ]
    folder = tmp_path / "sst2"
    write_parquet(folder / "data" / "validation-00000-of-00001.parquet", rows, row_group_size=8)
    (folder / "README.md").write_text(SST2_CARD)
    return folder


def _tables(env: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from tracker.db.engine import open_database, read_connection
    from tracker.db.measurements import MEASUREMENTS
    from tracker.db.models import Trial

    engine = open_database(env.url)
    with read_connection(engine) as conn:
        trials = [dict(r) for r in conn.execute(select(Trial.__table__)).mappings()]
        measured = [dict(r) for r in conn.execute(select(MEASUREMENTS)).mappings()]
    engine.dispose()
    return trials, measured


def _add_claim(env: Any, value: float, split: str) -> int:
    from tracker.db.engine import open_database, write_transaction
    from tracker.db.models import Result

    engine = open_database(env.url)
    with write_transaction(engine) as conn:
        row = conn.execute(
            insert(Result.__table__).values(
                model_name="tiny", task_id="text-classification", dataset_id="sst2",
                dataset_name="SST-2", dataset_config="", dataset_split=split,
                metric_type="accuracy", metric_name="Accuracy", value=value,
                value_text=str(value), verified=False, source="model-index",
            )
        )  # fmt: skip
        result_id = int(row.inserted_primary_key[0])
    engine.dispose()
    return result_id


def test_verify_json_measures_stores_and_links_the_ledger(
    cli: Any, env: Any, classifier: Path, own_labels: Path
) -> None:
    result = cli(
        "verify", str(classifier), "--dataset", str(own_labels), "--samples", "all", "--json"
    )
    assert result.code == 0, result.err
    doc = result.json()
    assert (doc["value"], doc["low"], doc["high"], doc["n"]) == (1.0, 1.0, 1.0, 48)
    assert doc["sampled"] is False and doc["claimed"] is None
    assert doc["verdict"]["status"] == "no-claim"
    assert doc["device"] == "cpu" and doc["dtype"] == "float32"
    trials, measured = _tables(env)
    assert [t["ok"] for t in trials] == [True]
    assert measured[0]["trial_id"] == trials[0]["id"] == doc["trial_id"]
    assert measured[0]["source"] == "this-machine"
    assert (measured[0]["n"], measured[0]["seed"], measured[0]["value"]) == (48, 0, 1.0)


def test_verify_against_a_stored_claim_says_where_it_lies(
    cli: Any, env: Any, classifier: Path, own_labels: Path
) -> None:
    cli("verify", str(classifier), "--dataset", str(own_labels), "--samples", "3")  # makes the db
    claim = _add_claim(env, 91.3, "validation")
    result = cli(
        "verify", str(classifier), "--result", str(claim), "--dataset", str(own_labels),
        "--samples", "10", "--seed", "3",
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("accuracy on ")
    assert "measured 100.00 ± 0.00" in lines[0] and "n=10 of 48" in lines[0]
    assert lines[1] == (
        f"claimed 91.30 (result {claim}): the measurement is above the claim 91.30 by 8.70. "
        "Not comparable: a sample of 10 of 48 examples."
    )
    again = cli(
        "verify", str(classifier), "--result", str(claim), "--dataset", str(own_labels),
        "--samples", "10", "--seed", "3", "--json",
    ).json()  # fmt: skip
    first = cli(
        "verify", str(classifier), "--dataset", str(own_labels), "--samples", "10", "--seed", "3",
        "--json",
    ).json()  # fmt: skip
    assert again["claim_result_id"] == claim and first["n"] == 10


def test_bad_input_is_one_line_exit_2_and_only_a_failed_ledger_row(
    cli: Any, env: Any, classifier: Path, own_labels: Path
) -> None:
    result = cli("verify", str(classifier), "--dataset", str(own_labels), "--columns", "text=body")
    assert result.code == 2
    assert (
        result.err.splitlines()[0]
        == "Error: --columns text=body: the dataset has no column 'body'."
    )
    missing = cli("verify", str(classifier), "--dataset", str(own_labels), "--split", "test")
    assert missing.code == 2 and "has no split 'test'" in missing.err
    metric = cli("verify", str(classifier), "--dataset", str(own_labels), "--metric", "bleu")
    assert (
        metric.code == 2 and "metric 'bleu' is not supported for text-classification" in metric.err
    )
    nothing = cli("verify", str(classifier))
    assert nothing.code == 2 and "no stored claim and no --dataset" in nothing.err
    trials, measured = _tables(env)
    assert measured == []
    assert [t["ok"] for t in trials] == [False, False, False, False]
    assert trials[0]["error"] == "--columns text=body: the dataset has no column 'body'."
    samples = cli("verify", str(classifier), "--dataset", str(own_labels), "--samples", "zero")
    assert samples.code == 2 and "neither a positive number nor 'all'" in samples.err


def test_ctrl_c_leaves_only_a_failed_ledger_row(
    cli: Any, env: Any, classifier: Path, own_labels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.verify.run as run

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "measure", interrupted)
    result = cli("verify", str(classifier), "--dataset", str(own_labels))
    # click turns Ctrl-C into Abort, which tracker reports as "Aborted." (exit 1)
    assert result.code == 1 and result.err.splitlines()[-1] == "Aborted."
    trials, measured = _tables(env)
    assert measured == []
    assert [(t["ok"], t["error"]) for t in trials] == [(False, "interrupted (Ctrl-C)")]


def test_several_claims_are_listed_and_one_is_picked_with_result(
    cli: Any, env: Any, classifier: Path, own_labels: Path
) -> None:
    cli("verify", str(classifier), "--dataset", str(own_labels), "--samples", "3")  # makes the db
    first = _add_claim(env, 0.9, "validation")
    second = _add_claim(env, 0.8, "test")
    listed = cli("verify", "tiny", "--json")
    assert listed.code == 2
    assert (
        listed.err.splitlines()[0] == "Error: tiny has 2 stored results; pick one with --result ID:"
    )
    assert f"{second}  text-classification  sst2/test  accuracy = 0.8  (model-index)" in listed.err
    assert f"{first}  text-classification  sst2/validation  accuracy = 0.9" in listed.err
    missing = cli("verify", "tiny", "--result", "999")
    assert missing.code == 2 and "no stored result 999" in missing.err


def test_label_map_and_first_rows(cli: Any, env: Any, classifier: Path, own_labels: Path) -> None:
    swapped = cli(
        "verify", str(classifier), "--dataset", str(own_labels), "--first", "--samples", "12",
        "--label-map", "0=POSITIVE,1=NEGATIVE", "--json",
    )  # fmt: skip
    assert swapped.code == 0, swapped.err
    doc = swapped.json()
    assert doc["value"] == 0.0 and doc["n"] == 12 and doc["sampled"] is True
    bad = cli("verify", str(classifier), "--dataset", str(own_labels), "--label-map", "0=JOY")
    assert bad.code == 2 and "--label-map: '0=JOY' must be DATASET_LABEL=MODEL_LABEL" in bad.err


def test_the_leaderboard_shows_the_measurement_beside_the_claim_without_ranking_it(
    cli: Any, env: Any, classifier: Path, own_labels: Path
) -> None:
    cli("verify", str(classifier), "--dataset", str(own_labels), "--samples", "3")  # makes the db
    claim = _add_claim(env, 91.3, "validation")
    cli("verify", str(classifier), "--result", str(claim), "--dataset", str(own_labels))
    board = cli("leaderboard", "text-classification")
    assert board.code == 0, board.err
    row = next(line for line in board.out.splitlines() if " tiny " in f" {line} ")
    assert "claimed 91.3 · measured 100.0 ± 0.0 (n=48, cpu fp32)" in row
    ranked = cli("leaderboard", "text-classification", "--json").json()
    assert [(r["rank"], r["model"], r["value"]) for r in ranked] == [(1, "tiny", 91.3)]
    assert ranked[0]["measured"]["n"] == 48 and ranked[0]["measured"]["verdict"] == "above"


def test_measurements_attach_to_show_style_rows_by_model_dataset_and_metric(env: Any) -> None:
    from datetime import UTC, datetime

    from tracker.db.engine import open_database, read_connection
    from tracker.db.measurements import attach_measurements, record_verification

    engine = open_database(env.url)
    trial = {"model_repo": "org/m", "revision": "abc", "task": "text-classification",
             "device": "cpu", "dtype": "float32", "batch_size": 8, "inputs": 500,
             "load_seconds": 1.0, "seconds": 2.0, "per_input_ms": 4.0, "peak_memory_bytes": None,
             "output_summary": "", "ok": True, "error": ""}  # fmt: skip
    measured = {"model_repo": "org/m", "model_revision": "abc", "task_id": "text-classification",
                "dataset_id": "sst2", "dataset_config": "", "dataset_split": "validation",
                "dataset_revision": "def", "metric_type": "accuracy", "value": 90.8, "low": 89.6,
                "high": 92.0, "scale": 100.0, "claimed": None, "verdict": "no-claim",
                "comparable": False, "n": 500, "split_size": 872, "sampled": True, "seed": 0,
                "device": "cpu", "dtype": "float32", "batch_size": 8, "seconds": 2.0,
                "examples_per_second": 250.0, "created_at": datetime.now(UTC)}  # fmt: skip
    trial_id, measurement_id = record_verification(engine, trial, measured)
    rows = [
        {"model": "org/m", "dataset": "sst2", "split": "validation", "metric": "Accuracy",
         "metric_type": "accuracy", "value": 91.3},
        {"model": "org/m", "dataset": "sst2", "split": "test", "metric_type": "accuracy"},
        {"model": "org/other", "dataset": "sst2", "metric_type": "accuracy"},
    ]  # fmt: skip
    with read_connection(engine) as conn:
        attach_measurements(conn, rows)
    engine.dispose()
    assert rows[0]["measured"]["text"] == "measured 90.8 ± 1.2 (n=500, cpu fp32)"
    assert rows[0]["measured"]["id"] == measurement_id and trial_id > 0
    assert "measured" not in rows[1] and "measured" not in rows[2]


def test_the_trial_gates_apply_pickle_weights_are_refused_before_any_data(
    cli: Any, env: Any, own_labels: Path, tmp_path: Path
) -> None:
    from tests.trial.conftest import build_tiny

    pickled = build_tiny("text-classification", tmp_path / "pickled", pickle=True)
    result = cli("verify", str(pickled), "--dataset", str(own_labels))
    assert result.code == 1
    assert "has only pickle weights (pytorch_model.bin)" in result.err.splitlines()[0]
    trials, measured = _tables(env)
    assert measured == [] and [t["ok"] for t in trials] == [False]


def test_models_lists_what_was_measured_here_beside_the_claim(cli: Any, env: Any) -> None:
    from datetime import UTC, datetime

    from tracker.db.engine import open_database, write_transaction
    from tracker.db.hub import upsert_models
    from tracker.db.measurements import record_verification
    from tracker.records import ModelRecord

    engine = open_database(env.url)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        upsert_models(conn, [ModelRecord("org/m", downloads=5), ModelRecord("org/other")], now)
    trial = {"model_repo": "org/m", "revision": "abc", "task": "text-classification",
             "device": "cpu", "dtype": "float32", "batch_size": 8, "inputs": 500,
             "load_seconds": 1.0, "seconds": 2.0, "per_input_ms": 4.0, "peak_memory_bytes": None,
             "output_summary": "", "ok": True, "error": ""}  # fmt: skip
    measured = {"model_repo": "org/m", "model_revision": "abc", "task_id": "text-classification",
                "dataset_id": "nyu-mll/glue", "dataset_config": "sst2",
                "dataset_split": "validation", "dataset_revision": "def",
                "metric_type": "accuracy", "value": 90.8, "low": 89.6, "high": 92.0,
                "scale": 100.0, "claimed": 91.3, "verdict": "inside", "comparable": False,
                "n": 500, "split_size": 872, "sampled": True, "seed": 0, "device": "cpu",
                "dtype": "float32", "batch_size": 8, "seconds": 2.0,
                "examples_per_second": 250.0, "created_at": now}  # fmt: skip
    record_verification(engine, trial, measured)
    engine.dispose()

    listed = cli("models", "--json")
    assert listed.code == 0, listed.err
    by_repo = {r["repo_id"]: r["measured"] for r in listed.json()}
    assert by_repo["org/other"] == []
    [m] = by_repo["org/m"]
    assert (m["dataset"], m["split"], m["claimed"], m["value"], m["n"]) == (
        "nyu-mll/glue",
        "validation",
        91.3,
        90.8,
        500,
    )
    text = cli("models")
    assert "org/m  glue accuracy: claimed 91.3 · measured 90.8 ± 1.2 (n=500, cpu fp32)" in text.out
