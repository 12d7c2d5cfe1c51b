"""Watchlists: add, list, remove, from the config and the database; the hot sort."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.follow.conftest import T0, model, paper
from tracker.db.models import Paper
from tracker.follow.hot import hot_score


def test_watch_crud(cli, env):
    env.configure(watch={"authors": ["Vaswani"]})
    assert cli("watch", "list", "--json").json() == [
        {
            "kind": "author",
            "value": "Vaswani",
            "name": None,
            "category": None,
            "author": None,
            "origin": "config",
            "label": "author Vaswani",
        }
    ]
    added = cli(
        "watch", "add", "search", '"long context" -survey', "--name", "long", "--category", "cs.CL"
    )
    assert added.code == 0, added.err
    assert added.err == 'Now following search "long" (cs.CL).\n'
    assert cli("watch", "add", "org", "google").err == "Now following organisation google.\n"
    assert cli("watch", "add", "tasks", "ner", "--json").json()["value"] == "token-classification"
    again = cli("watch", "add", "organisation", "google")
    assert again.err == "Already following organisation google.\n"
    in_config = cli("watch", "add", "author", "Vaswani", "--json").json()
    assert in_config["added"] is False and in_config["origin"] == "config"

    listed = cli("watch", "list", "--json").json()
    assert [(w["kind"], w["value"], w["origin"]) for w in listed] == [
        ("author", "Vaswani", "config"),
        ("search", '"long context" -survey', "database"),
        ("organisation", "google", "database"),
        ("task", "token-classification", "database"),
    ]
    table = cli("watch", "list").out.splitlines()
    assert table[0].split() == ["kind", "watch", "from"]
    assert table[2].split() == ["search", "search", '"long"', "(cs.CL)", "database"]

    assert cli("watch", "remove", "search", "long", "--json").json() == {"removed": 1}
    assert cli("watch", "remove", "org", "google").err == "Removed 1 organisation watch.\n"
    refused = cli("watch", "remove", "author", "Vaswani")
    assert refused.code == 2
    assert refused.err.splitlines() == [
        f"Error: author Vaswani is declared in {env.config_path}.",
        "  Remove it from [watch] authors there.",
    ]
    missing = cli("watch", "remove", "dataset", "squad")
    assert missing.code == 2
    assert missing.err.splitlines()[0] == "Error: no dataset watch 'squad'."
    bad = cli("watch", "add", "venue", "NeurIPS")
    assert bad.code == 2
    assert bad.err.splitlines() == [
        "Error: 'venue' is not a watchlist kind.",
        "  Use one of: search, author, category, task, dataset, organisation.",
    ]
    assert cli("watch", "add", "author", "X", "--category", "cs.CL").code == 2
    assert [w["value"] for w in cli("watch", "list", "--json").json()] == [
        "Vaswani",
        "token-classification",
    ]


def test_hot_score_mixes_attention_and_age():
    now = T0
    fresh = hot_score(0, 0, now, now)
    assert hot_score(0, 0, now - timedelta(days=3), now) < fresh
    assert hot_score(20, 0, now - timedelta(days=3), now) > fresh
    assert hot_score(0, 2000, now, now) == hot_score(20, 0, now, now)


def test_search_sort_hot(cli, engine, syncer):
    syncer.sync(
        T0,
        papers=[
            paper("2601.00001", "Graph models, new", published=T0),
            paper("2601.00002", "Graph models, upvoted", published=T0 - timedelta(days=2)),
            paper("2601.00003", "Graph models, downloaded", published=T0 - timedelta(days=4)),
            paper("2601.00004", "Graph models, old", published=T0 - timedelta(days=30)),
        ],
        models=[model("lab/graph", downloads=900_000, papers=("2601.00003",))],
    )
    with engine.begin() as conn:
        conn.execute(
            update(Paper).where(Paper.arxiv_id == "2601.00002").values(upvotes=40)  # type: ignore[arg-type]
        )
    hits = cli("search", "graph", "--sort", "hot", "--json").json()
    assert [h["arxiv_id"] for h in hits] == ["2601.00003", "2601.00002", "2601.00001", "2601.00004"]
    assert set(hits[0]) == {
        "arxiv_id",
        "title",
        "published",
        "primary_category",
        "authors",
        "score",
        "mode",
    }
    newest = cli("search", "--sort", "hot", "--limit", "2", "--json").json()
    assert [h["arxiv_id"] for h in newest] == ["2601.00003", "2601.00002"]
