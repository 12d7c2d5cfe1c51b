"""Hub enrichment of a synthetic week: Hub requests per new paper, and seconds to enrich.

A local server answers instantly: arXiv pages for the week's new papers, the Hub's
models listing (1,000 per page, Link rel="next"), the cards of the linked models, an
arXiv id-list page for the famous papers the models cite, and the daily papers feed.
Measured in one run:
  arxiv     `run_sync(sources=("arxiv",))`: the week's papers (the denominator)
  hub       `run_sync(sources=("hub",))`: listing walk, cards, paper fetch, daily papers
  rerun     the same Hub pass again (what a cron re-run costs: one page, no cards)
The anonymous Hub budget is 500 calls per 5 minutes.

--benchmarks N gives about a third of the linked models eval-results scores citing N
benchmark datasets (half of them unknown to tracker's table, so their card is asked
once): the Hub pass then also fetches those benchmarks' leaderboards. Run it with
--benchmarks 0 and, say, 12 for the figures without and with benchmark boards.

--backfill-years N stretches the same shape over N years (a first window that reaches
back years: --papers 100000 --listed 150000 --linked 3000 --backfill-years 3): the Hub
pass is bounded per run and leaves cursors; the figures are the first run's, and
then each follow-up run's until nothing is left.

Usage: python benchmarks/bench_hub.py [--papers 8000] [--listed 20000] [--linked 400] [--json]
       [--backfill-years N] [--benchmarks N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import common  # noqa: F401, I001 - puts the repository on sys.path

from tests.hub.conftest import stamp
from tests.hub.synthetic import Week, build_week, serve_arxiv, serve_hub
from tests.support.server import FakeServer, Reply


def write_config(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    lines = []
    for name, values in sections.items():
        lines += [f"[{name}]", *(f"{k} = {json.dumps(v)}" for k, v in values.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=8000)
    parser.add_argument("--listed", type=int, default=20_000)
    parser.add_argument("--linked", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument(
        "--backfill-years", type=float, default=0, help="Spread the week over this many years."
    )
    parser.add_argument(
        "--benchmarks", type=int, default=0, help="Benchmarks the models' eval results cite."
    )
    args = parser.parse_args()
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.pop("HF_TOKEN", None)

    from tracker.config import load_config
    from tracker.db.engine import open_database
    from tracker.sources.hub import ANONYMOUS_CALLS
    from tracker.sync import run_sync

    week = build_week(args.papers, args.listed, args.linked, benchmarks=args.benchmarks)
    lookback_days = 7
    if args.backfill_years:
        lookback_days = int(args.backfill_years * 365) + 1
        stretch(week, args.backfill_years * 365 / 7)
    server = FakeServer().start()
    serve_arxiv(server, week, 2000)
    serve_hub(server, week)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HF_HOME"] = str(Path(tmp) / "hf-home")  # no stored login: anonymous
        config_path = write_config(
            Path(tmp) / "config.toml",
            {
                "database": {"url": f"sqlite:///{tmp}/bench.db"},
                "arxiv": {
                    "api_url": server.url + "/api/query",
                    "categories": ["cs.CL"],
                    "delay_seconds": 0,
                    "page_size": 2000,
                    "lookback_days": lookback_days,
                },
                "hub": {"endpoint": server.url, "concurrency": args.concurrency},
            },
        )
        config = load_config(config_path)
        engine = open_database(config.database_url)
        started = time.perf_counter()
        arxiv = run_sync(engine, config, sources=("arxiv",))
        arxiv_seconds = time.perf_counter() - started
        started = time.perf_counter()
        hub = run_sync(engine, config, sources=("hub",))
        hub_seconds = time.perf_counter() - started
        followups = []
        if args.backfill_years:
            # The top page again for each follow-up run's walk of what is new.
            top = week.listed[:1000]
            server.add("/api/models", Reply.json(top), params={"limit": "1000"}, repeat=True)
            followups = drain(engine, config, run_sync)
        serve_hub(server, week)  # the same answers again, for the re-run
        started = time.perf_counter()
        rerun = run_sync(engine, config, sources=("hub",))
        rerun_seconds = time.perf_counter() - started
        engine.dispose()
    server.stop()
    stats = hub.sources.get("hub:models", {})
    figures = {
        "new_papers": arxiv.new,
        "models_listed": len(week.listed),
        "models_linked": len(week.infos),
        "listing_pages": week.pages,
        "hub_requests": hub.hub_requests,
        "hub_requests_per_new_paper": round(hub.hub_requests / max(arxiv.new, 1), 4),
        "arxiv_requests_for_cited_papers": hub.requests,
        "anonymous_budget": ANONYMOUS_CALLS,
        "budget_used": round(hub.hub_requests / ANONYMOUS_CALLS, 3),
        "rate_wait_seconds": stats.get("waited_seconds"),
        "results_stored": hub.results,
        "benchmarks_cited": len(week.benchmarks),
        "benchmark_boards_fetched": stats.get("benchmarks_fetched", 0),
        "benchmark_entries": stats.get("benchmark_entries", 0),
        "arxiv_seconds": round(arxiv_seconds, 2),
        "enrich_seconds": round(hub_seconds, 2),
        "rerun_hub_requests": rerun.hub_requests,
        "rerun_seconds": round(rerun_seconds, 2),
        "errors": hub.errors + rerun.errors,
        "left_after_first_run": left(hub),
        "followup_runs": followups,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{figures['new_papers']} new papers; {figures['models_listed']} models listed in "
        f"{figures['listing_pages']} pages, {figures['models_linked']} linked to papers"
    )
    print(
        f"hub pass: {figures['hub_requests']} Hub requests = "
        f"{figures['hub_requests_per_new_paper']} per new paper "
        f"({figures['budget_used']:.0%} of the anonymous 500 / 5 min), "
        f"+{figures['arxiv_requests_for_cited_papers']} arXiv id-list request(s); "
        f"enriched in {figures['enrich_seconds']} s (arXiv pass {figures['arxiv_seconds']} s)"
    )
    if args.benchmarks:
        print(
            f"benchmark boards: {figures['benchmark_boards_fetched']} fetched "
            f"({figures['benchmark_entries']} entries) for {figures['benchmarks_cited']} cited"
        )
    if args.backfill_years:
        print(f"left after the first run: {figures['left_after_first_run']}")
        for n, run in enumerate(followups, 2):
            print(f"run {n}: {run}")
    print(f"re-run: {figures['rerun_hub_requests']} Hub requests in {figures['rerun_seconds']} s")
    if figures["errors"]:
        print("errors:", figures["errors"])


def stretch(week: Week, factor: float) -> None:
    """Spread the synthetic week's papers and listed models over factor times its span."""
    now = week.now
    for entry in week.papers:
        entry.published = now - (now - entry.published) * factor
        if entry.updated is not None:
            entry.updated = now - (now - entry.updated) * factor
    for item in week.listed:
        modified = datetime.fromisoformat(item["lastModified"].replace("Z", "+00:00"))
        item["lastModified"] = stamp(now - (now - modified) * factor)


def left(report: Any) -> dict[str, Any]:
    stats = report.sources.get("hub:models", {})
    return {
        "listing_left": stats.get("listing_left"),
        "cards_left": stats.get("cards_left"),
        "daily_weeks_left": stats.get("daily_weeks_left"),
    }


def drain(engine: Any, config: Any, run_sync: Any, runs: int = 30) -> list[dict[str, Any]]:
    """Hub runs until nothing is left: each one's requests, wait and what it left."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        report = run_sync(engine, config, sources=("hub",))
        stats = report.sources.get("hub:models", {})
        out.append(
            {
                "hub_requests": report.hub_requests,
                "waited_seconds": stats.get("waited_seconds", 0),
                "seconds": round(time.perf_counter() - started, 2),
                "errors": report.errors,
                **left(report),
            }
        )
        if not any(left(report).values()):
            break
    return out


if __name__ == "__main__":
    main()
