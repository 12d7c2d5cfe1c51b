"""Hub sync: which models belong to which paper, discovered from the model side.

One request per paper does not scale (a week of cs.CL, cs.LG and cs.CV is ~8,000
papers; anonymous clients get 500 calls per 5 minutes). So:
1. walk the models listing, newest lastModified first, 1,000 per page, each page with
   the fields we store (tags, pipeline_tag, downloads, ...), down to the watermark in
   sync_state "hub:models" (minus an hour of overlap; a first run reaches back
   [arxiv] lookback_days);
2. keep the models whose `arxiv:<id>` tags name a paper, at most [hub] models_per_paper
   per paper (most downloaded first); papers we lack are fetched from arXiv by id list
   (100 per request), or stored as stubs when that fails;
3. read the card (model_info, [hub] concurrency at a time) only of models never read,
   or changed (new sha) and last read more than [hub] refresh_days ago;
4. the daily papers feed adds upvotes and GitHub repos, for the weeks of the papers
   stored since the last daily pass.
The watermark moves only after steps 1-3 succeeded, so a failed run is re-read. The
long walks (the listing of a window reaching back years, the daily papers' weeks)
are bounded per run and resumed by the next: see tracker.sync.hub_walks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from tracker.config import Config
from tracker.db import hub as store
from tracker.db.bulk import chunks
from tracker.db.engine import read_connection, write_transaction
from tracker.db.eval_results import replace_eval_results
from tracker.db.paper_hub import save_daily_summaries, save_paper_page
from tracker.db.papers import ensure_stubs, upsert_papers
from tracker.errors import TrackerError
from tracker.ids import parse_arxiv_id
from tracker.progress import SourceProgress
from tracker.records import DailyPaperRecord, ModelRecord, PaperPageRecord
from tracker.sources.hub import HubSource
from tracker.sync.hub_benchmarks import benchmarks_pass
from tracker.sync.hub_walks import (
    CARDS_PER_RUN,
    DAILY_WEEKS_PER_RUN,
    LISTING_PAGES_PER_RUN,
    ListingPlan,
    Tail,
    pending_weeks,
    tails_cursor,
    weeks_cursor,
    weeks_of_papers,
)
from tracker.sync.state import SyncReport, aware, read_state, save_state, utcnow

if TYPE_CHECKING:
    from tracker.sources.arxiv import ArxivSource

log = logging.getLogger(__name__)

MODELS_KEY = "hub:models"
DAILY_KEY = "hub:daily-papers"
OVERLAP = timedelta(hours=1)
DETAIL_BATCH = 50
# Stubs (from an archive import or a failed fetch) filled per sync, at most.
STUB_FILL = 500


@dataclass
class Stored:
    new_models: int = 0
    new_links: int = 0
    new_results: int = 0
    details: int = 0
    missing: int = 0  # cards asked for that the Hub no longer has
    errors: int = 0
    # repo id -> .eval_results files the Hub reported invalid (logged, never stored); a
    # model read twice in a run (its listing item, then its card) counts once.
    eval_errors: dict[str, int] = field(default_factory=dict)


class HubSync:
    """One pass of Hub work on one database; the sources are injectable for tests."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        *,
        hub: HubSource | None = None,
        arxiv: ArxivSource | None = None,
        now: datetime | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.hub = hub or HubSource(config.hub)
        self._arxiv = arxiv
        self.now = now or utcnow()
        self.papers_fetched = 0
        self.stubs = 0

    @property
    def arxiv(self) -> ArxivSource:
        if self._arxiv is None:
            from tracker.sources.arxiv import ArxivSource

            self._arxiv = ArxivSource(self.config.arxiv)
        return self._arxiv

    @property
    def arxiv_requests(self) -> int:
        return self._arxiv.requests if self._arxiv is not None else 0

    # --- papers ---------------------------------------------------------------------

    def ensure_papers(self, arxiv_ids: Iterable[str]) -> None:
        """Fetch the papers we lack (and unfilled stubs) from arXiv; stub what fails."""
        wanted = sorted(set(arxiv_ids))
        with read_connection(self.engine) as conn:
            have = store.paper_ids(conn, wanted)
            real = store.paper_ids(conn, have, stubs=False)
            old_stubs = _stubs_to_fill(conn, self.now, self.config.hub.refresh_days)
        todo = [a for a in wanted if a not in real and a not in have]
        todo += [a for a in wanted if a in have and a not in real]
        todo = list(dict.fromkeys(todo + old_stubs))[: max(STUB_FILL, len(wanted))]
        if not todo:
            return
        got: set[str] = set()
        try:
            for page in self.arxiv.by_ids(todo):
                with write_transaction(self.engine) as conn:
                    result = upsert_papers(conn, page, self.now)
                got |= {r.arxiv_id for r in page}
                self.papers_fetched += result.new + result.updated
        except TrackerError as exc:
            log.warning("arXiv could not fetch papers named by models: %s", exc.message)
        left = [a for a in todo if a not in got]
        with write_transaction(self.engine) as conn:
            ids = ensure_stubs(conn, left, self.now)
            # Mark the attempt, so an id arXiv does not know waits refresh_days.
            for part in chunks(list(ids.values())):
                conn.execute(
                    update(store.PAPERS)
                    .where(store.PAPERS.c.id.in_(part), store.PAPERS.c.is_stub.is_(True))
                    .values(last_synced=self.now)
                )
        self.stubs += len([a for a in left if a not in have])

    # --- models ---------------------------------------------------------------------

    def select_models(self, records: Iterable[ModelRecord]) -> list[ModelRecord]:
        """At most models_per_paper models per paper, the most downloaded first."""
        cap = self.config.hub.models_per_paper
        ranked = sorted(records, key=lambda r: (-(r.downloads or 0), -(r.likes or 0), r.repo_id))
        per_paper: dict[str, int] = {}
        kept = []
        for record in ranked:
            room = [a for a in record.arxiv_ids if per_paper.get(a, 0) < cap]
            if not room:
                continue
            for a in room:
                per_paper[a] = per_paper.get(a, 0) + 1
            kept.append(record)
        return kept

    def store_listing(self, records: list[ModelRecord], out: Stored) -> list[str]:
        """Upsert listed models and their paper links; return the repo ids whose card to read."""
        if not records:
            return []
        self.ensure_papers(a for r in records for a in r.arxiv_ids)
        refresh = timedelta(days=self.config.hub.refresh_days)
        with write_transaction(self.engine) as conn:
            before = {
                row.repo_id: row
                for part in chunks([r.repo_id for r in records])
                for row in conn.execute(
                    select(
                        store.MODELS.c.repo_id, store.MODELS.c.sha, store.MODELS.c.fetched_at
                    ).where(store.MODELS.c.repo_id.in_(part))
                )
            }
            # The stored sha is the one whose card we read: a listing does not move it.
            listed = [_without_sha(r) for r in records]
            written = store.upsert_models(conn, listed, self.now)
            out.new_models += written.new
            pids = _link_papers_and_datasets(conn, records, written.ids, out)
            out.new_results += _store_evals(conn, records, written.ids, pids, out)
        todo = []
        for r in records:
            old = before.get(r.repo_id)
            fetched = aware(old.fetched_at) if old is not None else None
            if old is None or fetched is None:
                todo.append(r.repo_id)
            elif self.now - fetched >= refresh and (r.sha is None or r.sha != old.sha):
                todo.append(r.repo_id)
        return todo

    def fetch_details(self, repo_ids: list[str], out: Stored) -> None:
        """Read the cards of repo_ids and store models, datasets and results, in batches."""
        batch: list[tuple[str, ModelRecord | None]] = []
        for repo_id, record, error in self.hub.model_infos(dict.fromkeys(repo_ids)):
            if error is not None:
                out.errors += 1
                continue
            batch.append((repo_id, record))
            if len(batch) >= DETAIL_BATCH:
                self._store_details(batch, out)
                batch = []
        self._store_details(batch, out)

    def _store_details(self, batch: list[tuple[str, ModelRecord | None]], out: Stored) -> None:
        if not batch:
            return
        found = [r for _, r in batch if r is not None]
        gone = [repo_id for repo_id, r in batch if r is None]
        with write_transaction(self.engine) as conn:
            written = store.upsert_models(conn, found, self.now, fetched=True)
            out.new_models += written.new
            out.details += len(found)
            out.missing += len(gone)
            for part in chunks(gone):
                conn.execute(
                    update(store.MODELS)
                    .where(store.MODELS.c.repo_id.in_(part))
                    .values(fetched_at=self.now)
                )
            pids = _link_papers_and_datasets(conn, found, written.ids, out)
            cards = {
                written.ids[r.repo_id]: (
                    r.repo_id,
                    next((pids[a] for a in r.arxiv_ids if a in pids), None),
                    r.results,
                )
                for r in found
            }
            out.new_results += store.replace_model_results(conn, cards)
            out.new_results += _store_evals(conn, found, written.ids, pids, out)

    def pending_details(self, limit: int = 1000) -> list[str]:
        """Linked models whose card was never read (a run stopped before it got there)."""
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                select(store.MODELS.c.repo_id)
                .where(store.MODELS.c.fetched_at.is_(None))
                .where(store.MODELS.c.id.in_(select(store.PAPER_MODELS.c.model_id)))
                .order_by(store.MODELS.c.downloads.desc())
                .limit(limit)
            )
            return [r for (r,) in rows]

    # --- whole passes ---------------------------------------------------------------

    def discover(
        self, plan: ListingPlan, progress: SourceProgress | None
    ) -> tuple[list[ModelRecord], datetime | None, int, list[Tail]]:
        """Walk the listing from the top down to plan.head_cutoff, then the tails, at
        most LISTING_PAGES_PER_RUN pages; (models naming a paper, newest date at the top,
        models listed, the walks left for the next run)."""
        found: dict[str, ModelRecord] = {}
        pages_left = LISTING_PAGES_PER_RUN
        newest, listed, pages, stop = self._walk(
            None, plan.head_cutoff, found, pages_left, progress
        )
        pages_left -= pages
        left = [Tail(stop, plan.head_cutoff)] if stop else []
        for tail in plan.tails:
            if pages_left <= 0:
                left.append(tail)
                continue
            walked = self._walk(tail.next_page, tail.until, found, pages_left, progress, listed)
            listed += walked[1]
            pages_left -= walked[2]
            if walked[3]:
                left.append(Tail(walked[3], tail.until))
        return list(found.values()), newest, listed, left

    def _walk(
        self,
        start: str | None,
        cutoff: datetime,
        found: dict[str, ModelRecord],
        max_pages: int,
        progress: SourceProgress | None,
        listed_before: int = 0,
    ) -> tuple[datetime | None, int, int, str | None]:
        """One walk down to cutoff: (newest date, listed, pages, next link where it stopped)."""
        newest: datetime | None = None
        listed = pages = 0
        for page in self.hub.model_pages(sort="lastModified", skim=True, start=start):
            pages += 1
            reached = False
            for record in page:
                modified = record.last_modified
                if modified is not None and modified < cutoff:
                    reached = True
                    break
                listed += 1
                if modified is not None and (newest is None or modified > newest):
                    newest = modified
                if record.arxiv_ids:
                    found[record.repo_id] = record
            if progress:
                progress(MODELS_KEY, listed_before + listed)
            if reached or not page:
                return newest, listed, pages, None
            if pages >= max_pages:
                return newest, listed, pages, self.hub.next_page
        return newest, listed, pages, None

    def daily_papers(self, since: datetime, cursor: str | None) -> tuple[int, list[str]]:
        """Upvotes and repos from the feed's weeks of papers stored after since (and the
        weeks an earlier run left), newest first; (papers updated, weeks left)."""
        with read_connection(self.engine) as conn:
            weeks = weeks_of_papers(conn, since, self.now.date()) | pending_weeks(cursor)
        ordered = sorted(weeks, reverse=True)
        todo, left = ordered[:DAILY_WEEKS_PER_RUN], ordered[DAILY_WEEKS_PER_RUN:]
        records = [r for week in todo for r in self.hub.daily_papers(week)]
        with write_transaction(self.engine) as conn:
            pids = store.paper_ids(conn, [r.arxiv_id for r in records], stubs=False)
            save_daily_summaries(conn, records, pids)
            return store.apply_daily_papers(conn, records, pids), left


