"""Relevance ranking on SQLite FTS5 at a cost that does not grow with the collection.

search.py hands us a walk of the index; we keep the newest `candidates` matches and
rank them, lower is better, on bm25()'s scale. bm25() is exact, but the first time
it runs in a statement it counts each phrase's documents (for the IDF) by reading
the phrase's whole doclist, whatever the LIMIT: at a million papers "we" costs
~65 ms before one row is scored, and that cost grew with the collection. So each
query is planned:

- A word's document frequency is estimated from one walk over its newest DF_SAMPLE
  matches (exact when it has fewer). A phrase's is its rarest word's (an upper
  bound, so its IDF is a lower bound); column filters are not counted.
- When the doclists of all the query's phrases hold at most IDF_BUDGET entries,
  the walk scores with bm25() as it goes, in one statement, as it always did.
- Otherwise the walk only collects candidates. Phrases in more than half of the
  papers are left out of the score, as bm25() gives them an IDF of 1e-6. The
  others are scored by bm25() on the candidates while their doclists fit in the
  budget; each of the rest adds the same BM25 term with the estimated IDF and a
  term frequency read from one more walk: the title weight when the phrase is in
  the title, the abstract's (one hit) when it is elsewhere. When every phrase is
  that common ("we", "the model"), they are all scored that way, with equal weights.
- A word in nearly every paper ("the", "of") makes a walk seek through its doclist
  for each match of the rarer words. The walk leaves it out and the best hits are
  checked for it at the end, as many as are wanted; candidates are then the newest
  matches of the rest that hold it: the same papers when there are fewer matches
  than candidates, else a few fewer (it is missing from under 5% of them).

Prefix terms (word*) are not planned: FTS5 merges the doclists of every word they
match in each statement that names them, so one statement is the cheapest.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from tracker.db import fulltext
from tracker.db.query_syntax import Query, Term

# walk(match, scored, newest) -> [(rowid, bm25() or 0.0)] for the matches of an FTS5
# expression that pass the search filters: the newest `newest`, or all when None.
Walk = Callable[[str, bool, int | None], list[tuple[int, float]]]

# Doclist entries bm25() may read for its IDFs in one statement: ~0.05 us each here,
# so ~8 ms. A word in 15% of a million papers is the most one statement may name.
IDF_BUDGET = 150_000
# Matches read to estimate a word's document frequency (~0.2 ms).
DF_SAMPLE = 1000
# A word in at least this share of the papers is checked after ranking, not walked:
# over the checked rowids' range when it spans under NARROW rowids a hit, else with
# one index seek each for up to FEW_SEEKS of them, else by a walk.
EVERYWHERE = 0.95
NARROW = 100
FEW_SEEKS = 50
K1 = 1.2  # bm25()'s k1
FLOOR = 1e-6  # bm25()'s IDF for a phrase in more than half of the documents
_WEIGHT = dict(zip(("title", "abstract", "authors"), fulltext.WEIGHTS, strict=True))


def best(
    conn: Connection, query: Query, walk: Walk, candidates: int, limit: int
) -> list[tuple[int, float]]:
    """The best `limit` of the newest `candidates` matches (all when 0), as (rowid,
    score) pairs, best first; ties go to the newer paper."""
    match = query.fts5()
    if match is None or limit <= 0:
        return []
    terms = _distinct(t for group in query.groups for t in group)
    named = _distinct([*terms, *query.excluded])
    if candidates <= 0 or any(t.prefix for t in named):
        return _top(walk(match, True, candidates if candidates > 0 else None), limit)
    freq = _Frequencies(conn, (w for t in named for w in t.words))
    if sum(freq.cost(t) for t in named) <= IDF_BUDGET:
        return _top(walk(match, True, candidates), limit)

    idf = {t: freq.idf(t) for t in terms}
    informative = [t for t in terms if idf[t] > FLOOR]
    everywhere = _everywhere(query, informative, freq)
    groups = [group for group in query.groups if group not in everywhere]
    driver = min(groups, key=lambda group: sum(freq.df(t) for t in group))
    walked = Query(groups=groups, excluded=query.excluded)
    found = _newest_matches(walked.fts5() or match, walk, groups, driver, freq, candidates)
    if not found:
        return []
    scores = _scores(conn, found, groups, driver, terms, informative, idf, freq)
    if not everywhere:
        return _top(list(scores.items()), limit)
    ranked = _top(list(scores.items()), len(scores))
    return _holding_all(conn, [group[0] for group in everywhere], driver, ranked, limit)


def _everywhere(query: Query, informative: list[Term], freq: _Frequencies) -> list[list[Term]]:
    """Groups of one word in nearly every paper: checked at the end, not walked, when
    a word that counts leads."""
    if not informative:
        return []
    return [
        group
        for group in query.groups
        if len(group) == 1
        and not group[0].column
        and len(group[0].words) == 1
        and freq.df(group[0]) >= EVERYWHERE * freq.documents
    ]


def _newest_matches(
    match: str,
    walk: Walk,
    groups: list[list[Term]],
    driver: list[Term],
    freq: _Frequencies,
    candidates: int,
) -> list[tuple[int, float]]:
    """The newest `candidates` matches. When the query is expected (terms independent)
    to have no more matches than candidates, the walk reads them all anyway: in rowid
    order, which FTS5 does faster than newest first."""
    expected = float(sum(freq.df(t) for t in driver))
    for group in groups:
        if group is not driver:
            expected *= min(1.0, sum(freq.df(t) for t in group) / max(freq.documents, 1))
    few = expected <= candidates
    found = walk(match, False, None if few else candidates)
    if len(found) > candidates:
        found = sorted(found, reverse=True)[:candidates]
    return found


def _scores(
    conn: Connection,
    found: list[tuple[int, float]],
    groups: list[list[Term]],
    driver: list[Term],
    terms: list[Term],
    informative: list[Term],
    idf: dict[Term, float],
    freq: _Frequencies,
) -> dict[int, float]:
    """BM25 scores (negated, lower is better) of the found rowids. Words in more than
    half of the papers add next to nothing (bm25() gives them an IDF of 1e-6): the
    others are scored, by bm25() while the budget lasts, then by their frequencies."""
    scores = {rowid: 0.0 for rowid, _ in found}
    cheap: set[Term] = set()
    spent = 0
    for term in sorted(informative, key=freq.cost):
        spent += freq.cost(term)
        if spent > IDF_BUDGET:
            break
        cheap.add(term)
    if cheap:
        for rowid, value in _in_range(conn, _cheap_match(groups, cheap), scores, True):
            scores[rowid] += value
    rest = [t for t in informative if t not in cheap]
    if not informative:  # only such words ("we", "the model"): they weigh alike
        rest, idf = terms, dict.fromkeys(terms, 1.0)
    for term in rest:
        weight = idf[term]
        for rowid, tf in _frequencies(conn, groups, term, driver, scores).items():
            scores[rowid] -= weight * tf * (K1 + 1) / (tf + K1)
    return scores


def _top(scored: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    """Lowest score first (bm25() is lower-is-better), the newer paper on ties."""
    return heapq.nsmallest(limit, scored, key=lambda pair: (pair[1], -pair[0]))


def _holding_all(
    conn: Connection,
    terms: list[Term],
    driver: list[Term],
    ranked: list[tuple[int, float]],
    limit: int,
) -> list[tuple[int, float]]:
    """The first `limit` of ranked whose papers hold all of terms, checked a few
    more than are still wanted at a time, the cheapest of three ways: walking the
    terms over the rowids' range when it is narrow (~0.3 us a rowid), one index seek
    per rowid when they are few (~40 us each), else a walk led by the driver."""
    table = fulltext.FTS_TABLE
    match = " AND ".join(t.fts5() for t in terms)
    kept: list[tuple[int, float]] = []
    start = 0
    while len(kept) < limit and start < len(ranked):
        part = ranked[start : start + limit - len(kept) + 5]
        start += len(part)
        ids = [rowid for rowid, _ in part]
        if max(ids) - min(ids) < NARROW * len(ids):
            expr, where = match, "rowid BETWEEN :lo AND :hi AND +rowid"
        elif len(ids) <= FEW_SEEKS:
            expr, where = match, "rowid"
        else:
            expr, where = f"({match}) AND {_any(driver)}", "rowid BETWEEN :lo AND :hi AND +rowid"
        holding = set(
            conn.execute(
                text(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH :match "
                    f"AND {where} IN (SELECT value FROM json_each(:ids))"
                ),
                {"match": expr, "lo": min(ids), "hi": max(ids), "ids": json.dumps(ids)},
            ).scalars()
        )
        kept += [pair for pair in part if pair[0] in holding]
    return kept[:limit]


class _Frequencies:
    """Document frequency estimates for the words of one query."""

    def __init__(self, conn: Connection, words: Iterable[str]) -> None:
        self.documents, self.newest = fulltext.index_stats(conn)
        self.words: dict[str, tuple[int, bool]] = {}
        table = fulltext.FTS_TABLE
        wanted = list(dict.fromkeys(words))
        for start in range(0, len(wanted), 50):
            part = wanted[start : start + 50]
            # One statement: each word's newest DF_SAMPLE matches, counted.
            statement = " UNION ALL ".join(
                f"SELECT {i}, count(*), min(rowid) FROM (SELECT rowid FROM {table} "
                f"WHERE {table} MATCH :w{i} ORDER BY rowid DESC LIMIT :sample)"
                for i in range(len(part))
            )
            params: dict[str, Any] = {f"w{i}": f'"{w}"' for i, w in enumerate(part)}
            params["sample"] = DF_SAMPLE
            for i, count, oldest in conn.execute(text(statement), params).all():
                if count < DF_SAMPLE:
                    self.words[part[i]] = (count, True)
                else:
                    # The newest DF_SAMPLE matches cover rowids oldest..newest.
                    span = max(self.newest - oldest + 1, 1)
                    estimate = min(self.documents, count * self.newest // span)
                    self.words[part[i]] = (estimate, False)

    def word(self, word: str) -> tuple[int, bool]:
        """(document frequency, whether exact)."""
        return self.words[word]

    def df(self, term: Term) -> int:
        return min(self.word(w)[0] for w in term.words)

    def cost(self, term: Term) -> int:
        """Doclist entries bm25() reads to count the term's documents."""
        return sum(self.word(w)[0] for w in term.words)

    def idf(self, term: Term) -> float:
        """bm25()'s IDF: log((N - n + 0.5) / (n + 0.5)), at least FLOOR."""
        n, total = self.df(term), self.documents
        value = math.log((total - n + 0.5) / (n + 0.5)) if total > n else 0.0
        return value if value > FLOOR else FLOOR


