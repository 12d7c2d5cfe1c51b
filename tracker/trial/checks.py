"""Pre-flight gates, before any download: safe weights, no remote code, does it fit.

Memory needed = parameters x bytes per dtype x (1 + OVERHEAD_FRACTION) + a fixed
overhead for the runtime (CUDA context, activations of a small batch). It is compared
with free GPU memory on a GPU and available RAM on the CPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tracker.errors import TrialError
from tracker.trial.hardware import BYTES_PER_DTYPE
from tracker.trial.resolve import ModelSource

SAFE_SUFFIXES = (".safetensors",)
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
OVERHEAD_FRACTION = 0.2
FIXED_OVERHEAD = {"cuda": 512 * 2**20, "mps": 512 * 2**20, "cpu": 256 * 2**20}
# Files a trial fetches besides the weights: configs, tokenizers, processors.
SUPPORT_PATTERNS = ("*.json", "*.txt", "*.model", "*.tiktoken", "tokenizer*", "*.py")


def gib(n: int | float | None) -> str:
    if n is None:
        return "unknown"
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _is_weight(name: str, suffixes: tuple[str, ...]) -> bool:
    base = name.rsplit("/", 1)[-1]
    if not base.endswith(suffixes):
        return False
    # training state, optimizer and RNG files are not weights
    return not base.startswith(("optimizer", "scheduler", "rng_state", "training_args"))


def weight_files(source: ModelSource) -> tuple[str, dict[str, int]]:
    """("safetensors" | "pickle" | "none", {file: bytes}) of the weights a load would use."""
    safe = {n: s for n, s in source.files.items() if _is_weight(n, SAFE_SUFFIXES)}
    if safe:
        return "safetensors", safe
    pickled = {n: s for n, s in source.files.items() if _is_weight(n, PICKLE_SUFFIXES)}
    if pickled:
        return "pickle", pickled
    return "none", {}


def needs_remote_code(source: ModelSource) -> bool:
    return "auto_map" in source.config or "custom_code" in source.tags


def check_safety(source: ModelSource, *, allow_pickle: bool, trust_remote_code: bool) -> str:
    """Refuse pickle-only weights and remote code unless allowed; returns the weight format."""
    if needs_remote_code(source) and not trust_remote_code:
        raise TrialError(
            f"model {source.repo_id} needs code from its repository (auto_map in its config); "
            "running it would execute that code on this machine.",
            hint="Read the repository's .py files first; then pass --trust-remote-code if you trust them.",
        )
    fmt, files = weight_files(source)
    if fmt == "pickle" and not allow_pickle:
        names = ", ".join(sorted(files)[:3])
        raise TrialError(
            f"model {source.repo_id} has only pickle weights ({names}); loading a pickle can run "
            "arbitrary code hidden in the file.",
            hint="Prefer a safetensors version of the model; pass --allow-pickle only if you trust its author.",
        )
    if fmt == "none":
        raise TrialError(
            f"model {source.repo_id} has no PyTorch weights (.safetensors or .bin) to load.",
            hint="It may ship only ONNX, GGUF, TensorFlow or Flax weights, which `tracker try` does not run.",
        )
    return fmt


def parameter_count(source: ModelSource, catalog_parameters: int | None = None) -> int:
    """Parameters from safetensors metadata, the catalog, or weight bytes / stored dtype."""
    if source.parameters:
        return source.parameters
    if catalog_parameters:
        return catalog_parameters
    _fmt, files = weight_files(source)
    stored = str(source.config.get("torch_dtype") or source.config.get("dtype") or "float32")
    return sum(files.values()) // BYTES_PER_DTYPE.get(stored, 4)


def memory_needed(parameters: int, dtype: str, device: str) -> int:
    weights = parameters * BYTES_PER_DTYPE[dtype]
    return int(weights * (1 + OVERHEAD_FRACTION)) + FIXED_OVERHEAD.get(
        device, FIXED_OVERHEAD["cpu"]
    )


@dataclass
class Preflight:
    """The verdict shown before any download. Byte counts are plain ints."""

    model: str
    revision: str
    task: str
    device: str
    dtype: str
    weight_format: str
    weights_bytes: int
    download_bytes: int
    parameters: int
    needed_bytes: int
    available_bytes: int | None
    available_what: str
    fits: bool
    alternatives: dict[str, int] = field(default_factory=dict)  # "--dtype float16" -> bytes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        size = f"{gib(self.weights_bytes)} of {self.weight_format} weights"
        fetch = f", {gib(self.download_bytes)} to download" if self.download_bytes else ", on disk"
        verdict = "fits" if self.fits else "does NOT fit"
        sha = len(self.revision) == 40 and all(c in "0123456789abcdef" for c in self.revision)
        revision = self.revision[:12] if sha else self.revision
        return (
            f"{self.model}@{revision} ({self.task}): {self.parameters:,} parameters, "
            f"{size}{fetch}; needs ~{gib(self.needed_bytes)} as {self.dtype} on {self.device}, "
            f"{gib(self.available_bytes)} {self.available_what}: {verdict}."
        )


def download_size(source: ModelSource, weight_format: str) -> int:
    """Bytes a load would fetch: 0 for files on disk, else the weights and support files."""
    if source.is_local:
        return 0
    from fnmatch import fnmatch

    _fmt, weights = weight_files(source)
    support = sum(
        size
        for name, size in source.files.items()
        if any(fnmatch(name, p) for p in SUPPORT_PATTERNS) and name not in weights
    )
    return sum(weights.values()) + support


def preflight(
    source: ModelSource,
    *,
    task: str,
    device: str,
    dtype: str,
    weight_format: str,
    available: tuple[int | None, str],
    catalog_parameters: int | None = None,
) -> Preflight:
    """Size the model against what device has free; `available` comes from hardware.free_memory."""
    _fmt, weights = weight_files(source)
    parameters = parameter_count(source, catalog_parameters)
    needed = memory_needed(parameters, dtype, device)
    available_bytes, what = available
    fits = available_bytes is None or needed <= available_bytes
    alternatives: dict[str, int] = {}
    for other in ("bfloat16", "float16"):
        if other != dtype and BYTES_PER_DTYPE[other] < BYTES_PER_DTYPE[dtype] and device != "cpu":
            alternatives[f"--dtype {other}"] = memory_needed(parameters, other, device)
            break
    if device != "cpu":
        alternatives["--device cpu"] = memory_needed(parameters, "float32", "cpu")
    return Preflight(
        model=source.repo_id,
        revision=source.revision,
        task=task,
        device=device,
        dtype=dtype,
        weight_format=weight_format,
        weights_bytes=sum(weights.values()),
        download_bytes=download_size(source, weight_format),
        parameters=parameters,
        needed_bytes=needed,
        available_bytes=available_bytes,
        available_what=what,
        fits=fits,
        alternatives=alternatives,
    )


def enforce_fit(pf: Preflight, *, yes: bool) -> None:
    """Refuse a model that will not fit, with the numbers and the ways out, unless yes."""
    if pf.fits or yes:
        return
    ways = [f"{flag} (needs ~{gib(n)})" for flag, n in pf.alternatives.items()]
    ways.append("--yes to try anyway")
    raise TrialError(
        f"model {pf.model} needs ~{gib(pf.needed_bytes)} as {pf.dtype} on {pf.device} "
        f"({pf.parameters:,} parameters), but only {gib(pf.available_bytes)} {pf.available_what}.",
        hint="Ways out: " + "; ".join(ways) + ".",
    )


@dataclass(frozen=True)
class FitBudget:
    """What fits this machine: the device and dtype a trial would use, and the bytes free there."""

    device: str
    dtype: str
    available_bytes: int | None
    available_what: str

    @property
    def max_parameters(self) -> int | None:
        """The most parameters whose memory_needed() fits; None when free memory is unknown."""
        if self.available_bytes is None:
            return None
        room = self.available_bytes - FIXED_OVERHEAD.get(self.device, FIXED_OVERHEAD["cpu"])
        return max(0, int(room / (BYTES_PER_DTYPE[self.dtype] * (1 + OVERHEAD_FRACTION))))

    def fits(self, parameters: int | None) -> bool:
        """Whether a model of that many parameters fits (an unknown size does not)."""
        limit = self.max_parameters
        return parameters is not None and (limit is None or parameters <= limit)

    def summary(self) -> str:
        limit = self.max_parameters
        most = "any size" if limit is None else f"up to {limit:,} parameters"
        return (
            f"fits this machine: {most} as {self.dtype} on {self.device} "
            f"({gib(self.available_bytes)} {self.available_what})"
        )


def fit_budget(device: str = "auto", dtype: str = "auto") -> FitBudget:
    """This machine's budget for "fits this machine" filters.

    torch is imported only when a GPU may be used (nvidia-smi lists one, or device is not
    cpu on a Mac); on a CPU-only machine the answer comes from /proc/meminfo or sysconf.
    """
    import sys

    from tracker.trial import hardware

    gpus = hardware.nvidia_smi_gpus() if device in ("auto", "cuda") else []
    if device == "auto":
        device = "cpu"
        torch = hardware.import_torch() if gpus or sys.platform == "darwin" else None
        if torch is not None:
            if gpus and torch.cuda.is_available():
                device = "cuda"
            elif hardware.mps_available(torch):
                device = "mps"
    if device == "cuda" and gpus:
        free = gpus[0]["free_memory_bytes"]
        available: tuple[int | None, str] = (free, "free GPU memory")
        if dtype == "auto":
            major = str(gpus[0]["compute_capability"]).split(".")[0]
            dtype = "bfloat16" if major.isdigit() and int(major) >= 8 else "float16"
    else:
        available = hardware.free_memory(device)
    if dtype == "auto":
        dtype = hardware.choose_dtype(dtype, device)
    return FitBudget(device, dtype, available[0], available[1])
