"""DATASET [CONFIG] [SPLIT] -> the data files of that split, where they live, and label names.

A local folder (parquet, JSON lines, CSV, or a `save_to_disk` folder) or a Hub dataset
repo. Hub parquet files are opened through HfFileSystem without a read cache, so a
sample reads only the footer and the row groups it needs; JSON lines and CSV files on
the Hub are downloaded whole. A repo that needs a loading script is refused: only
data files are read, never code.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tracker.errors import GatedModelError, SourceUnavailableError, UsageError
from tracker.verify import card as cards

DATA_SUFFIXES = {
    ".parquet": "parquet",
    ".jsonl": "json",
    ".json": "json",
    ".csv": "csv",
    ".arrow": "arrow",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}
_SPLIT_WORD = re.compile(r"train|validation|valid|val|dev|test")


class CountingFile(io.RawIOBase):
    """A binary file that counts the bytes read through it (what a sample costs)."""

    def __init__(self, raw: IO[bytes], counter: list[int]) -> None:
        self._raw, self._counter = raw, counter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._counter[0] += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class SplitFiles:
    dataset: str
    config: str
    split: str
    revision: str  # commit sha on the Hub; "local" for a folder
    files: list[str]  # paths that `open` takes, in order
    kind: str  # parquet | json | csv | arrow
    open: Callable[[str], IO[bytes]]
    label_names: dict[str, list[str]] = field(default_factory=dict)
    bytes_read: list[int] = field(default_factory=lambda: [0])

    def opened(self, path: str) -> IO[bytes]:
        # Unbuffered: pyarrow asks for exact ranges, and a buffer would read ahead.
        return CountingFile(self.open(path), self.bytes_read)  # type: ignore[return-value]


def _split_name(part: str) -> str | None:
    """ "validation-00000-of-00001" -> validation; "dev" -> validation; "validation_matched" kept."""
    name = part.split(".")[0].split("-")[0]
    if _SPLIT_WORD.fullmatch(name):
        return cards.canonical_split(name)
    if _SPLIT_WORD.match(name.split("_")[0]) and "_" in name:
        return name  # e.g. MNLI's validation_matched and validation_mismatched stay apart
    return None


def _split_of(path: str) -> str | None:
    """The split a data file's name says, else the nearest folder that names one."""
    for part in reversed(path.lower().split("/")):
        found = _split_name(part)
        if found:
            return found
    return None


def _by_split(paths: list[str], config: str) -> dict[str, list[str]]:
    """Data files grouped by the split their name (or folder) says; no name means train."""
    groups: dict[str, list[str]] = {}
    for path in sorted(paths):
        parts = path.split("/")[:-1]
        if config and config not in parts:
            continue
        groups.setdefault(_split_of(path) or "train", []).append(path)
    return groups


def _choose(
    dataset: str, config: str, split: str | None, groups: dict[str, list[str]]
) -> tuple[str, list[str]]:
    if not groups:
        where = f" for config {config!r}" if config else ""
        raise UsageError(
            f"dataset {dataset} has no parquet, JSON lines, CSV or arrow files{where}.",
            hint="Give a folder of data files, or name the config with --config.",
        )
    if split is None:
        split = next((s for s in ("validation", "test", "train") if s in groups), min(groups))
    split = cards.canonical_split(split)
    if split not in groups:
        raise UsageError(
            f"dataset {dataset} has no split {split!r}.",
            hint=f"Its splits: {', '.join(sorted(groups))}. Pick one with --split.",
        )
    return split, groups[split]


def _kind(dataset: str, files: list[str]) -> str:
    kinds = {DATA_SUFFIXES[Path(f).suffix.lower()] for f in files}
    if len(kinds) != 1:
        raise UsageError(f"dataset {dataset} mixes file formats in one split: {sorted(kinds)}.")
    return kinds.pop()


