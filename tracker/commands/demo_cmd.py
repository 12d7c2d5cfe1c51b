"""`tracker demo`: load the demo data set into its own database and open it."""

from __future__ import annotations

import sys

import click

from tracker.cli import AppContext, open_tui, pass_app
from tracker.output import emit_json, info


@click.command()
@click.option(
    "--no-tui", is_flag=True, help="Load the data and print what was loaded; do not open the TUI."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the loaded counts as JSON (implies --no-tui)."
)
@pass_app
def demo(app: AppContext, no_tui: bool, as_json: bool) -> None:
    """Load the demo papers (no network needed) into demo.db and open them.

    The demo database is separate from yours ([database] demo_url, in the user data
    directory by default).
    """
    from tracker.demo import load_demo

    url = app.config.demo_database_url
    loaded = load_demo(app.engine(url))
    if as_json:
        emit_json({"database": url, **loaded})
        return
    info(
        f"demo: {loaded['papers']} papers, {loaded['code_links']} code links, "
        f"{loaded['models']} models, {loaded['results']} results in {url.removeprefix('sqlite:///')}"
    )
    if no_tui or not (sys.stdin.isatty() and sys.stdout.isatty()):
        info("Not a terminal, so no TUI. Look around with, e.g.:")
        info("  tracker --demo search transformer")
        info("  tracker --demo show 1706.03762")
        info("  tracker --demo leaderboard text-classification")
        return
    open_tui(app, url)


COMMANDS = [demo]
