"""A line-based list that holds a sliding window of pages, never the whole result.

A lighter sibling of PagedTable for the papers list, where every keystroke in
the search box replaces the rows: a DataTable measures and renders every cell of
every row through rich on each rebuild (~0.1 s per 100 rows here), while this
widget only stores the rows and renders the lines on screen, one Strip per line,
cached until the rows, the width or the cursor change.

The screen gives it pages (attributes down); when the cursor nears either end of
the window it asks for the neighbouring page with a MoreWanted message (up). At
most MAX_PAGES pages are held: adding one at one end drops one at the other, so
memory stays flat however far the user scrolls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Literal, NamedTuple, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Direction = Literal["next", "prev"]
MAX_PAGES = 3  # pages held at once (here and in PagedTable)
PREFETCH_ROWS = 10  # the next page is asked for this many rows before an end


class PageLike(Protocol):
    rows: Any
    offset: int
    has_more: bool


RowT = TypeVar("RowT")


class _Styles(NamedTuple):
    base: Style
    header: Style
    even: Style
    odd: Style
    cursor: Style


Column = tuple[str, int]  # label, width (cells, without the one-cell padding either side)


class PagedList(ScrollView, Generic[RowT], can_focus=True):
    """Rows of fixed-width columns under a header line, with a row cursor."""

    DEFAULT_CSS = """
    PagedList {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .paged-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .paged-list--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .paged-list--even-row {
            background: $surface-darken-1 40%;
        }
        & > .paged-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .paged-list--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .paged-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-list--header",
        "paged-list--cursor",
        "paged-list--even-row",
        "paged-list--odd-row",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "First row", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
        Binding("enter", "select_cursor", "Open the row", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class MoreWanted(Message):
        """The cursor is near an end of the window: fetch the page beyond it."""

        def __init__(self, table: PagedList[Any], direction: Direction, anchor: Any) -> None:
            super().__init__()
            self.table = table
            self.direction = direction
            self.anchor = anchor

        @property
        def control(self) -> PagedList[Any]:
            return self.table

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pages: list[PageLike] = []
        self.rows_shown: list[RowT] = []
        self.waiting: Direction | None = None
        self._quiet = False  # set while the window changes: no fetches, no highlights
        # Rendered lines by (row index, has the cursor), valid for _cache_key.
        self._lines: dict[tuple[int, bool], Strip] = {}
        self._cache_key: tuple[int, _Styles] | None = None
        self._styles = _Styles(Style(), Style(), Style(), Style(), Style())
        self._width = 0
        self._columns: list[Column] = []
        self._header_line = Strip([])
        self._top = 0

    # --- what subclasses define -------------------------------------------------
    def columns_for(self, width: int) -> Sequence[Column]:
        raise NotImplementedError

    def cells(self, row: RowT, width: int) -> Sequence[Text]:
        raise NotImplementedError

    def row_highlighted(self, row: RowT) -> None:
        """The cursor moved onto row (or the rows under it changed)."""

    def row_selected(self, row: RowT) -> None:
        """Enter or a click on row."""

    # --- attributes down ----------------------------------------------------------
    def show_page(self, page: PageLike) -> None:
        """Replace the window with this first page."""
        self.pages = [page]
        self.waiting = None
        self._reset(cursor=0, scroll_y=0)

    def add_page(self, page: PageLike, direction: Direction) -> None:
        """Extend the window with the page that MoreWanted asked for."""
        self.waiting = None
        if not page.rows:
            if direction == "next" and self.pages:
                self.pages[-1].has_more = False
            return
        cursor, scroll_y = self.cursor_row, round(self.scroll_y)
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
        self._reset(cursor=max(cursor, 0), scroll_y=max(scroll_y, 0))

    def update_row(self, index: int, row: RowT) -> None:
        """Redraw one row in place (after a star, say)."""
        if 0 <= index < len(self.rows_shown):
            self.rows_shown[index] = row
            at = index
            for page in self.pages:
                if at < len(page.rows):
                    page.rows[at] = row
                    break
                at -= len(page.rows)
            self._forget(index)

    def move_cursor(self, *, row: int, scroll: bool = True) -> None:
        if self.rows_shown:
            self.cursor_row = max(0, min(row, len(self.rows_shown) - 1))
            if scroll:
                self._scroll_cursor_into_view()

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

    # --- keys and mouse -------------------------------------------------------------
    @property
    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._body_height)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._body_height)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self.rows_shown) - 1)

    def action_select_cursor(self) -> None:
        if (row := self.current) is not None:
            self.row_selected(row)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self.rows_shown):
            self.move_cursor(row=index)
            self.row_selected(self.rows_shown[index])

    # --- internals --------------------------------------------------------------------
    def _reset(self, cursor: int, scroll_y: int) -> None:
        self._quiet = True
        try:
            self.rows_shown = [row for page in self.pages for row in page.rows]
            self._lines.clear()
            self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows_shown) + 1)
            self.cursor_row = min(cursor, max(len(self.rows_shown) - 1, 0))
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            self._scroll_cursor_into_view()
        finally:
            self._quiet = False
        self.refresh()
        if (row := self.current) is not None:
            self.row_highlighted(row)

    def _forget(self, index: int) -> None:
        self._lines.pop((index, False), None)
        self._lines.pop((index, True), None)
        self.refresh_line(index + 1)

    def _scroll_cursor_into_view(self) -> None:
        top, height = round(self.scroll_y), self._body_height
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def watch_cursor_row(self, old: int, new: int) -> None:
        if old != new:
            self._forget(old)
            self._forget(new)
        if self._quiet:
            return
        if old != new and (row := self.current) is not None:
            self.row_highlighted(row)
        self._maybe_fetch(new)

    def _maybe_fetch(self, row: int) -> None:
        if self.waiting or not self.rows_shown:
            return
        if row >= len(self.rows_shown) - PREFETCH_ROWS and self.has_more:
            self.waiting = "next"
            self.post_message(self.MoreWanted(self, "next", self.rows_shown[-1]))
        elif row < PREFETCH_ROWS and self.first_offset > 0:
            self.waiting = "prev"
            self.post_message(self.MoreWanted(self, "prev", self.rows_shown[0]))

    def on_resize(self) -> None:
        # The lines stay cached: render_lines drops them when the width has changed.
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows_shown) + 1)
        self._scroll_cursor_into_view()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out the width and styles once per pass, not once per line."""
        width = self.scrollable_content_region.width
        get = self.get_component_rich_style
        self._styles = _Styles(
            base=self.rich_style,
            header=get("paged-list--header"),
            even=get("paged-list--even-row"),
            odd=get("paged-list--odd-row"),
            cursor=get("paged-list--cursor"),
        )
        key = (width, self._styles)
        if key != self._cache_key:
            self._lines.clear()
            self._cache_key = key
            self._width = width
            self._columns = list(self.columns_for(width))
            self._header_line = self._header()
        self._top = round(self.scroll_y)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if y == 0:
            return self._header_line
        index = self._top + y - 1
        if index >= len(self.rows_shown):
            return Strip.blank(self._width, self._styles.base)
        cursor = index == self.cursor_row
        strip = self._lines.get((index, cursor))
        if strip is None:
            strip = self._row_line(index, cursor)
            self._lines[(index, cursor)] = strip
        return strip

    def _header(self) -> Strip:
        text = Text(no_wrap=True, end="")
        for label, w in self._columns:
            text.append(" " + label[:w].ljust(w) + " ")
        return self._strip(text, self._styles.base + self._styles.header)

    def _row_line(self, index: int, cursor: bool) -> Strip:
        styles = self._styles
        style = styles.base + (styles.even if index % 2 == 0 else styles.odd)
        post = None
        if cursor:
            # As DataTable does: the cursor's colours under the cells', its foreground on top.
            style += styles.cursor
            post = Style.from_color(color=styles.cursor.color)
        text = Text(no_wrap=True, end="")
        cells = self.cells(self.rows_shown[index], self._width)
        for (_, w), cell in zip(self._columns, cells, strict=True):
            text.append(" ")
            text.append_text(_fit(cell, w))
            text.append(" ")
        return self._strip(text, style, post)

    def _strip(self, text: Text, style: Style, post: Style | None = None) -> Strip:
        segments = []
        for segment in text.render(self.app.console):
            styled = style + segment.style if segment.style else style
            if post:
                styled += post
            segments.append(Segment(segment.text, styled))
        return Strip(segments).crop_extend(0, self._width, style)


def _fit(cell: Text, width: int) -> Text:
    """cell cut or padded to exactly width cells, honouring its justify."""
    length = cell.cell_len
    if length > width:
        cell = cell.copy()
        cell.truncate(width, overflow="crop")
        return cell
    pad = width - length
    if cell.justify == "right":
        return Text(" " * pad).append_text(cell)
    if cell.justify == "center":
        left = pad // 2
        return Text(" " * left).append_text(cell).append(" " * (pad - left))
    return cell.copy().append(" " * pad)