def _store_evals(
    conn: Connection,
    records: list[ModelRecord],
    ids: dict[str, int],
    pids: dict[str, int],
    out: Stored,
) -> int:
    """The eval-results scores of the records that carried them; returns how many are new."""
    read = [r for r in records if r.evals_read and r.repo_id in ids]
    for r in read:
        if r.eval_errors and r.repo_id not in out.eval_errors:
            log.warning("model %s: %d invalid eval results files skipped", r.repo_id, r.eval_errors)
        if r.eval_errors:
            out.eval_errors[r.repo_id] = r.eval_errors
    cards = {
        ids[r.repo_id]: (
            r.repo_id,
            next((pids[a] for a in r.arxiv_ids if a in pids), None),
            r.eval_results,
        )
        for r in read
    }
    return replace_eval_results(conn, cards) if cards else 0


def _without_sha(record: ModelRecord) -> ModelRecord:
    return replace(record, sha=None)


def _stubs_to_fill(conn: Connection, now: datetime, refresh_days: int) -> list[str]:
    retry = now - timedelta(days=max(refresh_days, 1))
    rows = conn.execute(
        select(store.PAPERS.c.arxiv_id)
        .where(store.PAPERS.c.is_stub.is_(True))
        .where(store.PAPERS.c.last_synced.is_(None) | (store.PAPERS.c.last_synced < retry))
        .order_by(store.PAPERS.c.first_seen)
        .limit(STUB_FILL)
    )
    return [a for (a,) in rows]


