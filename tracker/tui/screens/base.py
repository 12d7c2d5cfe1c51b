"""The base of every full screen: hands worker failures to the app's one handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.db import Engine
    from tracker.tui.app import TrackerApp


class TrackerScreen(Screen[Any]):
    """Worker.StateChanged does not bubble: forward it so one handler sees them all."""

    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    @property
    def engine(self) -> Engine:
        engine = self.tracker.engine
        assert engine is not None, "screens are shown only once the database is open"
        return engine

    @property
    def config(self) -> Config:
        return self.tracker.config

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.tracker.worker_state_changed(event.worker, event.state)
