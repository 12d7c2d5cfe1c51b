"""The digest: what is new since the last one, for cron mail and the TUI's What's new.

1. New papers matching each watchlist: papers whose id is above the last digest's
   watermark (or first seen since --since), ranked by relevance for saved searches
   and by hot score for the others.
2. For starred papers: a new arXiv version, the first code link, the first model, a
   model reaching [watch] model_downloads, new results.
3. For followed tasks and datasets: new or better leaderboard results (a "with tools"
   variant on a board of its own), and (tasks) a model reaching model_downloads; for
   organisations: their new models.
4. For watched datasets that are benchmarks with a Hub leaderboard: a new leader;
   for starred papers, also a model gaining a verified eval-results score.

The facts of 2 and 3 are stored as a JSON snapshot with the digest's time; the next
digest diffs the current facts against it and stores the new snapshot, which marks
what it reported. A paper starred (or a task followed) since the last digest is
taken as it is now, silently: only later changes are news.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from tracker.config import Config
from tracker.db import follow as store
from tracker.db import follow_queries as q
from tracker.db.benchmarks import board_tops, verified_scores
from tracker.db.engine import read_connection, write_transaction
from tracker.db.metrics import lower_is_better
from tracker.db.queries import abs_url
from tracker.db.search import SearchFilters, search_papers
from tracker.follow.hot import hot_score
from tracker.follow.watchlists import WatchItem, all_watches

SNAPSHOT_VERSION = 1
RESULT_LINES = 3  # new results listed per starred paper before "and N more"


@dataclass
class Line:
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Group:
    key: str
    heading: str
    lines: list[Line] = field(default_factory=list)
    more: int = 0
    url: str | None = None


@dataclass
class Section:
    key: str
    title: str
    groups: list[Group] = field(default_factory=list)


@dataclass
class Digest:
    since: datetime
    until: datetime
    first: bool
    new_papers: int
    sections: list[Section]
    snapshot: dict[str, Any]

    @property
    def empty(self) -> bool:
        return not any(section.groups for section in self.sections)


def fmt_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def fmt_value(value: float) -> str:
    return f"{value:.4g}"


def _fold(text: str) -> str:
    """Lower case without accents: 'Björn' matches 'bjorn'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- new papers per watchlist ----------------------------------------------------------------


def _matches(watch: WatchItem, paper: q.NewPaper) -> bool:
    value = watch.value.lower()
    if watch.kind == "author":
        return _fold(watch.value) in _fold(paper.authors)
    if watch.kind == "category":
        return watch.value in paper.categories
    if watch.kind == "task":
        return watch.value in paper.tasks
    if watch.kind == "dataset":
        return value in paper.datasets
    if watch.kind == "organisation":
        return value in paper.organisations
    return False


def _paper_line(paper: q.NewPaper) -> Line:
    return Line(
        "paper",
        f"{paper.arxiv_id}  {paper.title} ({paper.primary_category})",
        {
            "arxiv_id": paper.arxiv_id,
            "title": paper.title,
            "primary_category": paper.primary_category,
            "authors": paper.authors,
            "url": abs_url(paper.arxiv_id),
        },
    )


def papers_section(
    conn: Connection,
    config: Config,
    watches: list[WatchItem],
    fresh: dict[str, q.NewPaper],
    now: datetime,
) -> Section:
    section = Section("papers", "New papers")
    if not fresh:
        return section
    cap = config.watch.papers_per_watch
    candidates = config.search.candidates

    def hot(p: q.NewPaper) -> float:
        return hot_score(p.upvotes, p.downloads, p.published, now)

    for watch in watches:
        if watch.kind == "search":
            filters = SearchFilters(category=watch.category, author=watch.author)
            pool = max(candidates, cap) if candidates else 10_000
            hits = search_papers(
                conn, watch.value, filters=filters, limit=pool, candidates=candidates
            )
            found = [fresh[h["arxiv_id"]] for h in hits if h["arxiv_id"] in fresh]
        else:
            found = sorted(
                (p for p in fresh.values() if _matches(watch, p)),
                key=lambda p: (-hot(p), p.arxiv_id),
            )
        if found:
            section.groups.append(
                Group(
                    watch.label,
                    watch.label,
                    [_paper_line(p) for p in found[:cap]],
                    more=max(len(found) - cap, 0),
                )
            )
    return section