def sync_hub(
    engine: Engine,
    config: Config,
    report: SyncReport,
    progress: SourceProgress | None = None,
    now: datetime | None = None,
    *,
    hub: HubSource | None = None,
    arxiv: ArxivSource | None = None,
) -> None:
    """One Hub pass; updates report (models, results, hub_requests, errors 'hub: ...')."""
    job = HubSync(engine, config, hub=hub, arxiv=arxiv, now=now)
    started = job.hub.requests
    stats: dict[str, Any] = {}
    out = Stored()
    with write_transaction(engine) as conn:
        store.seed_tasks(conn)
    listed, cutoff = _models_pass(job, out, stats, report, progress)
    _daily_pass(job, cutoff, stats, report)
    _boards_pass(job, stats, report)
    _report_hub(job, out, stats, report, listed, job.hub.requests - started)


def _models_pass(
    job: HubSync,
    out: Stored,
    stats: dict[str, Any],
    report: SyncReport,
    progress: SourceProgress | None,
) -> tuple[int, datetime]:
    """Steps 1-3: list, link and read cards; returns (models listed, the listing's cutoff)."""
    state = read_state(job.engine, MODELS_KEY)
    watermark = aware(state.watermark) if state else None
    lookback = timedelta(days=job.config.arxiv.lookback_days)
    cutoff = watermark - OVERLAP if watermark else job.now - lookback
    tails = ListingPlan.tails_from(state.cursor if state else None, job.hub.endpoint)
    listed = 0
    try:
        records, newest, listed, left = job.discover(ListingPlan(cutoff, tails), progress)
        kept = job.select_models(records)
        todo = job.store_listing(kept, out)
        cards = list(dict.fromkeys(todo + job.pending_details()))
        job.fetch_details(cards[:CARDS_PER_RUN], out)
    except TrackerError as exc:
        _failed(job, MODELS_KEY, exc, stats, report)
        log.error("hub: %s", exc.message)
        return listed, cutoff
    marks = [d for d in (watermark, newest) if d is not None]
    save_state(
        job.engine,
        MODELS_KEY,
        watermark=max(marks) if marks else cutoff,
        cursor=tails_cursor(left),
        last_run=job.now,
        last_success=job.now,
        last_error=None,
    )
    stats["models_linked"] = len(kept)
    stats["listing_left"] = [t.until.isoformat() for t in left]
    stats["cards_left"] = max(len(cards) - CARDS_PER_RUN, 0)
    return listed, cutoff


