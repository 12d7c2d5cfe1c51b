"""TrackerApp: the modes (papers, models, tasks), app-wide keys, sync, and the one
handler that turns worker failures into notifications.

`tracker.tui.run_app(config, url)` is what `tracker` (no arguments) and `tracker
demo` call. Importing this module loads neither torch nor transformers (a test
checks), nor SQLAlchemy: on a SQLite file the app first reads the newest page with
sqlite3 (NewestPage, which run_app starts before Textual loads), paints it, and
only then opens the engine (`open_db`, which loads the database layer and applies
migrations); the other views are imported when first shown. Screens never
import this module: they open other screens and dialogs through the methods of
tracker.tui.navigation.Navigator, which TrackerApp implements.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tracker.db.paper_list import NewestPage, Page, sqlite_file
from tracker.errors import TrackerError
from tracker.tui.messages import (
    DatabaseFailed,
    DatabaseOpened,
    FirstPageRead,
    SyncFinished,
    SyncProgressed,
)
from tracker.tui.screens.database import DatabaseProblemScreen, EmptyDatabaseScreen, StartScreen
from tracker.tui.screens.papers import PapersScreen

if TYPE_CHECKING:
    from tracker.config import Config
    from tracker.db import Engine
    from tracker.db.model_queries import ModelFilters
    from tracker.db.paper_list import PaperFilters
    from tracker.tui.navigation import Links
    from tracker.tui.screens.dialogs import HelpSection

_KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "enter": "enter"}


def key_label(key: str) -> str:
    return ", ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


def _bindings(source: Iterable[BindingType]) -> list[Binding]:
    return [b for b in source if isinstance(b, Binding) and b.description]


def _papers_view() -> Screen[Any]:
    screen = PapersScreen()
    _styled_with_current_css(screen)
    return screen


def _styled_with_current_css(screen: Screen[Any]) -> None:
    """Spare a new mode screen Textual's CSS refresh.

    When a mode's first screen is shown, Textual parses all the CSS again, twice
    (~0.05 s of start-up), in case the theme's variables changed since the screen
    was styled; a screen made now has never been styled with older ones. Textual
    keeps that count in a private attribute: if a later version drops it, the
    refresh simply happens.
    """
    count = getattr(screen.app, "_css_update_count", None)
    if isinstance(count, int) and isinstance(getattr(screen, "_css_update_count", None), int):
        screen._css_update_count = count


# The views other than papers are imported when first shown.
def _models_view() -> Screen[Any]:
    from tracker.tui.screens.models import ModelsScreen

    return ModelsScreen()


def _tasks_view() -> Screen[Any]:
    from tracker.tui.screens.tasks import TasksScreen

    return TasksScreen()


class TrackerApp(App[None]):
    CSS_PATH = "tracker.tcss"
    TITLE = "tracker"
    MODES: ClassVar[dict[str, Any]] = {
        "papers": _papers_view,
        "models": _models_view,
        "tasks": _tasks_view,
    }
    BINDINGS = [
        Binding("1", "switch_mode('papers')", "Papers"),
        Binding("2", "switch_mode('models')", "Models"),
        Binding("3", "switch_mode('tasks')", "Tasks"),
        Binding("S", "sync", "Sync"),
        Binding("w", "whats_new", "What's new", show=False),
        Binding("W", "watchlists", "Watchlists", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    # Bumped when a sync stored new data; the views watch it and reload.
    data_version: reactive[int] = reactive(0)
    # True once the engine is open (the papers view may be painted before).
    database_ready: reactive[bool] = reactive(False)

    def __init__(
        self,
        config: Config,
        url: str,
        *,
        on_first_rows: Callable[[], None] | None = None,
        sync_sources: tuple[str, ...] | None = None,
        peek: NewestPage | None = None,
    ) -> None:
        super().__init__()
        self.sync_sources = sync_sources
        self.config = config
        self.url = url
        self.engine: Engine | None = None
        self.on_first_rows = on_first_rows
        self.path = sqlite_file(url)
        self.where = str(self.path) if self.path is not None else url
        self.sub_title = self.where
        # The newest page, read with sqlite3 before the engine opens (run_app starts
        # the read before Textual loads); the papers view takes it when it mounts.
        self._peek = peek
        self.first_page: Page | None = peek.page if peek is not None and peek.ready() else None

    def get_default_screen(self) -> Screen[Any]:
        return StartScreen(self.where)

    def on_mount(self) -> None:
        # Once the papers view has painted the first page, first_rows_shown opens the engine.
        if self.first_page is not None:
            self.switch_mode("papers")  # before the start screen is ever painted
        elif self._peek is not None and self._peek.ready():
            self.open_db()  # read, and nothing to show: the engine says why
        elif self._peek is not None or (self.path is not None and self.path.is_file()):
            self.peek()
        else:
            self.open_db()

    # --- the database -----------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="peek")
    def peek(self) -> None:
        """The newest page with sqlite3, to paint while the database layer loads."""
        page = None
        try:
            if self._peek is None and self.path is not None:
                self._peek = NewestPage(self.path)
            if self._peek is not None:
                page = self._peek.wait()
        finally:
            self.post_message(FirstPageRead(page))

    def on_first_page_read(self, message: FirstPageRead) -> None:
        if message.page is None:
            self.open_db()  # empty, missing, locked or not ours: the engine says which
            return
        self.first_page = message.page
        self.switch_mode("papers")  # its first rows painted, first_rows_shown opens the engine

    @work(thread=True, exclusive=True, exit_on_error=False, group="database")
    def open_db(self) -> None:
        from tracker.db.engine import open_database
        from tracker.db.queries import has_papers

        try:
            engine = open_database(self.url, create=False)
            with engine.connect() as conn:
                papers = int(has_papers(conn))
        except TrackerError as exc:
            self.post_message(DatabaseFailed(exc.message, exc.hint))
            return
        except Exception as exc:  # noqa: BLE001 - never crash: say what happened
            self.post_message(DatabaseFailed(f"cannot open {self.where}: {exc}", None))
            return
        self.post_message(DatabaseOpened(engine, int(papers)))

    def on_database_opened(self, message: DatabaseOpened) -> None:
        self.engine = message.engine
        self.database_ready = True
        self.refresh_bindings()  # the views' and sync's keys were hidden until now
        self.start_collector()
        if self.current_mode != "papers":
            self.switch_mode("papers")
        if message.papers == 0:
            self.push_screen(EmptyDatabaseScreen(self.where, list(self.config.arxiv.categories)))

    def on_database_failed(self, message: DatabaseFailed) -> None:
        self.start_collector()
        self.push_screen(DatabaseProblemScreen(self.where, message.message, message.hint))

    def start_collector(self) -> None:
        """Start-up is over (run_app turned the collector off for it).

        Everything it made (modules, the database layer, the first screen) lives as
        long as the app: keep it out of the collector's full passes, which otherwise
        stall typing for up to 0.2 s on this many objects, then let it run again.
        """
        gc.freeze()
        gc.enable()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The views and sync need an open database: their keys wait for it."""
        if action in ("switch_mode", "sync", "whats_new", "watchlists") and self.engine is None:
            return False
        return True

    def action_retry_database(self) -> None:
        if isinstance(self.screen, DatabaseProblemScreen):
            self.pop_screen()
        self.open_db()

    def first_rows_shown(self) -> None:
        """Called by the papers view when a page of rows is in the table."""
        if self.on_first_rows is not None:
            hook, self.on_first_rows = self.on_first_rows, None
            self.call_after_refresh(hook)
        if self.engine is None and not any(
            w.group == "database" and w.is_running for w in self.workers
        ):
            # The rows came from peek: load the database layer once they are painted.
            self.call_after_refresh(self.open_db)

    async def action_quit(self) -> None:
        self.exit()

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    # --- sync -------------------------------------------------------------------------
    def action_sync(self) -> None:
        if self.engine is None:
            self.notify(
                "The database is not open, so there is nothing to sync into.", severity="error"
            )
            return
        if any(w.group == "sync" and w.is_running for w in self.workers):
            self.notify("A sync is already running.", severity="warning")
            return
        self.sub_title = "syncing…"
        self.notify("Sync started: fetching new papers from arXiv in the background.")
        self.sync()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync")
    def sync(self) -> None:
        from tracker.sync import run_sync

        assert self.engine is not None
        options: dict[str, Any] = {}
        if self.sync_sources is not None:
            options["sources"] = self.sync_sources
        report = run_sync(
            self.engine,
            self.config,
            **options,
            progress=lambda key, fetched: self.post_message(SyncProgressed(key, fetched)),
        )
        from tracker.db.queries import has_papers

        with self.engine.connect() as conn:
            papers = int(has_papers(conn))
        self.post_message(SyncFinished(report, papers))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self.sub_title = f"syncing {message.source_key}: {message.fetched} fetched"

    def on_sync_finished(self, message: SyncFinished) -> None:
        report = message.report
        self.sub_title = self.where
        severity: SeverityLevel = "warning" if report.errors else "information"
        text = report.summary()
        if report.errors:
            text += "\n" + "\n".join(report.errors[:3])
        self.notify(text, title="Sync finished", severity=severity, timeout=8)
        if isinstance(self.screen, EmptyDatabaseScreen) and message.papers > 0:
            self.pop_screen()
        self.data_version += 1

    # --- actions shared by the views -------------------------------------------------
    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Textual's open_url, but in a worker: a browser can take seconds to answer."""
        self._open_in_browser(url)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browser")
    def _open_in_browser(self, url: str) -> None:
        import webbrowser  # here: it is not needed for the first paint

        if not webbrowser.open(url):
            raise TrackerError(
                f"no web browser could open {url}.",
                hint="Copy the link from the detail pane, or set the BROWSER variable.",
            )
        self.call_from_thread(self.notify, f"Opened {url}")

    # --- screens and dialogs the views open (tracker.tui.navigation.Navigator) ---------
    # Each screen is imported when first opened: the papers list paints before.
    def try_model(self, repo_id: str, task: str) -> None:
        from tracker.tui.screens.trial import TrialScreen

        self.push_screen(TrialScreen(repo_id, task, self.config))

    def verify_claim(self, repo_id: str, claim: Any) -> None:
        from tracker.tui.screens.verify import VerifyScreen

        self.push_screen(VerifyScreen(repo_id, claim))

    def open_paper(self, arxiv_id: str) -> None:
        from tracker.tui.screens.paper import PaperScreen

        self.push_screen(PaperScreen(arxiv_id))

    def open_model(self, repo_id: str) -> None:
        from tracker.tui.screens.model import ModelScreen

        self.push_screen(ModelScreen(repo_id))

    def open_leaderboard(self, task_id: str, dataset_id: str) -> None:
        from tracker.tui.screens.leaderboard import LeaderboardScreen

        self.push_screen(LeaderboardScreen(task_id, dataset_id))

    def open_filters(
        self, filters: PaperFilters | ModelFilters, done: Callable[[Any], None]
    ) -> None:
        from tracker.db.paper_list import PaperFilters
        from tracker.tui.screens.filters import ModelFiltersScreen, PaperFiltersScreen

        if isinstance(filters, PaperFilters):
            self.push_screen(PaperFiltersScreen(filters), done)
        else:
            self.push_screen(ModelFiltersScreen(filters), done)

    def choose_link(self, title: str, links: Links, done: Callable[[str | None], None]) -> None:
        from tracker.tui.screens.dialogs import OpenScreen

        self.push_screen(OpenScreen(title, links), done)

    def prompt(self, title: str, value: str, hint: str, done: Callable[[str | None], None]) -> None:
        from tracker.tui.screens.dialogs import PromptScreen

        self.push_screen(PromptScreen(title, value, hint), done)

    def edit_note(self, title: str, note: str, done: Callable[[str | None], None]) -> None:
        from tracker.tui.screens.dialogs import NoteScreen

        self.push_screen(NoteScreen(title, note), done)

    def confirm(
        self, title: str, question: str, yes: str, done: Callable[[bool | None], None]
    ) -> None:
        from tracker.tui.screens.confirm import ConfirmScreen

        self.push_screen(ConfirmScreen(title, question, yes=yes), done)

    def choose_export_format(
        self, what: str, directory: Path, done: Callable[[str | None], None]
    ) -> None:
        from tracker.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(what, directory), done)

    def action_whats_new(self) -> None:
        from tracker.tui.screens.whats_new import WhatsNewScreen

        if not isinstance(self.screen, WhatsNewScreen):
            self.push_screen(WhatsNewScreen())

    def action_watchlists(self) -> None:
        from tracker.tui.screens.watchlists import WatchlistsScreen

        if isinstance(self.screen, WatchlistsScreen):
            return
        papers = [s for s in self.screen_stack if isinstance(s, PapersScreen)]
        search = papers[-1].filters if papers else None
        self.push_screen(WatchlistsScreen(search), self._watchlists_closed)

    def _watchlists_closed(self, changed: bool | None) -> None:
        """An edit changes what What's new reports: reload the ones left open."""
        from tracker.tui.screens.whats_new import WhatsNewScreen

        if changed:
            for screen in self.screen_stack:
                if isinstance(screen, WhatsNewScreen):
                    screen.action_reload()

    def action_help(self) -> None:
        from tracker.tui.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[HelpSection]:
        from tracker.tui.screens.leaderboard import LeaderboardScreen
        from tracker.tui.screens.model import ModelScreen
        from tracker.tui.screens.models import ModelsScreen
        from tracker.tui.screens.paper import PaperScreen
        from tracker.tui.screens.tasks import TasksScreen
        from tracker.tui.screens.watchlists import WatchlistsScreen
        from tracker.tui.screens.whats_new import WhatsNewScreen
        from tracker.tui.widgets.paged_table import PagedTable

        def rows(*sources: Iterable[BindingType]) -> list[tuple[str, str]]:
            seen: dict[str, str] = {}
            for source in sources:
                for b in _bindings(source):
                    seen.setdefault(key_label(b.key), b.description)
            return list(seen.items())

        return [
            (
                "Everywhere",
                rows(self.BINDINGS, [Binding("ctrl+p", "command_palette", "Command palette")]),
            ),
            ("Lists", rows(PagedTable.BINDINGS, [Binding("enter", "select", "Open the row")])),
            ("Papers (1)", rows(PapersScreen.BINDINGS)),
            ("Models (2)", rows(ModelsScreen.BINDINGS)),
            (
                "Tasks (3)",
                rows(TasksScreen.BINDINGS, [Binding("enter", "select", "Datasets / leaderboard")]),
            ),
            ("Leaderboard", rows(LeaderboardScreen.BINDINGS)),
            ("Paper and model pages", rows(PaperScreen.BINDINGS, ModelScreen.BINDINGS)),
            ("What's new (w)", rows(WhatsNewScreen.BINDINGS)),
            ("Watchlists (W)", rows(WatchlistsScreen.BINDINGS)),
        ]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every key's action on this screen, plus Textual's own."""
        seen: set[str] = set()
        for target, source in ((screen, screen.BINDINGS), (self, self.BINDINGS)):
            for b in _bindings(source):
                if b.description in seen or b.action in ("dismiss",):
                    continue
                seen.add(b.description)
                yield SystemCommand(
                    b.description,
                    f"key: {key_label(b.key)}",
                    partial(target.run_action, b.action),
                )
        for command in super().get_system_commands(screen):
            if command.title not in seen:
                yield command

    # --- the one place worker failures are handled ------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.worker_state_changed(event.worker, event.state)

    def worker_state_changed(self, worker: Worker[Any], state: WorkerState) -> None:
        if state != WorkerState.ERROR:
            return
        error = worker.error
        if isinstance(error, TrackerError):
            text = error.message + (f"\n{error.hint}" if error.hint else "")
        else:
            text = f"{type(error).__name__}: {error}"
        if worker.group == "sync":
            self.sub_title = self.where
        self.log.error(f"worker {worker.group}/{worker.name} failed: {error!r}")
        self.notify(text, title=f"{worker.group} failed", severity="error", timeout=10)
