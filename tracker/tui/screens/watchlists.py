"""Watchlists: what you follow, listed with their kind and value; add and remove them.

Entries come from config.toml [watch] and from the database. Every write goes
through tracker.follow.watchlists, the functions `tracker watch add|remove` call,
so the CLI and the TUI accept, refuse and store the same things; a refusal (an
empty value, an entry declared in the config file) becomes a notification through
the app's one worker-failure handler. A saved search starts from the papers
view's search text and category filter. The screen is dismissed with whether
anything changed, so the app can reload a What's new screen below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from tracker.follow.watchlists import KINDS, WatchItem
from tracker.tui.navigation import TrackerScreen

if TYPE_CHECKING:
    from tracker.db.paper_list import PaperFilters

EXAMPLES = {
    "search": 'words, "a phrase", -exclude, title:word, author:name',
    "author": "e.g. Vaswani",
    "category": "e.g. cs.CL",
    "task": "e.g. text-classification",
    "dataset": "e.g. squad",
    "organisation": "a Hub user or organisation, e.g. google",
}
_SEARCH_ONLY = ("name", "category", "author")


@dataclass(frozen=True)
class WatchRequest:
    """What the add dialog asks for; name, category and author: saved searches only."""

    kind: str
    value: str
    name: str = ""
    category: str = ""
    author: str = ""


def saved_search_note(search: PaperFilters) -> str:
    """What of the papers view's filters a saved search cannot keep ('' when nothing)."""
    dropped = [label for label in search.describe() if not label.startswith("category:")]
    if not dropped:
        return ""
    return f"Not part of a saved search: {', '.join(dropped)}."


