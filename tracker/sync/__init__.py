"""Sync: the arXiv pass, the Hub pass, their state, the lock and the child-process
prefetch. `from tracker.sync import run_sync` is the way in."""

from tracker.sync.arxiv_pass import FetchReport, fetch_papers
from tracker.sync.run import SOURCES, run_sync
from tracker.sync.state import SyncReport, utcnow

__all__ = ["SOURCES", "FetchReport", "SyncReport", "fetch_papers", "run_sync", "utcnow"]
