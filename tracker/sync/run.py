"""One whole sync: the arXiv pass, then the Hub pass, under the lock."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import checkpoint
from tracker.progress import SourceProgress
from tracker.sync.arxiv_pass import sync_arxiv
from tracker.sync.lock import SyncLock
from tracker.sync.state import SyncReport, utcnow

SOURCES = ("arxiv", "hub")


def run_sync(
    engine: Engine,
    config: Config,
    *,
    sources: tuple[str, ...] = SOURCES,
    categories: list[str] | None = None,
    since: datetime | None = None,
    max_results: int | None = None,
    progress: SourceProgress | None = None,
) -> SyncReport:
    """Run one sync under the lock; errors of one source are reported, the others go on."""
    started = time.monotonic()
    report = SyncReport()
    with SyncLock(engine):
        now = utcnow()
        if "arxiv" in sources:
            sync_arxiv(
                engine,
                config,
                report,
                categories=categories,
                since=since,
                max_results=max_results,
                progress=progress,
                now=now,
            )
        if "hub" in sources:
            # Imported here: an arXiv-only sync need not load the Hub client.
            from tracker.sync.hub_pass import sync_hub

            sync_hub(engine, config, report, progress, now)
        checkpoint(engine)
    if config.search.embeddings:
        # Imported here: torch loads only when there are papers to embed.
        from tracker.embed.after_sync import embed_after_sync

        embed_after_sync(engine, config, report)
    report.seconds = time.monotonic() - started
    return report
