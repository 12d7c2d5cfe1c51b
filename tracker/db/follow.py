"""The user's watchlists, the digest's state and stored paper embeddings.

All three are user data or derived from it: sync never writes these tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.models import DigestState, PaperEmbedding, Watch
from tracker.db.tables import table_of

W: Any = table_of(Watch)
DS: Any = table_of(DigestState)
PE: Any = table_of(PaperEmbedding)

DIGEST_KEY = "default"


# --- watchlists -------------------------------------------------------------------------


def list_watches(conn: Connection) -> list[dict[str, Any]]:
    """The watchlist entries stored in the database, oldest first."""
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "value": row.value,
            "name": row.name,
            "category": row.category or None,
            "author": row.author or None,
            "created_at": row.created_at,
        }
        for row in conn.execute(select(W).order_by(W.c.id))
    ]


def find_watch(
    conn: Connection, kind: str, value: str, category: str = "", author: str = ""
) -> int | None:
    return conn.execute(
        select(W.c.id).where(
            W.c.kind == kind,
            W.c.value == value,
            W.c.category == category,
            W.c.author == author,
        )
    ).scalar()


def add_watch(
    conn: Connection,
    kind: str,
    value: str,
    *,
    name: str = "",
    category: str = "",
    author: str = "",
    now: datetime | None = None,
) -> bool:
    """Store a watchlist entry; False when the same entry is already there."""
    if find_watch(conn, kind, value, category, author) is not None:
        return False
    conn.execute(
        insert(W).values(
            kind=kind,
            value=value,
            name=name,
            category=category,
            author=author,
            created_at=now or datetime.now(UTC),
        )
    )
    return True


def remove_watches(conn: Connection, kind: str, value: str) -> int:
    """Remove every entry of kind with this value (a saved search: its query or name)."""
    if kind == "search":
        condition = (W.c.value == value) | (W.c.name == value)
    else:
        condition = W.c.value == value
    return conn.execute(delete(W).where(W.c.kind == kind, condition)).rowcount or 0


# --- digest state ---------------------------------------------------------------------------


def read_digest_state(conn: Connection) -> tuple[datetime | None, dict[str, Any] | None]:
    """(time of the last digest, its snapshot of facts); (None, None) before the first."""
    row = conn.execute(select(DS).where(DS.c.key == DIGEST_KEY)).first()
    if row is None:
        return None, None
    last = row.last_digest
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return last, json.loads(row.snapshot or "{}")


def write_digest_state(conn: Connection, when: datetime, snapshot: dict[str, Any]) -> None:
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    done = conn.execute(
        update(DS).where(DS.c.key == DIGEST_KEY).values(last_digest=when, snapshot=text)
    )
    if not done.rowcount:
        conn.execute(insert(DS).values(key=DIGEST_KEY, last_digest=when, snapshot=text))


# --- embeddings -------------------------------------------------------------------------------


def read_embeddings(conn: Connection, model: str, paper_ids: Sequence[int]) -> dict[int, Any]:
    """paper id -> float32 vector, for the papers that have one for model."""
    import numpy as np

    out: dict[int, Any] = {}
    for part in chunks(list(paper_ids)):
        for pid, vector in conn.execute(
            select(PE.c.paper_id, PE.c.vector).where(PE.c.model == model, PE.c.paper_id.in_(part))
        ):
            out[pid] = np.frombuffer(vector, dtype=np.float32)
    return out


def write_embeddings(
    conn: Connection, model: str, vectors: Iterable[tuple[int, Any]], now: datetime
) -> int:
    import numpy as np

    rows = [
        {
            "paper_id": pid,
            "model": model,
            "dim": int(len(vec)),
            "vector": np.asarray(vec, dtype=np.float32).tobytes(),
            "created_at": now,
        }
        for pid, vec in vectors
    ]
    for part in chunks(rows, 200):
        conn.execute(insert(PE), list(part))
    return len(rows)
