"""The arXiv pass of a sync: fetch from arXiv, upsert into the store; idempotent
and resumable.

For each followed category and query ("source key", e.g. arxiv:cat:cs.CL):
pages come newest-updated first, down to the watermark minus an overlap (or back
lookback_days on a first run); each page is one transaction; the watermark moves
only after the whole pass succeeded. A process killed at any instant therefore
leaves whole pages and an old watermark, and the next run re-reads the same window:
upserts make that re-read free of duplicates, and the old watermark leaves no gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from tracker.config import ArxivConfig, Config
from tracker.db.engine import bulk_write_transaction
from tracker.db.papers import upsert_papers
from tracker.errors import TrackerError
from tracker.progress import SourceProgress
from tracker.records import PaperRecord
from tracker.sources.arxiv import ArxivSource
from tracker.sync.prefetch import in_child_process
from tracker.sync.state import SyncReport, get_state, save_state, utcnow

log = logging.getLogger(__name__)


def source_keys(config: Config, categories: list[str] | None = None) -> list[tuple[str, str]]:
    """(source key, arXiv query) for each followed category and query."""
    cats = categories if categories is not None else list(config.arxiv.categories)
    keys = [(f"arxiv:cat:{c}", f"cat:{c}") for c in cats]
    if categories is None:
        keys += [(f"arxiv:query:{q}", q) for q in config.arxiv.queries]
    return keys


def store_page(engine: Engine, records: list[PaperRecord], now: datetime) -> tuple[int, int]:
    """Upsert one page in one transaction; returns (new, updated)."""
    with bulk_write_transaction(engine) as conn:
        result = upsert_papers(conn, records, now)
    return result.new, result.updated


@dataclass
class KeyPlan:
    """One followed category or query, and how far back this pass reads it."""

    key: str
    query: str
    cutoff: datetime
    watermark: datetime | None


def plan_arxiv(
    engine: Engine,
    config: Config,
    categories: list[str] | None,
    since: datetime | None,
    now: datetime,
) -> list[KeyPlan]:
    plans = []
    with engine.connect() as conn:
        for key, query in source_keys(config, categories):
            state = get_state(conn, key)
            watermark = state.watermark if state else None
            if since is not None:
                cutoff = since
            elif watermark is not None:
                cutoff = watermark - timedelta(days=config.arxiv.overlap_days)
            else:
                cutoff = now - timedelta(days=config.arxiv.lookback_days)
            plans.append(KeyPlan(key, query, cutoff, watermark))
    return plans


# What the fetching side sends: (key, page or None, error or None, requests so far).
# A (key, None, None, n) message closes a key's pass successfully.
Fetched = tuple[str, list[PaperRecord] | None, TrackerError | None, int]


def fetch_pages(
    arxiv_config: ArxivConfig, plans: list[KeyPlan], max_results: int | None
) -> Iterator[Fetched]:
    """Every key's pages in turn, through one client (so one request per delay)."""
    source = ArxivSource(arxiv_config)
    for plan in plans:
        try:
            for page in source.updates(plan.query, plan.cutoff, max_results):
                yield plan.key, page, None, source.requests
        except TrackerError as exc:
            yield plan.key, None, exc, source.requests
            continue
        yield plan.key, None, None, source.requests


def sync_arxiv(
    engine: Engine,
    config: Config,
    report: SyncReport,
    *,
    categories: list[str] | None = None,
    since: datetime | None = None,
    max_results: int | None = None,
    progress: SourceProgress | None = None,
    now: datetime | None = None,
) -> None:
    """Fetch (in a child process) and store (here) every followed key's new pages."""
    now = now or utcnow()
    plans = {p.key: p for p in plan_arxiv(engine, config, categories, since, now)}
    newest: dict[str, datetime] = {}
    fetched: dict[str, int] = {}
    pages = in_child_process(fetch_pages, config.arxiv, list(plans.values()), max_results)
    for key, page, error, requests in pages:
        report.requests = requests
        stats = report.sources.setdefault(key, {"new": 0, "updated": 0, "fetched": 0})
        if page is not None:
            new, updated = store_page(engine, page, now)
            fetched[key] = fetched.get(key, 0) + len(page)
            report.new += new
            report.updated += updated
            stats["new"] += new
            stats["updated"] += updated
            stats["fetched"] = fetched[key]
            page_newest = max((r.updated for r in page if r.updated), default=None)
            if page_newest and (key not in newest or page_newest > newest[key]):
                newest[key] = page_newest
            if progress:
                progress(key, fetched[key])
        elif error is not None:
            message = f"{key}: {error.message}"
            report.errors.append(message)
            stats["error"] = error.message
            save_state(engine, key, last_run=now, last_error=error.message)
            log.error("%s", message)
        else:
            _finish_key(
                engine, plans[key], newest.get(key), fetched.get(key, 0), since, max_results, now
            )


def _finish_key(
    engine: Engine,
    plan: KeyPlan,
    newest: datetime | None,
    fetched: int,
    since: datetime | None,
    max_results: int | None,
    now: datetime,
) -> None:
    """A key's pass succeeded: move its watermark, unless the pass left a gap."""
    complete = max_results is None or fetched < max_results
    # A --since later than the watermark leaves a gap below it: keep the old mark.
    leaves_gap = since is not None and plan.watermark is not None and since > plan.watermark
    values: dict[str, Any] = {"last_run": now, "last_success": now, "last_error": None}
    if complete and not leaves_gap:
        candidates = [d for d in (plan.watermark, newest) if d is not None]
        values["watermark"] = max(candidates) if candidates else plan.cutoff
    save_state(engine, plan.key, **values)


@dataclass
class FetchReport:
    new: int = 0
    updated: int = 0
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    requests: int = 0


def fetch_papers(engine: Engine, config: Config, arxiv_ids: list[str]) -> FetchReport:
    """Fetch these papers by id (many per request) and store them; report the missing."""
    source = ArxivSource(config.arxiv)
    report = FetchReport()
    now = utcnow()
    wanted = list(dict.fromkeys(arxiv_ids))
    for page in source.by_ids(wanted):
        new, updated = store_page(engine, page, now)
        report.new += new
        report.updated += updated
        report.found += [r.arxiv_id for r in page]
    report.missing = [i for i in wanted if i not in set(report.found)]
    report.requests = source.requests
    return report
