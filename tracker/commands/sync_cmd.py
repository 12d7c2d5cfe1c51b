"""`tracker sync`: fetch new and updated papers (and their models) into the database."""

from __future__ import annotations

import sys

import click

from tracker.cli import AppContext, configure_logging, parse_date, pass_app
from tracker.output import emit_json, info


class ProgressLine:
    """A one-line progress display on stderr, only when stderr is a terminal: the
    tracker.progress.SourceProgress that `tracker sync` hands to run_sync."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, key: str, fetched: int) -> None:
        if self.enabled:
            click.echo(f"\r\033[K{key}: {fetched} papers", nl=False, err=True)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)


@click.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(["arxiv", "hub"]),
    help="Only these sources (repeatable). Default: all.",
)
@click.option(
    "--category", "categories", multiple=True, help="Only these arXiv categories (repeatable)."
)
@click.option("--since", help="Fetch papers updated since this date (YYYY-MM-DD).")
@click.option(
    "--max", "max_results", type=click.IntRange(min=1), help="At most N papers per source."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron).")
@click.option("-v", "--verbose", count=True, help="-v logs each request.")
@pass_app
def sync(
    app: AppContext,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    since: str | None,
    max_results: int | None,
    as_json: bool,
    quiet: bool,
    verbose: int,
) -> None:
    """Fetch new and updated papers from arXiv (and their models from the Hub).

    Safe to run from cron: incremental, one transaction per page, resumable after
    a crash. Exit codes: 0 ok, 1 a source failed (the others were synced),
    75 another sync is running.
    """
    from tracker.sync import SOURCES, run_sync

    configure_logging(max(verbose, app.verbose), quiet=quiet)
    since_date = parse_date(since, "--since")
    engine = app.engine()
    progress = ProgressLine(sys.stderr.isatty() and not quiet and not as_json)
    chosen = tuple(s for s in (sources or SOURCES) if s in SOURCES)
    try:
        report = run_sync(
            engine,
            app.config,
            sources=chosen,
            categories=list(categories) or None,
            since=since_date,
            max_results=max_results,
            progress=progress,
        )
    finally:
        progress.done()
    if as_json:
        emit_json(report.as_json())
    elif not quiet or report.errors:
        info(report.summary())
    for error in report.errors:
        info(f"Error: {error}")
    if report.errors:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("paper_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print what was fetched as JSON.")
@pass_app
def add(app: AppContext, paper_ids: tuple[str, ...], as_json: bool) -> None:
    """Fetch papers by arXiv id (any category) into the database.

    PAPER_IDS like 1706.03762, 1706.03762v5 or hep-th/9901001. Exit code 1 when
    some id does not exist on arXiv.
    """
    from tracker.ids import parse_arxiv_id
    from tracker.sync import fetch_papers

    ids = [parse_arxiv_id(raw)[0] for raw in paper_ids]
    report = fetch_papers(app.engine(), app.config, ids)
    if as_json:
        emit_json(
            {
                "new": report.new,
                "updated": report.updated,
                "found": report.found,
                "missing": report.missing,
                "requests": report.requests,
            }
        )
    else:
        info(f"add: {report.new} new, {report.updated} updated, {len(report.missing)} missing")
    if report.missing:
        info("Error: not found on arXiv: " + ", ".join(report.missing))
        raise click.exceptions.Exit(1)


COMMANDS = [sync, add]
