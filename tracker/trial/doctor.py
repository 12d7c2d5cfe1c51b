"""`tracker doctor`: what this machine can run, and advice in plain words.

Works without torch (and says so). torch is imported inside functions only;
transformers is never imported here (its version comes from package metadata).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from pathlib import Path
from typing import Any

from tracker.trial import hardware

CUDA_WHEELS = "https://download.pytorch.org/whl/cu128"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def torch_report() -> dict[str, Any]:
    torch = hardware.import_torch()
    if torch is None:
        return {
            "installed": False,
            "version": None,
            "build": None,
            "cuda_version": None,
            "hip_version": None,
            "arch_list": [],
            "cuda_available": False,
        }
    cuda_version = getattr(torch.version, "cuda", None)
    hip_version = getattr(torch.version, "hip", None)
    build = (
        f"ROCm {hip_version}" if hip_version else f"CUDA {cuda_version}" if cuda_version else "CPU"
    )
    try:
        arch_list = list(torch.cuda.get_arch_list()) if (cuda_version or hip_version) else []
    except (RuntimeError, AssertionError):
        arch_list = []
    try:
        cuda_available = bool(torch.cuda.is_available())
    except (RuntimeError, AssertionError):  # a broken driver: as torch itself would run
        cuda_available = False
    return {
        "installed": True,
        "version": torch.__version__,
        "build": build,
        "cuda_version": cuda_version,
        "hip_version": hip_version,
        "arch_list": arch_list,
        "cuda_available": cuda_available,
    }


def gpu_report() -> list[dict[str, Any]]:
    """GPUs torch sees; else those the NVIDIA driver reports (torch cannot use them)."""
    torch = hardware.import_torch()
    gpus = hardware.torch_gpus(torch) if torch is not None else []
    if gpus:
        return gpus
    out = []
    for gpu in hardware.nvidia_smi_gpus():
        try:
            bf16 = float(gpu["compute_capability"]) >= 8.0
        except ValueError:
            bf16 = False
        out.append({**gpu, "bf16": bf16, "supported_by_build": False})
    return out


def cache_report() -> dict[str, Any]:
    try:
        from huggingface_hub import constants

        path = Path(constants.HF_HUB_CACHE)
    except ImportError:  # pragma: no cover
        path = Path(os.environ.get("HF_HOME", "~/.cache/huggingface")).expanduser() / "hub"
    size = 0
    repos = 0
    if path.is_dir():
        repos = sum(1 for p in path.iterdir() if p.is_dir() and "--" in p.name)
        for root, _dirs, files in os.walk(path):
            for name in files:
                file = Path(root, name)
                if not file.is_symlink():
                    try:
                        size += file.stat().st_size
                    except OSError:
                        pass
    return {"path": str(path), "exists": path.is_dir(), "size_bytes": size, "repos": repos}


def token_configured() -> bool:
    try:
        from huggingface_hub import get_token
    except ImportError:  # pragma: no cover
        return False
    return get_token() is not None


def would_use(
    torch_info: dict[str, Any], gpus: list[dict[str, Any]], mps: bool
) -> dict[str, str | None]:
    if not torch_info["installed"]:
        return {"device": None, "dtype": None}
    usable = [g for g in gpus if g.get("supported_by_build")]
    if usable:
        return {"device": "cuda", "dtype": "bfloat16" if usable[0].get("bf16") else "float16"}
    if mps:
        return {"device": "mps", "dtype": "float16"}
    return {"device": "cpu", "dtype": "float32"}


def advice(report: dict[str, Any]) -> list[str]:
    """Plain-words advice from a report (pure: tests feed it made-up machines)."""
    tips: list[str] = []
    torch_info = report["torch"]
    gpus = report["gpus"]
    if not torch_info["installed"]:
        tips.append(
            "torch is not installed, so `tracker try` cannot run models; everything else works. "
            "Install it with `pip install torch` (CPU) or a CUDA build from https://pytorch.org/get-started/locally/."
        )
    for gpu in gpus:
        name = f"GPU {gpu['index']} ({gpu['name']}, compute capability {gpu['compute_capability']})"
        try:
            capability = float(gpu["compute_capability"])
        except (TypeError, ValueError):
            capability = 0.0
        if torch_info["installed"] and torch_info["build"] == "CPU":
            if capability and capability < 7.0:
                tips.append(
                    f"{name} is present but torch {torch_info['version']} is a CPU build. CUDA 12+ builds of torch "
                    "need compute capability >= 7.0: install a CUDA 11.8 build (--index-url "
                    "https://download.pytorch.org/whl/cu118) of a torch version that still ships one, or stay on CPU."
                )
            else:
                tips.append(
                    f"{name} is present but torch {torch_info['version']} is a CPU build: install a CUDA build, "
                    f"e.g. `pip install torch --index-url {CUDA_WHEELS}`."
                )
        elif torch_info["installed"] and not gpu.get("supported_by_build"):
            tips.append(
                f"{name}: this torch build has no kernels for it (arch list {', '.join(torch_info['arch_list']) or 'empty'}). "
                + (
                    "CUDA 12+ builds need compute capability >= 7.0; use a CUDA 11.8 build."
                    if capability and capability < 7.0
                    else "Install a build whose arch list includes it."
                )
            )
        elif not gpu.get("bf16"):
            tips.append(f"{name} has no bfloat16: dtype auto uses float16 there.")
    use = report["would_use"]
    if use["device"]:
        tips.append(f"`tracker try` will run on {use['device']} as {use['dtype']} (dtype auto).")
    if use["device"] == "cpu":
        tips.append(
            "CPU only: models up to a few hundred million parameters run in seconds; larger ones are slow."
        )
    if not report["hub"]["token_configured"]:
        tips.append(
            "No Hub token: gated models need `hf auth login` (or HF_TOKEN) and their licence accepted."
        )
    return tips


def machine_report(*, endpoint: str, database: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready data (sizes in bytes)."""
    torch_info = torch_report()
    torch = hardware.import_torch()
    mps = bool(torch is not None and hardware.mps_available(torch))
    total, available = hardware.ram()
    gpus = gpu_report()
    report: dict[str, Any] = {
        "python": {
            "version": platform.python_version(),
            "executable": sys.executable,
            "platform": platform.platform(),
        },
        "torch": torch_info,
        "transformers": {
            "installed": _version("transformers") is not None,
            "version": _version("transformers"),
        },
        "huggingface_hub": {
            "installed": _version("huggingface_hub") is not None,
            "version": _version("huggingface_hub"),
        },
        "gpus": gpus,
        "mps": {"available": mps},
        "cpu": {
            "cores": os.cpu_count(),
            "ram_total_bytes": total,
            "ram_available_bytes": available,
        },
        "hf_cache": cache_report(),
        "hub": {"endpoint": endpoint, "token_configured": token_configured()},
        "database": database or {},
    }
    report["would_use"] = would_use(torch_info, gpus, mps)
    report["advice"] = advice(report)
    return report


