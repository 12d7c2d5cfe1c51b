"""Export the papers list: E picks a format, then the list on screen (its search,
filters and sort applied, in its order) is written to a new file in the current folder.

Mixed into the papers list. The format dialog (tracker.tui.screens.export) is imported
when first opened; the exporters and the database reads run in an "export" worker.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import work
from textual.binding import Binding

from tracker.db.paper_list import PaperFilters
from tracker.tui.navigation import TrackerScreen

# The most papers one export writes: a list with no filters holds the whole database.
EXPORT_LIMIT = 10_000
EXPORT_BINDING = Binding("E", "export", "Export the list", show=False)


class ExportActions(TrackerScreen):
    """Mixed into the papers list, which provides the filters it shows and candidates()."""

    filters: PaperFilters
    shown: PaperFilters | None

    def candidates(self, filters: PaperFilters) -> int:
        raise NotImplementedError

    def action_export(self) -> None:
        if self.tracker.engine is None:
            self.notify("The database is still opening: try again in a moment.")
            return
        filters = self.shown or self.filters
        labels = filters.describe() + (
            [f'"{filters.text.strip()}"'] if filters.text.strip() else []
        )
        what = "this list" + (f" ({', '.join(labels)})" if labels else " (every paper)")
        directory = Path.cwd()

        def chosen(format_name: str | None) -> None:
            if format_name:
                self.export_list(filters, format_name, directory)

        self.tracker.choose_export_format(what, directory, chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export_list(self, filters: PaperFilters, format_name: str, directory: Path) -> None:
        from tracker.db.export_queries import export_papers
        from tracker.db.paper_pages import fetch_papers
        from tracker.export import FORMATS, free_path

        chosen = FORMATS[format_name]
        with self.engine.connect() as conn:
            page = fetch_papers(
                conn, filters, limit=EXPORT_LIMIT, candidates=self.candidates(filters)
            )
            papers = export_papers(conn, [row.id for row in page.rows])
        if not papers:
            self.app.call_from_thread(
                self.notify, "The list is empty: nothing exported.", severity="warning"
            )
            return
        path = free_path(directory, f"tracker-export-{datetime.now():%Y%m%d-%H%M%S}", chosen.suffix)
        try:
            path.write_text(chosen.render(papers), encoding="utf-8", newline="")
        except OSError as exc:
            message = f"Could not write {path}: {exc.strerror or exc}."
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        count = f"{len(papers):,} paper{'s' if len(papers) != 1 else ''}"
        message = f"Exported {count} ({chosen.label}) to {path}"
        if page.has_more:
            message += f"; the list holds more, this is its first {EXPORT_LIMIT:,}"
        self.app.call_from_thread(self.notify, message + ".", timeout=10)
