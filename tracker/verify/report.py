"""What a verification says to people and what it stores: shared by the CLI and the TUI."""

from __future__ import annotations

from typing import Any

from tracker.verify.run import Measurement, VerifyPlan
from tracker.verify.verdict import Verdict, fmt


def short_revision(revision: str) -> str:
    """A commit sha shortened to 12 characters; other revisions (local, package==1.0) whole."""
    is_sha = len(revision) == 40 and all(c in "0123456789abcdef" for c in revision)
    return revision[:12] if is_sha else revision


def data_line(plan: VerifyPlan) -> str:
    rows = plan.rows
    how = (
        "all"
        if not rows.sampled
        else ("the first" if plan.request.first else f"a sample (seed {plan.request.seed}) of")
    )
    columns = ", ".join(f"{role}={column}" for role, column in plan.roles.items())
    config = f"{plan.config} " if plan.config else ""
    return (
        f"{plan.request.dataset} {config}{plan.split}@{short_revision(plan.dataset_revision)}: "
        f"{how} {len(rows.rows)} of {rows.total} examples; read {rows.bytes_read / 1024:.0f} KiB in "
        f"{rows.seconds:.2f} s; columns {columns}."
    )


def report_lines(doc: dict[str, Any], verdict: Verdict) -> list[str]:
    """doc: Measurement.to_dict(), with trial_id and measurement_id when stored."""
    where = " ".join(x for x in (doc["dataset"], doc["config"], doc["split"]) if x)
    plus_minus = (doc["high"] - doc["low"]) / 2
    scale = doc["scale"]
    lines = [
        f"{doc['metric']} on {where}: measured {fmt(doc['value'], scale)} ± {fmt(plus_minus, scale)} "
        f"(95% interval {fmt(doc['low'], scale)} to {fmt(doc['high'], scale)}, "
        f"n={doc['n']} of {doc['split_size']})",
    ]
    if doc["claimed"] is not None:
        lines.append(
            f"claimed {fmt(doc['claimed'], scale)} (result {doc['claim_result_id']}): {verdict.sentence()}"
        )
    else:
        lines.append("no claim: measured only.")
    lines.append(
        f"{doc['device']} {doc['dtype']}, model {doc['model']}@{short_revision(doc['model_revision'])}, "
        f"dataset revision {short_revision(doc['dataset_revision'])}; {doc['seconds']:.2f} s, "
        f"{doc['examples_per_second']:.1f} examples/s (loading {doc['load_seconds']:.2f} s, "
        f"data {doc['data_seconds']:.2f} s)."
    )
    if doc.get("measurement_id"):
        lines.append(f"Stored as measurement {doc['measurement_id']} (trial {doc['trial_id']}).")
    return lines


def trial_values(plan: VerifyPlan, batch_size: int, measurement: Measurement) -> dict[str, Any]:
    """The trial ledger row of a finished run."""
    n = measurement.estimate.n
    return {
        "model_repo": plan.trial.source.repo_id,
        "revision": plan.trial.source.revision,
        "task": plan.task,
        "device": plan.trial.device,
        "dtype": plan.trial.dtype,
        "batch_size": batch_size,
        "inputs": n,
        "load_seconds": measurement.load_seconds,
        "seconds": measurement.seconds,
        "per_input_ms": 1000 * measurement.seconds / max(1, n),
        "peak_memory_bytes": None,
        "output_summary": f"verify {plan.request.dataset} {plan.split}: {plan.metric.name} "
        f"{measurement.verdict.value:.4g} (n={n})",
        "ok": True,
        "error": "",
    }


def measurement_values(measurement: Measurement, batch_size: int) -> dict[str, Any]:
    """The measurements row of a finished run (tracker.db.measurements)."""
    doc = measurement.to_dict()
    return {
        **doc,
        "model_repo": doc["model"],
        "task_id": doc["task"],
        "dataset_id": doc["dataset"],
        "dataset_config": doc["config"],
        "dataset_split": doc["split"],
        "metric_type": doc["metric"],
        "result_id": doc["claim_result_id"],
        "verdict": measurement.verdict.status,
        "comparable": measurement.verdict.comparable,
        "batch_size": batch_size,
        "created_at": measurement.created_at,
    }


def failure_values(model: str, message: str) -> dict[str, Any]:
    """The failed trial ledger row: all that a failed or cancelled run leaves."""
    return {
        "model_repo": model,
        "revision": "",
        "task": "verify",
        "device": "",
        "dtype": "",
        "batch_size": 0,
        "inputs": 0,
        "load_seconds": 0.0,
        "seconds": 0.0,
        "per_input_ms": 0.0,
        "peak_memory_bytes": None,
        "output_summary": "",
        "ok": False,
        "error": (message.strip().splitlines() or [""])[0][:500],
    }