def local_split(folder: Path, config: str, split: str | None) -> SplitFiles:
    """A folder of data files or a save_to_disk folder."""
    if (folder / "dataset_dict.json").is_file() or (folder / "state.json").is_file():
        return _saved_split(folder, split)
    paths = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(".")
    ]
    _refuse_scripts(str(folder), [p.name for p in folder.iterdir() if p.is_file()], paths)
    if not paths:
        images = _image_folder(folder, split)
        if images is not None:
            return images
    card: dict[str, Any] = {}
    if (folder / "README.md").is_file():
        card = cards.read_yaml_header((folder / "README.md").read_text(encoding="utf-8"))
    chosen, files = _split_files(str(folder), card, config, split, paths)
    return SplitFiles(
        dataset=str(folder),
        config=config,
        split=chosen,
        revision="local",
        files=[str(folder / f) for f in files],
        kind=_kind(str(folder), files),
        open=lambda path: open(path, "rb"),  # noqa: SIM115 - closed by the reader
        label_names=cards.card_label_names(card, config),
    )


def _image_folder(folder: Path, split: str | None) -> SplitFiles | None:
    """An ImageNet-style folder: [SPLIT/]CLASS/image.jpg; the classes, sorted, are the labels."""
    images = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not images or any(path.count("/") not in (1, 2) for path in images):
        return None
    groups: dict[str, list[str]] = {}
    for path in images:
        parts = path.split("/")
        name = cards.canonical_split(parts[0]) if len(parts) == 3 else "train"
        groups.setdefault(name, []).append(path)
    chosen, files = _choose(str(folder), "", split, groups)
    classes = sorted({path.split("/")[-2] for path in images})
    return SplitFiles(
        dataset=str(folder),
        config="",
        split=chosen,
        revision="local",
        files=[str(folder / f) for f in files],
        kind="imagefolder",
        open=lambda path: open(path, "rb"),  # noqa: SIM115 - not read here: PIL opens images
        label_names={"label": classes},
    )


def _split_files(
    dataset: str, card: dict[str, Any], config: str, split: str | None, paths: list[str]
) -> tuple[str, list[str]]:
    """The card's `configs:` first (GLUE-style repos), then file and folder names."""
    names = cards.card_splits(card, config)
    if names:
        groups = {
            cards.canonical_split(s): cards.card_data_files(
                card, config, cards.canonical_split(s), paths
            )
            for s in names
        }
        return _choose(dataset, config, split, {k: v for k, v in groups.items() if v})
    if config and cards.config_names(card) and config not in cards.config_names(card):
        raise UsageError(
            f"dataset {dataset} has no config {config!r}.",
            hint=f"Its configs: {', '.join(cards.config_names(card))}.",
        )
    return _choose(dataset, config, split, _by_split(paths, config))


def _saved_split(folder: Path, split: str | None) -> SplitFiles:
    """A folder written by Dataset.save_to_disk or DatasetDict.save_to_disk."""
    target = folder
    chosen = cards.canonical_split(split or "train")
    if (folder / "dataset_dict.json").is_file():
        splits = json.loads((folder / "dataset_dict.json").read_text("utf-8")).get("splits", [])
        groups = {cards.canonical_split(s): [s] for s in splits}
        chosen, (name,) = _choose(str(folder), "", split, groups)
        target = folder / name
    state = json.loads((target / "state.json").read_text("utf-8"))
    info = json.loads((target / "dataset_info.json").read_text("utf-8"))
    files = [str(target / f["filename"]) for f in state.get("_data_files", [])]
    return SplitFiles(
        dataset=str(folder),
        config="",
        split=chosen,
        revision=str(state.get("_fingerprint") or "local"),
        files=files,
        kind="arrow",
        open=lambda path: open(path, "rb"),  # noqa: SIM115 - closed by the reader
        label_names=cards.features_label_names(info.get("features")),
    )