class AddWatchScreen(ModalScreen[WatchRequest | None]):
    """Kind and value of a new watch; a saved search also takes a name and filters."""

    BINDINGS = [
        Binding("escape", "dismiss", "Cancel"),
        Binding("ctrl+s", "add", "Add"),
    ]

    def __init__(self, search: PaperFilters | None = None) -> None:
        super().__init__()
        self.search = search
        self.note = ""
        if search is not None and search.text.strip():
            note = "The search and category filter of the papers view. "
            self.note = (note + saved_search_note(search)).strip()

    def compose(self) -> ComposeResult:
        search = self.search
        text = search.text.strip() if search is not None else ""
        with Vertical(id="add-watch-dialog", classes="dialog"):
            yield Label("Follow", classes="dialog-title")
            with Horizontal(classes="watch-field"):
                yield Label("Kind")
                yield Select(
                    [(kind, kind) for kind in KINDS],
                    value="search",
                    allow_blank=False,
                    id="watch-kind",
                    compact=True,
                )
            with Horizontal(classes="watch-field"):
                yield Label("Value")
                yield Input(text, id="watch-value", placeholder=EXAMPLES["search"], compact=True)
            with Horizontal(classes="watch-field search-only"):
                yield Label("Name")
                yield Input(
                    id="watch-name", placeholder="optional, e.g. long context", compact=True
                )
            with Horizontal(classes="watch-field search-only"):
                yield Label("Category")
                yield Input(
                    search.category.strip() if search is not None else "",
                    id="watch-category",
                    placeholder="optional, e.g. cs.CL",
                    compact=True,
                )
            with Horizontal(classes="watch-field search-only"):
                yield Label("Author")
                yield Input(id="watch-author", placeholder="optional, e.g. Hinton", compact=True)
            yield Static(self.note, id="add-watch-note", classes="search-only")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add-watch-add")
                yield Button("Cancel", id="add-watch-cancel")
            yield Label("enter or ctrl+s adds · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#add-watch-note").display = bool(self.note)
        self.query_one("#watch-value", Input).focus()

    @on(Select.Changed, "#watch-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        kind = str(event.value)
        self.query_one("#watch-value", Input).placeholder = EXAMPLES[kind]
        for widget in self.query(".search-only"):
            widget.display = kind == "search"
        self.query_one("#add-watch-note").display = kind == "search" and bool(self.note)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add-watch-add":
            self.action_add()
        else:
            self.dismiss(None)

    def action_add(self) -> None:
        kind = str(self.query_one("#watch-kind", Select).value)
        values = {
            name: self.query_one(f"#watch-{name}", Input).value.strip() if kind == "search" else ""
            for name in _SEARCH_ONLY
        }
        value = self.query_one("#watch-value", Input).value
        self.dismiss(WatchRequest(kind, value, **values))


class WatchlistsScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("a", "add", "Add"),
        Binding("d", "remove", "Remove"),
        Binding("delete", "remove", "Remove", show=False),
    ]

    class Loaded(Message):
        def __init__(self, items: list[WatchItem]) -> None:
            super().__init__()
            self.items = items

    class Edited(Message):
        """A watch was added or removed (or was already there): say so and reload."""

        def __init__(self, text: str, changed: bool) -> None:
            super().__init__()
            self.text = text
            self.changed = changed

    def __init__(self, search: PaperFilters | None = None) -> None:
        super().__init__()
        self.search = search  # the papers view's filters, for a saved search
        self.items: list[WatchItem] | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading watchlists…", id="watchlists-status")
        yield DataTable(id="watchlists-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "watchlists"
        table = self.query_one("#watchlists-table", DataTable)
        table.add_columns("kind", "watch", "from")
        table.focus()
        self.load_watches()

    @work(thread=True, exclusive=True, exit_on_error=False, group="watchlists")
    def load_watches(self) -> None:
        from tracker.db.engine import read_connection
        from tracker.follow.watchlists import all_watches

        with read_connection(self.engine) as conn:
            items = all_watches(conn, self.config)
        self.post_message(self.Loaded(items))

    def on_watchlists_screen_loaded(self, message: Loaded) -> None:
        self.items = message.items
        table = self.query_one("#watchlists-table", DataTable)
        row = table.cursor_row
        table.clear()
        for i, item in enumerate(message.items):
            origin = "config file" if item.origin == "config" else "database"
            table.add_row(item.kind, item.label, Text(origin, style="dim"), key=str(i))
        if message.items:
            table.move_cursor(row=min(row, len(message.items) - 1))
        status = Text()
        if message.items:
            count = len(message.items)
            status.append(f"{count} watchlist{'s' if count > 1 else ''}", style="bold")
        else:
            status.append("You follow nothing yet.", style="bold")
        status.append("  ·  a adds  ·  d removes  ·  w shows what is new for each", style="dim")
        self.query_one("#watchlists-status", Static).update(status)

    @property
    def current(self) -> WatchItem | None:
        table = self.query_one("#watchlists-table", DataTable)
        if not self.items or table.row_count == 0:
            return None
        return self.items[table.cursor_row]

    # --- add ---------------------------------------------------------------------------
    def action_add(self) -> None:
        def done(request: WatchRequest | None) -> None:
            if request is not None:
                self.follow(request)

        self.app.push_screen(AddWatchScreen(self.search), done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow")
    def follow(self, request: WatchRequest) -> None:
        from tracker.db.engine import write_transaction
        from tracker.follow.watchlists import add_watch

        with write_transaction(self.engine) as conn:
            item, added = add_watch(
                conn,
                self.config,
                request.kind,
                request.value,
                name=request.name,
                category=request.category or None,
                author=request.author or None,
            )
        where = "" if item.origin == "database" else f" (in {self.config.source})"
        text = f"{'Now following' if added else 'Already following'} {item.label}{where}."
        self.post_message(self.Edited(text, added))

    # --- remove ------------------------------------------------------------------------
    def action_remove(self) -> None:
        item = self.current
        if item is None:
            self.notify("Nothing to remove: a adds a watchlist.", severity="warning")
            return
        if item.origin == "config":
            self.unfollow(item)  # refused, with where to remove it instead
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.unfollow(item)

        self.tracker.confirm("Stop following", f"Stop following {item.label}?", "Remove", done)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unfollow")
    def unfollow(self, item: WatchItem) -> None:
        from tracker.db.engine import write_transaction
        from tracker.follow.watchlists import remove_watch

        with write_transaction(self.engine) as conn:
            removed = remove_watch(conn, self.config, item.kind, item.value)
        more = f" ({removed} entries)" if removed > 1 else ""
        self.post_message(self.Edited(f"Stopped following {item.label}{more}.", True))

    def on_watchlists_screen_edited(self, message: Edited) -> None:
        self.changed = self.changed or message.changed
        self.notify(message.text)
        self.load_watches()

    def action_close(self) -> None:
        self.dismiss(self.changed)
