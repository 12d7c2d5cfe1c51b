"""Start-up paths load no torch or transformers (`import torch` alone costs ~1.3 s)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers")


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter (nothing imported yet); it must exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize(
    "modules",
    [
        ["tracker.cli"],
        ["tracker.sync", "tracker.sync.run", "tracker.sync.hub_pass"],  # what a sync loads
        # What the CLI registers and what the TUI imports to plan trials and read the ledger.
        ["tracker.cli", "tracker.trial.plan", "tracker.trial.ledger"],
        ["tracker.trial.doctor", "tracker.trial.checks", "tracker.trial.render"],
    ],
)
def test_importing_loads_no_torch(modules: list[str]) -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = run_python(code)
    assert done.stdout.strip() == "", f"{modules} imported {done.stdout.strip()}"


def test_the_help_of_every_command_loads_no_torch() -> None:
    code = (
        "import sys\n"
        "from tracker.cli import run\n"
        "for cmd in ('try', 'doctor', 'trials'):\n"
        "    assert run([cmd, '--help']) == 0\n"
        "print(','.join(m for m in ('torch', 'transformers') if m in sys.modules), file=sys.stderr)\n"
    )
    done = run_python(code)
    assert done.stderr.strip() == ""


def test_registering_every_command_loads_no_torch() -> None:
    """The group imports command modules lazily; loading them all must stay light too."""
    code = (
        "import sys\n"
        "from tracker.cli import cli\n"
        "cli.load_all()\n"
        "assert len(cli.commands) > 10, sorted(cli.commands)\n"
        "print(','.join(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    done = run_python(code)
    assert done.stdout.strip() == ""


def test_the_tui_start_up_path_loads_no_pydantic_or_sqlalchemy() -> None:
    """`tracker` paints within a second: the config needs no pydantic (~0.2 s to import
    and build models) and the database layer loads after the first rows are painted."""
    code = (
        "import sys\n"
        "import tracker.cli, tracker.tui\n"
        "from tracker.config import load_config\n"
        "load_config()\n"
        "print(','.join(m for m in ('pydantic', 'sqlalchemy') if m in sys.modules))\n"
    )
    done = run_python(code)
    assert done.stdout.strip() == ""
