"""The shape of the import graph: no circles, and screens that do not know each other.

The graph is read with ast from every module under tracker/, with every import in
it: at module level, inside functions and under `if TYPE_CHECKING:` (a circle only
type checkers follow is still a circle a reader has to untangle).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import get_args, get_type_hints

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tracker"
SCREENS = "tracker.tui.screens"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that `name` is, or lies in (`a.b.func` -> `a.b`)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _base(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(module: str) -> set[str]:
    """The tracker modules `module` imports anywhere in its source."""
    known = modules()
    tree = ast.parse(known[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            # `from a import b` imports the module a.b when there is one, else a name in a.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in (_resolve(n, known) for n in names) if t and t != module)
    return found


@cache
def graph() -> dict[str, frozenset[str]]:
    return {module: frozenset(imports_of(module)) for module in modules()}


def circles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Each strongly connected component of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_walker_sees_every_kind_of_import() -> None:
    """A walker that missed TYPE_CHECKING or function-level imports would pass anything."""
    edges = graph()
    assert "tracker.tui.app" in edges["tracker.tui"]  # inside run_app
    assert "tracker.config" in edges["tracker.tui"]  # under TYPE_CHECKING
    assert circles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"})}) == [
        ["a", "b", "c"]
    ]


def _report(found: list[list[str]]) -> str:
    return "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_import_circles() -> None:
    found = circles(graph())
    assert not found, _report(found)


def test_screens_import_neither_each_other_nor_the_app() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.startswith(f"{SCREENS}.")
        for target in sorted(targets)
        if target.startswith(f"{SCREENS}.") or target == "tracker.tui.app"
    ]
    assert not offenders, "\n".join(offenders)


def test_the_trial_choices_are_what_the_config_accepts() -> None:
    """--device/--dtype and the trial screen offer DEVICES/DTYPES; [trial] must accept them."""
    from tracker.config import TrialConfig
    from tracker.trial.hardware import DEVICES, DTYPES

    hints = get_type_hints(TrialConfig)
    assert set(get_args(hints["device"])) == set(DEVICES)
    assert set(get_args(hints["dtype"])) == set(DTYPES)
