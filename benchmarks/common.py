"""Shared helpers for the benchmarks: realistic synthetic papers and a temp config."""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# A vocabulary with a Zipf-like frequency, like the words of abstracts.
_COMMON = (
    "we the of and a to in is for that on with by this are as an our model models method "
    "results show learning data neural network networks performance based approach training "
    "propose language task tasks using deep can from which new paper large two state art "
    "image images graph attention transformer transformers tokens text visual reinforcement "
    "policy agent reward diffusion generative adversarial robust robustness benchmark "
    "datasets dataset evaluation accuracy efficient efficiency inference optimization "
    "gradient convergence theoretical analysis bounds sample complexity federated privacy "
    "speech audio video segmentation detection retrieval question answering reasoning "
    "multimodal alignment instruction tuning fine pretrained pretraining representation "
    "embedding contrastive self supervised semi unsupervised classification regression"
).split()


def vocabulary(size: int = 20_000, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    rare = {"".join(rng.choices(letters, k=rng.randint(4, 11))) for _ in range(size)}
    return _COMMON + sorted(rare)


class TextMaker:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(self.words))]

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, self.weights, k=n)

    def sentence(self, n: int) -> str:
        return " ".join(self.words_(n))

    def zipf_query(self) -> str:
        return " ".join(self.words_(self.rng.choice((1, 1, 2, 2, 2, 3))))


def synthetic_entries(count: int, seed: int = 1, newest: datetime | None = None, year: int = 26):
    """Feed entries (tests.support.feeds.Entry), newest first, one a minute."""
    from tests.support.feeds import Entry

    maker = TextMaker(seed)
    newest = newest or datetime.now(UTC) - timedelta(minutes=1)
    entries = []
    for i in range(count):
        entries.append(
            Entry(
                arxiv_id=f"{year:02d}{i // 99_999 % 12 + 1:02d}.{i % 99_999 + 1:05d}",
                title=maker.sentence(maker.rng.randint(6, 14)).capitalize(),
                abstract=maker.sentence(maker.rng.randint(120, 220)),
                authors=[
                    f"{maker.rng.choice('ABCDEFGHJKLMNPRSTW')}. {maker.sentence(1).capitalize()}"
                    for _ in range(maker.rng.randint(1, 8))
                ],
                primary_category="cs.LG",
                categories=["cs.LG", maker.rng.choice(["cs.CL", "cs.CV", "stat.ML"])],
                published=newest - timedelta(seconds=30 * i),
            )
        )
    return entries


def write_config(
    path: Path, db: Path, api_url: str = "http://127.0.0.1:9/api/query", **arxiv
) -> Path:
    settings = {
        "api_url": api_url,
        "categories": ["cs.LG"],
        "delay_seconds": 0,
        "timeout_seconds": 30,
        "max_retries": 0,
        **arxiv,
    }
    lines = ["[database]", f"url = {json.dumps('sqlite:///' + str(db))}", "", "[arxiv]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    lines += ["", "[hub]", 'endpoint = "http://127.0.0.1:9"']
    path.write_text("\n".join(lines) + "\n")
    return path
