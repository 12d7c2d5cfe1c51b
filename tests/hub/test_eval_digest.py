"""The digest sees eval results: a new best on a watched benchmark, its Hub board's new
leader, a starred paper's model gaining a verified score; 'with tools' kept apart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.hub.test_eval_results import REPO, sync_the_model
from tracker.db.benchmarks import save_board
from tracker.db.engine import write_transaction
from tracker.db.eval_results import replace_eval_results
from tracker.db.hub import model_ids, upsert_models
from tracker.db.queries import paper_id_for
from tracker.db.userdata import set_starred
from tracker.follow.digest import run_digest
from tracker.follow.render import render_text
from tracker.records import BenchmarkEntryRecord, ModelRecord
from tracker.sources.hub_evals import read_eval_results
from tracker.sync.state import utcnow

GPQA = "Idavidrein/gpqa"


def score(dataset: str, task: str, value: float, *, verified: bool, notes: str = "") -> dict:
    data = {"dataset": {"id": dataset, "task_id": task}, "value": value}
    if verified:
        data["verifyToken"] = "signed"
    if notes:
        data["notes"] = notes
    return {"filename": f".eval_results/{task}.yaml", "data": data}


@pytest.mark.backends
def test_the_digest_reports_eval_results_news(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    env.configure(watch={"datasets": [GPQA]})
    with write_transaction(db_engine) as conn:
        set_starred(conn, paper_id_for(conn, "2511.00001"), True)
    config = env.config()
    now = utcnow()
    run_digest(db_engine, config, now=now)  # the first digest: today's facts, silently

    # Later: a new model beats everyone on GPQA diamond (and scores with tools too), the
    # Hub board has a new leader, and the starred paper's model gets a verified HLE score.
    with write_transaction(db_engine) as conn:
        upsert_models(conn, [ModelRecord("new/champion", pipeline_tag="text-generation")], now)
        ids = model_ids(conn, ["new/champion", REPO])
        champion = read_eval_results(
            [
                score(GPQA, "gpqa_diamond", 0.71, verified=True),
                score(GPQA, "gpqa_diamond", 0.80, verified=False, notes="with tools"),
            ],
            "new/champion",
        ).results
        replace_eval_results(conn, {ids["new/champion"]: ("new/champion", None, champion)})
        ours = read_eval_results(
            [
                score(GPQA, "gpqa_diamond", 0.412, verified=True),
                score("cais/hle", "default", 9.8, verified=True),
            ],
            REPO,
        ).results
        replace_eval_results(conn, {ids[REPO]: (REPO, None, ours)})
        board = [
            BenchmarkEntryRecord(1, "new/champion", 0.71, verified=True),
            BenchmarkEntryRecord(2, "bigorg/frontier-70b", 0.612, verified=True),
        ]
        save_board(conn, GPQA, "question-answering", board, now)
    text = render_text(run_digest(db_engine, config, now=now + timedelta(hours=1)))

    assert "verified score: acme/reasoner-7b cais/hle/default 9.8" in text
    assert "question-answering · Idavidrein/gpqa/gpqa_diamond · score\n" in text
    assert "    - new best: 0.71 by new/champion (was 0.412 by acme/reasoner-7b)" in text
    # The with-tools score is on a board of its own, compared only with tools scores.
    tools = text.index("question-answering · Idavidrein/gpqa/gpqa_diamond · score (with tools)")
    assert text.index("new best: 0.8 by new/champion (was 0.55 by acme/reasoner-7b)") > tools
    assert "benchmark Idavidrein/gpqa (Hub leaderboard)" in text
    assert (
        "new best on Idavidrein/gpqa: 0.71 by new/champion (was 0.612 by bigorg/frontier-70b)"
        in text
    )
    # Nothing changed since: nothing reported.
    again = render_text(run_digest(db_engine, config, now=now + timedelta(hours=2)))
    assert again.startswith("Nothing new since")
