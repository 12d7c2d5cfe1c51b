"""A sync embeds new papers when [search] embeddings = true; start-up paths stay light."""

from __future__ import annotations

from typing import Any

import pytest

from tests.semantic.conftest import HashEncoder
from tests.test_import_hygiene import run_python
from tracker.errors import TrialError
from tracker.sync.run import run_sync


def _embedded(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM paper_embeddings").scalar())


@pytest.mark.backends
def test_a_sync_embeds_new_papers_when_asked(demo_engine: Any, env: Any, monkeypatch: Any) -> None:
    encoder = HashEncoder()
    monkeypatch.setattr("tracker.embed.pipeline.open_encoder", lambda m, c: encoder)
    report = run_sync(demo_engine, env.config(), sources=())
    assert _embedded(demo_engine) == 0 and "embeddings" not in report.sources

    env.configure(search={"embeddings": True})
    report = run_sync(demo_engine, env.config(), sources=())
    assert report.sources["embeddings"]["embedded"] == _embedded(demo_engine) > 40
    assert report.errors == []
    report = run_sync(demo_engine, env.config(), sources=())
    assert report.sources["embeddings"]["embedded"] == 0


def test_an_embedding_failure_is_reported_not_raised(
    demo_engine: Any, env: Any, monkeypatch: Any
) -> None:
    def broken(model: str, config: Any) -> Any:
        raise TrialError("the model could not load.")

    monkeypatch.setattr("tracker.embed.pipeline.open_encoder", broken)
    env.configure(search={"embeddings": True})
    report = run_sync(demo_engine, env.config(), sources=())
    assert report.errors == ["embeddings: the model could not load."]
    assert _embedded(demo_engine) == 0


@pytest.mark.parametrize(
    "modules",
    [
        ["tracker.sync.run", "tracker.embed.after_sync", "tracker.embed.pipeline"],
        ["tracker.embed.semantic", "tracker.embed.index", "tracker.commands.semantic_cmd"],
        ["tracker.commands.papers_cmd", "tracker.tui.app", "tracker.tui.widgets.paper_detail"],
    ],
)
def test_sync_search_and_the_tui_load_no_torch(modules: list[str]) -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    assert run_python(code).stdout.strip() == ""
