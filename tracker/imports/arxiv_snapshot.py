"""Bulk import of arXiv's metadata snapshot (Kaggle's arxiv-metadata-oai-snapshot.json).

JSON lines, about 2.7M papers. We stream it (plain or .gz) in batches, each batch
one transaction, and keep memory bounded. Speed comes from deferring the full-text
index: batches store rows only and the index is rebuilt once at the end (FTS5
builds an index in one pass faster than it maintains it row by row). A flag in
sync_state, written with the first batch and cleared after the rebuild, makes an
interrupted import rebuild the index on its next run.

Resumable: the line number of the last committed batch is stored with that batch,
so a rerun skips what is stored; rows go through the same upsert as sync, so the
import is idempotent with API-synced papers (one paper, one row; newer version wins).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tracker.codelinks import find_code_links
from tracker.db import fulltext
from tracker.db.engine import write_transaction
from tracker.db.models import SyncState
from tracker.db.papers import insert_ignore, upsert_papers
from tracker.errors import UsageError
from tracker.ids import try_parse_arxiv_id
from tracker.records import PaperRecord, clean_text

log = logging.getLogger(__name__)

STATE = SyncState.__table__
BATCH = 5000
MAX_REPORTED_ERRORS = 50

# progress(bytes read, total bytes, papers stored)
Progress = Callable[[int, int, int], None]


@dataclass
class ImportReport:
    lines: int = 0
    new: int = 0
    updated: int = 0
    skipped_lines: int = 0  # already stored by an earlier, interrupted run
    filtered: int = 0  # outside the --category prefixes
    errors: list[str] = field(default_factory=list)  # "line N: why"
    error_count: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0


_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _date(value: str | None) -> datetime | None:
    """'Mon, 2 Apr 2007 19:18:42 GMT' (the snapshot's form, parsed fast) or ISO."""
    if not value:
        return None
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
        try:
            hour, minute, second = (int(p) for p in parts[4].split(":"))
            return datetime(
                int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second, tzinfo=UTC
            )
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError:
            return None


def _authors(item: dict[str, Any]) -> list[str]:
    parsed = item.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not parts:
                continue
            last, first, suffix = (list(parts) + ["", "", ""])[:3]
            name = " ".join(p.strip() for p in (first, last, suffix) if p and p.strip())
            if name:
                names.append(name)
        if names:
            return names
    raw = item.get("authors") or ""
    return [a.strip() for a in raw.replace(" and ", ", ").split(",") if a.strip()]


def to_record(item: dict[str, Any]) -> PaperRecord:
    """One snapshot line -> a PaperRecord; ValueError says what is wrong with it."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    if not item.get("id"):
        raise ValueError("no id")
    parsed = try_parse_arxiv_id(str(item["id"]))
    if parsed is None:
        raise ValueError(f"bad id {item.get('id')!r}")
    title = clean_text(item.get("title"))
    if not title:
        raise ValueError("no title")
    categories = str(item.get("categories") or "").split()
    if not categories:
        raise ValueError("no categories")
    versions = item.get("versions") or []
    if not isinstance(versions, list):
        raise ValueError("versions is not a list")
    published = _date(versions[0].get("created")) if versions else None
    updated = _date(versions[-1].get("created")) if versions else None
    updated = updated or _date(item.get("update_date")) or published
    version = len(versions) or 1
    if versions and str(versions[-1].get("version", "")).lstrip("v").isdigit():
        version = int(str(versions[-1]["version"]).lstrip("v"))
    comment = clean_text(item.get("comments")) or None
    abstract = clean_text(item.get("abstract"))
    links = [(u, "comment") for u in find_code_links(comment)]
    links += [(u, "abstract") for u in find_code_links(abstract)]
    return PaperRecord(
        arxiv_id=parsed[0],
        version=version,
        title=title,
        abstract=abstract,
        authors=_authors(item),
        primary_category=categories[0],
        categories=categories,
        published=published,
        updated=updated,
        comment=comment,
        journal_ref=clean_text(item.get("journal-ref")) or None,
        doi=clean_text(item.get("doi")) or None,
        withdrawn=bool(comment and "withdrawn" in comment.lower()),
        code_links=list(dict.fromkeys(links)),
    )


def _open(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """(raw file for progress, decompressed stream)."""
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return raw, gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw, raw


def _state_key(path: Path) -> str:
    # A new snapshot under the same name has another size: it starts afresh.
    return f"import:arxiv-snapshot:{path.resolve()}:{path.stat().st_size}"


def _read_state(engine: Engine, key: str) -> tuple[int, bool]:
    with engine.connect() as conn:
        row = conn.execute(select(STATE).where(STATE.c.source_key == key)).first()
    if row is None or not row.cursor:
        return 0, False
    data = json.loads(row.cursor)
    return int(data.get("line", 0)), bool(data.get("index_stale", False))


def _write_state(conn: Any, key: str, line: int, index_stale: bool, now: datetime) -> None:
    insert_ignore(conn, STATE, [{"source_key": key}])
    conn.execute(
        STATE.update()
        .where(STATE.c.source_key == key)
        .values(cursor=json.dumps({"line": line, "index_stale": index_stale}), last_run=now)
    )


def import_snapshot(
    engine: Engine,
    path: Path,
    *,
    categories: tuple[str, ...] = (),
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    if not path.is_file():
        raise UsageError(
            f"{path}: no such file.", hint="Pass the path of arxiv-metadata-oai-snapshot.json[.gz]."
        )
    started = time.monotonic()
    report = ImportReport()
    key = _state_key(path)
    done_lines, index_stale = _read_state(engine, key)
    total = os.path.getsize(path)
    raw, stream = _open(path)
    batch: list[PaperRecord] = []
    last_line = done_lines
    stored = 0

    def flush(line: int) -> None:
        nonlocal batch, stored, index_stale
        now = datetime.now(UTC)
        with write_transaction(engine) as conn:
            result = upsert_papers(conn, batch, now, index=False) if batch else None
            index_stale = index_stale or bool(result and (result.new or result.updated))
            _write_state(conn, key, line, index_stale, now)
        if result:
            report.new += result.new
            report.updated += result.updated
            stored += result.new + result.updated
        batch = []
        if progress:
            progress(raw.tell(), total, stored)

    try:
        for number, line in enumerate(stream, start=1):
            report.lines = number
            if number <= done_lines:
                report.skipped_lines += 1
                continue
            if not line.strip():
                continue
            try:
                record = to_record(json.loads(line))
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                report.error_count += 1
                if len(report.errors) < MAX_REPORTED_ERRORS:
                    report.errors.append(f"line {number}: {_reason(exc)}")
                continue
            if categories and not any(
                c.startswith(prefix) for c in record.categories for prefix in categories
            ):
                report.filtered += 1
                continue
            batch.append(record)
            last_line = number
            if len(batch) >= batch_size:
                flush(number)
        flush(report.lines or last_line)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UsageError(f"{path}: cannot be read past line {report.lines}: {exc}") from exc
    finally:
        raw.close()

    if index_stale:
        index_started = time.monotonic()
        with write_transaction(engine) as conn:
            fulltext.rebuild(conn)
            _write_state(conn, key, report.lines, False, datetime.now(UTC))
        report.index_seconds = time.monotonic() - index_started
    report.seconds = time.monotonic() - started
    return report


def _reason(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at character {exc.pos + 1})"
    return str(exc) or type(exc).__name__
