"""The export dialog: pick a format for the papers list (tracker.tui.export_actions)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

# (format name, label) as tracker.export.FORMATS names them; listed here so that the
# dialog opens without importing the exporters.
CHOICES = (
    ("bibtex", "BibTeX (.bib): LaTeX, Overleaf, JabRef"),
    ("ris", "RIS (.ris): Zotero, EndNote, Mendeley"),
    ("csl-json", "CSL-JSON (.json): Zotero, pandoc"),
    ("csv", "CSV (.csv): spreadsheets"),
)


class ExportScreen(ModalScreen[str | None]):
    """Pick an export format; returns its name (None: cancelled)."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def __init__(self, what: str, directory: Path) -> None:
        super().__init__()
        self.what = what
        self.directory = directory

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label(f"Export {self.what}", classes="dialog-title")
            yield OptionList(*[Option(label, id=name) for name, label in CHOICES])
            yield Label(
                f"enter writes a new file in {self.directory} · esc cancels",
                classes="dialog-hint",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
