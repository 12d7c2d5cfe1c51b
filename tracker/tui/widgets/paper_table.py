"""The papers list: date, title, category, models, code mark, upvotes, star/read marks."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message

from tracker.tui.data import PaperRow
from tracker.tui.formatting import clip, count, day, one_line
from tracker.tui.widgets.paged_table import PagedTable

# (label, width) of every column but the title, which takes what is left.
_FIXED = (("", 1), ("Date", 10), ("Cat", 7), ("M", 2), ("C", 1), ("▲", 3))


class PaperTable(PagedTable[PaperRow]):
    """Posts PaperHighlighted when the cursor rests on a paper."""

    class PaperHighlighted(Message):
        def __init__(self, paper: PaperRow) -> None:
            super().__init__()
            self.paper = paper

    class PaperSelected(Message):
        def __init__(self, paper: PaperRow) -> None:
            super().__init__()
            self.paper = paper

    def title_width(self, width: int) -> int:
        # Each column has one cell of padding either side; border 2, scrollbar 1.
        used = sum(w + 2 for _, w in _FIXED) + 2 + 3
        return max(width - used, 16)

    def columns_for(self, width: int) -> Sequence[tuple[str, int | None]]:
        fixed = list(_FIXED)
        return [fixed[0], fixed[1], ("Title", self.title_width(width)), *fixed[2:]]

    def cells(self, row: PaperRow) -> Sequence[str | Text]:
        mark = Text("★", style="bold yellow") if row.starred else Text("")
        if not row.read:
            mark.append("•", style="cyan")
        title = clip(one_line(row.title), self.title_width(self.size.width or 100))
        return (
            mark,
            Text(day(row.published), style="dim"),
            Text(title, style="" if row.read else "bold"),
            Text(row.category, style="green"),
            Text(str(row.models) if row.models else "", justify="right"),
            Text("✓" if row.has_code else "", style="magenta", justify="center"),
            Text(count(row.upvotes) if row.upvotes else "", justify="right"),
        )

    def on_data_table_row_highlighted(self, event: PagedTable.RowHighlighted) -> None:
        event.stop()
        paper = self.current
        if paper is not None:
            self.post_message(self.PaperHighlighted(paper))

    def on_data_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        paper = self.current
        if paper is not None:
            self.post_message(self.PaperSelected(paper))
