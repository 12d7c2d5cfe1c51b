"""The search box's modes: keyword (the paged bm25 list), semantic and hybrid.

Mixed into the papers list. ctrl+t cycles the mode; in semantic and hybrid mode a
search runs in the list's own "papers" worker: the embedding model loads there the
first time (torch is imported then, never at start) and stays loaded for the next
query. The first page holds the best matches by meaning (tracker.embed.tui_pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from tracker.tui.navigation import TrackerScreen

if TYPE_CHECKING:
    from tracker.db.paper_list import Page, PaperFilters

MODES = ("keyword", "semantic", "hybrid")
MODE_BINDING = Binding(
    "ctrl+t", "search_mode", "Search mode (keyword, semantic, hybrid)", show=False
)


class SearchModes(TrackerScreen):
    """Provides search_mode, action_search_mode and meaning_page for the papers list."""

    _search_mode: str | None = None
    _encode: Any = None

    @property
    def search_mode(self) -> str:
        return self._search_mode or self.config.search.mode

    def reload(self) -> None:
        raise NotImplementedError

    def action_search_mode(self) -> None:
        self._search_mode = MODES[(MODES.index(self.search_mode) + 1) % len(MODES)]
        self.notify(f"Search mode: {self.search_mode}", timeout=2)
        self.sub_title = "" if self.search_mode == "keyword" else f"search by {self.search_mode}"
        self.reload()

    def by_meaning(self, filters: PaperFilters) -> bool:
        return self.search_mode != "keyword" and bool(filters.text.strip())

    def meaning_page(self, filters: PaperFilters) -> Page:
        """Runs in a worker thread: loads the model once, then searches."""
        from tracker.embed.semantic import model_encoder, open_index
        from tracker.embed.tui_pages import meaning_page

        open_index(self.engine, self.config)  # no vectors: say so before loading a model
        if self._encode is None:
            self._encode, _close = model_encoder(self.config)
        return meaning_page(self.engine, self.config, filters, self.search_mode, self._encode)
