"""The user's own data about papers: stars, read marks, notes and tags.

Sync never writes these tables; only the user does, through the CLI or the TUI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from tracker.db.papers import insert_ignore
from tracker.db.tables import PT, PU


def _now() -> datetime:
    return datetime.now(UTC)


def _ensure(conn: Connection, paper_id: int) -> None:
    insert_ignore(conn, PU, [{"paper_id": paper_id, "starred": False, "note": ""}])


def set_starred(conn: Connection, paper_id: int, starred: bool) -> None:
    _ensure(conn, paper_id)
    conn.execute(
        PU.update().where(PU.c.paper_id == paper_id).values(starred=starred, updated_at=_now())
    )


def toggle_star(conn: Connection, paper_id: int) -> bool:
    _ensure(conn, paper_id)
    current = conn.execute(select(PU.c.starred).where(PU.c.paper_id == paper_id)).scalar()
    set_starred(conn, paper_id, not current)
    return not current


def set_read(conn: Connection, paper_id: int, read: bool = True) -> None:
    _ensure(conn, paper_id)
    conn.execute(
        PU.update()
        .where(PU.c.paper_id == paper_id)
        .values(read_at=_now() if read else None, updated_at=_now())
    )


def set_note(conn: Connection, paper_id: int, note: str) -> None:
    _ensure(conn, paper_id)
    conn.execute(PU.update().where(PU.c.paper_id == paper_id).values(note=note, updated_at=_now()))


def add_tags(conn: Connection, paper_id: int, tags: list[str]) -> None:
    clean = sorted({t.strip() for t in tags if t.strip()})
    insert_ignore(conn, PT, [{"paper_id": paper_id, "tag": t} for t in clean])


def remove_tags(conn: Connection, paper_id: int, tags: list[str]) -> None:
    conn.execute(delete(PT).where(PT.c.paper_id == paper_id, PT.c.tag.in_(tags)))


def tags_of(conn: Connection, paper_id: int) -> list[str]:
    return [
        t
        for (t,) in conn.execute(
            select(PT.c.tag).where(PT.c.paper_id == paper_id).order_by(PT.c.tag)
        )
    ]
