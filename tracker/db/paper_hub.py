"""A paper's Hub page: its machine-written TLDR, keywords, linked counts and Spaces.

Written from paper_info (`tracker models --paper ID --refresh`) and from the daily
papers feed (TLDR and keywords only: the feed carries no linked counts). A field the
answer does not carry (None) keeps what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.db.models import PaperHub
from tracker.db.tables import table_of
from tracker.records import DailyPaperRecord, PaperPageRecord

PAPER_HUB: Table = table_of(PaperHub)

# How show and the TUI label the TLDR: nobody at the Hub or here wrote it.
SUMMARY_LABEL = "TLDR (machine-written by the Hugging Face Hub)"


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or update, each row setting only the columns it names."""
    for row in rows:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(PAPER_HUB).values(**row)
        changed = {k: v for k, v in row.items() if k != "paper_id"}
        conn.execute(stmt.on_conflict_do_update(index_elements=["paper_id"], set_=changed))


def _known(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def save_paper_page(conn: Connection, paper_id: int, page: PaperPageRecord, now: datetime) -> None:
    row = _known(
        {
            "summary": page.summary,
            "keywords": json.dumps(page.keywords),
            "spaces": json.dumps(page.spaces),
            "num_models": page.num_models,
            "num_datasets": page.num_datasets,
            "num_spaces": page.num_spaces,
            "github_stars": page.github_stars,
        }
    )
    _upsert(conn, [{"paper_id": paper_id, **row, "fetched_at": now}])


def save_daily_summaries(
    conn: Connection, records: Sequence[DailyPaperRecord], paper_ids: dict[str, int]
) -> int:
    """The feed's TLDRs and keywords for the papers we have; returns how many."""
    rows = [
        {
            "paper_id": paper_ids[r.arxiv_id],
            **_known(
                {
                    "summary": r.summary,
                    "keywords": json.dumps(r.keywords) if r.keywords else None,
                    "github_stars": r.github_stars,
                }
            ),
        }
        for r in records
        if r.arxiv_id in paper_ids and (r.summary or r.keywords)
    ]
    _upsert(conn, rows)
    return len(rows)


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def paper_page(conn: Connection, paper_id: int) -> dict[str, Any]:
    """The `tracker show --json` keys of the paper's Hub page (empty values when none)."""
    row = conn.execute(select(PAPER_HUB).where(PAPER_HUB.c.paper_id == paper_id)).first()
    if row is None:
        return {
            "summary": None,
            "summary_label": None,
            "keywords": [],
            "spaces": [],
            "hub_counts": None,
        }
    counts = {"models": row.num_models, "datasets": row.num_datasets, "spaces": row.num_spaces}
    return {
        "summary": row.summary or None,
        "summary_label": SUMMARY_LABEL if row.summary else None,
        "keywords": _json_list(row.keywords),
        "spaces": _json_list(row.spaces),
        "hub_counts": counts if any(v is not None for v in counts.values()) else None,
    }


def hub_counts_line(counts: dict[str, int | None] | None) -> str | None:
    """'on the Hub: 12 models · 3 datasets · 5 Spaces' (None when never looked up)."""
    if not counts:
        return None
    parts = [
        f"{counts[key] or 0} {label}"
        for key, label in (("models", "models"), ("datasets", "datasets"), ("spaces", "Spaces"))
    ]
    return "on the Hub: " + " · ".join(parts)
