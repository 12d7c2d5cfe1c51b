"""Map a dataset's class labels to a model's id2label, or refuse with both label sets.

A mapping is made only when it is certain: the same names (ignoring case, spaces, "-"
and "_", and the pos/neg abbreviations), or a model whose labels are the default
LABEL_0..LABEL_k, which by transformers' convention are the dataset's class ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.errors import UsageError

_DEFAULT = re.compile(r"^label_(\d+)$")
_SYNONYMS = {"pos": "positive", "neg": "negative", "neu": "neutral", "contradict": "contradiction"}


def _key(name: str) -> str:
    key = re.sub(r"[\s_\-]+", "", str(name).strip().lower())
    return _SYNONYMS.get(key, key)


def _listing(names: Sequence[str]) -> str:
    return ", ".join(f"{i}={n}" for i, n in enumerate(names))


def map_labels(
    dataset_names: Sequence[str] | None, id2label: dict[int, str], *, dataset: str, model: str
) -> dict[str, int]:
    """Model label (as the pipeline names it) -> dataset class id.

    dataset_names: the dataset's class names by id (ClassLabel), or None for plain ints.
    """
    model_labels = {int(k): str(v) for k, v in id2label.items()}
    defaults = {i: m for i, m in model_labels.items() if _DEFAULT.match(m.lower())}
    if len(defaults) == len(model_labels):
        return {m: int(_DEFAULT.match(m.lower()).group(1)) for m in model_labels.values()}  # type: ignore[union-attr]
    if dataset_names:
        by_key = {_key(m): m for m in model_labels.values()}
        mapping = {by_key[_key(n)]: i for i, n in enumerate(dataset_names) if _key(n) in by_key}
        if len(mapping) == len(dataset_names):
            return mapping
    theirs = _listing(list(dataset_names)) if dataset_names else "plain class ids"
    ours = ", ".join(f"{i}={m}" for i, m in sorted(model_labels.items()))
    raise UsageError(
        f"the labels of {dataset} ({theirs}) do not map with certainty onto those of {model} ({ours}).",
        hint="Pass --label-map DATASET=MODEL pairs, e.g. --label-map 0=NEGATIVE,1=POSITIVE.",
    )


def parse_label_map(
    text: str, dataset_names: Sequence[str] | None, id2label: dict[int, str]
) -> dict[str, int]:
    """--label-map "0=NEGATIVE,positive=POSITIVE" -> model label -> dataset class id."""
    names = list(dataset_names or [])
    model_labels = {str(v) for v in id2label.values()}
    mapping: dict[str, int] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        theirs, sep, ours = pair.partition("=")
        theirs, ours = theirs.strip(), ours.strip()
        if not sep or ours not in model_labels:
            raise UsageError(
                f"--label-map: {pair!r} must be DATASET_LABEL=MODEL_LABEL with a model label "
                f"among {', '.join(sorted(model_labels))}."
            )
        if theirs.isdigit():
            mapping[ours] = int(theirs)
        elif theirs in names:
            mapping[ours] = names.index(theirs)
        else:
            raise UsageError(f"--label-map: the dataset has no label {theirs!r}.")
    return mapping
