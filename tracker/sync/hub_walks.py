"""The Hub pass's long walks, bounded per run: what is left waits in sync_state.

A window that reaches back years (a first run with a large lookback_days, or
--since 2002-01-01) must not cost the Hub thousands of requests in one run, nor a
wait at the client-side rate window. So:
- the models listing walks at most LISTING_PAGES_PER_RUN pages per run; where it
  stops, the listing's next link and the cutoff it was walking to are kept (a
  "tail" in the hub:models cursor), and the next run walks them on after the new
  models at the top;
- the daily papers feed is asked only for weeks where it exists (FEED_START on),
  only for the weeks in which a paper stored or updated since the last daily pass
  could appear (its arXiv date to APPEARS_WITHIN later), newest first, at most
  DAILY_WEEKS_PER_RUN weeks a run; the other weeks wait in the hub:daily-papers cursor;
- benchmark leaderboards (of the benchmarks stored scores cite, and watched datasets)
  are fetched when never fetched or older than BENCHMARK_MAX_AGE, at most
  BENCHMARKS_PER_RUN a run; the others wait in the hub:benchmarks cursor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from tracker.db.hub import PAPERS

LISTING_PAGES_PER_RUN = 60  # 60,000 models: a busy week's listing, with room to spare
# Model cards read a run (the unread wait, as pending_details): with the listing pages
# and the daily weeks, a run stays under the anonymous 500 calls per 5 minutes.
CARDS_PER_RUN = 400
DAILY_WEEKS_PER_RUN = 10
# Benchmark boards a run (one request each, two for a benchmark whose task we must ask
# its card for), and how old a board may grow before it is fetched again.
BENCHMARKS_PER_RUN = 10
BENCHMARK_MAX_AGE = timedelta(days=7)
# The Hub's daily papers feed starts in 2023; a paper shows there within two weeks.
FEED_START = date(2023, 1, 1)
APPEARS_WITHIN = timedelta(days=14)


@dataclass
class Tail:
    """A listing walk left unfinished: resume at next_page, walk down to until."""

    next_page: str
    until: datetime

    def as_json(self) -> dict[str, str]:
        return {"next_page": self.next_page, "until": self.until.isoformat()}


@dataclass
class ListingPlan:
    """The walks of one run: from the top down to head_cutoff, then the tails."""

    head_cutoff: datetime
    tails: list[Tail] = field(default_factory=list)

    @staticmethod
    def tails_from(cursor: str | None, endpoint: str) -> list[Tail]:
        """The tails kept by earlier runs (none when the endpoint changed since)."""
        if not cursor:
            return []
        try:
            items = json.loads(cursor).get("tails", [])
            tails = [Tail(t["next_page"], datetime.fromisoformat(t["until"])) for t in items]
        except (ValueError, KeyError, TypeError, AttributeError):
            return []
        return [t for t in tails if t.next_page.startswith(endpoint)]


def tails_cursor(tails: list[Tail]) -> str | None:
    return json.dumps({"tails": [t.as_json() for t in tails]}) if tails else None


def iso_week(day: date) -> str:
    return "{}-W{:02d}".format(*day.isocalendar()[:2])


def weeks_of_papers(conn: Connection, since: datetime, today: date) -> set[str]:
    """The ISO weeks where papers stored or updated after `since` may show in the feed."""
    first = FEED_START - APPEARS_WITHIN
    days = conn.execute(
        select(func.date(PAPERS.c.published))
        .where(PAPERS.c.last_synced > since)
        .where(PAPERS.c.is_stub.is_(False))
        .where(PAPERS.c.published >= datetime(first.year, first.month, first.day, tzinfo=UTC))
        .distinct()
    )
    weeks: set[str] = set()
    for (value,) in days:
        if value is None:
            continue
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        for later in (timedelta(0), timedelta(days=7), APPEARS_WITHIN):
            shown = day + later
            if FEED_START <= shown <= today:
                weeks.add(iso_week(shown))
    return weeks


def pending_weeks(cursor: str | None) -> set[str]:
    if not cursor:
        return set()
    try:
        weeks: Any = json.loads(cursor).get("weeks", [])
    except (ValueError, AttributeError):
        return set()
    return {w for w in weeks if isinstance(w, str)}


def weeks_cursor(weeks: list[str]) -> str | None:
    return json.dumps({"weeks": weeks}) if weeks else None


def pending_benchmarks(cursor: str | None) -> list[str]:
    if not cursor:
        return []
    try:
        names: Any = json.loads(cursor).get("benchmarks", [])
    except (ValueError, AttributeError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def benchmarks_cursor(names: list[str]) -> str | None:
    return json.dumps({"benchmarks": names}) if names else None
