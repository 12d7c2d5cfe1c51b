"""The CLI and the TUI answer the same question the same way, on the demo data:
every leaderboard board in the same order, every model sort in the same order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.tui.conftest import SIZE, wait_for
from tracker.db.sorts import MODEL_SORTS
from tracker.tui.screens.leaderboard import LeaderboardScreen
from tracker.tui.screens.models import ModelsScreen
from tracker.tui.screens.papers import PapersScreen

pytestmark = [pytest.mark.timeout(120), pytest.mark.anyio]


def _cli_boards(cli, task: str) -> dict[tuple, list[tuple]]:
    """`tracker leaderboard TASK --json`, cut into boards: key -> [(rank, model, value, sources)]."""
    result = cli("leaderboard", task, "--json")
    assert result.code == 0, result.err
    boards: dict[tuple, list[tuple]] = {}
    for r in result.json():
        key = (r["dataset"], r["config"], r["split"], r["metric"])
        row = (r["rank"], r["model"], r["value"], tuple(r["sources"]), r["direction"])
        boards.setdefault(key, []).append(row)
    return boards


def _with_results(cli) -> list[str]:
    tasks = cli("tasks", "--json").json()
    return [t["id"] for t in tasks if t["results"]]


async def test_every_leaderboard_board_ranks_the_same(make_app, demo_db, cli):
    tasks = _with_results(cli)
    assert {"question-answering", "automatic-speech-recognition"} <= set(tasks)
    cli_boards = {task: _cli_boards(cli, task) for task in tasks}  # before the app takes stdout
    app = make_app()
    seen_boards = 0
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        for task, expected in cli_boards.items():
            for dataset in sorted({key[0] for key in expected}):
                screen = LeaderboardScreen(task, dataset)
                await app.push_screen(screen)
                await wait_for(pilot, lambda s=screen: s.boards)
                shown: dict[tuple, list[tuple]] = {}
                for board in screen.boards:
                    key = (board.dataset, board.config, board.split, board.metric)
                    shown[key] = [
                        (r["rank"], r["model"], r["value"], tuple(r["sources"]), r["direction"])
                        for r in board.rows
                    ]
                mine = {k: v for k, v in expected.items() if k[0] == dataset}
                assert shown == mine, (task, dataset)
                seen_boards += len(shown)
                app.pop_screen()
                await pilot.pause()
    assert seen_boards >= 5  # the demo data has boards on several tasks


async def test_every_model_sort_orders_the_same(make_app, demo_db, cli):
    cli_orders = {}
    for sort in MODEL_SORTS:  # before the app takes stdout
        result = cli("models", "--sort", sort, "--limit", "1000", "--json")
        assert result.code == 0, result.err
        cli_orders[sort] = [m["repo_id"] for m in result.json()]
    assert len(cli_orders["downloads"]) > 20
    # The sorts differ on this data, so comparing them below means something.
    assert len({tuple(order) for order in cli_orders.values()}) == len(MODEL_SORTS)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, ModelsScreen)
                and app.screen.query_one("#model-table").rows_shown
            ),
        )
        screen = app.screen
        table = screen.query_one("#model-table")
        for sort, expected in cli_orders.items():
            screen.filters = replace(screen.filters, sort=sort)
            screen.reload()
            await wait_for(
                pilot, lambda e=expected: [r.repo_id for r in table.rows_shown] == e, timeout=10
            )
