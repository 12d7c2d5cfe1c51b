"""Measurements made by `tracker verify`, and the claims (stored results) they check.

The `measurements` table (migration m006_measurements) is described here in Core, not
in db/models.py: each row is one run on this machine (source 'this-machine'), stored in
the same transaction as its trial ledger row, so an interrupted run leaves neither.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine

from tracker.db.bulk import chunks
from tracker.db.engine import write_transaction
from tracker.db.models import Trial
from tracker.db.tables import M as MODELS
from tracker.db.tables import R as RESULTS
from tracker.db.tables import table_of

SOURCE = "this-machine"

_md = MetaData()
MEASUREMENTS = Table(
    "measurements",
    _md,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("source", String),
    Column("trial_id", Integer),
    Column("result_id", Integer),
    Column("model_repo", String),
    Column("model_revision", String),
    Column("task_id", String),
    Column("dataset_id", String),
    Column("dataset_config", String),
    Column("dataset_split", String),
    Column("dataset_revision", String),
    Column("metric_type", String),
    Column("value", Float),
    Column("low", Float),
    Column("high", Float),
    Column("scale", Float),
    Column("claimed", Float),
    Column("verdict", String),
    Column("comparable", Boolean),
    Column("n", Integer),
    Column("split_size", Integer),
    Column("sampled", Boolean),
    Column("seed", Integer),
    Column("device", String),
    Column("dtype", String),
    Column("batch_size", Integer),
    Column("seconds", Float),
    Column("examples_per_second", Float),
)
COLUMNS = [c.name for c in MEASUREMENTS.columns if c.name not in ("id", "trial_id", "source")]


def record_verification(
    engine: Engine, trial: dict[str, Any], measurement: dict[str, Any] | None
) -> tuple[int, int | None]:
    """The trial ledger row and (for a run that finished) its measurement, in one transaction.

    Returns (trial id, measurement id or None)."""
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        result = conn.execute(insert(table_of(Trial)).values(**trial, created_at=now))
        trial_id = _new_id(result)
        if measurement is None:
            return trial_id, None
        values = {k: measurement[k] for k in COLUMNS if k in measurement}
        values.update(
            source=SOURCE, trial_id=trial_id, created_at=measurement.get("created_at", now)
        )
        row = conn.execute(insert(MEASUREMENTS).values(**values))
        return trial_id, _new_id(row)


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    return int(key[0]) if key else 0


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def list_measurements(
    conn: Connection, *, model: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Newest first, optionally of one model (repo id, case-insensitive)."""
    m = MEASUREMENTS
    query = select(m).order_by(m.c.id.desc()).limit(limit)
    if model:
        query = query.where(func.lower(m.c.model_repo) == model.lower())
    return [{k: _iso(v) for k, v in row.items()} for row in conn.execute(query).mappings()]


