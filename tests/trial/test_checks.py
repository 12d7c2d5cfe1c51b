"""Safety and size gates: pickle-only weights, remote code, a small memory budget."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.trial.conftest import build_tiny
from tracker.trial import hardware


@pytest.fixture(scope="module")
def pickled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny("text-classification", tmp_path_factory.mktemp("pickled"), pickle=True)


def test_pickle_only_model_is_refused_with_the_risk_named(pickled: Path, cli: Any) -> None:
    assert not list(pickled.glob("*.safetensors"))
    result = cli("try", str(pickled), "a good movie")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"Error: model {pickled.name} has only pickle weights (pytorch_model.bin); loading a pickle "
        "can run arbitrary code hidden in the file.",
        "  Prefer a safetensors version of the model; pass --allow-pickle only if you trust its author.",
    ]


def test_allow_pickle_loads_it(pickled: Path, cli: Any) -> None:
    result = cli("try", str(pickled), "a good movie", "--allow-pickle", "--json")
    assert result.code == 0, result.err
    assert {o["label"] for o in result.json()["outputs"][0]} == {"POSITIVE", "NEGATIVE"}


def test_remote_code_is_refused(tiny: Callable[[str], Path], tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "custom"
    shutil.copytree(tiny("text-classification"), folder)
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "modeling_evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "modeling_evil.py").write_text("raise SystemExit('this must never run')\n")
    result = cli("try", str(folder), "a good movie")
    assert result.code == 1
    assert result.err.splitlines() == [
        "Error: model custom needs code from its repository (auto_map in its config); running it "
        "would execute that code on this machine.",
        "  Read the repository's .py files first; then pass --trust-remote-code if you trust them.",
    ]


def test_small_memory_budget_refuses_before_loading_unless_yes(
    tiny: Callable[[str], Path], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hardware, "free_memory", lambda device: (50 * 2**20, "available RAM"))
    folder = tiny("text-classification")
    result = cli("try", str(folder), "a good movie", "--device", "cpu")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].endswith(
        "needs ~256 MiB as float32 on cpu, 50 MiB available RAM: does NOT fit."
    )
    assert lines[1].startswith(f"Error: model {folder.name} needs ~256 MiB as float32 on cpu (")
    assert lines[1].endswith(" parameters), but only 50 MiB available RAM.")
    assert lines[2] == "  Ways out: --yes to try anyway."
    assert "Recorded" not in result.err  # nothing was loaded or run
    result = cli("try", str(folder), "a good movie", "--device", "cpu", "--yes", "--json")
    assert result.code == 0, result.err
    assert result.json()["preflight"]["fits"] is False


def test_preflight_numbers_and_ways_out_on_a_gpu_budget() -> None:
    from tracker.trial.checks import Preflight, enforce_fit, memory_needed
    from tracker.trial.resolve import ModelSource

    source = ModelSource(
        name="acme/7b", repo_id="acme/7b", origin="hub", revision="a" * 40,
        files={"model.safetensors": 14 * 10**9}, parameters=7 * 10**9,
    )  # fmt: skip
    from tracker.trial.checks import preflight

    pf = preflight(
        source,
        task="text-generation",
        device="cuda",
        dtype="float32",
        weight_format="safetensors",
        available=(16 * 2**30, "free GPU memory"),
    )
    assert isinstance(pf, Preflight)
    assert pf.needed_bytes == memory_needed(7 * 10**9, "float32", "cuda") == 34_136_870_912
    assert pf.download_bytes == 14 * 10**9 and not pf.fits
    with pytest.raises(Exception) as info:
        enforce_fit(pf, yes=False)
    assert str(info.value) == (
        "model acme/7b needs ~31.79 GiB as float32 on cuda (7,000,000,000 parameters), "
        "but only 16.00 GiB free GPU memory."
    )
    assert info.value.hint == (  # type: ignore[attr-defined]
        "Ways out: --dtype bfloat16 (needs ~16.15 GiB); --device cpu (needs ~31.54 GiB); "
        "--yes to try anyway."
    )
    enforce_fit(pf, yes=True)  # --yes goes ahead
