"""`tracker sync` with the Hub: models discovered from the listing, cards, papers, re-runs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from tests.hub.conftest import (
    NOW,
    hf,
    info_body,
    listing_item,
    result_entry,
    serve_daily,
    serve_info,
    serve_listing,
)
from tests.support.feeds import Entry, feed_xml
from tests.support.server import Reply
from tracker.db.engine import write_transaction
from tracker.db.models import Model, Paper, PaperModel, Result, SyncState
from tracker.db.papers import upsert_papers
from tracker.records import PaperRecord
from tracker.sync.hub_walks import DAILY_WEEKS_PER_RUN


def add_papers(engine, arxiv_ids):
    records = [
        PaperRecord(
            arxiv_id=a,
            version=1,
            title=f"Paper {a}",
            abstract="About models.",
            authors=["Ada Lovelace"],
            primary_category="cs.CL",
            categories=["cs.CL"],
            published=NOW - timedelta(days=2),
            updated=NOW - timedelta(days=2),
        )
        for a in arxiv_ids
    ]
    with write_transaction(engine) as conn:
        upsert_papers(conn, records, NOW)


def counts(engine):
    with engine.connect() as conn:
        out = {
            name: conn.execute(select(func.count()).select_from(table.__table__)).scalar()
            for name, table in (
                ("models", Model),
                ("links", PaperModel),
                ("results", Result),
                ("papers", Paper),
            )
        }
        state = conn.execute(
            select(SyncState.__table__).where(SyncState.__table__.c.source_key == "hub:models")
        ).first()
    return out, state


def weeks_of(*days):
    """The daily-papers weeks asked for papers of these arXiv dates (each shows in the
    feed within two weeks of its date; weeks after today are not asked)."""
    shown = [day + timedelta(days=d) for day in days for d in (0, 7, 14)]
    return len({d.isocalendar()[:2] for d in shown if d.date() <= NOW.date()})


def serve_week(server):
    """Two listing pages: models citing papers we have, one we lack, one citing none."""
    attn = listing_item("org/attn", arxiv=["1706.03762"], downloads=500, datasets=["wmt14"])
    noise = listing_item("org/noise")
    bert = listing_item(
        "org/bert-ft",
        arxiv=["1810.04805", "2401.00001"],
        downloads=50,
        modified=NOW - timedelta(hours=3),
    )
    gone = listing_item("org/gone", arxiv=["1810.04805"], modified=NOW - timedelta(days=2))
    old = listing_item("org/too-old", arxiv=["1706.03762"], modified=NOW - timedelta(days=30))
    serve_listing(server, [[attn, noise, bert], [gone, old]])
    serve_info(
        server,
        info_body(
            attn,
            [
                result_entry("wmt14", "bleu", 28.4, task="translation"),
                result_entry("wmt14", "loss", 1.9, task="translation"),
            ],
        ),
    )
    serve_info(server, info_body(bert, [result_entry("glue", "accuracy", 84.6)]))
    server.add("/api/models/org/gone", Reply.json({"error": "x"}, status=404))
    entry = Entry(arxiv_id="2401.00001", title="A paper the models named", published=NOW)
    server.add("/api/query", Reply(body=feed_xml([entry], 1)), params={"id_list": "2401.00001"})
    serve_daily(
        server,
        [
            {
                "paper": {
                    "id": "1706.03762",
                    "upvotes": 42,
                    "githubRepo": "https://github.com/org/attn",
                }
            }
        ],
    )


def test_hub_sync_links_models_results_and_papers(env, server, cli, db_engine):
    add_papers(db_engine, ["1706.03762", "1810.04805"])
    serve_week(server)
    result = cli("sync", "--source", "hub", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert (report["models"], report["results"], report["errors"]) == (3, 3, [])
    # The two papers we had and the one fetched (dated NOW) were stored since the
    # last daily pass (none): the feed is asked for their weeks only.
    assert report["hub_requests"] == 2 + 3 + weeks_of(NOW - timedelta(days=2), NOW)
    assert report["requests"] == 1  # one arXiv id-list request for the paper we lacked
    assert report["sources"]["hub:models"]["papers_fetched"] == 1
    assert report["sources"]["hub:models"]["cards_missing"] == 1

    paper = cli("show", "1706.03762", "--json").json()
    assert [m["repo_id"] for m in paper["models"]] == ["org/attn"]
    assert paper["upvotes"] == 42
    assert "https://github.com/org/attn" in paper["code_links"]
    assert paper["tasks"] == ["text-classification", "translation"]
    assert paper["datasets"] == ["wmt14"]
    assert {(r["metric"], r["value"]) for r in paper["results"]} == {("bleu", 28.4), ("loss", 1.9)}

    named = cli("show", "2401.00001", "--json").json()
    assert named["title"] == "A paper the models named"
    assert [m["repo_id"] for m in named["models"]] == ["org/bert-ft"]

    _, state = counts(db_engine)
    assert state.watermark.replace(tzinfo=None) == NOW.replace(tzinfo=None)


def test_resync_changes_nothing(env, server, cli, db_engine):
    add_papers(db_engine, ["1706.03762", "1810.04805"])
    serve_week(server)
    assert cli("sync", "--source", "hub", "-q").code == 0
    before, _ = counts(db_engine)
    # The second run reads the overlap hour again: the same page, and no card (fetched today).
    serve_listing(server, [[listing_item("org/attn", arxiv=["1706.03762"], downloads=900)]])
    again = cli("sync", "--source", "hub", "--json")
    assert again.code == 0, again.err
    report = again.json()
    assert (report["models"], report["results"]) == (0, 0)
    after, _ = counts(db_engine)
    assert after == before
    assert report["hub_requests"] == 1  # one listing page; no paper stored since: no daily week
    models = cli("models", "--json").json()
    assert models[0]["repo_id"] == "org/attn" and models[0]["downloads"] == 900


def test_changed_model_is_reread_only_after_refresh_days(env, server, cli, db_engine):
    add_papers(db_engine, ["1706.03762"])
    env.configure(hub={"refresh_days": 0})
    item = listing_item("org/attn", arxiv=["1706.03762"], sha="one")
    serve_listing(server, [[item]])
    serve_info(server, info_body(item, [result_entry("wmt14", "bleu", 20.0, task="translation")]))
    serve_daily(server)
    assert cli("sync", "--source", "hub", "-q").code == 0
    changed = listing_item(
        "org/attn", arxiv=["1706.03762"], sha="two", modified=NOW + timedelta(hours=2)
    )
    serve_listing(server, [[changed]])
    serve_info(
        server, info_body(changed, [result_entry("wmt14", "bleu", 30.0, task="translation")])
    )
    assert cli("sync", "--source", "hub", "-q").code == 0
    board = cli("leaderboard", "translation", "--json").json()
    assert [(r["model"], r["value"]) for r in board] == [("org/attn", 30.0)]
    # With the default refresh_days (7) a new sha read a day later is not read again.
    env.configure(hub={"refresh_days": 7})
    newer = listing_item(
        "org/attn", arxiv=["1706.03762"], sha="three", modified=NOW + timedelta(hours=3)
    )
    serve_listing(server, [[newer]])
    result = cli("sync", "--source", "hub", "--json")
    assert result.json()["hub_requests"] == 1  # the listing; no paper stored, no daily week


def test_listing_failure_keeps_the_watermark_and_reports(env, server, cli, no_sleep, db_engine):
    server.add("/api/models", Reply(status=503, body=b"busy"), repeat=True)
    result = cli("sync", "--source", "hub", "--json")
    assert result.code == 1
    report = result.json()
    assert report["errors"] == [
        "hub: the Hub did not answer for the models listing after 6 tries: HTTP 503"
    ]
    _, state = counts(db_engine)
    assert state.watermark is None and state.last_error.startswith("the Hub did not answer")


def test_missing_paper_becomes_a_stub_when_arxiv_fails(env, server, cli):
    env.configure(arxiv={"max_retries": 0})
    item = listing_item("org/m", arxiv=["2401.00002"])
    serve_listing(server, [[item]])
    serve_info(server, info_body(item))
    server.add("/api/query", Reply(status=503), params={"id_list": "2401.00002"})
    result = cli("sync", "--source", "hub", "--json")
    assert result.code == 0, result.err
    assert result.json()["sources"]["hub:models"]["stubs"] == 1
    # The link is kept, but a stub is not a paper: --paper refuses it (tracker.db.paper_rule).
    models = cli("models", "--json").json()
    assert [(m["repo_id"], m["papers"]) for m in models] == [("org/m", ["2401.00002"])]
    refused = cli("models", "--paper", "2401.00002", "--json")
    assert refused.code == 2
    assert "paper 2401.00002 is not in the database" in refused.err
    assert "--refresh" in refused.err


def test_models_per_paper_caps_the_links(env, server, cli, db_engine):
    add_papers(db_engine, ["1810.04805"])
    env.configure(hub={"models_per_paper": 2})
    items = [listing_item(f"org/ft{i}", arxiv=["1810.04805"], downloads=i) for i in range(5)]
    serve_listing(server, [items])
    for item in items[3:]:
        serve_info(server, info_body(item))
    serve_daily(server)
    assert cli("sync", "--source", "hub", "-q").code == 0
    models = cli("models", "--paper", "1810.04805", "--json").json()
    assert [m["repo_id"] for m in models] == ["org/ft4", "org/ft3"]


def test_models_paper_refresh_looks_one_paper_up(env, server, cli, db_engine):
    add_papers(db_engine, ["1908.10084"])
    item = listing_item(
        "sentence-transformers/all-MiniLM-L6-v2", arxiv=["1908.10084"], task="sentence-similarity"
    )
    server.add(
        "/api/models",
        Reply.json([item]),
        params={"filter": "arxiv:1908.10084", "sort": "downloads", "limit": "20"},
    )
    serve_info(server, info_body(item))
    # No Hub page for the paper: its models are those whose tags cite it.
    server.add("/api/papers/1908.10084", Reply.json({"error": "Not found"}, status=404))
    result = cli("models", "--paper", "1908.10084v2", "--refresh", "--json")
    assert result.code == 0, result.err
    assert [m["repo_id"] for m in result.json()] == ["sentence-transformers/all-MiniLM-L6-v2"]
    assert "hub: 1 models for 1908.10084 (1 new, 1 cards read, 3 Hub requests)" in result.err


def test_refresh_needs_a_paper(cli):
    result = cli("models", "--refresh")
    assert result.code == 2
    assert result.err.startswith("Error: --refresh needs --paper ID.")


def test_unknown_paper_suggests_refresh(cli):
    result = cli("models", "--paper", "2401.99999")
    assert result.code == 2
    assert result.err == (
        "Error: paper 2401.99999 is not in the database.\n"
        "  Run `tracker models --paper 2401.99999 --refresh` to look it up on the Hub.\n"
    )


def test_summary_line_counts_hub_requests(env, server, cli):
    serve_listing(server, [[listing_item("org/plain")]])
    result = cli("sync", "--source", "hub")
    assert result.code == 0, result.err
    assert result.err.startswith("sync: 0 new, 0 updated, 0 models, 0 results, 0 requests in ")
    # One listing page; no paper was stored, so no daily-papers week is asked.
    assert result.err.rstrip().endswith(", 1 Hub requests")


def test_a_55_year_window_costs_the_hub_a_few_requests_and_no_wait(env, server, cli, shared):
    # Recorded real answers: an arXiv search page (9 of its papers stored, 4 of them
    # from 2023 on), the Hub's trending listing (one model cites a paper arXiv does
    # not know), the daily papers of a week. Before the bound, this window asked the
    # feed for every ISO week back to 1972 and waited at the 500-calls window.
    env.configure(arxiv={"lookback_days": 20_000, "page_size": 10})
    server.add(
        "/api/query",
        Reply.file(shared / "arxiv" / "search_all-testing_start0_max10_2026.xml"),
        params={"search_query": "cat:cs.CL", "start": "0"},
    )
    listing = json.loads(hf(shared, "models_list_trending_3items_2026-04.json").read_text())
    server.add("/api/models", Reply.json(listing), params={"sort": "lastModified"})
    kimi = next(item for item in listing if item["id"] == "moonshotai/Kimi-K2.6")
    serve_info(server, info_body(kimi))
    server.add(
        "/api/query",
        Reply.file(shared / "arxiv" / "idlist_0000.0000_empty_2026.xml"),
        params={"id_list": "2602.02276"},
        repeat=True,  # a listed model naming a stub has arXiv asked again
    )
    server.add(
        "/api/daily_papers",
        Reply.json_file(hf(shared, "daily_papers_2026-06-12_30items.json")),
        repeat=True,
    )
    result = cli("sync", "--max", "9", "--json")
    assert result.code == 0, result.err
    report = result.json()
    stats = report["sources"]["hub:models"]
    assert report["new"] == 9
    assert report["hub_requests"] <= 15
    assert stats["waited_seconds"] == 0
    asked = [parse_qs(urlsplit(p).query)["week"][0] for p in server.requests if "daily" in p]
    dated = [datetime(2024, 5, 22), datetime(2023, 2, 7), datetime(2025, 3, 7)]
    dated.append(datetime(2025, 2, 11))
    wanted = sorted(
        {
            "{}-W{:02d}".format(*(d + timedelta(days=k)).isocalendar()[:2])
            for d in dated
            for k in (0, 7, 14)
        },
        reverse=True,
    )
    assert asked == wanted[:DAILY_WEEKS_PER_RUN]  # newest first, only the papers' weeks
    assert stats["daily_weeks_left"] == len(wanted) - DAILY_WEEKS_PER_RUN
    assert report["hub_requests"] == 1 + 1 + DAILY_WEEKS_PER_RUN  # listing, card, weeks

    # The next run asks for the weeks left, and for nothing more.
    server.add("/api/models", Reply.json(listing), params={"sort": "lastModified"})
    again = cli("sync", "--source", "hub", "--json")
    assert again.code == 0, again.err
    asked = [parse_qs(urlsplit(p).query)["week"][0] for p in server.requests if "daily" in p]
    assert asked[DAILY_WEEKS_PER_RUN:] == wanted[DAILY_WEEKS_PER_RUN:]
    assert again.json()["sources"]["hub:models"]["daily_weeks_left"] == 0
    assert again.json()["hub_requests"] == 1 + len(wanted) - DAILY_WEEKS_PER_RUN


def test_a_long_listing_walk_resumes_where_the_last_run_stopped(env, server, cli, monkeypatch):
    monkeypatch.setattr("tracker.sync.hub_pass.LISTING_PAGES_PER_RUN", 2)
    env.configure(arxiv={"lookback_days": 3650})
    items = [listing_item(f"org/m{k}", modified=NOW - timedelta(hours=k)) for k in range(8)]
    serve_listing(server, [items[0:2], items[2:4], items[4:6], items[6:8]])
    first = cli("sync", "--source", "hub", "--json")
    assert first.code == 0, first.err
    stats = first.json()["sources"]["hub:models"]
    assert (stats["listed"], first.json()["hub_requests"]) == (4, 2)
    assert len(stats["listing_left"]) == 1  # the walk down to the window's start

    # The next run (a budget of 3 pages) walks the new models at the top, then the
    # two pages left.
    monkeypatch.setattr("tracker.sync.hub_pass.LISTING_PAGES_PER_RUN", 3)
    top = [
        listing_item("org/new", modified=NOW + timedelta(hours=1)),
        listing_item("org/m5-again", modified=NOW - timedelta(hours=5)),
    ]
    server.add("/api/models", Reply.json(top), params={"sort": "lastModified", "limit": "1000"})
    second = cli("sync", "--source", "hub", "--json")
    assert second.code == 0, second.err
    stats = second.json()["sources"]["hub:models"]
    assert (stats["listed"], second.json()["hub_requests"]) == (1 + 4, 1 + 2)
    assert stats["listing_left"] == []
    cursors = [p.split("cursor=")[1] for p in server.requests if "cursor=" in p]
    assert cursors == ["c1", "c2", "c3"]  # every page once: none skipped, none read twice