def _daily_pass(job: HubSync, cutoff: datetime, stats: dict[str, Any], report: SyncReport) -> None:
    """Step 4: upvotes and GitHub repos from the daily papers feed."""
    state = read_state(job.engine, DAILY_KEY)
    last = aware(state.last_success) if state else None
    try:
        stats["daily_papers"], left = job.daily_papers(
            last or cutoff, state.cursor if state else None
        )
    except TrackerError as exc:
        _failed(job, DAILY_KEY, exc, stats, report)
        return
    stats["daily_weeks_left"] = len(left)
    save_state(
        job.engine,
        DAILY_KEY,
        cursor=weeks_cursor(left),
        last_run=job.now,
        last_success=job.now,
        last_error=None,
    )


def _boards_pass(job: HubSync, stats: dict[str, Any], report: SyncReport) -> None:
    """Step 5: the leaderboards of the benchmarks our models cite and watched datasets."""
    from tracker.follow.watchlists import config_watches

    watched = [w.value for w in config_watches(job.config) if w.kind == "dataset"]
    done = benchmarks_pass(job.engine, job.hub, job.now, watched=watched)
    if done.error:
        report.errors.append(f"hub: {done.error}")
        stats["error"] = done.error
    if done.fetched or done.left:
        stats["benchmarks_fetched"] = done.fetched
        stats["benchmark_entries"] = done.entries
        stats["benchmarks_left"] = done.left


def _failed(
    job: HubSync, key: str, exc: TrackerError, stats: dict[str, Any], report: SyncReport
) -> None:
    report.errors.append(f"hub: {exc.message}")
    stats["error"] = exc.message
    save_state(job.engine, key, last_run=job.now, last_error=exc.message)


