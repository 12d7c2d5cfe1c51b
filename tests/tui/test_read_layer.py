"""Every query lives in tracker/db: the TUI and the commands never import a database
driver or SQLAlchemy, not even for type hints (tracker.db exports Engine and Connection)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
FORBIDDEN = ("sqlalchemy", "sqlite3", "sqlmodel")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


SOURCES = sorted([*(TRACKER / "tui").rglob("*.py"), *(TRACKER / "commands").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(TRACKER)))
def test_no_database_imports_outside_tracker_db(path):
    bad = {n for n in _imported(path) if n.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.relative_to(TRACKER)} imports {sorted(bad)}"


def test_the_scan_sees_the_modules():
    assert len(SOURCES) > 20
    assert "sqlite3" in _imported(TRACKER / "db" / "paper_list.py")  # the scan can fail