# --- starred papers -----------------------------------------------------------------------------


def _paper_snapshot(facts: dict[str, Any], threshold: int) -> dict[str, Any]:
    return {
        "version": facts["version"],
        "code": bool(facts["code"]),
        "models": sorted(facts["models"]),
        "popular": sorted(r for r, d in facts["models"].items() if d >= threshold),
        "verified": sorted(facts.get("verified", {})),
    }


def _verified_lines(facts: dict[str, Any], old: dict[str, Any]) -> list[Line]:
    """A starred paper's model gaining a verified score (an older snapshot: no news)."""
    if "verified" not in old:
        return []
    scores: dict[str, dict[str, Any]] = facts.get("verified", {})
    return [
        Line(
            "verified_score",
            f"verified score: {s['model']} {s['benchmark']} {fmt_value(s['value'])}",
            s,
        )
        for key, s in sorted(scores.items())
        if key not in set(old["verified"]) and s["value"] is not None
    ]


def starred_section(
    conn: Connection,
    starred: dict[str, dict[str, Any]],
    previous: dict[str, Any] | None,
    threshold: int,
) -> Section:
    section = Section("starred", "Starred papers")
    if previous is None:
        return section
    old_papers = previous.get("papers", {})
    known = {aid: f for aid, f in starred.items() if aid in old_papers}
    results = q.paper_results(
        conn, [f["id"] for f in known.values()], previous["max_ids"]["results"]
    )
    for arxiv_id, facts in known.items():
        old = old_papers[arxiv_id]
        lines = _paper_change_lines(facts, old)
        lines += _model_lines(facts["models"], old, threshold)
        lines += _verified_lines(facts, old)
        lines += _result_lines(results.get(facts["id"], []))
        if lines:
            section.groups.append(
                Group(arxiv_id, f"{arxiv_id}  {facts['title']}", lines, url=abs_url(arxiv_id))
            )
    return section


def _paper_change_lines(facts: dict[str, Any], old: dict[str, Any]) -> list[Line]:
    """A new arXiv version, and the first code link."""
    lines: list[Line] = []
    if facts["version"] > old["version"]:
        lines.append(
            Line("new_version", f"new version v{facts['version']}", {"version": facts["version"]})
        )
    if facts["code"] and not old["code"]:
        url = facts["code"][0]
        lines.append(Line("first_code", f"first code: {url}", {"url": url}))
    return lines


def _model_lines(models: dict[str, int], old: dict[str, Any], threshold: int) -> list[Line]:
    """The first model of a paper, and models that passed the downloads threshold."""
    lines: list[Line] = []
    reported: set[str] = set()
    if models and not old["models"]:
        top = min(models, key=lambda r: (-models[r], r))
        reported.add(top)
        lines.append(
            Line(
                "first_model",
                f"first model: {top} ({models[top]:,} downloads)",
                {"repo_id": top, "downloads": models[top]},
            )
        )
    popular = {r for r, d in models.items() if d >= threshold}
    for repo in sorted(popular - set(old["popular"]) - reported, key=lambda r: (-models[r], r)):
        lines.append(
            Line(
                "popular_model",
                f"model over {threshold:,} downloads: {repo} ({models[repo]:,})",
                {"repo_id": repo, "downloads": models[repo]},
            )
        )
    return lines


def _result_lines(new_results: list[dict[str, Any]]) -> list[Line]:
    """The first RESULT_LINES new results, and how many more."""
    lines = [
        Line(
            "new_result",
            f"new result: {r['dataset_name']} {r['metric_name']} {fmt_value(r['value'])}"
            f" ({r['model']})",
            r,
        )
        for r in new_results[:RESULT_LINES]
    ]
    if len(new_results) > RESULT_LINES:
        extra = len(new_results) - RESULT_LINES
        lines.append(Line("more_results", f"and {extra} more new results", {"count": extra}))
    return lines


# --- followed leaderboards, tasks and organisations --------------------------------------------


def _board_key(r: dict[str, Any]) -> str:
    key = "\t".join((r["task"], r["dataset"], r["config"], r["split"], r["metric"]))
    # A variant ("with tools") is a board of its own; the default keeps its old key.
    return key + (f"\t{r['variant']}" if r.get("variant") else "")


def _board_heading(r: dict[str, Any]) -> str:
    dataset = "/".join(x for x in (r["dataset_name"], r["config"], r["split"]) if x)
    return f"{r['task']} · {dataset} · {r['metric_name']}"


