"""The TUI's `v` on a leaderboard row: pre-flight, run with progress, the measurement in
place on the board, and cancel (nothing stored but a failed ledger row)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.conftest import SIZE, wait_for
from tests.verify.test_verify_cli import _add_claim, _tables, own_labels  # noqa: F401
from tracker.trial import hardware
from tracker.tui.app import TrackerApp
from tracker.tui.screens.leaderboard import LeaderboardScreen
from tracker.tui.screens.verify import VerifyScreen

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def board(env: Any, classifier: Path, own_labels: Path, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """A leaderboard whose one row claims 91.3 for the classifier on the own-labels folder."""
    from sqlalchemy import update

    from tracker.db.engine import open_database, write_transaction
    from tracker.db.models import Result

    monkeypatch.setattr(hardware, "free_memory", lambda device: (8 * 2**30, "available RAM"))
    env.configure(trial={"device": "cpu", "dtype": "float32"})
    claim = _add_claim(env, 91.3, "validation")
    engine = open_database(env.url)
    with write_transaction(engine) as conn:  # the row names the model and data by path
        conn.execute(
            update(Result.__table__)
            .where(Result.__table__.c.id == claim)
            .values(model_name=str(classifier), dataset_id=str(own_labels))
        )
    engine.dispose()
    return str(own_labels)


async def _open_verify(
    pilot: Any, app: TrackerApp, dataset: str
) -> tuple[LeaderboardScreen, VerifyScreen]:
    await wait_for(pilot, lambda: app.engine is not None and app.screen is not None, timeout=10)
    app.open_leaderboard("text-classification", dataset)
    await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen) and app.screen.rows)
    leaderboard = app.screen
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, VerifyScreen))
    screen = app.screen
    assert isinstance(screen, VerifyScreen)
    await wait_for(pilot, lambda: screen.state in ("ready", "refused"), timeout=20)
    return leaderboard, screen


async def test_v_verifies_a_leaderboard_row_and_the_result_shows_in_place(
    env: Any, board: str, classifier: Path
) -> None:
    app = TrackerApp(env.config(), env.url)
    async with app.run_test(size=SIZE) as pilot:
        leaderboard, screen = await _open_verify(pilot, app, board)
        assert screen.state == "ready", str(screen.query_one("#verify-preflight").render())
        assert screen.claim.value == 91.3 and screen.claim.split == "validation"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "done", timeout=30)
        assert screen.result_lines[0].startswith("accuracy on ")
        assert "measured 100.00 ± 0.00" in screen.result_lines[0]
        assert screen.result_lines[1].startswith("claimed 91.30")
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: app.screen is leaderboard and "measured" in leaderboard.rows[0]
        )
        assert leaderboard.rows[0]["measured"]["text"] == "measured 100.0 ± 0.0 (n=48, cpu fp32)"
        assert leaderboard.rows[0]["rank"] == 1
    trials, measured = _tables(env)
    assert [t["ok"] for t in trials] == [True] and len(measured) == 1


async def test_esc_cancels_a_running_verification(
    env: Any, board: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tracker.trial import evaluate as predict
    from tracker.trial.batching import CancelledError

    started = threading.Event()

    def slow(loaded: Any, texts: Any, pairs: Any, *, stop: Any, **kwargs: Any) -> list[int]:
        started.set()
        while not stop():
            threading.Event().wait(0.01)
        raise CancelledError()

    monkeypatch.setattr(predict, "classify", slow)
    app = TrackerApp(env.config(), env.url)
    async with app.run_test(size=SIZE) as pilot:
        _leaderboard, screen = await _open_verify(pilot, app, board)
        await pilot.press("enter")
        await wait_for(pilot, lambda: started.is_set(), timeout=20)
        assert screen.state == "running"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.state == "cancelled", timeout=20)
        assert isinstance(app.screen, VerifyScreen)  # esc while running cancels, not leaves
    trials, measured = _tables(env)
    assert measured == []
    assert [(t["ok"], t["error"]) for t in trials] == [(False, "cancelled")]


def test_the_paper_page_marks_results_verified_here(env: Any) -> None:
    from rich.text import Text

    from tracker.tui.widgets.paper_detail import _value

    plain = _value({"value": 91.3})
    marked = _value({"value": 91.3, "measured": {"text": "measured 90.8 ± 1.2 (n=500, cpu fp32)"}})
    assert isinstance(marked, Text)
    assert marked.plain == plain.plain + " · verified here: measured 90.8 ± 1.2 (n=500, cpu fp32)"
