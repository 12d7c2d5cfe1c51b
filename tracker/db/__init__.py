"""The store: schema, engine, upserts, full-text search and read queries.

`Engine` and `Connection` name SQLAlchemy's types for the modules outside tracker.db
(the TUI, the commands), which never import SQLAlchemy themselves; at run time they
are `Any`, so importing them loads nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
else:
    Connection = Any
    Engine = Any

__all__ = ["Connection", "Engine"]
