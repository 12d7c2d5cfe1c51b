"""Watchlists: what the user follows. Declared in config.toml [watch] or added with
`tracker watch add` (stored in the database as user data); both count the same.

Kinds: search (a saved full-text query with optional filters), author, category,
task, dataset and organisation (a Hub user or organisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from tracker.config import Config
from tracker.db import follow as store
from tracker.errors import UsageError
from tracker.tasks_catalog import canonical_task

KINDS = ("search", "author", "category", "task", "dataset", "organisation")
# [watch] key -> kind
CONFIG_KEYS = {
    "searches": "search",
    "authors": "author",
    "categories": "category",
    "tasks": "task",
    "datasets": "dataset",
    "organisations": "organisation",
}
_ALIASES = {"org": "organisation", "organization": "organisation", "query": "search", **CONFIG_KEYS}


@dataclass(frozen=True)
class WatchItem:
    kind: str
    value: str
    name: str = ""
    category: str | None = None
    author: str | None = None
    origin: str = "config"  # config | database

    @property
    def label(self) -> str:
        if self.kind == "search":
            text = f'search "{self.name or self.value}"'
            filters = [f for f in (self.category, self.author) if f]
            return text + (f" ({', '.join(filters)})" if filters else "")
        return f"{self.kind} {self.value}"

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.kind, self.value, self.category or "", self.author or "")

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "name": self.name or None,
            "category": self.category,
            "author": self.author,
            "origin": self.origin,
            "label": self.label,
        }


def canonical_kind(kind: str) -> str:
    kind = kind.strip().lower()
    kind = _ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise UsageError(
            f"'{kind}' is not a watchlist kind.", hint=f"Use one of: {', '.join(KINDS)}."
        )
    return kind


def _clean_value(kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError(f"a {kind} watch needs a value.")
    if kind == "task":
        return canonical_task(value)
    return value


def config_watches(config: Config) -> list[WatchItem]:
    watch = config.watch
    items = [
        WatchItem(
            "search",
            s.query,
            name=s.name,
            category=s.category or None,
            author=s.author or None,
        )
        for s in watch.searches
        if s.query.strip()
    ]
    for key, kind in CONFIG_KEYS.items():
        if kind == "search":
            continue
        items += [WatchItem(kind, _clean_value(kind, v)) for v in getattr(watch, key) if v.strip()]
    return items


def all_watches(conn: Connection, config: Config) -> list[WatchItem]:
    """Config entries first, then the database's, without duplicates."""
    items = config_watches(config)
    seen = {w.identity for w in items}
    for row in store.list_watches(conn):
        item = WatchItem(
            row["kind"],
            row["value"],
            name=row["name"],
            category=row["category"],
            author=row["author"],
            origin="database",
        )
        if item.identity not in seen:
            seen.add(item.identity)
            items.append(item)
    return items


def add_watch(
    conn: Connection,
    config: Config,
    kind: str,
    value: str,
    *,
    name: str = "",
    category: str | None = None,
    author: str | None = None,
) -> tuple[WatchItem, bool]:
    """Store a watch; returns it and whether it is new (False: already followed)."""
    kind = canonical_kind(kind)
    value = _clean_value(kind, value)
    if kind != "search" and (category or author or name):
        raise UsageError("--name, --category and --author apply to saved searches only.")
    item = WatchItem(
        kind, value, name=name, category=category or None, author=author or None, origin="database"
    )
    if item.identity in {w.identity for w in config_watches(config)}:
        return WatchItem(**{**item.__dict__, "origin": "config"}), False
    added = store.add_watch(
        conn, kind, value, name=name, category=category or "", author=author or ""
    )
    return item, added


def remove_watch(conn: Connection, config: Config, kind: str, value: str) -> int:
    """Remove the database entries of kind with this value; config ones are refused."""
    kind = canonical_kind(kind)
    value = value.strip()
    removed = store.remove_watches(conn, kind, _clean_value(kind, value))
    if removed:
        return removed
    in_config = [
        w
        for w in config_watches(config)
        if w.kind == kind and value in (w.value, w.name, _clean_value(kind, value))
    ]
    if in_config:
        key = next(k for k, v in CONFIG_KEYS.items() if v == kind)
        raise UsageError(
            f"{in_config[0].label} is declared in {config.source}.",
            hint=f"Remove it from [watch] {key} there.",
        )
    raise UsageError(
        f"no {kind} watch '{value}'.", hint="`tracker watch list` shows what you follow."
    )