def _frequencies(
    conn: Connection,
    groups: list[list[Term]],
    term: Term,
    driver: list[Term],
    candidates: dict[int, float],
) -> dict[int, float]:
    """Weighted term frequency, from presence, for the candidates that hold the term."""

    def holding(expr: str) -> set[int]:
        if term not in driver:  # let the rarest group lead the walk
            expr = f"({expr}) AND {_any(driver)}"
        return set(_in_range(conn, expr, candidates, False))

    in_all = [term] in groups  # then every candidate holds it
    anywhere = None if in_all else holding(term.fts5())
    if term.column:
        weight = _WEIGHT[term.column]
        return {r: weight for r in candidates if anywhere is None or r in anywhere}
    titled = holding(replace(term, column="title").fts5())
    found: dict[int, float] = {}
    for rowid in candidates:
        if rowid in titled:
            found[rowid] = _WEIGHT["title"]
        elif anywhere is None or rowid in anywhere:
            found[rowid] = _WEIGHT["abstract"]
    return found


def _in_range(
    conn: Connection, match: str, candidates: dict[int, float], scored: bool
) -> list[Any]:
    """The candidates that match, as rowids or (rowid, bm25) pairs: a walk over
    their rowid range that scores only them (`+rowid` keeps the IN list a filter,
    not one index seek per id)."""
    table = fulltext.FTS_TABLE
    weights = ", ".join(str(w) for w in fulltext.WEIGHTS)
    value = f", bm25({table}, {weights})" if scored else ""
    result = conn.execute(
        text(
            f"SELECT rowid{value} FROM {table} WHERE {table} MATCH :match "
            "AND rowid BETWEEN :lo AND :hi AND +rowid IN (SELECT value FROM json_each(:ids))"
        ),
        {
            "match": match,
            "lo": min(candidates),
            "hi": max(candidates),
            "ids": json.dumps(list(candidates)),
        },
    )
    return [(row[0], row[1]) for row in result.all()] if scored else list(result.scalars())


def _cheap_match(groups: list[list[Term]], cheap: set[Term]) -> str:
    """An expression naming only the cheap phrases that every candidate matches:
    the groups made only of them, or else any of them."""
    whole = [group for group in groups if all(t in cheap for t in group)]
    inside = {t for group in whole for t in group}
    parts = [" AND ".join(_any(group) for group in whole)] if whole else []
    parts += [t.fts5() for t in _distinct(t for g in groups for t in g) if t in cheap - inside]
    return " OR ".join(f"({part})" for part in parts)


def _any(group: list[Term]) -> str:
    return "(" + " OR ".join(t.fts5() for t in group) + ")"


def _distinct(terms: Iterable[Term]) -> list[Term]:
    seen: dict[Term, Any] = {}
    for term in terms:
        seen.setdefault(term, None)
    return list(seen)