def model_claims(conn: Connection, repo_id: str) -> list[dict[str, Any]]:
    """The claimed results stored for a model (any source), with ids, in a stable order."""
    r, mo = RESULTS, MODELS
    query = (
        select(r)
        .outerjoin(mo, mo.c.id == r.c.model_id)
        .where(
            func.lower(func.coalesce(mo.c.repo_id, r.c.model_name)) == repo_id.lower(),
            r.c.value.is_not(None),
        )
        .order_by(r.c.task_id, r.c.dataset_id, r.c.dataset_split, r.c.metric_type, r.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def claim_by_id(conn: Connection, result_id: int) -> dict[str, Any] | None:
    r, mo = RESULTS, MODELS
    query = (
        select(r, mo.c.repo_id).outerjoin(mo, mo.c.id == r.c.model_id).where(r.c.id == result_id)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def _short_dtype(dtype: str) -> str:
    return {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}.get(dtype, dtype)


def measured_text(m: dict[str, Any]) -> str:
    """'measured 90.8 ± 1.2 (n=500, cpu fp32)', in the scale the value was stored in."""
    digits = 1 if m["scale"] >= 100 else 3
    half = (m["high"] - m["low"]) / 2
    return (
        f"measured {m['value']:.{digits}f} ± {half:.{digits}f} "
        f"(n={m['n']}, {m['device']} {_short_dtype(m['dtype'])})"
    )


def _measured_keys(conn: Connection) -> list[tuple[tuple[str, str, str], str, dict[str, Any]]]:
    """Every measurement, newest first, keyed by what it checks: (model, dataset, metric), split.

    A measurement made against a stored claim takes the claim's key, so it shows beside
    that claim even when the user named the dataset differently."""
    m, r = MEASUREMENTS, RESULTS
    query = (
        select(m, r.c.model_name.label("claim_model"), r.c.dataset_id.label("claim_dataset"),
               r.c.dataset_split.label("claim_split"), r.c.metric_type.label("claim_metric"))
        .outerjoin(r, r.c.id == m.c.result_id)
        .order_by(m.c.id.desc())
    )  # fmt: skip
    keyed = []
    for row in conn.execute(query).mappings():
        data = {k: _iso(v) for k, v in row.items()}
        claimed = data["claim_model"] is not None
        model = data["claim_model"] if claimed else data["model_repo"]
        dataset = data["claim_dataset"] if claimed else data["dataset_id"]
        metric = data["claim_metric"] if claimed else data["metric_type"]
        split = data["claim_split"] if claimed else data["dataset_split"]
        keyed.append(((model.lower(), dataset.lower(), metric.lower()), split.lower(), data))
    return keyed


def attach_measurements(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add "measured" (the newest matching measurement, with its text) to result rows.

    Rows are claimed results as `leaderboard` and `show` give them (model or model_repo,
    dataset, split, metric); a row without a measurement is left as it is."""
    if not rows:
        return
    keyed = _measured_keys(conn)
    for row in rows:
        names = {str(row.get(k) or "").lower() for k in ("model", "model_repo")} - {""}
        dataset = str(row.get("dataset") or "").lower()
        metric = str(row.get("metric_type") or row.get("metric") or "").lower()
        split = str(row.get("split") or "").lower()
        for (model, m_dataset, m_metric), m_split, data in keyed:
            if model in names and m_dataset == dataset and m_metric == metric:
                if split and m_split and split != m_split:
                    continue
                row["measured"] = {
                    k: data[k]
                    for k in ("id", "value", "low", "high", "n", "device", "dtype", "seed",
                              "dataset_split", "sampled", "comparable", "verdict", "created_at")
                } | {"text": measured_text(data)}  # fmt: skip
                break


def attach_model_measurements(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add "measured" to model rows (as `tracker models` lists them): the newest
    measurement of each dataset, split and metric made here, beside the value it
    checked. Rows of models never measured get an empty list."""
    if not rows:
        return
    wanted = sorted({str(row["repo_id"]).lower() for row in rows})
    m = MEASUREMENTS
    newest: dict[str, dict[tuple[str, str, str], dict[str, Any]]] = {}
    for part in chunks(wanted):
        query = select(m).where(func.lower(m.c.model_repo).in_(part)).order_by(m.c.id.desc())
        for stored in conn.execute(query).mappings():
            row = {k: _iso(v) for k, v in stored.items()}
            key = (row["dataset_id"], row["dataset_split"], row["metric_type"])
            newest.setdefault(str(row["model_repo"]).lower(), {}).setdefault(key, row)
    for row in rows:
        found = newest.get(str(row["repo_id"]).lower(), {})
        row["measured"] = [
            {
                "dataset": m["dataset_id"],
                "split": m["dataset_split"],
                "metric": m["metric_type"],
                "claimed": m["claimed"],
                "value": m["value"],
                "low": m["low"],
                "high": m["high"],
                "n": m["n"],
                "device": m["device"],
                "dtype": m["dtype"],
                "verdict": m["verdict"],
                "created_at": m["created_at"],
                "text": _beside_claim(m),
            }
            for m in found.values()
        ]


def _beside_claim(m: dict[str, Any]) -> str:
    """'sst2 accuracy: claimed 91.3 · measured 90.8 ± 1.2 (n=500, cpu fp32)'."""
    what = f"{m['dataset_id'].rsplit('/', 1)[-1]} {m['metric_type']}: "
    claimed = f"claimed {m['claimed']:.4g} · " if m["claimed"] is not None else ""
    return what + claimed + measured_text(m)


def find_claim_id(
    conn: Connection, model: str, *, task: str, dataset: str, config: str, split: str, metric: str
) -> int | None:
    """The id of the stored result with this identity (as a leaderboard row names it)."""
    r = RESULTS
    query = select(r.c.id).where(
        r.c.model_name == model,
        r.c.task_id == task,
        r.c.dataset_id == dataset,
        r.c.dataset_config == config,
        r.c.dataset_split == split,
        r.c.metric_type == metric,
    )
    found = conn.execute(query.order_by(r.c.id)).first()
    return int(found[0]) if found else None
