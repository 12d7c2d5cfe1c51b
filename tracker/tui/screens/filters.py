"""Filter dialogs for the papers and models lists; they return new filter values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select

from tracker.db.model_queries import MODEL_SORTS, ModelFilters
from tracker.db.paper_pages import SORT_LABELS, SORTS, PaperFilters

_TEXT = ("category", "task", "dataset", "tag")
_FLAGS = (
    ("has_models", "Has models"),
    ("has_code", "Has code"),
    ("starred", "Starred"),
    ("unread", "Unread"),
)


def parse_day(value: str, label: str) -> date | None:
    """'' -> None, '2024-05-01' -> date; anything else raises ValueError with a message."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label}: '{value}' is not a date; use YYYY-MM-DD.") from None


class PaperFiltersScreen(ModalScreen[PaperFilters | None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    def __init__(self, filters: PaperFilters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(id="filters-dialog", classes="dialog"):
            yield Label("Filter and sort papers", classes="dialog-title")
            with Grid(id="filters-grid"):
                for name in _TEXT:
                    yield Label(name.capitalize())
                    yield Input(
                        getattr(f, name),
                        id=f"filter-{name}",
                        placeholder=_example(name),
                        compact=True,
                    )
                yield Label("Since")
                yield Input(
                    f.since.isoformat() if f.since else "",
                    id="filter-since",
                    placeholder="YYYY-MM-DD",
                    compact=True,
                )
                yield Label("Until")
                yield Input(
                    f.until.isoformat() if f.until else "",
                    id="filter-until",
                    placeholder="YYYY-MM-DD",
                    compact=True,
                )
                yield Label("Sort")
                yield Select(
                    [(SORT_LABELS[s], s) for s in SORTS],
                    value=f.sort,
                    allow_blank=False,
                    id="filter-sort",
                    compact=True,
                )
            with Horizontal(id="filters-flags"):
                for name, label in _FLAGS:
                    yield Checkbox(
                        label, getattr(f, name), id=f"filter-{name.replace('_', '-')}", compact=True
                    )
            yield Label("", id="filters-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="filters-apply")
                yield Button("Clear all", id="filters-clear")
                yield Button("Cancel", id="filters-cancel")
            yield Label("enter or ctrl+s applies · esc cancels", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "filters-apply":
            self.action_apply()
        elif event.button.id == "filters-clear":
            self.dismiss(self.filters.cleared())
        else:
            self.dismiss(None)

    def action_apply(self) -> None:
        try:
            since = parse_day(self.query_one("#filter-since", Input).value, "Since")
            until = parse_day(self.query_one("#filter-until", Input).value, "Until")
        except ValueError as exc:
            self.query_one("#filters-error", Label).update(str(exc))
            return
        values: dict[str, object] = {
            name: self.query_one(f"#filter-{name}", Input).value.strip() for name in _TEXT
        }
        for name, _ in _FLAGS:
            values[name] = self.query_one(f"#filter-{name.replace('_', '-')}", Checkbox).value
        sort = self.query_one("#filter-sort", Select).value
        self.dismiss(
            replace(self.filters, since=since, until=until, sort=sort, **values)  # type: ignore[arg-type]
        )


def _example(name: str) -> str:
    return {
        "category": "e.g. cs.CL",
        "task": "e.g. text-classification",
        "dataset": "e.g. glue",
        "tag": "one of your tags",
    }[name]


class ModelFiltersScreen(ModalScreen[ModelFilters | None]):
    BINDINGS = [Binding("escape", "dismiss", "Cancel"), Binding("ctrl+s", "apply", "Apply")]

    def __init__(self, filters: ModelFilters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(id="model-filters-dialog", classes="dialog"):
            yield Label("Filter and sort models", classes="dialog-title")
            with Grid(id="filters-grid"):
                for name, example in (
                    ("task", "e.g. fill-mask"),
                    ("library", "e.g. transformers"),
                    ("dataset", "e.g. squad"),
                ):
                    yield Label(name.capitalize())
                    yield Input(
                        getattr(f, name), id=f"mfilter-{name}", placeholder=example, compact=True
                    )
                yield Label("Sort")
                yield Select(
                    [(s, s) for s in MODEL_SORTS],
                    value=f.sort,
                    allow_blank=False,
                    id="mfilter-sort",
                )
            yield Checkbox(
                "Fits this machine (free GPU memory or RAM)",
                f.fits,
                id="mfilter-fits",
                compact=True,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="mfilters-apply")
                yield Button("Clear all", id="mfilters-clear")
                yield Button("Cancel", id="mfilters-cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mfilters-apply":
            self.action_apply()
        elif event.button.id == "mfilters-clear":
            self.dismiss(ModelFilters(text=self.filters.text))
        else:
            self.dismiss(None)

    def action_apply(self) -> None:
        values = {
            name: self.query_one(f"#mfilter-{name}", Input).value.strip()
            for name in ("task", "library", "dataset")
        }
        sort = self.query_one("#mfilter-sort", Select).value
        fits = self.query_one("#mfilter-fits", Checkbox).value
        self.dismiss(replace(self.filters, sort=sort, fits=fits, **values))  # type: ignore[arg-type]
