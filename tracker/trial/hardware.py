"""What this machine has: torch (if any), GPUs, RAM; device and dtype choice.

torch is imported inside functions only; everything here works without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from types import ModuleType
from typing import Any

from tracker.errors import TrialError

BYTES_PER_DTYPE = {"float32": 4, "float16": 2, "bfloat16": 2}
# What --device/--dtype and the trial screen offer ("auto": choose_device/choose_dtype).
DEVICES = ("auto", "cuda", "cpu", "mps")
DTYPES = ("auto", "bfloat16", "float16", "float32")


def import_torch() -> ModuleType | None:
    """torch, or None when it is not installed (or cannot be imported)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def require_torch() -> ModuleType:
    torch = import_torch()
    if torch is None:
        raise TrialError(
            "torch is not installed, so no model can run here.",
            hint="Install it (`make install`, or pip install torch); `tracker doctor` says which build.",
        )
    return torch


def ram() -> tuple[int | None, int | None]:
    """(total, available) bytes of RAM; None where the platform does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            fields = {
                line.split(":")[0]: int(line.split()[1]) * 1024 for line in handle if ":" in line
            }
        return fields.get("MemTotal"), fields.get("MemAvailable", fields.get("MemFree"))
    except (OSError, ValueError, IndexError):
        pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = page * os.sysconf("SC_PHYS_PAGES")
        try:
            available = page * os.sysconf("SC_AVPHYS_PAGES")
        except (ValueError, OSError):
            available = None
        return total, available
    except (ValueError, OSError, AttributeError):
        return None, None


def nvidia_smi_gpus() -> list[dict[str, Any]]:
    """GPUs as the NVIDIA driver reports them (works without torch); [] when none."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [
                exe,
                "--query-gpu=name,compute_cap,memory.total,memory.free",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for index, line in enumerate(out.strip().splitlines()):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4:
            continue
        try:
            total = int(float(parts[2])) * 1024 * 1024
            free = int(float(parts[3])) * 1024 * 1024
        except ValueError:
            total = free = 0
        gpus.append(
            {
                "index": index,
                "name": parts[0],
                "compute_capability": parts[1],
                "total_memory_bytes": total,
                "free_memory_bytes": free,
            }
        )
    return gpus


def torch_gpus(torch: ModuleType) -> list[dict[str, Any]]:
    """Each CUDA/ROCm device torch sees, with whether this build has kernels for it."""
    if not torch.cuda.is_available():
        return []
    arch_list = list(torch.cuda.get_arch_list())
    gpus = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        major, minor = props.major, props.minor
        try:
            free, total = torch.cuda.mem_get_info(index)
        except RuntimeError:
            free, total = None, props.total_memory
        sm = f"sm_{major}{minor}"
        supported = sm in arch_list or any(
            a.startswith("compute_") and int(a.split("_")[1]) <= major * 10 + minor
            for a in arch_list
            if a.split("_")[1].isdigit()
        )
        if torch.version.hip:
            supported = True  # ROCm arch names (gfx...) do not follow this scheme
        gpus.append(
            {
                "index": index,
                "name": props.name,
                "compute_capability": f"{major}.{minor}",
                "total_memory_bytes": int(total),
                "free_memory_bytes": None if free is None else int(free),
                "bf16": bool(major >= 8) if not torch.version.hip else True,
                "supported_by_build": supported,
            }
        )
    return gpus


def mps_available(torch: ModuleType) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def choose_device(requested: str) -> str:
    """auto -> cuda, then mps, then cpu; an explicit device must be usable."""
    torch = require_torch()
    cuda = torch.cuda.is_available()
    mps = mps_available(torch)
    if requested == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if requested == "cuda" and not cuda:
        raise TrialError(
            "--device cuda: this torch build sees no CUDA device.",
            hint="Run `tracker doctor` to see why, or use --device cpu.",
        )
    if requested == "mps" and not mps:
        raise TrialError("--device mps: MPS is not available here.", hint="Use --device cpu.")
    if requested not in ("cuda", "mps", "cpu"):
        raise TrialError(f"unknown device {requested!r}.", hint="Use auto, cuda, mps or cpu.")
    return requested


def choose_dtype(requested: str, device: str) -> str:
    """auto -> bfloat16 on GPUs that support it, float16 on other GPUs, float32 on CPU."""
    if requested != "auto":
        if requested not in BYTES_PER_DTYPE:
            raise TrialError(
                f"unknown dtype {requested!r}.", hint="Use auto, bfloat16, float16 or float32."
            )
        return requested
    if device == "cpu":
        return "float32"
    if device == "mps":
        return "float16"
    torch = require_torch()
    return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"


def free_memory(device: str) -> tuple[int | None, str]:
    """(bytes free for a model, what that number is) on device."""
    if device == "cuda":
        torch = require_torch()
        free, _total = torch.cuda.mem_get_info(torch.cuda.current_device())
        return int(free), "free GPU memory"
    if device == "mps":
        torch = require_torch()
        recommended = getattr(torch.mps, "recommended_max_memory", None)
        if recommended is not None:
            return int(recommended()), "MPS memory"
    _total, available = ram()
    return available, "available RAM"


def peak_memory(device: str) -> int | None:
    """Peak bytes: GPU allocations since the last reset, else the process's peak RSS."""
    if device == "cuda":
        torch = require_torch()
        return int(torch.cuda.max_memory_allocated())
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)
    except (ImportError, OSError):  # pragma: no cover - Windows
        return None
