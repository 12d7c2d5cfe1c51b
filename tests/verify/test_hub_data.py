"""Datasets served by a local Hub: only the rows a sample needs travel; gates and scripts refused."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.verify.datasets_helpers import write_parquet
from tests.verify.hub_server import SHA, DatasetHub
from tracker.errors import GatedModelError, UsageError
from tracker.verify.reader import Split
from tracker.verify.sources import find_split

CARD = {
    "dataset_info": {
        "features": [
            {"name": "sentence", "dtype": "string"},
            {
                "name": "label",
                "dtype": {"class_label": {"names": {"0": "negative", "1": "positive"}}},
            },
        ]
    }
}


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests talk to 127.0.0.1, so the Hub is not offline here."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[DatasetHub]:
    rng = random.Random(0)
    rows = [
        {"sentence": " ".join(f"w{rng.randrange(10**5)}" for _ in range(30)), "label": i % 2}
        for i in range(20_000)
    ]
    write_parquet(tmp_path / "repo" / "data" / "validation-00000-of-00001.parquet", rows, 1000)
    write_parquet(tmp_path / "repo" / "data" / "train-00000-of-00001.parquet", rows[:100], 1000)
    server = DatasetHub("user/sst", tmp_path / "repo", CARD).start()
    yield server
    server.stop()


def _split(hub: DatasetHub, split: str | None = None) -> Split:
    return Split(find_split("user/sst", None, split, revision=None, endpoint=hub.url))


def test_a_sample_from_the_hub_reads_only_what_it_needs(hub: DatasetHub, tmp_path: Path) -> None:
    name = "data/validation-00000-of-00001.parquet"
    size = (tmp_path / "repo" / name).stat().st_size
    split = _split(hub)
    assert (split.files.split, split.total, split.files.revision) == (
        "validation",
        20_000,
        SHA,
    )
    assert split.label_names == {"label": ["negative", "positive"]}
    first = split.read(["label"], 50, seed=0, first=True)
    assert len(first.rows) == 50
    assert hub.served[name] < size / 20  # footer and one column chunk of one row group
    assert "train-00000-of-00001.parquet" not in " ".join(hub.served)
    sampled = _split(hub).read(["sentence", "label"], 20, seed=4)
    again = _split(hub).read(["sentence", "label"], 20, seed=4)
    assert sampled.indices == again.indices and sampled.rows == again.rows
    assert sampled.bytes_read < size


def test_gated_offline_and_script_datasets_are_refused(
    hub: DatasetHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.gated = True
    with pytest.raises(GatedModelError, match="dataset user/sst is gated"):
        _split(hub)
    hub.gated = False
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UsageError, match="cannot be fetched: HF_HUB_OFFLINE is set"):
        _split(hub)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "sst.py").write_text("print('code')\n")
    scripted = DatasetHub("user/sst", tmp_path / "script").start()
    try:
        with pytest.raises(UsageError, match="needs its loading script sst.py"):
            Split(find_split("user/sst", None, None, revision=None, endpoint=scripted.url))
    finally:
        scripted.stop()


def test_verify_cli_on_a_hub_dataset(cli: Any, env: Any, hub: DatasetHub, classifier: Path) -> None:
    env.configure(hub={"endpoint": hub.url})
    result = cli("verify", str(classifier), "--dataset", "user/sst", "--samples", "40", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["n"] == 40 and doc["split_size"] == 20_000 and doc["sampled"] is True
    assert doc["dataset_revision"] == "0123456789abcdef0123456789abcdef01234567"
    assert 0.0 <= doc["low"] <= doc["value"] <= doc["high"] <= 1.0
