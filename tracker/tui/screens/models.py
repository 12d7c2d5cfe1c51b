"""The models view: every model with filters (task, library, dataset) and sorts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from tracker.db.model_queries import ModelFilters, ModelRow, model_detail, model_page
from tracker.tui.model_actions import MODEL_BINDINGS, ModelActions
from tracker.tui.widgets.model_detail import ModelDetail, show_trials
from tracker.tui.widgets.model_table import ModelTable
from tracker.tui.widgets.paged_table import Direction

PAGE = 100


@dataclass
class ModelPage:
    rows: list[ModelRow] = field(default_factory=list)
    offset: int = 0
    has_more: bool = False


class ModelsScreen(ModelActions):
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("f", "filters", "Filters"),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("escape", "focus_list", "List", show=False),
        *MODEL_BINDINGS,
    ]

    class PageLoaded(Message):
        def __init__(self, generation: int, direction: Direction | None, page: ModelPage) -> None:
            super().__init__()
            self.generation = generation
            self.direction = direction
            self.page = page

    class DetailLoaded(Message):
        def __init__(self, detail: dict[str, Any]) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self) -> None:
        super().__init__()
        self.filters = ModelFilters()
        self.generation = 0
        self.model = None
        self._detail_timer: Timer | None = None
        self._fit_limit: int | None = None  # parameters that fit this machine, once measured

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter models by name, e.g. bert", id="model-search")
        yield Static("Loading models…", id="models-status")
        with Horizontal(id="models-body"):
            yield ModelTable(id="model-table")
            yield ModelDetail(id="model-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ModelTable).focus()
        self.watch(self.app, "data_version", self.reload, init=False)
        self.reload()

    def reload(self) -> None:
        self.generation += 1
        self.load_page(self.filters, self.generation, None, 0)

    @work(thread=True, exclusive=True, exit_on_error=False, group="models")
    def load_page(
        self, filters: ModelFilters, generation: int, direction: Direction | None, offset: int
    ) -> None:
        if filters.fits and self._fit_limit is None:
            from tracker.trial.checks import fit_budget  # may import torch (a GPU): not at start

            budget = fit_budget(self.config.trial.device, self.config.trial.dtype)
            self._fit_limit = budget.max_parameters if budget.max_parameters is not None else 2**62
        limit = self._fit_limit if filters.fits else None
        with self.engine.connect() as conn:
            rows, more = model_page(conn, filters, offset=offset, limit=PAGE, max_parameters=limit)
        self.post_message(self.PageLoaded(generation, direction, ModelPage(rows, offset, more)))

    def on_models_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one(ModelTable)
        if message.direction is None:
            table.show_page(message.page)
            if not message.page.rows:
                self.model = None
                self.query_one(ModelDetail).show(None)
        else:
            table.add_page(message.page, message.direction)
        self._update_status()

    def on_paged_table_more_wanted(self, message: ModelTable.MoreWanted) -> None:
        table = self.query_one(ModelTable)
        if message.direction == "next":
            offset = table.first_offset + len(table.rows_shown)
        else:
            offset = max(table.first_offset - PAGE, 0)
        self.load_page(self.filters, self.generation, message.direction, offset)

    def _update_status(self) -> None:
        table = self.query_one(ModelTable)
        text = Text()
        if not table.rows_shown:
            if self.filters.text or self.filters.describe():
                text.append("No models match.", style="bold")
            else:
                text.append(
                    "No models yet: a sync fetches the Hub models linked to your papers.",
                    style="bold",
                )
        else:
            first = table.first_offset + 1
            text.append(f"{first:,}–{first + len(table.rows_shown) - 1:,}", style="bold")
            text.append(" models" + (" (more below)" if table.has_more else ""))
        text.append(f"  ·  by {self.filters.sort}", style="cyan")
        if labels := self.filters.describe():
            text.append("  ·  " + ", ".join(labels), style="yellow")
        self.query_one("#models-status", Static).update(text)

    def on_model_table_model_highlighted(self, message: ModelTable.ModelHighlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        repo_id = message.model.repo_id
        self._detail_timer = self.set_timer(0.06, lambda: self.load_detail(repo_id))

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_detail(self, repo_id: str) -> None:
        from tracker.trial.ledger import list_trials

        with self.engine.connect() as conn:
            detail = model_detail(conn, repo_id)
            detail["trials"] = list_trials(conn, model=repo_id, limit=5)
        self.post_message(self.DetailLoaded(detail))

    def on_models_screen_detail_loaded(self, message: DetailLoaded) -> None:
        current = self.query_one(ModelTable).current
        if current is not None and current.repo_id == message.detail["repo_id"]:
            self.model = message.detail
            self.query_one(ModelDetail).show(message.detail)
            show_trials(self.query_one(ModelDetail), message.detail["trials"])

    def on_screen_resume(self) -> None:
        if self.model is not None:  # back from a trial: show it among the past trials
            self.load_detail(self.model["repo_id"])

    @on(Input.Changed, "#model-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.filters = replace(self.filters, text=event.value)
        self.reload()

    @on(Input.Submitted, "#model-search")
    def _search_submitted(self) -> None:
        self.query_one(ModelTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#model-search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one(ModelTable).focus()

    def action_filters(self) -> None:
        def done(filters: ModelFilters | None) -> None:
            if filters is not None and filters != self.filters:
                self.filters = filters
                self.reload()

        self.tracker.open_filters(self.filters, done)

    def action_clear_filters(self) -> None:
        self.filters = ModelFilters(text=self.filters.text)
        self.reload()
