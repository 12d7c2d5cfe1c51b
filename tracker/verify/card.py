"""What a dataset card's YAML says: its configs' data files, and class label names."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from typing import Any

SPLIT_NAMES = {"validation": ("validation", "valid", "val", "dev"), "train": ("train",)}
SPLIT_NAMES["test"] = ("test",)


def canonical_split(name: str) -> str:
    lowered = name.lower()
    for split, names in SPLIT_NAMES.items():
        if lowered in names:
            return split
    return lowered


def read_yaml_header(text: str) -> dict[str, Any]:
    """The YAML block between the leading '---' lines of a README, or {}."""
    import yaml

    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _entry_for(items: Any, config: str) -> dict[str, Any] | None:
    """The item of a card list (configs or dataset_info) for config; the only one when ''."""
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return None
    entries = [i for i in items if isinstance(i, dict)]
    for entry in entries:
        if str(entry.get("config_name", "default")) == (config or "default"):
            return entry
    return entries[0] if len(entries) == 1 and not config else None


def config_names(card: dict[str, Any]) -> list[str]:
    items = card.get("configs")
    if not isinstance(items, list):
        return []
    return [str(i.get("config_name", "default")) for i in items if isinstance(i, dict)]


def card_data_files(card: dict[str, Any], config: str, split: str, files: list[str]) -> list[str]:
    """Files the card's `configs:` assigns to config/split (glob patterns matched)."""
    entry = _entry_for(card.get("configs"), config)
    if entry is None:
        return []
    data_files = entry.get("data_files")
    if isinstance(data_files, str | list) and not (
        isinstance(data_files, list) and data_files and isinstance(data_files[0], dict)
    ):
        patterns = [data_files] if isinstance(data_files, str) else list(data_files)
        return _matching(patterns, files) if split == "train" else []
    for item in data_files if isinstance(data_files, list) else []:
        if isinstance(item, dict) and canonical_split(str(item.get("split", ""))) == split:
            path = item.get("path", [])
            return _matching([path] if isinstance(path, str) else list(path), files)
    return []


def card_splits(card: dict[str, Any], config: str) -> list[str]:
    entry = _entry_for(card.get("configs"), config)
    data_files = entry.get("data_files") if entry else None
    if not isinstance(data_files, list):
        return []
    return [str(i.get("split")) for i in data_files if isinstance(i, dict) and i.get("split")]


def _matching(patterns: list[str], files: list[str]) -> list[str]:
    return sorted(f for f in files if any(fnmatch(f, p) for p in patterns))


def card_label_names(card: dict[str, Any], config: str) -> dict[str, list[str]]:
    """column -> ClassLabel names from `dataset_info.features` (also in a sequence)."""
    entry = _entry_for(card.get("dataset_info"), config)
    features = entry.get("features") if entry else None
    names: dict[str, list[str]] = {}
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict):
            continue
        for holder in (feature.get("dtype"), feature.get("sequence"), feature.get("list")):
            found = _class_names(holder)
            if found:
                names[str(feature.get("name"))] = found
    return names


def _class_names(holder: Any) -> list[str]:
    if not isinstance(holder, dict) or not isinstance(holder.get("class_label"), dict):
        return []
    raw = holder["class_label"].get("names")
    if isinstance(raw, dict):
        return [str(raw[k]) for k in sorted(raw, key=lambda k: int(k))]
    return [str(n) for n in raw] if isinstance(raw, list) else []


def features_label_names(features: Any) -> dict[str, list[str]]:
    """column -> names from a datasets `features` dict (parquet metadata, dataset_info.json)."""
    names: dict[str, list[str]] = {}
    if not isinstance(features, dict):
        return names
    for column, feature in features.items():
        for candidate in (
            feature,
            (feature or {}).get("feature") if isinstance(feature, dict) else None,
        ):
            if isinstance(candidate, dict) and isinstance(candidate.get("names"), list):
                names[str(column)] = [str(n) for n in candidate["names"]]
                break
    return names


def parquet_label_names(metadata: dict[bytes, bytes] | None) -> dict[str, list[str]]:
    """Names from the `huggingface` key that datasets writes into a parquet schema."""
    raw = (metadata or {}).get(b"huggingface")
    if not raw:
        return {}
    try:
        info = json.loads(raw)
    except ValueError:
        return {}
    return features_label_names(((info or {}).get("info") or {}).get("features"))
