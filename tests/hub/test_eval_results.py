"""Scores from the Hub's .eval_results files (evalResults), beside the card's model-index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.hub.conftest import serve_daily, serve_info, serve_listing
from tests.hub.test_hub_sync import add_papers
from tests.support.server import Reply
from tracker.db.models import Result
from tracker.sources.hub import LIST_EXPAND, HubSource

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hub_eval"
REPO = "acme/reasoner-7b"


def info() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / "model_info_evals.json").read_text())
    return body


def listed(body: dict[str, Any]) -> dict[str, Any]:
    """The listing item of the same model: no card, but evalResults (asked in expand)."""
    return {k: v for k, v in body.items() if k not in ("cardData", "model-index")}


def test_model_info_reads_eval_results_with_their_provenance(env, server):
    serve_info(server, info())
    record = HubSource(env.config().hub).model_info(REPO)
    assert record is not None
    assert record.evals_read
    assert record.eval_errors == 1  # the invalid file is counted, not read
    by_file = {(r.dataset_id, r.variant): r for r in record.eval_results}
    assert set(by_file) == {
        ("Idavidrein/gpqa", ""),
        ("Idavidrein/gpqa", "with tools"),
        ("cais/hle", ""),
    }
    gpqa = by_file[("Idavidrein/gpqa", "")]
    assert (gpqa.value, gpqa.verified, gpqa.dataset_config) == (0.412, True, "gpqa_diamond")
    assert gpqa.dataset_revision == "5503434ddd753f426f4b38109466949a1217c2bb"
    assert (gpqa.source_name, gpqa.result_date) == ("Eval Logs", "2026-11-20T09:30:00Z")
    tools = by_file[("Idavidrein/gpqa", "with tools")]
    assert (tools.notes, tools.verified) == ("With tools", False)
    hle = by_file[("cais/hle", "")]
    assert (hle.task_id, hle.source_url) == (
        "question-answering",
        "https://github.com/acme/reasoner",
    )
    # The model-index is read as before.
    assert [(r.source, r.value) for r in record.results] == [("model-index", 41.2)]


def test_the_listing_asks_for_eval_results():
    assert "evalResults" in LIST_EXPAND


def serve_boards(server) -> None:
    """The leaderboards of the two benchmarks the model's scores cite (HLE has none)."""
    board = json.loads((FIXTURES / "leaderboard_gpqa.json").read_text())
    server.add("/api/datasets/Idavidrein/gpqa/leaderboard", Reply.json(board))
    server.add("/api/datasets/cais/hle/leaderboard", Reply.json({"error": "none"}, status=404))


def sync_the_model(env, server, cli, db_engine) -> dict[str, Any]:
    add_papers(db_engine, ["2511.00001"])
    serve_listing(server, [[listed(info())]])
    serve_info(server, info())
    serve_daily(server)
    serve_boards(server)
    result = cli("sync", "--source", "hub", "--json")
    assert result.code == 0, result.err
    report: dict[str, Any] = result.json()
    return report


@pytest.mark.backends
def test_one_result_two_sources_and_a_variant_apart(env, server, cli, db_engine):
    report = sync_the_model(env, server, cli, db_engine)
    # The invalid file, read in the listing item and again in the card: counted once.
    assert report["sources"]["hub:models"]["eval_errors"] == 1
    with db_engine.connect() as conn:
        rows = conn.execute(select(Result.__table__).where(Result.__table__.c.model_name == REPO))
        stored = sorted((r.source, r.dataset_id, r.variant) for r in rows)
    # Three scores and the model-index row; the invalid file is not stored.
    assert stored == [
        ("eval-results", "Idavidrein/gpqa", ""),
        ("eval-results", "Idavidrein/gpqa", "with tools"),
        ("eval-results", "cais/hle", ""),
        ("model-index", "Idavidrein/gpqa", ""),
    ]
    # The card's 41.2 is the file's 0.412: one result, on the benchmark's board, both sources.
    assert cli("leaderboard", "text-generation", "--json").json() == []  # its only row moved
    board = cli(
        "leaderboard", "question-answering", "--dataset", "Idavidrein/gpqa", "--json"
    ).json()
    default = [r for r in board if not r["variant"]]
    assert len(default) == 1
    assert default[0]["sources"] == ["eval-results", "model-index"]
    assert (default[0]["value"], default[0]["config"]) == (0.412, "gpqa_diamond")
    assert default[0]["provenance"]["status"] == "verified"
    assert default[0]["provenance"]["dataset_revision"].startswith("5503434")
    tools = [r for r in board if r["variant"] == "with tools"]
    assert [(t["value"], t["rank"], t["sources"]) for t in tools] == [(0.55, 1, ["eval-results"])]
    assert tools[0]["provenance"]["notes"] == "With tools"


def test_a_community_score_shows_its_source(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    board = cli("leaderboard", "question-answering", "--dataset", "cais/hle", "--json").json()
    assert [(r["model"], r["value"]) for r in board] == [(REPO, 9.8)]
    assert board[0]["provenance"]["status"] == "community"
    assert board[0]["provenance"]["source_name"] == "Community run"
    model = cli("models", "--paper", "2511.00001", "--json").json()
    assert [m["repo_id"] for m in model] == [REPO]
    from tracker.db.model_queries import model_detail

    with db_engine.connect() as conn:
        results = model_detail(conn, REPO)["results"]
    # The model page lists each result once: the card's GPQA row is the file's score.
    assert sorted((r["dataset"], r["variant"] or "", tuple(r["sources"])) for r in results) == [
        ("Idavidrein/gpqa", "", ("eval-results", "model-index")),
        ("Idavidrein/gpqa", "with tools", ("eval-results",)),
        ("cais/hle", "", ("eval-results",)),
    ]


def test_scores_gone_from_the_hub_are_dropped_on_the_next_read(env, server, cli, db_engine):
    from tracker.db.engine import write_transaction
    from tracker.db.eval_results import replace_eval_results
    from tracker.db.hub import model_ids

    sync_the_model(env, server, cli, db_engine)
    with write_transaction(db_engine) as conn:
        mid = model_ids(conn, [REPO])[REPO]
        replace_eval_results(conn, {mid: (REPO, None, [])})
        left = conn.execute(
            select(Result.__table__.c.source).where(Result.__table__.c.model_id == mid)
        ).all()
    assert [s for (s,) in left] == ["model-index"]


def test_the_leaderboard_text_shows_badges_and_notes(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    out = cli("leaderboard", "question-answering", "--dataset", "Idavidrein/gpqa").out
    default, tools = out.split("score (with tools)")
    assert "✓" in default and "eval-results+model-index" in default
    assert "community" in tools and "With tools" in tools
