"""Dataset rows -> the model's inputs and the references its predictions are scored against.

Class labels are compared as the dataset's class ids: the model's labels are mapped
onto them (tracker.verify.labels) before the model is loaded, so a mapping that
cannot be made costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import UsageError
from tracker.verify.labels import map_labels, parse_label_map
from tracker.verify.reader import Rows


@dataclass
class Prepared:
    inputs: list[Any]
    references: list[Any]
    pairs: list[str] | None = None  # second texts of text-pair classification
    mapping: dict[str, int] = field(default_factory=dict)  # model label -> dataset class id
    names: list[str] | None = None  # the dataset's class names, by id


@dataclass(frozen=True)
class Context:
    dataset: str
    config: str
    model: str
    id2label: dict[int, str]
    label_map: str | None = None


def _class_ids(
    values: list[Any], names: list[str] | None, column: str
) -> tuple[list[int], list[str] | None]:
    """Labels as class ids; string labels become ids of their (sorted) names."""
    if all(isinstance(v, bool | int) for v in values):
        return [int(v) for v in values], names
    if all(isinstance(v, str) for v in values):
        names = names or sorted(set(values))
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise UsageError(f"column {column!r} holds labels outside its names: {unknown[:5]}.")
        return [names.index(v) for v in values], names
    raise UsageError(f"column {column!r} holds neither class ids nor label names.")


def _mapping(context: Context, names: list[str] | None) -> dict[str, int]:
    if context.label_map:
        return parse_label_map(context.label_map, names, context.id2label)
    return map_labels(names, context.id2label, dataset=context.dataset, model=context.model)


def _column(rows: Rows, roles: dict[str, str], role: str) -> list[Any]:
    return [row[roles[role]] for row in rows.rows]


def _classification(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    column = roles["label"]
    refs, names = _class_ids(_column(rows, roles, "label"), rows.label_names.get(column), column)
    text_role = "text" if "text" in roles else "image"
    inputs = _column(rows, roles, text_role)
    pairs = [str(p) for p in _column(rows, roles, "text_pair")] if "text_pair" in roles else None
    if text_role == "text":
        inputs = [str(t) for t in inputs]
    return Prepared(inputs, refs, pairs, _mapping(context, names), names)


def _tokens(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    column = roles["tags"]
    names = rows.label_names.get(column)
    tags = _column(rows, roles, "tags")
    flat = [t for seq in tags for t in seq]
    if flat and all(isinstance(t, str) for t in flat):
        names = names or sorted(set(flat))
        tags = [[names.index(t) for t in seq] for seq in tags]
    if not names:
        raise UsageError(
            f"the tags in column {column!r} are plain numbers: their names (B-PER, I-LOC...) are unknown.",
            hint="Use a dataset whose card or parquet metadata names the tags, or string tags.",
        )
    references = [[names[int(t)] for t in seq] for seq in tags]
    words = [[str(w) for w in seq] for seq in _column(rows, roles, "tokens")]
    return Prepared(words, references, None, _mapping(context, names), names)


def _answers(value: Any) -> list[str]:
    if isinstance(value, dict):
        texts = value.get("text", [])
        return [str(t) for t in (texts if isinstance(texts, list) else [texts])]
    if isinstance(value, list):
        return [str(v.get("text", "")) if isinstance(v, dict) else str(v) for v in value]
    return [str(value)] if value else []


def _qa(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    inputs = [
        {"question": str(row[roles["question"]]), "context": str(row[roles["context"]])}
        for row in rows.rows
    ]
    return Prepared(inputs, [_answers(v) for v in _column(rows, roles, "answers")])


def _similarity(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    first = [str(v) for v in _column(rows, roles, "sentence1")]
    second = [str(v) for v in _column(rows, roles, "sentence2")]
    return Prepared(first, [float(v) for v in _column(rows, roles, "score")], second)


def _summaries(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    inputs = [str(v) for v in _column(rows, roles, "text")]
    return Prepared(inputs, [str(v) for v in _column(rows, roles, "target")])


def _speech(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    return Prepared(_column(rows, roles, "audio"), [str(v) for v in _column(rows, roles, "text")])


_LANGS = re.compile(r"(?:^|[-_/.])([a-z]{2,3})[-_](?:to[-_])?([a-z]{2,3})(?:$|[-_.])")


def translation_direction(pairs: dict[str, Any], model: str, config: str) -> tuple[str, str]:
    """(source, target) language keys of a translation dict: from the model's id, else the config."""
    keys = set(pairs)
    for text in (model.lower().rsplit("/", 1)[-1], config.lower()):
        for match in _LANGS.finditer(text):
            if {match.group(1), match.group(2)} <= keys:
                return match.group(1), match.group(2)
    raise UsageError(
        f"cannot tell the translation direction between {sorted(keys)} for {model}.",
        hint="Name it: --columns source=COLUMN,target=COLUMN on a dataset with one column each.",
    )


def _translation(rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    if "source" in roles and "target" in roles:
        sources, targets = _column(rows, roles, "source"), _column(rows, roles, "target")
        return Prepared([str(s) for s in sources], [str(t) for t in targets])
    cells = _column(rows, roles, "translation")
    source, target = translation_direction(cells[0] if cells else {}, context.model, context.config)
    return Prepared([str(c[source]) for c in cells], [str(c[target]) for c in cells])


PREPARERS: dict[str, Callable[[Rows, dict[str, str], Context], Prepared]] = {
    "text-classification": _classification,
    "image-classification": _classification,
    "token-classification": _tokens,
    "question-answering": _qa,
    "sentence-similarity": _similarity,
    "summarization": _summaries,
    "translation": _translation,
    "automatic-speech-recognition": _speech,
}


def prepare(task: str, rows: Rows, roles: dict[str, str], context: Context) -> Prepared:
    return PREPARERS[task](rows, roles, context)
