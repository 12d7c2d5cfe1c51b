"""The Textual TUI: `tracker` with no arguments opens it (run_app).

This package's own module is light on purpose: run_app starts what the first
paint needs before it imports Textual (~0.3 s), so that the two overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.config import Config


def run_app(config: Config, url: str) -> None:
    """Open the TUI on the database at url; returns when the user quits.

    The newest page is read with sqlite3 in a thread while Textual and the app load.
    The collector is off until the first rows are painted and the database is open
    (TrackerApp.start_collector): start-up makes ~100,000 objects that live as long
    as the app, and the collector's passes over them cost ~0.15 s before the first
    rows.
    """
    import gc

    from tracker.db.paper_list import NewestPage, sqlite_file

    gc.disable()
    try:
        path = sqlite_file(url)
        peek = NewestPage(path) if path is not None and path.is_file() else None
        from tracker.tui.app import TrackerApp

        TrackerApp(config, url, peek=peek).run()
    finally:
        gc.enable()
