"""MODEL -> a ModelSource: what is known about a model before any weights are fetched.

MODEL is a local folder, a repo id that the local-model mapping ships, or a Hub repo
id. Hub repos are described by `HfApi.model_info(files_metadata=True)` (file sizes,
parameter counts, the commit sha that is then pinned); when the Hub cannot be asked
(HF_HUB_OFFLINE=1, no network) a copy in the Hugging Face cache is used instead.
"""

from __future__ import annotations

import json
import logging
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import GatedModelError, SourceUnavailableError, TrialError, UsageError
from tracker.trial.local_models import resolve_local_model

log = logging.getLogger(__name__)

# safetensors dtype names -> bytes per element
SAFETENSORS_DTYPE_BYTES = {
    "F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2,
    "I16": 2, "U16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip


@dataclass
class ModelSource:
    """A model before loading. `path` is None for a Hub repo until its files are fetched."""

    name: str  # what the user typed
    repo_id: str  # the Hub id, or the folder's name for a plain folder
    origin: str  # folder | mapping | cache | hub
    revision: str  # pinned commit sha, or "local", or "package==version"
    path: Path | None = None
    files: dict[str, int] = field(default_factory=dict)  # relative name -> bytes
    config: dict[str, Any] = field(default_factory=dict)
    pipeline_tag: str = ""
    parameters: int | None = None
    tags: list[str] = field(default_factory=list)
    gated: str = ""

    @property
    def is_local(self) -> bool:
        return self.path is not None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def safetensors_parameters(path: Path) -> int:
    """Number of elements stored in a .safetensors file, read from its header only."""
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > 100_000_000:
            raise TrialError(f"{path}: not a safetensors file (header of {length} bytes).")
        header = json.loads(handle.read(length))
    total = 0
    for name, tensor in header.items():
        if name == "__metadata__":
            continue
        count = 1
        for dim in tensor.get("shape", []):
            count *= int(dim)
        total += count
    return total


def describe_folder(
    path: Path, *, name: str, repo_id: str, origin: str, revision: str
) -> ModelSource:
    """A ModelSource for files already on disk (sizes, config, parameter count)."""
    files: dict[str, int] = {}
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path).as_posix()
        if item.is_file() and not rel.startswith(".") and "/." not in rel:
            files[rel] = item.stat().st_size
    config = _read_json(path / "config.json")
    tokenizer_config = _read_json(path / "tokenizer_config.json")
    if "auto_map" in tokenizer_config and "auto_map" not in config:
        config = {**config, "auto_map": tokenizer_config["auto_map"]}
    parameters = 0
    for rel in files:
        if rel.endswith(".safetensors"):
            parameters += safetensors_parameters(path / rel)
    return ModelSource(
        name=name,
        repo_id=repo_id,
        origin=origin,
        revision=revision,
        path=path,
        files=files,
        config=config,
        parameters=parameters or None,
    )


def _hub_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the Hub could not be reached" (not "it said no")."""
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    try:
        import httpx2

        errors.append(httpx2.TransportError)
    except ImportError:  # pragma: no cover - older huggingface_hub uses httpx
        pass
    try:
        import httpx

        errors.append(httpx.TransportError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def _from_cache(repo_id: str, revision: str | None, name: str) -> ModelSource | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = Path(snapshot_download(repo_id, revision=revision, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, ValueError, OSError):
        return None
    return describe_folder(folder, name=name, repo_id=repo_id, origin="cache", revision=folder.name)


def _from_hub(repo_id: str, revision: str | None, endpoint: str, name: str) -> ModelSource:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, revision=revision, files_metadata=True)
    except GatedRepoError as exc:
        raise GatedModelError.for_model(repo_id, endpoint) from exc
    except RevisionNotFoundError as exc:
        raise UsageError(
            f"model {repo_id} has no revision {revision!r}.",
            hint="Name a branch, tag or commit sha that exists, or leave out --revision.",
        ) from exc
    except RepositoryNotFoundError as exc:
        raise GatedModelError.for_model(repo_id, endpoint, private=True) from exc
    except HfHubHTTPError as exc:
        raise SourceUnavailableError(
            f"the Hub at {endpoint} could not describe {repo_id}: {exc}".splitlines()[0],
            hint="Try again later; `tracker doctor` shows the Hub settings.",
        ) from exc
    files = {s.rfilename: int(s.size or 0) for s in info.siblings or []}
    parameters = None
    if info.safetensors is not None:
        parameters = int(info.safetensors.total)
    return ModelSource(
        name=name,
        repo_id=repo_id,
        origin="hub",
        revision=info.sha or revision or "",
        files=files,
        config=dict(info.config or {}),
        pipeline_tag=info.pipeline_tag or "",
        parameters=parameters,
        tags=list(info.tags or []),
        gated=str(info.gated or ""),
    )


def _offline() -> bool:
    """HF_HUB_OFFLINE, read now (huggingface_hub itself reads it once, at import)."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return True
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def resolve_model(name: str, *, endpoint: str, revision: str | None = None) -> ModelSource:
    """Describe MODEL without fetching its weights."""
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return _from_folder(candidate, name)
    if name.count("/") > 1 or name.startswith((".", "/", "~")):
        raise UsageError(
            f"{name} is neither a folder nor a Hub repo id.",
            hint="Give a Hub id like owner/name or an existing folder.",
        )
    if revision is None:
        local = resolve_local_model(name)
        if local is not None:
            source = describe_folder(
                local.path,
                name=name,
                repo_id=local.repo_id,
                origin="mapping",
                revision=local.revision,
            )
            source.pipeline_tag = local.pipeline_tag
            return source
    return _from_hub_or_cache(name, revision, endpoint)


def _from_folder(candidate: Path, name: str) -> ModelSource:
    """A folder made by save_pretrained (or a snapshot in the Hugging Face cache)."""
    if not (candidate / "config.json").is_file():
        raise UsageError(
            f"{candidate} is a folder but holds no config.json.",
            hint="Point MODEL at a folder made by save_pretrained, or give a Hub repo id.",
        )
    folder = candidate.resolve()
    snapshot = folder.parent.name == "snapshots"
    return describe_folder(
        folder,
        name=name,
        repo_id=folder.name,
        origin="folder",
        revision=folder.name if snapshot else "local",
    )


def _from_hub_or_cache(name: str, revision: str | None, endpoint: str) -> ModelSource:
    """The Hub's description, else (offline, or the Hub unreachable) the cached copy's."""
    offline = _offline()
    if not offline:
        try:
            return _from_hub(name, revision, endpoint, name)
        except SourceUnavailableError:
            raise
        except _hub_errors() as exc:
            log.info("Hub unreachable for %s (%s); trying the local cache", name, exc)
            cached = _from_cache(name, revision, name)
            if cached is not None:
                return cached
            raise SourceUnavailableError(
                f"the Hub at {endpoint} cannot be reached to describe {name}, and it is not in the local cache.",
                hint="Check the network (or [hub] endpoint), or try a local folder.",
            ) from exc
    cached = _from_cache(name, revision, name)
    if cached is None:
        raise TrialError(
            f"model {name} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set.",
            hint="Unset HF_HUB_OFFLINE to download it, or give a local folder.",
        )
    return cached
