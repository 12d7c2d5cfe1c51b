"""A synthetic week for the request budget: thousands of new papers, a few hundred models.

Shaped like a real week, scaled down: most papers get no model; most listed models
cite no paper; a few old, famous papers (missing from the database) are cited by
many fine-tunes, one of them by more than [hub] models_per_paper. Used by the
budget test and by benchmarks/bench_hub.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.hub.conftest import info_body, listing_item, result_entry
from tests.support.feeds import Entry, feed_xml, make_entries
from tests.support.server import FakeServer, Reply

OLD_PAPERS = [
    "1706.03762",
    "1810.04805",
    "1907.11692",
    "1910.01108",
    "1910.10683",
    "2005.14165",
    "2106.09685",
    "2302.13971",
    "2307.09288",
    "2310.06825",
]
POPULAR = OLD_PAPERS[1]  # cited by more fine-tunes than models_per_paper keeps
PAGE = 1000


@dataclass
class Week:
    now: datetime
    papers: list[Entry]
    listed: list[dict[str, Any]]  # newest lastModified first, a few older than the week
    infos: list[dict[str, Any]]  # cards of the models a sync keeps
    old: list[Entry]
    cap: int
    daily: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: list[str] = field(default_factory=list)  # cited by evalResults scores

    @property
    def pages(self) -> int:
        return -(-len(self.listed) // PAGE)


def build_week(
    papers: int = 3000,
    listed: int = 2500,
    linked: int = 300,
    *,
    cap: int = 20,
    seed: int = 1,
    now: datetime | None = None,
    benchmarks: int = 0,
) -> Week:
    rng = random.Random(seed)
    now = now or datetime.now(UTC).replace(microsecond=0)
    week = timedelta(days=7)
    entries = make_entries(
        papers, newest=now - timedelta(minutes=30), step=(week - timedelta(hours=1)) / papers
    )
    new_ids = [e.arxiv_id for e in entries]
    with_models = rng.sample(new_ids, k=max(1, papers // 20))  # ~5% of papers get models
    citations: list[list[str]] = []
    popular = cap + 15
    for i in range(linked):
        if i < popular:
            citations.append([POPULAR])
        elif i < popular + 2 * len(OLD_PAPERS):
            citations.append([OLD_PAPERS[i % len(OLD_PAPERS)]])
        elif rng.random() < 0.1:
            citations.append([rng.choice(with_models), rng.choice(OLD_PAPERS[2:])])
        else:
            citations.append([rng.choice(with_models)])
    linked_at = set(rng.sample(range(listed), k=linked))
    step = (week - timedelta(hours=2)) / listed
    items = []
    cited = iter(citations)
    for position in range(listed):
        modified = now - timedelta(minutes=20) - step * position
        name = f"org{position % 97}/model-{position}"
        if position in linked_at:
            arxiv = next(cited)
            items.append(
                listing_item(name, arxiv=arxiv, modified=modified, downloads=10_000 - position)
            )
        else:
            items.append(
                listing_item(name, modified=modified, task=rng.choice([None, "text-generation"]))
            )
    # The walk stops at the first model older than the week: a few more sit past it.
    for k in range(3):
        items.append(
            listing_item(f"late/m{k}", arxiv=[POPULAR], modified=now - week - timedelta(days=k + 1))
        )
    popular_models = sorted(
        (i for i in items[:listed] if i["tags"] and f"arxiv:{POPULAR}" in i["tags"]),
        key=lambda i: -i["downloads"],
    )
    dropped = {i["id"] for i in popular_models[cap:]}
    infos = []
    for item in items[:listed]:
        if not any(t.startswith("arxiv:") for t in item["tags"]) or item["id"] in dropped:
            continue
        results = None
        if rng.random() < 0.35:
            results = [
                result_entry("glue", "accuracy", round(rng.uniform(60, 95), 2), split="validation"),
                result_entry("glue", "loss", round(rng.uniform(0.1, 1.5), 3), split="validation"),
            ]
        infos.append(info_body(item, results))
    old = [
        Entry(arxiv_id=a, title=f"Famous paper {a}", published=datetime(2019, 1, 1, tzinfo=UTC))
        for a in OLD_PAPERS
    ]
    daily = [
        {
            "paper": {
                "id": a,
                "upvotes": rng.randint(0, 80),
                "githubRepo": f"https://github.com/x/{a}",
            }
        }
        for a in with_models[:40]
    ]
    names = benchmark_names(benchmarks)
    if names:
        add_eval_results(items, infos, names, random.Random(seed + 1))
    return Week(now, entries, items, infos, old, cap, daily, names)


# Benchmarks the synthetic scores cite: the first in tracker's table (no card asked),
# the others unknown to it (their card's task_categories asked once).
KNOWN_BENCHMARKS = ["Idavidrein/gpqa", "cais/hle", "TIGER-Lab/MMLU-Pro", "openai/gsm8k"]


def benchmark_names(count: int) -> list[str]:
    extra = [f"lab{i}/bench-{i}" for i in range(max(count - len(KNOWN_BENCHMARKS), 0))]
    return (KNOWN_BENCHMARKS + extra)[:count]


def add_eval_results(
    items: list[dict[str, Any]],
    infos: list[dict[str, Any]],
    names: list[str],
    rng: random.Random,
) -> None:
    """evalResults on about a third of the linked models, in the listing item (asked in its
    expand) and in the model_info body alike."""
    listed = {item["id"]: item for item in items}
    for body in infos:
        if rng.random() >= 0.35:
            continue
        scores = [
            {
                "filename": f".eval_results/{name.split('/')[1]}.yaml",
                "data": {
                    "dataset": {"id": name, "task_id": "default"},
                    "value": round(rng.uniform(10, 90), 1),
                },
            }
            for name in rng.sample(names, k=min(2, len(names)))
        ]
        body["evalResults"] = scores
        listed[body["id"]]["evalResults"] = scores


def board(week: Week, name: str) -> list[dict[str, Any]]:
    """A benchmark's leaderboard: the synthetic models that score on it, best first."""
    rows = [
        (s["data"]["value"], body["id"], s["filename"])
        for body in week.infos
        for s in body.get("evalResults", [])
        if s["data"]["dataset"]["id"] == name
    ]
    return [
        {
            "rank": rank,
            "modelId": model,
            "value": value,
            "filename": filename,
            "verified": False,
            "author": {"name": model.split("/")[0], "type": "user"},
        }
        for rank, (value, model, filename) in enumerate(sorted(rows, reverse=True), start=1)
    ]