def _refuse_scripts(dataset: str, root_files: list[str], data_files: list[str]) -> None:
    scripts = [f for f in root_files if f.endswith(".py")]
    if scripts and not data_files:
        raise UsageError(
            f"dataset {dataset} needs its loading script {scripts[0]} to be read; "
            "running it would execute that code on this machine.",
            hint="Only data files (parquet, JSON lines, CSV, arrow) are read. "
            "Look for a parquet version of the dataset.",
        )


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def hub_split(
    repo: str, config: str, split: str | None, *, revision: str | None, endpoint: str
) -> SplitFiles:
    """A Hub dataset repo's split, pinned to the commit sha the Hub names now."""
    if _offline():
        raise UsageError(
            f"dataset {repo} cannot be fetched: HF_HUB_OFFLINE is set.",
            hint="Unset HF_HUB_OFFLINE, or pass --dataset ./folder with its data files.",
        )
    info = _dataset_info(repo, revision, endpoint)
    sha = str(info.sha)
    paths = [s.rfilename for s in info.siblings or []]
    data = [p for p in paths if Path(p).suffix.lower() in DATA_SUFFIXES]
    data = [p for p in data if not p.endswith(".json") or "/" in p and _split_of(p)]
    _refuse_scripts(repo, [p for p in paths if "/" not in p], data)
    card = info.card_data.to_dict() if info.card_data is not None else {}
    chosen, files = _split_files(repo, card, config, split, data)
    kind = _kind(repo, files)
    labels = cards.card_label_names(card, config)
    if kind == "parquet":
        from huggingface_hub import HfFileSystem

        fs = HfFileSystem(endpoint=endpoint)
        prefix = f"datasets/{repo}@{sha}/"
        return SplitFiles(
            repo, config, chosen, sha, [prefix + f for f in files], kind,
            lambda path: fs.open(path, "rb", cache_type="none"), labels,
        )  # fmt: skip
    local = [_download(repo, f, sha, endpoint) for f in files]
    return SplitFiles(repo, config, chosen, sha, local, kind, lambda path: open(path, "rb"), labels)  # noqa: SIM115


def _download(repo: str, filename: str, sha: str, endpoint: str) -> str:
    from huggingface_hub import hf_hub_download

    return hf_hub_download(repo, filename, repo_type="dataset", revision=sha, endpoint=endpoint)


def _dataset_info(repo: str, revision: str | None, endpoint: str) -> Any:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from tracker.trial.resolve import _hub_errors

    page = f"{endpoint.rstrip('/')}/datasets/{repo}"
    unreachable: tuple[type[BaseException], ...] = (HfHubHTTPError, *_hub_errors())
    try:
        return HfApi(endpoint=endpoint).dataset_info(repo, revision=revision)
    except GatedRepoError as exc:
        raise GatedModelError(
            f"dataset {repo} is gated: its files need a logged-in Hub account.",
            hint=f"Run `hf auth login` (or set HF_TOKEN), then accept its terms at {page}.",
        ) from exc
    except RevisionNotFoundError as exc:
        raise UsageError(f"dataset {repo} has no revision {revision!r}.") from exc
    except RepositoryNotFoundError as exc:
        raise UsageError(
            f"dataset {repo} is private or does not exist on {endpoint}.",
            hint="Check the id, or pass --dataset ./folder for local files.",
        ) from exc
    except unreachable as exc:
        raise SourceUnavailableError(
            f"the Hub at {endpoint} could not describe dataset {repo}: {exc}".splitlines()[0],
            hint="Check the network, or set HF_HUB_OFFLINE=1 and pass a local folder.",
        ) from exc


def find_split(
    dataset: str, config: str | None, split: str | None, *, revision: str | None, endpoint: str
) -> SplitFiles:
    """A local folder when DATASET is one, else a Hub dataset repo."""
    folder = Path(dataset).expanduser()
    if folder.is_dir():
        return local_split(folder, config or "", split)
    if dataset.startswith((".", "/", "~")) or dataset.count("/") > 1:
        raise UsageError(
            f"dataset {dataset} is neither a folder nor a Hub dataset id.",
            hint="Give an existing folder or a Hub id like owner/name.",
        )
    return hub_split(dataset, config or "", split, revision=revision, endpoint=endpoint)