def _gib(n: int | None) -> str:
    from tracker.trial.checks import gib

    return gib(n)


def _rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of each line of the report."""
    t = r["torch"]
    rows = [("Python", f"{r['python']['version']} ({r['python']['executable']})")]
    if t["installed"]:
        cuda = ", CUDA available" if t.get("cuda_available") else ""
        rows.append(("torch", f"{t['version']} ({t['build']} build{cuda})"))
    else:
        rows.append(("torch", "not installed: `tracker try` cannot run models"))
    rows += [
        (name, r[name]["version"] or "not installed")
        for name in ("transformers", "huggingface_hub")
    ]
    rows += [
        (
            f"GPU {g['index']}",
            f"{g['name']}, compute capability {g['compute_capability']}, "
            f"{_gib(g['free_memory_bytes'])} free of {_gib(g['total_memory_bytes'])}, "
            f"bf16 {'yes' if g.get('bf16') else 'no'}, kernels in this build: "
            f"{'yes' if g.get('supported_by_build') else 'no'}",
        )
        for g in r["gpus"]
    ] or [("GPUs", "none seen")]
    c, h, d = r["cpu"], r["hf_cache"], r["database"]
    rows += [
        ("MPS", "available" if r["mps"]["available"] else "no"),
        (
            "CPU",
            f"{c['cores']} cores, RAM {_gib(c['ram_available_bytes'])} available of {_gib(c['ram_total_bytes'])}",
        ),
        ("HF cache", f"{h['path']} ({_gib(h['size_bytes'])}, {h['repos']} repos)"),
        (
            "Hub",
            f"{r['hub']['endpoint']}, token {'configured' if r['hub']['token_configured'] else 'not configured'}",
        ),
    ]
    if d.get("exists"):
        rows.append(
            (
                "Database",
                f"{d['url']}: {d['papers']} papers, {d['models']} models, {d['trials']} trials",
            )
        )
    else:
        rows.append(("Database", f"{d.get('url')}: not created yet"))
    return rows


def report_lines(report: dict[str, Any]) -> list[str]:
    """The report for people: one aligned line per item, then the advice."""
    rows = _rows(report)
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label:<{width}}{text}" for label, text in rows]
    return [*lines, "", *(f"- {tip}" for tip in report["advice"])]
