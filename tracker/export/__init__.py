"""Exports for reference managers: BibTeX, RIS, CSL-JSON and CSV.

Each format module turns a list of ExportPaper records into the text of one file:
pure functions, no database and no I/O. tracker.db.export_queries reads the
records; `tracker export` and the TUI's E key write the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker.export import bibtex, csl, ris
from tracker.export import csv as csv_format
from tracker.export.record import ExportPaper


@dataclass(frozen=True)
class Format:
    name: str  # as --format takes it
    label: str  # as messages say it
    suffix: str  # of the file it writes
    render: Callable[[Sequence[ExportPaper]], str]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("bibtex", "BibTeX", ".bib", bibtex.render),
        Format("ris", "RIS", ".ris", ris.render),
        Format("csl-json", "CSL-JSON", ".json", csl.render),
        Format("csv", "CSV", ".csv", csv_format.render),
    )
}


def format_of_path(path: str | Path) -> Format | None:
    """The format a file name asks for by its suffix (refs.bib -> BibTeX), if any."""
    suffix = Path(path).suffix.lower()
    aliases = {".bibtex": ".bib", ".csljson": ".json"}
    suffix = aliases.get(suffix, suffix)
    return next((f for f in FORMATS.values() if f.suffix == suffix), None)


def render(format_name: str, papers: Sequence[ExportPaper]) -> str:
    """The text of an export file in this format."""
    return FORMATS[format_name].render(papers)


def free_path(directory: Path, stem: str, suffix: str) -> Path:
    """directory/stem+suffix, or stem-2, stem-3, … when that file exists already."""
    path = directory / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = directory / f"{stem}-{number}{suffix}"
        number += 1
    return path