def _boards(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    boards: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        boards[_board_key(r)].append(r)
    return boards


def _best(rows: list[dict[str, Any]], lower: bool) -> dict[str, Any]:
    return min(rows, key=lambda r: ((r["value"] if lower else -r["value"]), r["model"]))


def boards_section(
    boards: dict[str, list[dict[str, Any]]],
    previous: dict[str, Any] | None,
) -> Section:
    section = Section("boards", "Leaderboards")
    if previous is None:
        return section
    old_boards = previous.get("boards", {})
    old_tasks, old_sets = set(previous.get("tasks", [])), set(previous.get("datasets", []))
    after = previous["max_ids"]["results"]
    for key in sorted(boards):
        rows = boards[key]
        first = rows[0]
        lower = lower_is_better(first["metric"], first["metric_name"])
        best = _best(rows, lower)
        fresh = [r for r in rows if r["id"] > after]
        old = old_boards.get(key)
        line: Line | None = None
        data = {"model": best["model"], "value": best["value"]}
        if old is None:
            followed_before = first["task"] in old_tasks or first["dataset"].lower() in old_sets
            if fresh and followed_before:
                line = Line(
                    "new_board",
                    f"new leaderboard: best {fmt_value(best['value'])} by {best['model']}"
                    f" ({len(rows)} results)",
                    data | {"results": len(rows)},
                )
        elif (best["value"] < old["best"]) if lower else (best["value"] > old["best"]):
            line = Line(
                "new_best",
                f"new best: {fmt_value(best['value'])} by {best['model']}"
                f" (was {fmt_value(old['best'])} by {old['model']})",
                data | {"previous": old["best"], "previous_model": old["model"]},
            )
        elif fresh:
            top = _best(fresh, lower)
            rank = 1 + sum(
                1
                for r in rows
                if (r["value"] < top["value"] if lower else r["value"] > top["value"])
            )
            count = f"{len(fresh)} new result" + ("s" if len(fresh) > 1 else "")
            line = Line(
                "new_results",
                f"{count}, best {fmt_value(top['value'])} by {top['model']}"
                f" (rank {rank} of {len(rows)})",
                {"model": top["model"], "value": top["value"], "rank": rank, "new": len(fresh)},
            )
        if line is not None:
            section.groups.append(Group(key, _board_heading(first), [line]))
    return section


def benchmark_groups(
    tops: dict[str, dict[str, Any]], previous: dict[str, Any] | None
) -> list[Group]:
    """Watched benchmarks' Hub leaderboards (shown under Leaderboards): a new leader, or a
    board seen for the first time."""
    groups: list[Group] = []
    if previous is None:
        return groups
    old_tops: dict[str, dict[str, Any]] = previous.get("benchmarks", {})
    old_sets = set(previous.get("datasets", []))
    for bench in sorted(tops):
        top, old = tops[bench], old_tops.get(bench)
        data = {"benchmark": bench, "model": top["model"], "value": top["best"]}
        if old is None:
            if bench.lower() not in old_sets:
                continue  # followed since the last digest: taken as it is now
            line = Line(
                "new_hub_board",
                f"leaderboard on the Hub: best {fmt_value(top['best'])} by {top['model']}"
                f" ({top['entries']} entries)",
                data | {"entries": top["entries"]},
            )
        elif (top["model"], top["best"]) != (old["model"], old["best"]):
            line = Line(
                "new_best",
                f"new best on {bench}: {fmt_value(top['best'])} by {top['model']}"
                f" (was {fmt_value(old['best'])} by {old['model']})",
                data | {"previous": old["best"], "previous_model": old["model"]},
            )
        else:
            continue
        groups.append(Group(f"benchmark {bench}", f"benchmark {bench} (Hub leaderboard)", [line]))
    return groups


def models_section(
    popular: dict[str, dict[str, int]],
    org_models: dict[str, list[dict[str, Any]]],
    previous: dict[str, Any] | None,
    threshold: int,
    cap: int,
) -> Section:
    section = Section("models", "Models")
    if previous is None:
        return section
    old_popular: dict[str, list[str]] = previous.get("popular", {})
    for task in sorted(popular):
        if task not in old_popular:
            continue
        models = popular[task]
        fresh = sorted(set(models) - set(old_popular[task]), key=lambda r: (-models[r], r))
        lines = [
            Line(
                "popular_model",
                f"model over {threshold:,} downloads: {repo} ({models[repo]:,})",
                {"repo_id": repo, "downloads": models[repo], "task": task},
            )
            for repo in fresh[:cap]
        ]
        if lines:
            section.groups.append(
                Group(f"task {task}", f"task {task}", lines, max(len(fresh) - cap, 0))
            )
    old_orgs = set(previous.get("organisations", []))
    for org in sorted(org_models):
        if org not in old_orgs or not org_models[org]:
            continue
        found = org_models[org]
        lines = [
            Line(
                "new_model",
                f"new model: {m['repo_id']}"
                + (
                    f" ({m['task']}, {m['downloads']:,} downloads)"
                    if m["task"]
                    else f" ({m['downloads']:,} downloads)"
                ),
                m,
            )
            for m in found[:cap]
        ]
        section.groups.append(
            Group(f"organisation {org}", f"organisation {org}", lines, max(len(found) - cap, 0))
        )
    return section


# --- the whole digest --------------------------------------------------------------------------


def _starred(conn: Connection) -> dict[str, dict[str, Any]]:
    """The starred papers' facts, with their models' verified eval-results scores."""
    starred = q.starred_facts(conn)
    verified = verified_scores(conn, [f["id"] for f in starred.values()])
    for facts in starred.values():
        facts["verified"] = verified.get(facts["id"], {})
    return starred


def build_digest(
    conn: Connection,
    config: Config,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Digest:
    """What changed since the last digest (or since `since`), and the snapshot to store."""
    now = now or datetime.now(UTC)
    last, previous = store.read_digest_state(conn)
    if previous is not None and previous.get("version") != SNAPSHOT_VERSION:
        previous = None
    watches = all_watches(conn, config)
    ids = q.max_ids(conn)
    if since is not None:
        fresh = q.new_papers(conn, since=since, up_to_id=ids["papers"])
    elif previous is not None:
        since = last or now
        fresh = q.new_papers(conn, after_id=previous["max_ids"]["papers"], up_to_id=ids["papers"])
    else:
        since = now - timedelta(days=config.watch.first_digest_days)
        fresh = q.new_papers(conn, since=since, up_to_id=ids["papers"])

    threshold = config.watch.model_downloads
    tasks = sorted({w.value for w in watches if w.kind == "task"})
    datasets = sorted({w.value.lower() for w in watches if w.kind == "dataset"})
    orgs = sorted({w.value.lower() for w in watches if w.kind == "organisation"})
    starred = _starred(conn)
    tops = board_tops(conn, datasets)
    boards = _boards(q.board_results(conn, tasks, datasets))
    popular = q.popular_models(conn, tasks, threshold)
    after_model = previous["max_ids"]["models"] if previous else ids["models"]
    org_models = q.organisation_models(conn, orgs, after_model)

    leaderboards = boards_section(boards, previous)
    leaderboards.groups += benchmark_groups(tops, previous)
    sections = [
        papers_section(conn, config, watches, fresh, now),
        starred_section(conn, starred, previous, threshold),
        leaderboards,
        models_section(popular, org_models, previous, threshold, config.watch.papers_per_watch),
    ]
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "max_ids": ids,
        "papers": {aid: _paper_snapshot(f, threshold) for aid, f in starred.items()},
        "tasks": tasks,
        "datasets": datasets,
        "organisations": orgs,
        "boards": {
            key: {"best": b["value"], "model": b["model"]}
            for key, rows in boards.items()
            for b in [_best(rows, lower_is_better(rows[0]["metric"], rows[0]["metric_name"]))]
        },
        "popular": {task: sorted(models) for task, models in popular.items()},
        "benchmarks": {
            bench: {"best": top["best"], "model": top["model"]} for bench, top in tops.items()
        },
    }
    return Digest(since, now, previous is None, len(fresh), sections, snapshot)


def run_digest(
    engine: Engine,
    config: Config,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    mark: bool = True,
) -> Digest:
    """Build the digest; with mark, store its snapshot so the next one starts after it."""
    if not mark:
        with read_connection(engine) as conn:
            return build_digest(conn, config, since=since, now=now)
    with write_transaction(engine) as conn:
        digest = build_digest(conn, config, since=since, now=now)
        store.write_digest_state(conn, digest.until, digest.snapshot)
    return digest
