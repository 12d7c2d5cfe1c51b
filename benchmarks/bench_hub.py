"""Hub enrichment of a synthetic week: Hub requests per new paper, and seconds to enrich.

A local server answers instantly: arXiv pages for the week's new papers, the Hub's
models listing (1,000 per page, Link rel="next"), the cards of the linked models, an
arXiv id-list page for the famous papers the models cite, and the daily papers feed.
Measured in one run:
  arxiv     `run_sync(sources=("arxiv",))`: the week's papers (the denominator)
  hub       `run_sync(sources=("hub",))`: listing walk, cards, paper fetch, daily papers
  rerun     the same Hub pass again (what a cron re-run costs: one page, no cards)
The anonymous Hub budget is 500 calls per 5 minutes.

Usage: python benchmarks/bench_hub.py [--papers 8000] [--listed 20000] [--linked 400] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import common  # noqa: F401, I001 - puts the repository on sys.path

from tests.hub.synthetic import build_week, serve_arxiv, serve_hub
from tests.support.server import FakeServer


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
    args = parser.parse_args()
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.pop("HF_TOKEN", None)

    from tracker.config import load_config
    from tracker.db.engine import open_database
    from tracker.sources.hub import ANONYMOUS_CALLS
    from tracker.sync import run_sync

    week = build_week(args.papers, args.listed, args.linked)
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
        "arxiv_seconds": round(arxiv_seconds, 2),
        "enrich_seconds": round(hub_seconds, 2),
        "rerun_hub_requests": rerun.hub_requests,
        "rerun_seconds": round(rerun_seconds, 2),
        "errors": hub.errors + rerun.errors,
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
    print(f"re-run: {figures['rerun_hub_requests']} Hub requests in {figures['rerun_seconds']} s")
    if figures["errors"]:
        print("errors:", figures["errors"])


if __name__ == "__main__":
    main()
