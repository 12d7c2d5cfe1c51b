"""The trial ledger: every trial (or failed attempt) in the `trials` table.

"The paper claims X; on my machine it did Y": `tracker trials` and the TUI's model
view read these rows. No torch here: the TUI imports this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from tracker.db.engine import write_transaction
from tracker.db.models import Trial
from tracker.db.tables import table_of

SUMMARY_CHARS = 300


@dataclass
class TrialRecord:
    model_repo: str
    revision: str
    task: str
    device: str
    dtype: str
    batch_size: int = 1
    inputs: int = 0
    load_seconds: float = 0.0
    seconds: float = 0.0
    per_input_ms: float = 0.0
    peak_memory_bytes: int | None = None
    output_summary: str = ""
    ok: bool = True
    error: str = ""


def _short(value: Any) -> Any:
    """Embeddings and long texts shortened, so that a summary stays readable."""
    if isinstance(value, dict):
        if "embedding" in value:
            head = [round(float(x), 4) for x in value["embedding"][:4]]
            return {"dims": value.get("dims"), "embedding[:4]": head}
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value[:3]]
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and len(value) > 120:
        return value[:117] + "..."
    return value


def summarize_outputs(outputs: list[Any]) -> str:
    """A short JSON summary: the first output, shortened, and how many there were."""
    if not outputs:
        return ""
    text = json.dumps(_short(outputs[0]), ensure_ascii=False)
    if len(outputs) > 1:
        text += f" (+{len(outputs) - 1} more)"
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 3] + "..."


def record_trial(engine: Engine, record: TrialRecord) -> int:
    """Store one trial; returns its id."""
    values = {**record.__dict__, "created_at": datetime.now(UTC)}
    with write_transaction(engine) as conn:
        result = conn.execute(insert(table_of(Trial)).values(**values))
        key = result.inserted_primary_key
    return int(key[0]) if key else 0


def _row(row: Any) -> dict[str, Any]:
    data = dict(row)
    created = data.get("created_at")
    if isinstance(created, datetime):
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        data["created_at"] = created.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return data


def list_trials(
    conn: Connection, *, model: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest trials first, optionally of one model (repo id, case-insensitive)."""
    t = table_of(Trial)
    query = select(t).order_by(t.c.id.desc()).limit(limit)
    if model:
        query = query.where(func.lower(t.c.model_repo) == model.lower())
    return [_row(r) for r in conn.execute(query).mappings()]
