"""The command line: a thin layer that parses, calls the library and renders.

`tracker` with no arguments opens the TUI. Every command that prints data has
--json. Errors map to one line on stderr and an exit code, in one place (main).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from tracker.config import Config, load_config
from tracker.errors import TrackerError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75


@dataclass
class AppContext:
    config_path: str | None = None
    verbose: int = 0
    use_demo: bool = False
    _config: Config | None = None
    _engines: dict[str, Engine] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        if self._config is None:
            config = load_config(self.config_path)
            if self.use_demo:
                config = config.with_database_url(config.database.demo_url)
            self._config = config
        return self._config

    def engine(self, url: str | None = None, *, create: bool = True) -> Engine:
        from tracker.db.engine import open_database

        url = url or self.config.database_url
        if url not in self._engines:
            self._engines[url] = open_database(url, create=create)
        return self._engines[url]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


pass_app = click.make_pass_decorator(AppContext)


def parse_date(value: str | None, option: str) -> datetime | None:
    """YYYY-MM-DD or an ISO 8601 date-time -> aware UTC; anything else is a usage error."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{option}: '{value}' is not a date.", hint="Use YYYY-MM-DD, e.g. 2026-11-01."
        ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def configure_logging(verbose: int, quiet: bool = False) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("tracker")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    if verbose >= 2:
        logging.getLogger("arxiv").addHandler(handler)
        logging.getLogger("arxiv").setLevel(logging.DEBUG)


# Command modules hold one family of commands each, in COMMANDS; each command's
# name -> its module, so that running one command imports only its module (and
# a bare `tracker` imports none). A command missing here still works (every
# module is then loaded to find it); tests/test_docs.py keeps the table complete.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "tracker.commands.sync_cmd": ("sync", "add"),
    "tracker.commands.papers_cmd": ("search", "show", "star", "tag", "note"),
    "tracker.commands.demo_cmd": ("demo",),
    "tracker.commands.import_cmd": ("import",),
    "tracker.commands.hub_cmd": ("models", "tasks", "datasets", "leaderboard"),
    "tracker.commands.trial_cmd": ("try", "doctor", "trials"),
    "tracker.commands.follow_cmd": ("watch", "digest", "recommend"),
    "tracker.commands.verify_cmd": ("verify",),
    "tracker.commands.export_cmd": ("export",),
    "tracker.commands.config_cmd": ("config",),
}


class LazyGroup(click.Group):
    """A group whose commands are imported from COMMAND_MODULES when first needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def _load(self, module_name: str) -> None:
        if module_name in self._loaded:
            return
        # No ImportError is swallowed: a command module that cannot load is a bug to
        # report (main turns it into one line), not a command that silently vanishes.
        module = importlib.import_module(module_name)
        for command in module.COMMANDS:
            self.add_command(command)
        self._loaded.add(module_name)

    def load_all(self) -> None:
        for module_name in COMMAND_MODULES:
            self._load(module_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_all()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            owner = next((m for m, names in COMMAND_MODULES.items() if cmd_name in names), None)
            if owner is not None:
                self._load(owner)
            if cmd_name not in self.commands:
                self.load_all()
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="TRACKER_CONFIG",
    help="Configuration file (default: config.toml in the user config directory, see `tracker config path`).",
)
@click.option(
    "--demo", "use_demo", is_flag=True, help="Use the demo database (see `tracker demo`)."
)
@click.option("-v", "--verbose", count=True, help="-v logs each request, -vv debugs.")
@click.version_option(package_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, use_demo: bool, verbose: int) -> None:
    """tracker: research papers, their code, models and results, in your terminal.

    With no command, opens the browser (TUI) on your database.
    """
    app = AppContext(config_path=config_path, verbose=verbose, use_demo=use_demo)
    ctx.obj = app
    ctx.call_on_close(app.close)
    configure_logging(verbose)
    if ctx.invoked_subcommand is None:
        open_tui(app, app.config.database_url)


def open_tui(app: AppContext, url: str) -> None:
    """Open the TUI on url (it reports an empty or missing database itself)."""
    from tracker.tui import run_app

    run_app(app.config, url)


def _print_error(exc: TrackerError) -> None:
    click.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  {exc.hint}", err=True)


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this)."""
    try:
        # standalone_mode=False returns ctx.exit()'s code instead of calling sys.exit.
        code = cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except TrackerError as exc:
        _print_error(exc)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into one line
        if os.environ.get("TRACKER_DEBUG"):
            raise
        first_line = (str(exc).strip().splitlines() or [""])[0][:300]
        click.echo(f"Error: {type(exc).__name__}: {first_line}", err=True)
        click.echo("  TRACKER_DEBUG=1 shows the traceback.", err=True)
        return EXIT_FAILURE
    return code if isinstance(code, int) else EXIT_OK
