"""The demo data set: about 40 well-known papers, written by us, in data/demo/ of the
repository and shipped inside the package (tracker.locations.demo_file).

Loading is idempotent: the demo goes through the same upserts as a sync.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy.engine import Engine

from tracker import locations
from tracker.db.engine import read_connection, write_transaction
from tracker.db.papers import upsert_papers
from tracker.db.queries import counts
from tracker.errors import TrackerError
from tracker.hub_demo import load_demo_models
from tracker.records import PaperRecord, parse_utc

DEMO_FILE = locations.demo_file()


def read_demo(path: Traversable = DEMO_FILE) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except FileNotFoundError:
        raise TrackerError(
            f"the demo data set {path} is missing.",
            hint="Reinstall tracker: the package ships it.",
        ) from None


def paper_records(data: dict[str, Any]) -> list[PaperRecord]:
    return [
        PaperRecord(
            arxiv_id=p["arxiv_id"],
            version=int(p.get("version") or 1),
            title=p["title"],
            abstract=p["abstract"],
            authors=list(p["authors"]),
            primary_category=p["primary_category"],
            categories=list(p["categories"]),
            published=parse_utc(p.get("published")),
            updated=parse_utc(p.get("updated")),
            comment=p.get("comment"),
            journal_ref=p.get("journal_ref"),
            doi=p.get("doi"),
            code_links=[(url, "demo") for url in p.get("code_links", [])],
        )
        for p in data["papers"]
    ]


def load_demo(engine: Engine, path: Traversable = DEMO_FILE) -> dict[str, int]:
    """Load (or refresh) the demo data into engine's database; return the table counts."""
    data = read_demo(path)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        upsert_papers(conn, paper_records(data), now)
        for loader in EXTRA_LOADERS:
            loader(conn, data, now)
    with read_connection(engine) as conn:
        return counts(conn)


# Later parts (models, results) add their own loaders for their sections.
EXTRA_LOADERS: list[Any] = [load_demo_models]
