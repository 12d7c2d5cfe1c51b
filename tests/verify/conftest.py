"""Verify fixtures: offline Hub, tiny random models (built as the trial tests build them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trial.conftest import build_tiny


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    built: dict[str, Path] = {}

    def get(kind: str) -> Path:
        if kind not in built:
            built[kind] = build_tiny(kind, tmp_path_factory.mktemp("v_" + kind.replace("-", "_")))
        return built[kind]

    return get


BALANCING_TEXTS = (
    "a good movie",
    "a terrible movie",
    "the cat sits on the mat",
    "the dog rests on the rug",
    "great paper about attention",
    "bad data",
    "the stock market fell today",
    "the stock market rose today",
)


def build_balanced_classifier(folder: Path) -> Path:
    """A tiny random classifier whose bias is set so it predicts both classes on short texts."""
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    build_tiny("text-classification", folder)
    model = BertForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model.eval()
    with torch.no_grad():
        model.classifier.weight.mul_(1000.0)
        margins = []
        for text in BALANCING_TEXTS:
            logits = model(**tokenizer(text, return_tensors="pt")).logits[0]
            margins.append(float(logits[1] - logits[0]))
        ordered = sorted(margins)
        middle = len(ordered) // 2
        model.classifier.bias[1] -= (ordered[middle - 1] + ordered[middle]) / 2
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_balanced_classifier(tmp_path_factory.mktemp("v_classifier"))
