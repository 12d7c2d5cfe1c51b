"""Benchmark leaderboards from the Hub: fetched in the sync, shown by `leaderboard --benchmark`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.hub.test_eval_results import FIXTURES, REPO, serve_boards, sync_the_model
from tests.support.server import Reply
from tracker.db.engine import read_connection
from tracker.db.models import SyncState
from tracker.sources.hub import HubSource
from tracker.sync.hub_benchmarks import benchmarks_pass

GPQA = "Idavidrein/gpqa"


@pytest.mark.backends
def test_the_sync_fetches_the_boards_of_cited_benchmarks(env, server, cli, db_engine):
    report = sync_the_model(env, server, cli, db_engine)
    stats = report["sources"]["hub:models"]
    assert (stats["benchmarks_fetched"], stats["benchmark_entries"]) == (2, 4)
    board = cli("leaderboard", "--benchmark", GPQA, "--json").json()
    assert board["task"] == "question-answering"
    default = [e for e in board["entries"] if not e["variant"]]
    assert [(e["rank"], e["model"], e["status"]) for e in default] == [
        (1, "bigorg/frontier-70b", "verified"),
        (2, REPO, "verified"),
        (3, "someone/small-3b", "community"),
    ]
    # Entries link to models we have; the others are not fetched for the board.
    assert [e["model_in_tracker"] for e in default] == [False, True, False]
    community = default[2]
    assert (community["pull_request"], community["notes"]) == ("7", "0-shot, chain-of-thought")
    tools = [e for e in board["entries"] if e["variant"]]
    assert [(e["variant"], e["value"]) for e in tools] == [("with tools", 0.55)]


def test_the_board_as_text_and_under_its_task(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    out = cli("leaderboard", "--benchmark", "idavidrein/GPQA").out
    assert "Idavidrein/gpqa · task question-answering · base models" in out
    assert "community (PR #7)" in out and "0-shot, chain-of-thought" in out
    listed = cli("leaderboard", "question-answering").out
    assert "Hub benchmark boards for question-answering: Idavidrein/gpqa (4)" in listed


@pytest.mark.backends
def test_all_models_board_is_fetched_apart(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    everything = json.loads((FIXTURES / "leaderboard_gpqa_all.json").read_text())
    server.add(
        f"/api/datasets/{GPQA}/leaderboard", Reply.json(everything), params={"base_model": "false"}
    )
    result = cli("leaderboard", "--benchmark", GPQA, "--all-models", "--refresh", "--json")
    assert result.code == 0, result.err
    models = [e["model"] for e in result.json()["entries"] if not e["variant"]]
    assert models[:2] == ["bigorg/frontier-70b", "acme/reasoner-7b-sft"]
    base = cli("leaderboard", "--benchmark", GPQA, "--json").json()
    assert "acme/reasoner-7b-sft" not in [e["model"] for e in base["entries"]]


def test_boards_are_bounded_per_run_and_refreshed_by_age(env, server, cli, db_engine):
    sync_the_model(env, server, cli, db_engine)
    hub = HubSource(env.config().hub)
    from tracker.sync.state import utcnow

    now = utcnow()
    # Fresh boards are not fetched again.
    assert benchmarks_pass(db_engine, hub, now).fetched == 0
    # A week later both are due; one per run, the other waits in the cursor.
    later = now + timedelta(days=8)
    serve_boards(server)
    first = benchmarks_pass(db_engine, hub, later, per_run=1)
    assert (first.fetched, first.left) == (1, 1)
    with read_connection(db_engine) as conn:
        state = conn.execute(
            select(SyncState.__table__.c.cursor).where(
                SyncState.__table__.c.source_key == "hub:benchmarks"
            )
        ).scalar()
    assert json.loads(state)["benchmarks"] in (["cais/hle"], [GPQA])
    second = benchmarks_pass(db_engine, hub, later, per_run=1)
    assert (second.fetched, second.left) == (1, 0)
    assert hub.requests == 2


def test_an_unknown_benchmark_takes_its_cards_task_or_other(env, server, cli, db_engine):
    from tracker.db.engine import write_transaction
    from tracker.db.models import Watch

    with write_transaction(db_engine) as conn:
        for name in ("lab/sentiment-bench", "lab/odd-bench"):
            conn.execute(
                Watch.__table__.insert().values(
                    kind="dataset", value=name, name=name, category="", author=""
                )
            )
    server.add(
        "/api/datasets/lab/sentiment-bench",
        Reply.json(
            {"id": "lab/sentiment-bench", "cardData": {"task_categories": ["text-classification"]}}
        ),
    )
    server.add("/api/datasets/lab/odd-bench", Reply.json({"id": "lab/odd-bench", "cardData": {}}))
    for name in ("lab/sentiment-bench", "lab/odd-bench"):
        server.add(f"/api/datasets/{name}/leaderboard", Reply.json([]))
    from tracker.sync.state import utcnow

    done = benchmarks_pass(db_engine, HubSource(env.config().hub), utcnow())
    assert done.fetched == 2
    assert cli("leaderboard", "--benchmark", "lab/sentiment-bench", "--json").json()["task"] == (
        "text-classification"
    )
    assert cli("leaderboard", "--benchmark", "lab/odd-bench", "--json").json()["task"] == "other"
    assert "lab/odd-bench (0)" in cli("leaderboard", "other").out


def test_bad_benchmark_use_is_one_clear_line(env, cli):
    missing = cli("leaderboard", "--benchmark", "nobody/nothing")
    assert missing.code != 0 and missing.err.startswith("Error: no leaderboard stored")
    alone = cli("leaderboard")
    assert alone.code == 2 and alone.err.startswith("Error: leaderboard needs a TASK")
    stray = cli("leaderboard", "fill-mask", "--all-models")
    assert stray.code == 2 and "go with --benchmark" in stray.err


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.timeout(60)
async def test_the_tasks_view_shows_the_board(env, server, cli, db_engine):
    from tests.tui.conftest import wait_for
    from tracker.tui.app import TrackerApp
    from tracker.tui.screens.leaderboard import LeaderboardScreen
    from tracker.tui.screens.tasks import TasksScreen

    sync_the_model(env, server, cli, db_engine)
    config = env.config()
    app = TrackerApp(config, config.database_url)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query("#papers-status"))
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.chosen_task
        )
        tasks = app.screen
        tree = tasks.query_one("#task-tree")
        line = next(
            i
            for i in range(tree.last_line + 1)
            if tree.get_node_at_line(i).data
            and tree.get_node_at_line(i).data.id == "question-answering"
        )
        tree.move_cursor_to_line(line)
        table = tasks.query_one("#task-datasets")
        await wait_for(pilot, lambda: table.row_count == 2)
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert "Idavidrein/gpqa  · Hub board" in names
        app.open_leaderboard("question-answering", GPQA)
        await wait_for(
            pilot, lambda: isinstance(app.screen, LeaderboardScreen) and app.screen.boards
        )
        board = app.screen
        # Our results' boards (default, with tools), then the Hub's (base, with tools).
        assert [(b.metric, b.variant) for b in board.boards] == [
            ("score", None),
            ("score", "with tools"),
            ("hub", None),
            ("hub", "with tools"),
        ]
        assert [(r["model"], r["sources"]) for r in board.rows] == [
            (REPO, ["eval-results", "model-index"])
        ]
        await pilot.press("m", "m")
        assert [(r["rank"], r["model"]) for r in board.rows] == [
            (1, "bigorg/frontier-70b"),
            (2, REPO),
            (3, "someone/small-3b"),
        ]
        assert board.rows[2]["sources"] == ["community (PR #7) · 0-shot, chain-of-thought"]
        await pilot.press("m")
        assert [r["value"] for r in board.rows] == [0.55]
        assert "with tools" in board.query_one("#board-title").render().plain


def test_with_benchmarks_marks_and_adds_boards():
    from tracker.tui.screens.tasks import with_benchmarks

    rows = [{"id": "cais/hle", "name": "cais/hle", "results": 1, "models": 1}]
    benches = [{"benchmark": "cais/hle", "entries": 3}, {"benchmark": "x/new", "entries": 5}]
    out = with_benchmarks(rows, benches)
    assert [(r["name"], r["results"], r["models"]) for r in out] == [
        ("cais/hle  · Hub board", 1, 1),
        ("x/new  · Hub board", 0, 5),
    ]
