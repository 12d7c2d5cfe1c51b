"""`tracker import`: bulk files, read without the network (the PwC archive, arXiv's snapshot)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from tracker.cli import AppContext, pass_app
from tracker.output import emit_json, info


@click.group(name="import")
def import_() -> None:
    """Import bulk files (no network): the Papers with Code archive, arXiv's snapshot."""


@import_.command(name="pwc-evaluations")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@pass_app
def pwc_evaluations(app: AppContext, file: Path, as_json: bool) -> None:
    """Import FILE (evaluation-tables.json or .json.gz, the sota-extractor format).

    Tasks, datasets and results arrive with source pwc-archive, linked to papers by
    the arXiv id in their URL; papers we lack become stubs the next sync fills.
    Importing a file again adds nothing.
    """
    from tracker.imports.pwc import import_evaluations

    done = import_evaluations(app.engine(), file, datetime.now(UTC))
    if as_json:
        emit_json({"file": str(file), **done})
        return
    info(
        f"import: {done['results']} results ({done['new_results']} new) in {done['tasks']} tasks "
        f"and {done['datasets']} datasets; {done['papers']} papers ({done['stubs']} new stubs)"
    )


class _Bar:
    """rows/s and ETA on one stderr line, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, done_bytes: int, total_bytes: int, stored: int) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        fraction = done_bytes / total_bytes if total_bytes else 0
        eta = elapsed / fraction - elapsed if fraction > 0 else 0
        width = 30
        filled = int(width * fraction)
        click.echo(
            f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {fraction:5.1%} "
            f"{stored} papers, {stored / elapsed:,.0f}/s, ETA {eta:,.0f} s",
            nl=False,
            err=True,
        )

    def done(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", nl=False, err=True)


@import_.command(name="arxiv-snapshot")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="Only papers with a category starting with this prefix, e.g. cs. or cs.CL (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@pass_app
def arxiv_snapshot(app: AppContext, file: Path, categories: tuple[str, ...], as_json: bool) -> None:
    """Import FILE, arXiv's metadata snapshot (JSON lines, plain or .gz).

    Streams with bounded memory, resumes where an interrupted import stopped, and
    merges with synced papers (one paper, one row; the newer version wins). Broken
    lines are reported with their numbers and the rest is imported.
    """
    from tracker.imports.arxiv_snapshot import import_snapshot

    bar = _Bar(sys.stderr.isatty() and not as_json)
    try:
        report = import_snapshot(app.engine(), file, categories=categories, progress=bar)
    finally:
        bar.done()
    data = {
        "file": str(file),
        "lines": report.lines,
        "new": report.new,
        "updated": report.updated,
        "skipped_lines": report.skipped_lines,
        "filtered": report.filtered,
        "broken_lines": report.error_count,
        "errors": report.errors,
        "seconds": round(report.seconds, 3),
        "index_seconds": round(report.index_seconds, 3),
    }
    if as_json:
        emit_json(data)
    else:
        rate = (report.new + report.updated) / report.seconds if report.seconds else 0
        info(
            f"import: {report.new} new, {report.updated} updated, {report.filtered} filtered, "
            f"{report.error_count} broken lines in {report.seconds:.1f} s ({rate:,.0f} papers/s)"
            + (
                f"; {report.skipped_lines} lines were already imported"
                if report.skipped_lines
                else ""
            )
        )
        for error in report.errors:
            info(f"  {error}")
        if report.error_count > len(report.errors):
            info(f"  ... and {report.error_count - len(report.errors)} more")


COMMANDS = [import_]
