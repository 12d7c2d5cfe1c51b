"""The models and tasks views: filters, model detail, Try, leaderboard drill-down."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.tui.conftest import SIZE, wait_for
from tracker.tui.screens.leaderboard import LeaderboardScreen
from tracker.tui.screens.model import ModelScreen
from tracker.tui.screens.models import ModelsScreen
from tracker.tui.screens.paper import PaperScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.tasks import TasksScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


async def models_view(pilot, app) -> ModelsScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
    await pilot.press("2")
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ModelsScreen)
            and app.screen.query_one("#model-table").rows_shown
            and app.screen.model
        ),
    )
    return app.screen


async def test_models_view_filters_and_detail(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await models_view(pilot, app)
        table = screen.query_one("#model-table")
        downloads = [r.downloads for r in table.rows_shown]
        assert downloads == sorted(downloads, reverse=True)
        assert screen.model["repo_id"] == table.rows_shown[0].repo_id
        screen.filters = replace(screen.filters, task="question-answering")
        screen.reload()
        await wait_for(pilot, lambda: all(r.task == "question-answering" for r in table.rows_shown))
        assert len(table.rows_shown) == 3
        await pilot.press("slash", *"roberta-base")
        await wait_for(pilot, lambda: len(table.rows_shown) == 1)
        assert table.rows_shown[0].repo_id == "deepset/roberta-base-squad2"
        screen.filters = replace(screen.filters, text="", task="", dataset="librispeech_asr")
        screen.reload()
        await wait_for(
            pilot,
            lambda: (
                table.rows_shown
                and all("whisper" in r.repo_id or "wav2vec" in r.repo_id for r in table.rows_shown)
            ),
        )


async def test_leaderboard_drill_down(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
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
        await wait_for(
            pilot, lambda: tasks.chosen_task.id == "question-answering" and table.row_count
        )
        await pilot.press("enter")  # from the tree to the datasets
        assert table.has_focus
        await pilot.press("enter")  # the first dataset's leaderboard
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen) and app.screen.rows)
        board = app.screen
        values = [r["value"] for r in board.rows]
        assert values == sorted(values, reverse=True)
        assert [r["rank"] for r in board.rows] == list(range(1, len(values) + 1))
        assert all(r["source"] for r in board.rows)  # provenance on every row
        first_metric = board.metric_type
        if len(board.boards) > 1:
            await pilot.press("m")
            await wait_for(pilot, lambda: board.metric_type != first_metric)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelScreen) and app.screen.model)
        assert app.screen.model["repo_id"] == board.rows[0]["model"]
        await pilot.press("escape")
        assert app.screen is board
        await pilot.press("p")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PaperScreen) and app.screen.paper_detail
        )
        assert app.screen.paper_detail["arxiv_id"] == board.rows[0]["paper"]
