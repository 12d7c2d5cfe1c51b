"""The trial ledger: `tracker try` records every trial, failures too; `tracker trials` lists them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

TRIAL_KEYS = {
    "id", "created_at", "model_repo", "revision", "task", "device", "dtype", "batch_size",
    "inputs", "load_seconds", "seconds", "per_input_ms", "peak_memory_bytes",
    "output_summary", "ok", "error",
}  # fmt: skip


def test_a_trial_is_recorded_and_listed(tiny: Callable[[str], Path], cli: Any) -> None:
    folder = tiny("text-classification")
    assert cli("trials", "--json").json() == []
    result = cli(
        "try", str(folder), "a good movie", "the cat", "--batch-size", "2", "--device", "cpu"
    )
    assert result.code == 0, result.err
    assert "Recorded as trial 1 (`tracker trials`)." in result.err
    rows = cli("trials", "--json").json()
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == TRIAL_KEYS
    assert (row["model_repo"], row["revision"], row["task"]) == (
        folder.name,
        "local",
        "text-classification",
    )
    assert (row["device"], row["dtype"], row["batch_size"], row["inputs"]) == (
        "cpu",
        "float32",
        2,
        2,
    )
    assert row["ok"] is True and row["error"] == ""
    assert row["load_seconds"] > 0 and row["seconds"] > 0 and row["per_input_ms"] > 0
    assert row["peak_memory_bytes"] > 0
    assert row["created_at"].endswith("Z")
    summary = row["output_summary"]
    assert summary.endswith(" (+1 more)")
    assert {x["label"] for x in json.loads(summary.removesuffix(" (+1 more)"))} == {
        "POSITIVE",
        "NEGATIVE",
    }
    table = cli("trials")
    assert table.out.splitlines()[0].split()[:4] == ["id", "when", "model", "task"]
    assert folder.name in table.out and "ok" in table.out
    assert cli("trials", "--model", "someone/else", "--json").json() == []
    assert len(cli("trials", "--model", folder.name.upper(), "--json").json()) == 1


def test_a_failed_trial_is_recorded_too(
    tiny: Callable[[str], Path], cli: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny("text-classification"), broken)
    weights = broken / "model.safetensors"
    data = weights.read_bytes()
    header = 8 + int.from_bytes(data[:8], "little")
    weights.write_bytes(data[: header + 16])  # the header survives, the tensors do not
    result = cli("try", str(broken), "a good movie")
    assert result.code == 1
    assert result.err.splitlines()[-2].startswith("Error: ")
    rows = cli("trials", "--json").json()
    assert len(rows) == 1
    assert rows[0]["ok"] is False and rows[0]["error"]
    assert rows[0]["model_repo"] == "broken"
    assert "failed" in cli("trials").out
