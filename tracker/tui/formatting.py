"""Small pure helpers for display: dates, counts, one-line text."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

_SPACE = re.compile(r"\s+")


def one_line(text: str | None) -> str:
    """Collapse newlines and runs of spaces; drop control characters."""
    if not text:
        return ""
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t ")
    return _SPACE.sub(" ", cleaned).strip()


def clip(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def day(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10]
    return value.strftime("%Y-%m-%d")


def count(value: int | None) -> str:
    """12345 -> 12.3k, 58000000 -> 58M."""
    if value is None:
        return ""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            number = value / limit
            text = f"{number:.1f}" if number < 100 else f"{number:.0f}"
            return text.removesuffix(".0") + suffix
    return str(value)


def params(value: int | None) -> str:
    return "" if not value else count(value)


def metric(value: float | None, text: str = "") -> str:
    if value is None:
        return text or "—"
    return f"{value:.4g}"