def _report_hub(
    job: HubSync,
    out: Stored,
    stats: dict[str, Any],
    report: SyncReport,
    listed: int,
    hub_requests: int,
) -> None:
    report.models += out.new_models
    report.results += out.new_results
    report.hub_requests += hub_requests
    report.requests += job.arxiv_requests  # "requests" counts arXiv's; the Hub's are apart
    left = (
        stats.get("listing_left")
        or stats.get("daily_weeks_left")
        or stats.get("cards_left")
        or stats.get("benchmarks_fetched")
        or stats.get("benchmarks_left")
    )
    if not (listed or stats.get("daily_papers") or left or "error" in stats):
        return  # a Hub with nothing new: keep the report to the sources that had news
    report.sources[MODELS_KEY] = stats
    stats.update(
        listed=listed,
        new_links=out.new_links,
        cards_read=out.details,
        cards_missing=out.missing,
        card_errors=out.errors,
        eval_errors=sum(out.eval_errors.values()),
        papers_fetched=job.papers_fetched,
        stubs=job.stubs,
        hub_requests=hub_requests,
        arxiv_requests=job.arxiv_requests,
        waited_seconds=round(job.hub.window.waited, 3),
    )


def refresh_paper(
    engine: Engine,
    config: Config,
    raw_id: str,
    *,
    force: bool = True,
    hub: HubSource | None = None,
    arxiv: ArxivSource | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Look up the models of one paper (`tracker models --paper ID --refresh`).

    Without force, a paper looked up less than refresh_days ago is left as it is.
    """
    arxiv_id, _ = parse_arxiv_id(raw_id)
    job = HubSync(engine, config, hub=hub, arxiv=arxiv, now=now)
    key = f"hub:paper:{arxiv_id}"
    state = read_state(engine, key)
    last = aware(state.last_success) if state else None
    if not force and last and job.now - last < timedelta(days=config.hub.refresh_days):
        return {"arxiv_id": arxiv_id, "skipped": True, "requests": 0}
    with write_transaction(engine) as conn:
        store.seed_tasks(conn)
    job.ensure_papers([arxiv_id])
    out = Stored()
    page = job.hub.paper_info(arxiv_id)
    if page is None:  # no Hub page: the models whose tags cite it
        records = job.hub.models_for_paper(arxiv_id, config.hub.models_per_paper)
        for record in records:  # the filter names this paper even when a tag spells it oddly
            if arxiv_id not in record.arxiv_ids:
                record.arxiv_ids.append(arxiv_id)
    else:
        records = job.select_models(page.models)
    todo = job.store_listing(records, out)
    job.fetch_details(todo, out)
    if page is not None:
        _save_page(job, page)
    save_state(engine, key, last_run=job.now, last_success=job.now, last_error=None)
    return {
        "arxiv_id": arxiv_id,
        "skipped": False,
        "models": len(records),
        "new_models": out.new_models,
        "new_results": out.new_results,
        "cards_read": out.details,
        "requests": job.hub.requests,
        "arxiv_requests": job.arxiv_requests,
        "hub_page": page is not None,
    }


def _save_page(job: HubSync, page: PaperPageRecord) -> None:
    """The paper's Hub page: TLDR, keywords, counts and Spaces; its upvotes and repo."""
    daily = DailyPaperRecord(page.arxiv_id, upvotes=page.upvotes or 0, github_repo=page.github_repo)
    with write_transaction(job.engine) as conn:
        pids = store.paper_ids(conn, [page.arxiv_id])
        if page.arxiv_id not in pids:
            return
        save_paper_page(conn, pids[page.arxiv_id], page, job.now)
        store.apply_daily_papers(conn, [daily], store.paper_ids(conn, [page.arxiv_id], stubs=False))


def _link_papers_and_datasets(
    conn: Connection, records: list[ModelRecord], model_ids: dict[str, int], out: Stored
) -> dict[str, int]:
    """Link the stored models to the papers they cite and to their datasets; returns
    arxiv id -> paper id for the papers we have."""
    pids = store.paper_ids(conn, [a for r in records for a in r.arxiv_ids])
    out.new_links += store.link_papers(
        conn,
        [(pids[a], model_ids[r.repo_id]) for r in records for a in r.arxiv_ids if a in pids],
    )
    store.add_model_datasets(
        conn, {model_ids[r.repo_id]: r.datasets for r in records if r.datasets}
    )
    return pids
