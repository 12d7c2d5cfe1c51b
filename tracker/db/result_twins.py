"""One result, every source: a model's eval-results score and the model-index row of its
card that gives the same score (the same benchmark and config, the same value, 0.412 and
41.2 alike) are one result. The reads show the eval-results row, on its benchmark's
board, with both sources listed, and leave the model-index twin out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.tables import R

EVAL_SOURCE = "eval-results"
CARD_SOURCE = "model-index"


def same_value(a: float, b: float) -> bool:
    """Equal, or equal once one of them is read as a percentage (0.412 and 41.2)."""
    return any(
        abs(x - y) <= 1e-6 + 1e-4 * max(abs(x), abs(y))
        for x, y in ((a, b), (a * 100, b), (a, b * 100))
    )


def _is_twin(card: Any, score: Any) -> bool:
    if card.dataset_id.lower() != score.dataset_id.lower():
        return False
    configs = {score.dataset_config.lower(), "", "default"}
    return card.dataset_config.lower() in configs and same_value(card.value, score.value)


def twins(conn: Connection, model_ids: Iterable[int | None]) -> dict[int, int]:
    """model-index result id -> the id of the eval-results score it repeats, for these models.

    A variant ("with tools") is never anyone's twin: the card's score is the default setup.
    """
    ids = sorted({m for m in model_ids if m is not None})
    rows: dict[int, list[Any]] = defaultdict(list)
    for part in chunks(ids):
        query = select(
            R.c.id, R.c.model_id, R.c.source, R.c.dataset_id, R.c.dataset_config, R.c.value
        ).where(
            R.c.model_id.in_(part),
            R.c.source.in_((EVAL_SOURCE, CARD_SOURCE)),
            R.c.value.is_not(None),
            R.c.variant == "",
        )
        for row in conn.execute(query):
            rows[row.model_id].append(row)
    out: dict[int, int] = {}
    for model_rows in rows.values():
        cards = [r for r in model_rows if r.source == CARD_SOURCE]
        for score in (r for r in model_rows if r.source == EVAL_SOURCE):
            card = next((c for c in cards if c.id not in out and _is_twin(c, score)), None)
            if card is not None:
                out[card.id] = score.id
    return out


def provenance(r: Any) -> dict[str, Any] | None:
    """Where an eval-results score comes from: verified or community (a pull request),
    its source, the benchmark's revision, the date and the notes; None for other rows."""
    if r.source != "eval-results":
        return None
    return {
        "status": "verified" if r.verified else "community",
        "pull_request": r.pull_request or None,
        "source_name": r.source_name or None,
        "source_url": r.source_url or None,
        "dataset_revision": r.dataset_revision or None,
        "date": r.result_date or None,
        "notes": r.notes or None,
    }
