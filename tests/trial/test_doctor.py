"""`tracker doctor`: its --json keys with and without torch, and its advice."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tracker.trial.doctor import advice

TOP_KEYS = {
    "python", "torch", "transformers", "huggingface_hub", "gpus", "mps", "cpu",
    "hf_cache", "hub", "database", "would_use", "advice",
}  # fmt: skip
TORCH_KEYS = {
    "installed", "version", "build", "cuda_version", "hip_version", "arch_list", "cuda_available",
}  # fmt: skip


def test_doctor_json_with_torch(cli: Any) -> None:
    result = cli("doctor", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert set(report) == TOP_KEYS
    assert set(report["torch"]) == TORCH_KEYS
    assert report["torch"]["installed"] is True
    import torch

    assert report["torch"]["cuda_available"] is torch.cuda.is_available()
    assert set(report["cpu"]) == {"cores", "ram_total_bytes", "ram_available_bytes"}
    assert set(report["hf_cache"]) == {"path", "exists", "size_bytes", "repos"}
    assert report["hub"] == {"endpoint": "http://127.0.0.1:9", "token_configured": False}
    assert report["database"]["exists"] is False
    assert report["would_use"]["device"] in ("cuda", "mps", "cpu")
    for gpu in report["gpus"]:
        assert {"name", "compute_capability", "total_memory_bytes", "free_memory_bytes"} <= set(gpu)
        assert {"bf16", "supported_by_build"} <= set(gpu)


def test_doctor_counts_the_database(cli: Any, env: Any) -> None:
    from tracker.db.engine import open_database
    from tracker.trial.ledger import TrialRecord, record_trial

    engine = open_database(env.config().database_url)
    record_trial(engine, TrialRecord("acme/m", "local", "fill-mask", "cpu", "float32"))
    engine.dispose()
    db = cli("doctor", "--json").json()["database"]
    assert db == {
        "url": env.config().database_url, "exists": True, "papers": 0, "models": 0, "trials": 1,
    }  # fmt: skip
    assert "0 papers, 0 models, 1 trials" in cli("doctor").out


def test_doctor_text_keeps_one_column(cli: Any) -> None:
    """The longest label, huggingface_hub, used to push its value out of the column."""
    result = cli("doctor")
    assert result.code == 0, result.err
    rows = result.out.split("\n\n")[0].splitlines()
    labels = ("Python", "torch", "transformers", "huggingface_hub", "MPS", "CPU", "Hub", "Database")
    assert [r.split("  ")[0] for r in rows if r.split("  ")[0] in labels] == list(labels)
    columns = {len(row) - len(row[len(row.split("  ")[0]) :].lstrip(" ")) for row in rows}
    assert columns == {len("huggingface_hub") + 2}, rows


def test_doctor_without_torch_works_and_says_so(cli: Any) -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from tracker.cli import run\n"
        "status = run(['doctor', '--json'])\n"
        "assert 'transformers' not in sys.modules or sys.modules['transformers'] is None\n"
        "raise SystemExit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) == TOP_KEYS
    assert report["torch"] == {
        "installed": False, "version": None, "build": None,
        "cuda_version": None, "hip_version": None, "arch_list": [], "cuda_available": False,
    }  # fmt: skip
    assert report["would_use"] == {"device": None, "dtype": None}
    assert report["advice"][0].startswith(
        "torch is not installed, so `tracker try` cannot run models"
    )
    text = subprocess.run(
        [sys.executable, "-c", code.replace("'--json'", "")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "torch            not installed: `tracker try` cannot run models" in text.stdout


def test_try_without_torch_is_a_clear_error(tmp_path: Any) -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from tracker.cli import run\n"
        "raise SystemExit(run(['try', 'sentence-transformers/all-MiniLM-L6-v2', 'hi']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "Error: torch is not installed, so no model can run here." in done.stderr


def _report(gpus: list[dict[str, Any]], build: str = "CPU", device: str | None = "cpu") -> Any:
    return {
        "torch": {
            "installed": True,
            "version": "2.13.0",
            "build": build,
            "arch_list": ["sm_80", "sm_90"],
        },
        "gpus": gpus,
        "would_use": {"device": device, "dtype": "float32"},
        "hub": {"token_configured": True},
    }


def gpu(cc: str, supported: bool = False, bf16: bool = False) -> dict[str, Any]:
    return {
        "index": 0,
        "name": "Tesla",
        "compute_capability": cc,
        "bf16": bf16,
        "supported_by_build": supported,
    }


def test_advice_for_a_cpu_build_on_an_nvidia_machine() -> None:
    tips = advice(_report([gpu("8.6", bf16=True)]))
    assert tips[0] == (
        "GPU 0 (Tesla, compute capability 8.6) is present but torch 2.13.0 is a CPU build: install "
        "a CUDA build, e.g. `pip install torch --index-url https://download.pytorch.org/whl/cu128`."
    )
    old = advice(_report([gpu("6.1")]))[0]
    assert "CUDA 12+ builds of torch need compute capability >= 7.0" in old
    assert "cu118" in old


def test_advice_for_a_gpu_without_bf16_or_without_kernels() -> None:
    tips = advice(_report([gpu("7.5", supported=True)], build="CUDA 12.8", device="cuda"))
    assert (
        tips[0]
        == "GPU 0 (Tesla, compute capability 7.5) has no bfloat16: dtype auto uses float16 there."
    )
    tips = advice(_report([gpu("6.0")], build="CUDA 12.8", device="cpu"))
    assert tips[0].startswith(
        "GPU 0 (Tesla, compute capability 6.0): this torch build has no kernels"
    )
    assert "CUDA 12+ builds need compute capability >= 7.0" in tips[0]
