"""What a sync remembers between runs (sync_state rows) and what it reports.

One row per source key (arxiv:cat:cs.CL, hub:models, hub:daily-papers, ...): its
watermark, when it last ran and succeeded, and its last error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from tracker.db.engine import read_connection, write_transaction
from tracker.db.models import SyncState
from tracker.db.papers import insert_ignore
from tracker.db.tables import table_of

SYNC_STATE = table_of(SyncState)


@dataclass
class SyncReport:
    new: int = 0
    updated: int = 0
    models: int = 0
    results: int = 0
    requests: int = 0
    hub_requests: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        new_papers = max(self.new, 1)
        data["hub_requests_per_new_paper"] = round(self.hub_requests / new_papers, 4)
        return data

    def summary(self) -> str:
        line = (
            f"sync: {self.new} new, {self.updated} updated, {self.models} models, "
            f"{self.results} results, {self.requests} requests in {self.seconds:.1f} s"
        )
        if self.hub_requests:
            line += f", {self.hub_requests} Hub requests"
        if self.errors:
            line += f"; {len(self.errors)} source(s) failed"
        return line


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """A stored datetime as UTC-aware (SQLite gives them back naive)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def get_state(conn: Connection, key: str) -> Any:
    """The sync_state row of key, or None before its first run."""
    return conn.execute(select(SYNC_STATE).where(SYNC_STATE.c.source_key == key)).first()


def read_state(engine: Engine, key: str) -> Any:
    """get_state in a read connection of its own."""
    with read_connection(engine) as conn:
        return get_state(conn, key)


def save_state(engine: Engine, key: str, **values: Any) -> None:
    """Set these columns of key's row (made if missing), in a transaction of its own."""
    with write_transaction(engine) as conn:
        insert_ignore(conn, SYNC_STATE, [{"source_key": key}])
        conn.execute(SYNC_STATE.update().where(SYNC_STATE.c.source_key == key).values(**values))
