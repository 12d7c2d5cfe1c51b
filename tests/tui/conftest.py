"""TUI fixtures: the demo data in the test's own database, and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Env
from tests.tui.demo_hub import load_demo_with_hub
from tracker.db.engine import open_database
from tracker.tui.app import TrackerApp

SIZE = (100, 28)  # pilot tests: smaller renders faster
SNAP_SIZE = (120, 36)  # snapshots


@pytest.fixture
def demo_db(env: Env) -> str:
    """The test database filled with the demo papers, models and results; returns its URL."""
    url = f"sqlite:///{env.db_path}"
    engine = open_database(url)
    try:
        load_demo_with_hub(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def make_app(env: Env) -> Callable[..., TrackerApp]:
    def make(url: str | None = None, **kwargs: Any) -> TrackerApp:
        config = env.config()
        return TrackerApp(config, url or config.database_url, **kwargs)

    return make


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Let the app run until condition() is true (workers run in threads)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    # Let what the change mounted settle (a Header torn down mid-mount raises NoMatches).
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
