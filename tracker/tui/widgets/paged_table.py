"""A DataTable that holds a sliding window of pages, never the whole result.

The screen gives it pages (attributes down); when the cursor nears either end of
the window, it asks for the neighbouring page with a MoreWanted message (up). At
most MAX_PAGES pages are held: adding one at one end drops one at the other, so
memory stays flat however far the user scrolls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

# The window's shape is shared with PagedList, which the papers list imports
# before its first paint without loading DataTable.
from tracker.tui.widgets.paged_list import MAX_PAGES, PREFETCH_ROWS, Direction, PageLike

__all__ = ["MAX_PAGES", "PREFETCH_ROWS", "Direction", "PageLike", "PagedTable"]

RowT = TypeVar("RowT")


class PagedTable(DataTable[Any], Generic[RowT]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First row", show=False),
    ]

    class MoreWanted(Message):
        """The cursor is near an end of the window: fetch the page beyond it."""

        def __init__(self, table: PagedTable[Any], direction: Direction, anchor: Any) -> None:
            super().__init__()
            self.table = table
            self.direction = direction
            self.anchor = anchor

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.pages: list[PageLike] = []
        self.rows_shown: list[RowT] = []
        self.waiting: Direction | None = None
        self._rebuilding = False
        self._built_width = 0

    # --- what subclasses define -------------------------------------------------
    def columns_for(self, width: int) -> Sequence[tuple[str, int | None]]:
        raise NotImplementedError

    def cells(self, row: RowT) -> Sequence[str | Text]:
        raise NotImplementedError

    # --- attributes down ----------------------------------------------------------
    def show_page(self, page: PageLike) -> None:
        """Replace the window with this first page."""
        self.pages = [page]
        self.waiting = None
        self._rebuild(cursor=0, scroll_y=0.0)

    def add_page(self, page: PageLike, direction: Direction) -> None:
        """Extend the window with the page that MoreWanted asked for."""
        self.waiting = None
        if not page.rows:
            if direction == "next" and self.pages:
                self.pages[-1].has_more = False
            return
        cursor, scroll_y = self.cursor_row, self.scroll_y
        if direction == "next":
            self.pages.append(page)
            if len(self.pages) > MAX_PAGES:
                dropped = len(self.pages.pop(0).rows)
                cursor, scroll_y = cursor - dropped, scroll_y - dropped
        else:
            added = len(page.rows)
            self.pages.insert(0, page)
            cursor, scroll_y = cursor + added, scroll_y + added
            if len(self.pages) > MAX_PAGES:
                self.pages.pop()
        self._rebuild(cursor=max(cursor, 0), scroll_y=max(scroll_y, 0.0))

    def update_row(self, index: int, row: RowT) -> None:
        """Redraw one row in place (after a star, say)."""
        if 0 <= index < len(self.rows_shown):
            self.rows_shown[index] = row
            for page in self.pages:
                if index < len(page.rows):
                    page.rows[index] = row
                    break
                index -= len(page.rows)
            self._rebuild(cursor=self.cursor_row, scroll_y=self.scroll_y)

    @property
    def first_offset(self) -> int:
        return self.pages[0].offset if self.pages else 0

    @property
    def has_more(self) -> bool:
        return bool(self.pages) and self.pages[-1].has_more

    @property
    def current(self) -> RowT | None:
        if 0 <= self.cursor_row < len(self.rows_shown):
            return self.rows_shown[self.cursor_row]
        return None

    # --- internals --------------------------------------------------------------
    def _rebuild(self, cursor: int, scroll_y: float) -> None:
        self._rebuilding = True
        try:
            self.rows_shown = [row for page in self.pages for row in page.rows]
            self.clear(columns=True)
            self._built_width = self.size.width
            for label, width in self.columns_for(self.size.width or 100):
                self.add_column(label, width=width)
            self.add_rows(self.cells(row) for row in self.rows_shown)
            if self.rows_shown:
                self.move_cursor(row=min(cursor, len(self.rows_shown) - 1), scroll=False)
        finally:
            self._rebuilding = False
        if self.rows_shown:
            self.call_after_refresh(self._restore_scroll, scroll_y)

    def _restore_scroll(self, scroll_y: float) -> None:
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self._scroll_cursor_into_view()

    def on_resize(self) -> None:
        if self.pages and self.size.width != self._built_width:
            self._rebuild(cursor=self.cursor_row, scroll_y=self.scroll_y)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        self._maybe_fetch(new.row)

    def _maybe_fetch(self, row: int) -> None:
        if self.waiting or self._rebuilding or not self.rows_shown:
            return
        if row >= len(self.rows_shown) - PREFETCH_ROWS and self.has_more:
            self.waiting = "next"
            self.post_message(self.MoreWanted(self, "next", self.rows_shown[-1]))
        elif row < PREFETCH_ROWS and self.first_offset > 0:
            self.waiting = "prev"
            self.post_message(self.MoreWanted(self, "prev", self.rows_shown[0]))
