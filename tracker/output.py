"""Rendering: --json documents and plain tables on stdout; diagnostics on stderr."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from typing import Any

import click


def emit_json(data: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def info(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(message, err=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], *, wide: int = -1) -> None:
    """A plain aligned table; column `wide` (default the last) shrinks to fit the terminal."""
    if not rows:
        return
    cells = [[_cell(v).replace("\n", " ") for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 10_000
    wide = wide % len(headers)
    others = sum(w for i, w in enumerate(widths) if i != wide) + 2 * (len(headers) - 1)
    widths[wide] = max(10, min(widths[wide], width - others))

    def fmt(values: Sequence[str]) -> str:
        out = []
        for i, v in enumerate(values):
            if len(v) > widths[i]:
                v = v[: widths[i] - 1] + "…"
            out.append(v.ljust(widths[i]))
        return "  ".join(out).rstrip()

    click.echo(fmt(list(headers)))
    for row in cells:
        click.echo(fmt(row))
