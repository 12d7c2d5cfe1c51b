"""The papers view: live search, filters, sorts, a paged list and the detail pane.

Nothing here imports SQLAlchemy at module level: the view can paint a first page
that the app read with sqlite3 (TrackerApp.first_page) while the database layer
loads, and it starts its database workers once the app says the engine is ready.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from tracker.db.paper_list import PAGE_SIZE, SORT_LABELS, Page, PaperFilters, PaperRow
from tracker.tui.export_actions import EXPORT_BINDING, ExportActions
from tracker.tui.messages import PaperChanged
from tracker.tui.paper_actions import PAPER_BINDINGS, PaperActions
from tracker.tui.search_modes import MODE_BINDING, SearchModes
from tracker.tui.widgets.paged_list import Direction, PagedList
from tracker.tui.widgets.paper_detail import PaperDetail
from tracker.tui.widgets.paper_table import PaperTable

if TYPE_CHECKING:
    from textual.widgets import DataTable

DETAIL_DELAY = 0.06  # seconds the cursor rests on a row before its detail loads
# After a new list (a keystroke in the search box), wait longer: the next key
# usually follows within this, and the list must not wait behind the detail pane.
DETAIL_DELAY_AFTER_SEARCH = 0.25
# Live typing ranks the newest LIVE_CANDIDATES matches, not [search] candidates:
# bm25 scores each candidate, and the user sees about thirty rows.
LIVE_CANDIDATES = 500
# Counting scans the matching papers (a million, unfiltered): start only once the
# list has stayed for this long, and remember the totals until the data changes.
COUNT_DELAY = 0.3


class PapersScreen(PaperActions, ExportActions, SearchModes):
    AUTO_FOCUS = "#paper-table"
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("f", "filters", "Filters"),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("escape", "focus_list", "List", show=False),
        *PAPER_BINDINGS,
        EXPORT_BINDING,
        MODE_BINDING,
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, page: Page | None) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class MoreLoaded(Message):
        def __init__(self, generation: int, direction: Direction, page: Page) -> None:
            super().__init__()
            self.generation = generation
            self.direction = direction
            self.page = page

    class Counted(Message):
        def __init__(self, generation: int, filters: PaperFilters, total: int | None) -> None:
            super().__init__()
            self.generation = generation
            self.filters = filters
            self.total = total

    class DetailLoaded(Message):
        def __init__(self, detail: dict[str, Any]) -> None:
            super().__init__()
            self.detail = detail

    class RowRefreshed(Message):
        def __init__(self, row: PaperRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self) -> None:
        super().__init__()
        self.filters = PaperFilters()
        self.generation = 0
        self.shown: PaperFilters | None = None  # the filters the list shows now
        self.total: int | None = None
        self.paper_detail = None
        self._inflight = False
        self._pending = False
        self._detail_timer: Timer | None = None
        self._detail_delay = DETAIL_DELAY
        self._counts: dict[PaperFilters, int | None] = {}  # totals until the data changes
        self._loading: Any = None  # the DBAPI connection of the running first-page load
        self._more_wanted: PagedList.MoreWanted | None = None  # asked before the engine was ready

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder='Search papers: words, "a phrase", prefix*, -exclude, title:word, author:name',
            id="search",
        )
        yield Static("Loading papers…", id="papers-status")
        with Horizontal(id="papers-body"):
            yield PaperTable(id="paper-table")
            yield PaperDetail(id="paper-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PaperTable).focus()
        self.watch(self.app, "data_version", self._data_changed, init=False)
        self.watch(self.app, "database_ready", self._database_ready, init=False)
        first_page, self.tracker.first_page = self.tracker.first_page, None
        if first_page is not None:
            self.generation += 1
            self.post_message(self.PageLoaded(self.generation, first_page))
        else:
            self.reload()

    def _data_changed(self) -> None:
        self._counts.clear()
        self.reload()

    @property
    def ready(self) -> bool:
        """Whether the engine is open (the first page may come before it)."""
        return self.tracker.engine is not None

    def _database_ready(self, ready: bool) -> None:
        """The engine opened after the first page was painted: catch up on what waited."""
        if not ready:
            return
        if self._pending:
            self._start_load()
            return
        if self.shown is not None:
            self._want_count(self.shown, self.generation)
        if self._more_wanted is not None:
            message, self._more_wanted = self._more_wanted, None
            self.on_paged_list_more_wanted(message)
        current = self.query_one(PaperTable).current
        if current is not None and self.paper_detail is None:
            self.load_detail(current.arxiv_id)

    # --- loading the list -------------------------------------------------------
    def set_filters(self, filters: PaperFilters) -> None:
        if filters != self.filters:
            self.filters = filters
            self.reload()

    def reload(self) -> None:
        """Show the first page for the current filters; at most one load runs at a time."""
        self.generation += 1
        if self._inflight or not self.ready:
            self._pending = True
            self._interrupt_load()
            return
        self._start_load()

    def _interrupt_load(self) -> None:
        """The running load is stale: stop its query (SQLite can) rather than wait for it."""
        interrupt = getattr(self._loading, "interrupt", None)
        if interrupt is not None:
            interrupt()

    def _start_load(self) -> None:
        self._inflight, self._pending = True, False
        self.load_first_page(self.filters, self.generation)

    @property
    def live_candidates(self) -> int:
        return min(self.config.search.candidates, LIVE_CANDIDATES) or LIVE_CANDIDATES

    def candidates(self, filters: PaperFilters) -> int:
        """The hot sort ranks the pool `tracker search --sort hot` ranks, so both agree."""
        if filters.effective_sort == "hot":
            return self.config.search.candidates
        return self.live_candidates

    @work(thread=True, exclusive=True, exit_on_error=False, group="papers")
    def load_first_page(self, filters: PaperFilters, generation: int) -> None:
        from tracker.db.paper_pages import fetch_papers, interrupted

        page = None
        try:
            with self.engine.connect() as conn:
                self._loading = conn.connection.dbapi_connection
                try:
                    if self.by_meaning(filters):
                        page = self.meaning_page(filters)
                    else:
                        page = fetch_papers(conn, filters, candidates=self.candidates(filters))
                except Exception as exc:
                    if not interrupted(exc) or generation == self.generation:
                        raise
                finally:
                    self._loading = None
        finally:
            self.post_message(self.PageLoaded(generation, page))

    @work(thread=True, exclusive=True, exit_on_error=False, group="count")
    def count(self, filters: PaperFilters, generation: int) -> None:
        from tracker.db.paper_pages import count_papers

        with self.engine.connect() as conn:
            total = count_papers(conn, filters)
        self.post_message(self.Counted(generation, filters, total))

    def _want_count(self, filters: PaperFilters, generation: int) -> None:
        """The total for the status line: remembered, or counted once the list rests."""
        if filters.text.strip() or filters.effective_sort == "hot":
            return  # a text search and the hot sort are capped: nothing to count
        if filters in self._counts:
            self.total = self._counts[filters]
            return

        def count_if_still_shown() -> None:
            if generation == self.generation and self.ready:
                self.count(filters, generation)

        self.set_timer(COUNT_DELAY, count_if_still_shown)

    @work(thread=True, exclusive=True, exit_on_error=False, group="papers-more")
    def load_more(
        self,
        filters: PaperFilters,
        generation: int,
        direction: Direction,
        anchor: PaperRow,
        offset: int,
    ) -> None:
        from tracker.db.paper_pages import fetch_papers

        with self.engine.connect() as conn:
            page = fetch_papers(
                conn,
                filters,
                offset=offset,
                after=anchor if direction == "next" else None,
                before=anchor if direction == "prev" else None,
                candidates=self.candidates(filters),
            )
        self.post_message(self.MoreLoaded(generation, direction, page))

    def on_papers_screen_page_loaded(self, message: PageLoaded) -> None:
        self._inflight = False
        if message.page is not None and message.generation == self.generation:
            self.shown = message.page.filters
            self.total = None
            self._more_wanted = None
            self._want_count(message.page.filters, message.generation)
            self._detail_delay = DETAIL_DELAY_AFTER_SEARCH
            self.query_one(PaperTable).show_page(message.page)
            if message.page.rows:
                self.tracker.first_rows_shown()
            else:
                self.paper_detail = None
                self.query_one(PaperDetail).show(None)
            self._update_status()
        if self._pending:
            self._start_load()

    def on_papers_screen_more_loaded(self, message: MoreLoaded) -> None:
        if message.generation == self.generation:
            self.query_one(PaperTable).add_page(message.page, message.direction)
            self._update_status()

    def on_papers_screen_counted(self, message: Counted) -> None:
        self._counts[message.filters] = message.total
        if message.generation == self.generation:
            self.total = message.total
            self._update_status()

    def on_paged_list_more_wanted(self, message: PagedList.MoreWanted) -> None:
        if not self.ready:
            self._more_wanted = message
            return
        table = self.query_one(PaperTable)
        if message.direction == "next":
            offset = table.first_offset + len(table.rows_shown)
        else:
            offset = max(table.first_offset - PAGE_SIZE, 0)
        self.load_more(self.filters, self.generation, message.direction, message.anchor, offset)

    def _update_status(self) -> None:
        table = self.query_one(PaperTable)
        text = Text()
        shown = len(table.rows_shown)
        if shown == 0:
            if self.filters.text.strip() or self.filters.describe():
                text.append("No papers match.", style="bold")
                text.append("  Try fewer words or filters (x clears filters).", style="dim")
            else:
                text.append("No papers yet: press S to sync from arXiv.", style="bold")
        else:
            first = table.first_offset + 1
            text.append(f"{first:,}–{first + shown - 1:,}", style="bold")
            if self.total is not None:
                text.append(f" of {self.total:,} papers")
            elif table.has_more:
                text.append(" of many matches")
            else:
                text.append(" matches")
        text.append(f"  ·  {SORT_LABELS[self.filters.effective_sort]}", style="cyan")
        labels = self.filters.describe()
        if labels:
            text.append("  ·  " + ", ".join(labels), style="yellow")
        self.query_one("#papers-status", Static).update(text, layout=False)

    # --- the detail pane ----------------------------------------------------------
    def on_paper_table_paper_highlighted(self, message: PaperTable.PaperHighlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        delay, self._detail_delay = self._detail_delay, DETAIL_DELAY
        arxiv_id = message.paper.arxiv_id
        if self.paper_detail is not None and self.paper_detail["arxiv_id"] == arxiv_id:
            return  # a page came or went around the same paper: nothing to redraw
        if not self.ready:
            return  # loaded when the engine is (see _database_ready)
        self._detail_timer = self.set_timer(delay, lambda: self.load_detail(arxiv_id))

    def on_paper_table_paper_selected(self, message: PaperTable.PaperSelected) -> None:
        self.tracker.open_paper(message.paper.arxiv_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load_detail(self, arxiv_id: str) -> None:
        from tracker.db.queries import paper_detail

        with self.engine.connect() as conn:
            detail = paper_detail(conn, arxiv_id)
        self.post_message(self.DetailLoaded(detail))

    def on_papers_screen_detail_loaded(self, message: DetailLoaded) -> None:
        current = self.query_one(PaperTable).current
        if current is not None and current.arxiv_id == message.detail["arxiv_id"]:
            self.paper_detail = message.detail
            self.query_one(PaperDetail).show(message.detail)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """A model in the detail pane (#paper-models): open its page."""
        if event.data_table.id == "paper-models" and event.row_key.value:
            self.tracker.open_model(event.row_key.value)

    # --- user data ------------------------------------------------------------------
    def on_paper_changed(self, message: PaperChanged) -> None:
        self._counts.clear()  # starred and unread counts may have changed
        table = self.query_one(PaperTable)
        for row in table.rows_shown:
            if row.arxiv_id == message.arxiv_id:
                self.refresh_row(row.id)
                break
        if self.paper_detail and self.paper_detail["arxiv_id"] == message.arxiv_id:
            self.load_detail(message.arxiv_id)

    @work(thread=True, exclusive=False, exit_on_error=False, group="row")
    def refresh_row(self, paper_id: int) -> None:
        from tracker.db.paper_pages import enrich

        with self.engine.connect() as conn:
            rows = enrich(conn, [paper_id])
        if rows:
            self.post_message(self.RowRefreshed(rows[0]))

    def on_papers_screen_row_refreshed(self, message: RowRefreshed) -> None:
        table = self.query_one(PaperTable)
        for index, row in enumerate(table.rows_shown):
            if row.id == message.row.id:
                table.update_row(index, message.row)

    # --- search and filters ---------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.set_filters(self.filters.with_text(event.value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one(PaperTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(PaperTable).focus()

    def action_filters(self) -> None:
        def done(filters: PaperFilters | None) -> None:
            if filters is not None:
                self.set_filters(filters)

        self.tracker.open_filters(self.filters, done)

    def action_clear_filters(self) -> None:
        self.set_filters(self.filters.cleared())
