"""The docs are tested: every command has help and is in the README; every key is documented."""

from __future__ import annotations

import importlib
import re

import click
import pytest

from tracker.cli import COMMAND_MODULES, EXIT_FAILURE, LazyGroup, run
from tracker.cli import cli as cli_group
from tracker.config import SECTIONS

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


# The group imports command modules lazily: list_commands loads them all.
COMMAND_NAMES = sorted(cli_group.list_commands(click.Context(cli_group)))


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_command_has_help_and_is_in_the_readme(name, cli):
    result = cli(name, "--help")
    assert result.code == 0
    assert result.out.startswith(f"Usage: tracker {name}")
    command = cli_group.get_command(click.Context(cli_group), name)
    assert command is not None
    assert command.help and command.help.strip()
    assert re.search(rf"`(tracker )?{re.escape(name)}`", README), f"`{name}` is not in README.md"


def test_the_lazy_command_table_names_every_command_of_its_module():
    """A command missing from COMMAND_MODULES would load every module to be found."""
    for module_name, names in COMMAND_MODULES.items():
        module = importlib.import_module(module_name)  # a missing module fails the test
        assert tuple(c.name for c in module.COMMANDS) == names, module_name


def test_a_command_module_that_cannot_load_is_an_error_not_a_missing_command(monkeypatch, capsys):
    monkeypatch.setitem(COMMAND_MODULES, "tracker.commands.no_such_cmd", ("ghost",))
    group = LazyGroup()
    with pytest.raises(ModuleNotFoundError, match="tracker.commands.no_such_cmd"):
        group.get_command(click.Context(group), "ghost")
    assert run(["ghost"]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith(
        "Error: ModuleNotFoundError: No module named 'tracker.commands.no_such_cmd'"
    )
    assert "No such command" not in err


def test_every_config_key_is_in_the_readme():
    for section, model in SECTIONS.items():
        assert f"`[{section}]`" in README
        for key in model.FIELDS:
            assert f"`{key}`" in README, f"[{section}] {key} is not in README.md"


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make demo" in README and "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_import_lists_both_bulk_formats(cli):
    result = cli("import", "--help")
    assert result.code == 0
    assert "arxiv-snapshot" in result.out and "pwc-evaluations" in result.out
