"""Bulk import of arXiv's metadata snapshot (Kaggle's arxiv-metadata-oai-snapshot.json).

JSON lines, about 2.7M papers. A child process reads and parses the file (plain or
.gz) into batches while this one stores them, each batch one transaction, so memory
stays bounded and both cores work. The full-text index is either built once at the
end (a first import: rows alone store about twice as fast, and one FTS5 rebuild
costs about what indexing batch by batch does) or kept up batch by batch (a small
file into a large collection, where a rebuild would re-index everything). An index
left incomplete by an interrupted import is finished by the next import or sync,
before either writes to it: see tracker.db.index_state.

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tracker.codelinks import find_code_links
from tracker.db import fulltext
from tracker.db.engine import bulk_write_transaction, checkpoint, write_transaction
from tracker.db.index_state import IMPORT_PREFIX, finish_stale_index, index_is_stale
from tracker.db.models import SyncState
from tracker.db.papers import insert_ignore, upsert_papers
from tracker.db.tables import table_of
from tracker.errors import UsageError
from tracker.ids import try_parse_arxiv_id
from tracker.progress import ImportProgress
from tracker.records import PaperRecord, clean_text, parse_utc
from tracker.sync.gcpause import collector_paused
from tracker.sync.lock import SyncLock
from tracker.sync.prefetch import in_child_process

log = logging.getLogger(__name__)

STATE = table_of(SyncState)
BATCH = 5000
# More than the snapshot's lines hold on average (about 1.7 kB), so that a count of
# lines guessed from a file's size is low; gzip shrinks them at least threefold.
BYTES_PER_LINE = 2500
MAX_REPORTED_ERRORS = 50


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
            hour, minute, second = parts[4].split(":")
            return datetime(
                int(parts[3]),
                _MONTHS[parts[2]],
                int(parts[1]),
                int(hour),
                int(minute),
                int(second),
                tzinfo=UTC,
            )
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        try:
            return parse_utc(value)
        except ValueError:
            return None


def _authors(item: dict[str, Any]) -> list[str]:
    parsed = item.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if not isinstance(parts, list) or not parts:
                continue
            # [last, first, suffix], any of them missing or empty: "first last suffix".
            last = parts[0].strip() if parts[0] else ""
            first = parts[1].strip() if len(parts) > 1 and parts[1] else ""
            suffix = parts[2].strip() if len(parts) > 2 and parts[2] else ""
            name = f"{first} {last}" if first and last else first or last
            if suffix:
                name = f"{name} {suffix}" if name else suffix
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
    return f"{IMPORT_PREFIX}{path.resolve()}:{path.stat().st_size}"


def _read_state(engine: Engine, key: str) -> int:
    """The lines of this file that an earlier run stored."""
    with engine.connect() as conn:
        row = conn.execute(select(STATE.c.cursor).where(STATE.c.source_key == key)).first()
    return int(json.loads(row.cursor).get("line", 0)) if row and row.cursor else 0


def _write_state(conn: Any, key: str, line: int, index_stale: bool, now: datetime) -> None:
    insert_ignore(conn, STATE, [{"source_key": key}])
    conn.execute(
        STATE.update()
        .where(STATE.c.source_key == key)
        .values(cursor=json.dumps({"line": line, "index_stale": index_stale}), last_run=now)
    )


@dataclass
class Batch:
    """What the reading process hands over: parsed records up to and including `line`."""

    records: list[PaperRecord]
    line: int  # the last line this batch accounts for
    lines: int  # lines read so far
    bytes_read: int  # of the file on disk, for progress
    skipped: int = 0
    filtered: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0


def read_batches(
    path: Path, done_lines: int, categories: tuple[str, ...], batch_size: int
) -> Iterator[Batch]:
    """Parse the file into batches of records, skipping the first done_lines lines.

    Runs in a child process: parsing JSON into records is Python work as long as
    storing them, so the two proceed side by side on two cores.
    """
    raw, stream = _open(path)
    batch = Batch([], done_lines, 0, 0)
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            if number <= done_lines:
                batch.skipped += 1
                continue
            batch.line = number
            if not line.strip():
                continue
            try:
                record = to_record(json.loads(line))
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                batch.error_count += 1
                if len(batch.errors) < MAX_REPORTED_ERRORS:
                    batch.errors.append(f"line {number}: {_reason(exc)}")
                continue
            if categories and not any(
                c.startswith(prefix) for c in record.categories for prefix in categories
            ):
                batch.filtered += 1
                continue
            batch.records.append(record)
            if len(batch.records) >= batch_size:
                batch.lines, batch.bytes_read = number, raw.tell()
                yield batch
                batch = Batch([], number, number, 0)
        batch.lines, batch.bytes_read = number, raw.tell()
        yield batch
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UsageError(f"{path}: cannot be read past line {number}: {exc}") from exc
    finally:
        raw.close()


def _defer_pays(engine: Engine, path: Path) -> bool:
    """Whether one index rebuild at the end costs less than indexing batch by batch.

    Batches stored without their index entries go about twice as fast, and a
    rebuild costs about what indexing the same rows batch by batch does, but it
    re-indexes every paper stored. So defer when the file holds at least as many
    papers as the index (a first import); index as we go when a small file meets a
    large collection. The count of lines is guessed low from the file's size.
    """
    if engine.dialect.name != "sqlite":
        return False  # PostgreSQL keeps its text-search column up to date itself
    with engine.connect() as conn:
        indexed, _ = fulltext.index_stats(conn)
    size = path.stat().st_size
    with path.open("rb") as file:
        compressed = file.read(2) == b"\x1f\x8b"
    guessed_lines = size * (3 if compressed else 1) // BYTES_PER_LINE
    return guessed_lines >= indexed


def import_snapshot(
    engine: Engine,
    path: Path,
    *,
    categories: tuple[str, ...] = (),
    progress: ImportProgress | None = None,
    batch_size: int = BATCH,
    defer_index: bool | None = None,
) -> ImportReport:
    """Import path; defer_index (None: decided by _defer_pays) builds the full-text
    index once at the end instead of batch by batch."""
    if not path.is_file():
        raise UsageError(
            f"{path}: no such file.", hint="Pass the path of arxiv-metadata-oai-snapshot.json[.gz]."
        )
    started = time.monotonic()
    report = ImportReport()
    key = _state_key(path)
    with SyncLock(engine, "import"):
        done_lines = _read_state(engine, key)
        if defer_index is None:
            defer_index = _defer_pays(engine, path)
        # While the index is stale (deferred by this import, or by an interrupted one)
        # it lacks rows, and removing a changed paper's old text from it would
        # corrupt it: batches then store rows only, and the index is rebuilt at the end.
        with engine.connect() as conn:
            index_stale = (defer_index and engine.dialect.name == "sqlite") or index_is_stale(conn)
        _store_batches(
            engine, path, key, done_lines, categories, batch_size, index_stale, report, progress
        )
        if index_stale:
            index_started = time.monotonic()
            with write_transaction(engine) as conn:
                finish_stale_index(conn)
            report.index_seconds = time.monotonic() - index_started
        checkpoint(engine)
    report.seconds = time.monotonic() - started
    return report


def _store_batches(
    engine: Engine,
    path: Path,
    key: str,
    done_lines: int,
    categories: tuple[str, ...],
    batch_size: int,
    index_stale: bool,
    report: ImportReport,
    progress: ImportProgress | None,
) -> None:
    total = os.path.getsize(path)
    stored = 0
    batches = in_child_process(
        read_batches, path, done_lines, categories, batch_size, pause_collector=True
    )
    with collector_paused():
        for batch in batches:
            now = datetime.now(UTC)
            with bulk_write_transaction(engine) as conn:
                result = (
                    upsert_papers(conn, batch.records, now, index=not index_stale)
                    if batch.records
                    else None
                )
                _write_state(conn, key, batch.line, index_stale, now)
            if result:
                report.new += result.new
                report.updated += result.updated
                stored += result.new + result.updated
            report.lines = batch.lines or report.lines
            report.skipped_lines += batch.skipped
            report.filtered += batch.filtered
            report.error_count += batch.error_count
            room = MAX_REPORTED_ERRORS - len(report.errors)
            report.errors += batch.errors[: max(room, 0)]
            if progress:
                progress(batch.bytes_read, total, stored)
    report.lines = max(report.lines, report.skipped_lines)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at character {exc.pos + 1})"
    return str(exc) or type(exc).__name__
