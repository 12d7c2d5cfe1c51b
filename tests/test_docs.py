"""The docs are tested: every command has help and is in the README; every key is documented."""

from __future__ import annotations

import re

import pytest

from tracker.cli import cli as cli_group
from tracker.config import SECTIONS

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli_group.commands))
def test_every_command_has_help_and_is_in_the_readme(name, cli):
    result = cli(name, "--help")
    assert result.code == 0
    assert result.out.startswith(f"Usage: tracker {name}")
    command = cli_group.commands[name]
    assert command.help and command.help.strip()
    assert re.search(rf"`(tracker )?{re.escape(name)}`", README), f"`{name}` is not in README.md"


def test_every_config_key_is_in_the_readme():
    for section, model in SECTIONS.items():
        assert f"`[{section}]`" in README
        for key in model.model_fields:
            assert f"`{key}`" in README, f"[{section}] {key} is not in README.md"


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make demo" in README and "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text()
