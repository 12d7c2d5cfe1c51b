"""Paper embeddings on disk: compact packing, incremental bookkeeping, bulk reads.

A vector is packed as float16 (2 bytes a dimension) or int8 (1 byte a dimension
plus a float32 scale in front): 768 or 388 bytes for a 384-dimension model, where
float32 took 1,536. Rows written before m008 are float32 and still read. Each row
remembers the paper version it embedded, so a new version of a paper is embedded
again; rows of different models never mix (every read names its model).
numpy is imported inside functions: the search and TUI start-up paths import this.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from tracker.db.bulk import chunks
from tracker.db.models import EmbeddingState, PaperEmbedding
from tracker.db.paper_rule import is_paper_sql

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Encoding = Literal["float32", "float16", "int8"]
ENCODINGS: tuple[Encoding, ...] = ("float32", "float16", "int8")

PE: Any = SQLModel.metadata.tables[PaperEmbedding.__tablename__]
ES: Any = SQLModel.metadata.tables[EmbeddingState.__tablename__]


def pack(vector: NDArray[Any], encoding: Encoding) -> bytes:
    """The bytes stored for one vector."""
    import numpy as np

    v = np.asarray(vector, dtype=np.float32)
    if encoding == "float32":
        return bytes(v.tobytes())
    if encoding == "float16":
        return bytes(v.astype(np.float16).tobytes())
    peak = float(np.abs(v).max()) if v.size else 0.0
    scale = peak / 127.0 if peak > 0 else 1.0
    quantized = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
    return bytes(np.float32(scale).tobytes()) + bytes(quantized.tobytes())


def unpack(data: bytes, encoding: str) -> NDArray[np.float32]:
    """The float32 vector of stored bytes."""
    import numpy as np

    if encoding == "float16":
        return np.frombuffer(data, dtype=np.float16).astype(np.float32)
    if encoding == "int8":
        scale = np.float32(np.frombuffer(data[:4], dtype=np.float32)[0])
        return (np.frombuffer(data[4:], dtype=np.int8).astype(np.float32) * scale).astype(
            np.float32
        )
    return np.frombuffer(data, dtype=np.float32).copy()


def read_vectors(
    conn: Connection, model: str, paper_ids: Sequence[int]
) -> dict[int, NDArray[np.float32]]:
    """paper id -> float32 vector, for the papers that have one for model."""
    out: dict[int, NDArray[np.float32]] = {}
    for part in chunks(list(paper_ids)):
        rows = conn.execute(
            select(PE.c.paper_id, PE.c.vector, PE.c.encoding).where(
                PE.c.model == model, PE.c.paper_id.in_(part)
            )
        )
        for pid, data, encoding in rows:
            out[pid] = unpack(data, encoding)
    return out


def write_vectors(
    conn: Connection,
    model: str,
    vectors: Iterable[tuple[int, NDArray[Any]]],
    *,
    encoding: Encoding,
    versions: dict[int, int] | None = None,
    now: datetime | None = None,
) -> int:
    """Store (replace) vectors of model and bump its generation; returns how many."""
    when = now or datetime.now(UTC)
    rows = [
        {
            "paper_id": pid,
            "model": model,
            "dim": int(len(vec)),
            "vector": pack(vec, encoding),
            "encoding": encoding,
            "paper_version": (versions or {}).get(pid, 0),
            "created_at": when,
        }
        for pid, vec in vectors
    ]
    for part in chunks(rows, 200):
        ids = [r["paper_id"] for r in part]
        conn.execute(delete(PE).where(PE.c.model == model, PE.c.paper_id.in_(ids)))
        conn.execute(insert(PE), list(part))
    if rows:
        bump_generation(conn, model, when)
    return len(rows)


def bump_generation(conn: Connection, model: str, now: datetime) -> None:
    done = conn.execute(
        update(ES).where(ES.c.model == model).values(generation=ES.c.generation + 1, updated_at=now)
    )
    if not done.rowcount:
        conn.execute(insert(ES).values(model=model, generation=1, updated_at=now))


def generation(conn: Connection, model: str) -> int:
    """How many writes model's vectors have seen (0: none)."""
    value = conn.execute(select(ES.c.generation).where(ES.c.model == model)).scalar()
    return int(value or 0)


def count_stale(conn: Connection, model: str, *, everything: bool = False) -> int:
    """How many papers need an embedding of model (new, changed, or all)."""
    sql = f"SELECT count(*) FROM papers p {_stale_join(everything)}"
    return int(conn.execute(text(sql), {"model": model}).scalar() or 0)


def stale_batch(
    conn: Connection,
    model: str,
    *,
    everything: bool = False,
    below: int | None = None,
    size: int = 256,
) -> list[tuple[int, int, str]]:
    """The next (paper id, version, title + abstract) that need an embedding of model,
    newest id first, below the id given: keyset pages, each one cheap query."""
    keyset = "" if below is None else "AND p.id < :below"
    rows = conn.execute(
        text(
            f"SELECT p.id, p.version, p.title, p.abstract FROM papers p "
            f"{_stale_join(everything)} {keyset} ORDER BY p.id DESC LIMIT :size"
        ),
        {"model": model, "below": below, "size": size},
    ).all()
    return [(r[0], int(r[1] or 0), paper_text(r[2], r[3])) for r in rows]


def _stale_join(everything: bool) -> str:
    if everything:
        return f"WHERE {is_paper_sql('p')}"
    return (
        "LEFT JOIN paper_embeddings e ON e.paper_id = p.id AND e.model = :model "
        f"WHERE {is_paper_sql('p')} AND (e.paper_id IS NULL OR e.paper_version <> p.version)"
    )


def paper_text(title: str | None, abstract: str | None) -> str:
    """What is embedded for a paper: its title, then its abstract."""
    return f"{title or ''}. {abstract or ''}".strip()


def all_vectors(
    conn: Connection, model: str, *, batch: int = 5000
) -> Iterator[tuple[list[int], list[bytes], list[str]]]:
    """Every stored vector of model (of papers, not stubs), in pages of paper ids."""
    below: int | None = None
    while True:
        keyset = "" if below is None else "AND e.paper_id < :below"
        rows = conn.execute(
            text(
                "SELECT e.paper_id, e.vector, e.encoding FROM paper_embeddings e "
                f"JOIN papers p ON p.id = e.paper_id WHERE e.model = :model "
                f"AND {is_paper_sql('p')} {keyset} ORDER BY e.paper_id DESC LIMIT :batch"
            ),
            {"model": model, "below": below, "batch": batch},
        ).all()
        if not rows:
            return
        yield [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        below = rows[-1][0]


def models_stored(conn: Connection) -> dict[str, int]:
    """model -> how many vectors it has."""
    rows = conn.execute(
        text("SELECT model, count(*) FROM paper_embeddings GROUP BY model ORDER BY model")
    )
    return {r[0]: int(r[1]) for r in rows}
