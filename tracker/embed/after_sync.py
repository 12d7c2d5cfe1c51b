"""The embedding step a sync runs last when [search] embeddings = true.

It runs after the sync lock is released (embedding can take longer than the fetch,
and nothing in it needs the lock), in the sync's own process or TUI worker; torch
loads only if there are papers to embed. A failure is reported, never raised: the
papers are already stored and the next sync (or `tracker embed`) tries again.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.errors import TrackerError
from tracker.sync.state import SyncReport

log = logging.getLogger(__name__)


def embed_after_sync(engine: Engine, config: Config, report: SyncReport) -> None:
    from tracker.embed.pipeline import embed_pending

    try:
        done = embed_pending(engine, config)
    except (TrackerError, OSError, RuntimeError) as exc:
        log.warning("embedding after sync failed: %s", exc)
        report.errors.append(f"embeddings: {exc}")
        return
    report.sources["embeddings"] = {
        "model": done.model,
        "embedded": done.embedded,
        "seconds": round(done.seconds, 3),
    }
