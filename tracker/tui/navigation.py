"""How screens reach the app without importing it: the Navigator protocol and TrackerScreen.

Screens never import one another (nor tracker.tui.app): one opens another, or a
dialog, through the Navigator methods, which TrackerApp implements and which
import the screen they push when it is first wanted. A test checks the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.db import Engine
    from tracker.db.model_queries import ModelFilters
    from tracker.db.paper_list import Page, PaperFilters

Links = list[tuple[str, str]]  # (label, url)


@runtime_checkable
class Navigator(Protocol):
    """What screens ask of the app: its state, and every screen or dialog they open."""

    config: Config
    engine: Engine | None
    first_page: Page | None

    def worker_state_changed(self, worker: Worker[Any], state: WorkerState) -> None: ...
    def first_rows_shown(self) -> None: ...
    def open_url(self, url: str, *, new_tab: bool = True) -> None: ...
    def try_model(self, repo_id: str, task: str) -> None: ...
    def verify_claim(self, repo_id: str, claim: Any) -> None: ...
    def open_paper(self, arxiv_id: str) -> None: ...
    def open_model(self, repo_id: str) -> None: ...
    def open_leaderboard(self, task_id: str, dataset_id: str) -> None: ...
    def open_filters(
        self, filters: PaperFilters | ModelFilters, done: Callable[[Any], None]
    ) -> None: ...
    def choose_link(self, title: str, links: Links, done: Callable[[str | None], None]) -> None: ...
    def prompt(
        self, title: str, value: str, hint: str, done: Callable[[str | None], None]
    ) -> None: ...
    def edit_note(self, title: str, note: str, done: Callable[[str | None], None]) -> None: ...
    def confirm(
        self, title: str, question: str, yes: str, done: Callable[[bool | None], None]
    ) -> None: ...
    def choose_export_format(
        self, what: str, directory: Path, done: Callable[[str | None], None]
    ) -> None: ...


class TrackerScreen(Screen[Any]):
    """The base of every full screen: hands worker failures to the app's one handler.

    Worker.StateChanged does not bubble: forward it so one handler sees them all.
    """

    @property
    def tracker(self) -> Navigator:
        return cast("Navigator", self.app)

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
