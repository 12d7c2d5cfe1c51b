"""`tracker export`: papers for reference managers (BibTeX, RIS, CSL-JSON, CSV)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli import AppContext, pass_app
from tracker.db.engine import read_connection
from tracker.errors import UsageError
from tracker.export import FORMATS, Format, format_of_path
from tracker.export.record import ExportPaper
from tracker.output import info

if TYPE_CHECKING:
    from tracker.db import Connection
    from tracker.follow.watchlists import WatchItem


def no_selection() -> UsageError:
    return UsageError(
        "name the papers to export: PAPER_ID …, --tag, --starred, --search or --watch.",
        hint="For example `tracker export --starred -o refs.bib`.",
    )


def choose_format(format_name: str | None, output: Path | None) -> Format:
    """--format, else the one --output's suffix names, else BibTeX."""
    if format_name:
        return FORMATS[format_name]
    if output is None:
        return FORMATS["bibtex"]
    found = format_of_path(output)
    if found is None:
        raise UsageError(
            f"--output {output}: cannot tell the format from the file name.",
            hint=f"Add --format {', '.join(FORMATS)}, or end the name in .bib, .ris, .json or .csv.",
        )
    return found


def find_watches(items: list[WatchItem], name: str) -> list[WatchItem]:
    """Entries whose name, value or label (`tracker watch list`) is name, any case."""
    wanted = name.strip().casefold()
    found = [
        w
        for w in items
        if wanted in {w.name.casefold(), w.value.casefold(), w.label.casefold()} - {""}
    ]
    if not found:
        raise UsageError(
            f"no watch named '{name}'.",
            hint="`tracker watch list` shows what you follow; use a search's name or a value.",
        )
    return found


def _filtered(
    conn: Connection,
    app: AppContext,
    tags: tuple[str, ...],
    starred: bool,
    query: str | None,
    watch_name: str | None,
) -> set[int] | None:
    """The papers that pass every filter given (None when none is given)."""
    from tracker.db import export_queries as q

    selections: list[set[int]] = []
    if tags:
        selections.append(q.tagged(conn, tags))
    if starred:
        selections.append(q.starred(conn))
    if query is not None:
        selections.append(q.matching(conn, query))
    if watch_name is not None:
        from tracker.follow.watchlists import all_watches

        found: set[int] = set()
        for w in find_watches(all_watches(conn, app.config), watch_name):
            found |= q.watched(conn, w.kind, w.value, category=w.category, author=w.author)
        selections.append(found)
    if not selections:
        return None
    return set.intersection(*selections)


def newest_first(papers: list[ExportPaper]) -> list[ExportPaper]:
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(papers, key=lambda p: (p.published or oldest, p.arxiv_id), reverse=True)


def write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(
            f"--output {path}: cannot write it ({exc.strerror or exc}).",
            hint="Check that its folder exists and that you may write there.",
        ) from exc


@click.command("export")
@click.argument("paper_ids", nargs=-1, metavar="[PAPER_ID]...")
@click.option("--tag", "tags", multiple=True, help="Papers with this tag (repeat: any of them).")
@click.option("--starred", is_flag=True, help="Your starred papers.")
@click.option("--search", "query", metavar="QUERY", help="Papers this full-text query matches.")
@click.option(
    "--watch",
    "watch_name",
    metavar="NAME",
    help="Papers a watchlist entry follows: a search's name, or a value (an author, a category…).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    help="Default: from --output's suffix (.bib .ris .json .csv), else bibtex.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this file (replacing it) instead of stdout.",
)
@pass_app
def export(
    app: AppContext,
    paper_ids: tuple[str, ...],
    tags: tuple[str, ...],
    starred: bool,
    query: str | None,
    watch_name: str | None,
    format_name: str | None,
    output: Path | None,
) -> None:
    """Export papers for reference managers: BibTeX, RIS, CSL-JSON (Zotero, pandoc) or CSV.

    Name papers by PAPER_ID, or select them with --tag, --starred, --search and
    --watch; a paper must pass every filter given, and named papers are exported
    too. With neither, nothing is exported (a usage error lists the selectors).
    Named papers come first, in their order, then the rest newest first.

    BibTeX keys look like vaswani2017attention: the same across runs, and unique in
    one export (papers that would share a key get a, b, … in arXiv id order). BibTeX
    titles keep $math$, escape other LaTeX specials and brace capitalised words.
    """
    from tracker.db import export_queries as q

    if not (paper_ids or tags or starred or query is not None or watch_name is not None):
        raise no_selection()
    chosen = choose_format(format_name, output)
    with read_connection(app.engine()) as conn:
        named = q.ids_named(conn, paper_ids)
        filtered = _filtered(conn, app, tags, starred, query, watch_name)
        others = sorted((filtered or set()) - set(named))
        papers = q.export_papers(conn, named + others)
    papers = papers[: len(named)] + newest_first(papers[len(named) :])
    if not papers:
        info("No papers match: nothing exported.")
        return
    text = chosen.render(papers)
    if output is None:
        click.echo(text, nl=False)
        return
    write(output, text)
    count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
    info(f"Exported {count} to {output.resolve()} ({chosen.label}).")


COMMANDS = [export]
