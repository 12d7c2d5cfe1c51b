"""The "hot" sort: Hub upvotes and model downloads, decayed by age (Hacker News style).

    points = upvotes + downloads / DOWNLOADS_PER_POINT
    hot    = (1 + points) / (age in days + 2) ** GRAVITY

so with no upvotes or downloads the newest paper is the hottest, and a paper keeps
its place only while attention keeps up with its age. Downloads are summed over the
paper's models; 100 downloads weigh as much as one upvote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from tracker.db.follow_queries import popularity
from tracker.db.search import SearchFilters, search_papers

DOWNLOADS_PER_POINT = 100
GRAVITY = 1.8


def hot_score(upvotes: int, downloads: int, published: datetime | None, now: datetime) -> float:
    points = upvotes + downloads / DOWNLOADS_PER_POINT
    if published is None:
        age_days = 365.0
    else:
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        age_days = max((now - published).total_seconds() / 86400, 0.0)
    return float((1 + points) / (age_days + 2) ** GRAVITY)


def rank_hot(
    conn: Connection, hits: list[dict[str, Any]], now: datetime | None = None
) -> list[dict[str, Any]]:
    """hits (dicts with an arxiv_id) with "hot", "upvotes" and "downloads", hottest first."""
    now = now or datetime.now(UTC)
    facts = popularity(conn, [h["arxiv_id"] for h in hits])
    ranked = []
    for position, hit in enumerate(hits):
        upvotes, downloads, published = facts.get(hit["arxiv_id"], (0, 0, None))
        score = hot_score(upvotes, downloads, published, now)
        ranked.append(
            (
                -score,
                position,
                {**hit, "hot": round(score, 4), "upvotes": upvotes, "downloads": downloads},
            )
        )
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in ranked]


def hot_search(
    conn: Connection,
    query: str,
    *,
    filters: SearchFilters | None = None,
    limit: int = 20,
    candidates: int = 2000,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """`tracker search --sort hot`: the query's candidates (or the newest papers when
    there is no query) re-ranked by hot score."""
    pool = max(candidates, limit) if candidates > 0 else 10_000
    filters = filters or SearchFilters()
    hits = search_papers(conn, query, filters=filters, limit=pool, candidates=candidates)
    return rank_hot(conn, hits, now)[:limit]
