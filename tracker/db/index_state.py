"""Whether the full-text index holds every stored paper, for the writers that keep it
up as they go.

A first snapshot import stores rows alone and rebuilds the index at its end
(tracker.imports.arxiv_snapshot); until then its sync_state row says
"index_stale". If it is interrupted, the index lacks rows, and removing a changed
paper's old text from it, as any later upsert does, would corrupt it. So every
upsert that maintains the index finishes such an index first (upsert_papers).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tracker.db import fulltext
from tracker.db.models import SyncState
from tracker.db.tables import table_of

STATE = table_of(SyncState)
IMPORT_PREFIX = "import:arxiv-snapshot:"  # the snapshot import's sync_state keys


def _stale_imports(conn: Connection) -> dict[str, dict[str, Any]]:
    """{key: its state} for each import whose index is not built yet."""
    rows = conn.execute(
        select(STATE.c.source_key, STATE.c.cursor).where(
            STATE.c.source_key.like(IMPORT_PREFIX + "%")
        )
    )
    states = {key: json.loads(cursor) for key, cursor in rows if cursor}
    return {key: state for key, state in states.items() if state.get("index_stale")}


def index_is_stale(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite" and bool(_stale_imports(conn))


def finish_stale_index(conn: Connection) -> bool:
    """Rebuild an index an interrupted import left incomplete, in the caller's
    transaction; True if there was one. (PostgreSQL's index is never stale.)"""
    if conn.dialect.name != "sqlite":
        return False
    stale = _stale_imports(conn)
    if not stale:
        return False
    fulltext.rebuild(conn)
    for key, state in stale.items():
        conn.execute(
            STATE.update()
            .where(STATE.c.source_key == key)
            .values(cursor=json.dumps({**state, "index_stale": False}))
        )
    return True