def serve_arxiv(server: FakeServer, week: Week, page_size: int) -> None:
    total = len(week.papers)
    for start in range(0, total, page_size):
        body = feed_xml(week.papers[start : start + page_size], total, start)
        server.add(
            "/api/query",
            Reply(body=body),
            params={"search_query": "cat:cs.CL", "start": str(start)},
        )


def serve_hub(server: FakeServer, week: Week) -> None:
    pages = [week.listed[start : start + PAGE] for start in range(0, len(week.listed), PAGE)]
    for n, page in enumerate(pages):
        headers = {}
        if n + 1 < len(pages):
            headers["Link"] = f'<{server.url}/api/models?cursor=c{n + 1}>; rel="next"'
        params = {"sort": "lastModified", "limit": str(PAGE)} if n == 0 else {"cursor": f"c{n}"}
        server.add("/api/models", Reply.json(page, headers=headers), params=params)
    for body in week.infos:
        server.add(f"/api/models/{body['id']}", Reply.json(body))
    server.add(
        "/api/query",
        Reply(body=feed_xml(week.old, len(week.old))),
        params={"id_list": ",".join(sorted(OLD_PAPERS))},
    )
    server.add("/api/daily_papers", Reply.json(week.daily), repeat=True)
    for name in week.benchmarks:
        server.add(f"/api/datasets/{name}/leaderboard", Reply.json(board(week, name)))
        if name not in KNOWN_BENCHMARKS:
            card = {"id": name, "cardData": {"task_categories": ["question-answering"]}}
            server.add(f"/api/datasets/{name}", Reply.json(card))
