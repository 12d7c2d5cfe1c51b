"""Relevance judgments on the demo papers (data/demo/demo.json), written by hand.

RELATED: for a demo paper, the papers a researcher would call related (same method
family or task) — what `tracker similar` should find. QUERIES: a researcher's
question in their own words, and the papers that answer it — what `tracker search`
should find in each mode. Both feed the quality tests and benchmarks/bench_semantic.py.
"""

from __future__ import annotations

from collections.abc import Sequence

RELATED: dict[str, set[str]] = {
    "1810.04805": {"1907.11692", "1909.11942", "1910.01108", "2003.10555", "1906.08237"},
    "1907.11692": {"1810.04805", "1909.11942", "1910.01108", "2003.10555", "1906.08237"},
    "2003.10555": {"1810.04805", "1907.11692", "1909.11942", "1906.08237", "1910.01108"},
    "1910.13461": {"1910.10683", "1810.04805", "1907.11692"},
    "2010.11929": {"2103.14030", "2111.06377", "2104.14294", "2201.03545", "2005.12872"},
    "2103.14030": {"2010.11929", "2201.03545", "2104.14294", "2111.06377"},
    "2111.06377": {"2010.11929", "2104.14294", "1810.04805"},
    "2006.11477": {"2212.04356"},
    "2212.04356": {"2006.11477"},
    "2006.11239": {"2112.10752", "1406.2661", "1312.6114"},
    "2112.10752": {"2006.11239", "1312.6114", "1406.2661"},
    "1406.2661": {"1312.6114", "2006.11239", "2112.10752"},
    "2302.13971": {"2307.09288", "2310.06825", "2005.14165", "2203.15556"},
    "2307.09288": {"2302.13971", "2310.06825", "2203.02155"},
    "1506.02640": {"1703.06870", "2005.12872"},
    "1703.06870": {"1506.02640", "2005.12872", "2304.02643", "1505.04597"},
    "1412.6980": {"1502.03167", "1207.0580"},
}

QUERIES: list[tuple[str, set[str]]] = [
    (
        "masked language model pre-training",
        {"1810.04805", "1907.11692", "1909.11942", "2003.10555", "1910.01108"},
    ),
    ("speech recognition from raw audio", {"2006.11477", "2212.04356"}),
    ("generating images by iterative denoising", {"2006.11239", "2112.10752"}),
    ("object detection with bounding boxes", {"1506.02640", "2005.12872", "1703.06870"}),
    ("open weight large language models", {"2302.13971", "2307.09288", "2310.06825"}),
    ("self-supervised learning for vision transformers", {"2111.06377", "2104.14294"}),
    ("aligning language models with human preferences", {"2203.02155", "2307.09288"}),
    ("parameter-efficient fine-tuning", {"2106.09685"}),
    ("compressing a big model into a smaller one", {"1910.01108", "1909.11942"}),
    ("regularization to prevent overfitting", {"1207.0580", "1502.03167"}),
    ("optimizer for stochastic gradient descent", {"1412.6980"}),
    ("image segmentation", {"1505.04597", "1703.06870", "2304.02643"}),
    ("learning word vectors", {"1301.3781"}),
    ("zero-shot image classification from text supervision", {"2103.00020"}),
    ("how to scale model size and data for a fixed compute budget", {"2203.15556"}),
    ("fast memory-efficient attention on GPUs", {"2205.14135"}),
    ("generative models trained adversarially or variationally", {"1406.2661", "1312.6114"}),
]


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    return next((1.0 / r for r, pid in enumerate(ranked, start=1) if pid in relevant), 0.0)


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = 5) -> float:
    return len(set(ranked[:k]) & relevant) / min(len(relevant), k)


def scores(rankings: Sequence[tuple[Sequence[str], set[str]]]) -> dict[str, float]:
    """MRR and mean recall@5 over (ranking, relevant) pairs."""
    n = max(1, len(rankings))
    return {
        "mrr": round(sum(reciprocal_rank(r, rel) for r, rel in rankings) / n, 3),
        "recall@5": round(sum(recall_at(r, rel) for r, rel in rankings) / n, 3),
    }
