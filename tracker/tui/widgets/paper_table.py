"""The papers list: date, title, category, models, code mark, upvotes, star/read marks."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message

from tracker.db.paper_list import PaperRow
from tracker.tui.formatting import clip, count, day, one_line
from tracker.tui.widgets.paged_list import Column, PagedList

# (label, width) of every column but the title, which takes what is left.
_FIXED = (("", 1), ("Date", 10), ("Cat", 7), ("M", 2), ("C", 1), ("▲", 3))


class PaperTable(PagedList[PaperRow]):
    """Posts PaperHighlighted when the cursor rests on a paper, PaperSelected on enter."""

    class PaperHighlighted(Message):
        def __init__(self, paper: PaperRow) -> None:
            super().__init__()
            self.paper = paper

    class PaperSelected(Message):
        def __init__(self, paper: PaperRow) -> None:
            super().__init__()
            self.paper = paper

    def title_width(self, width: int) -> int:
        # Each column has one cell of padding either side.
        used = sum(w + 2 for _, w in _FIXED) + 2
        return max(width - used, 16)

    def columns_for(self, width: int) -> Sequence[Column]:
        fixed = list(_FIXED)
        return [fixed[0], fixed[1], ("Title", self.title_width(width)), *fixed[2:]]

    def cells(self, row: PaperRow, width: int) -> Sequence[Text]:
        mark = Text("★", style="bold yellow") if row.starred else Text("")
        if not row.read:
            mark.append("•", style="cyan")
        title = clip(one_line(row.title), self.title_width(width))
        return (
            mark,
            Text(day(row.published), style="dim"),
            Text(title, style="" if row.read else "bold"),
            Text(row.category, style="green"),
            Text(str(row.models) if row.models else "", justify="right"),
            Text("✓" if row.has_code else "", style="magenta", justify="center"),
            Text(count(row.upvotes) if row.upvotes else "", justify="right"),
        )

    def row_highlighted(self, row: PaperRow) -> None:
        self.post_message(self.PaperHighlighted(row))

    def row_selected(self, row: PaperRow) -> None:
        self.post_message(self.PaperSelected(row))
