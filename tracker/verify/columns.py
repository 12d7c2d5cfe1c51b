"""Which dataset columns feed which input of a task: known layouts first, then --columns.

Each task has roles (text-classification: text, text_pair, label). A role is filled
from --columns when given, else from the first known column name present (GLUE/SST-2,
IMDB, CoNLL, SQuAD, LibriSpeech, ImageNet-style folders, STS-B, CNN/DailyMail, WMT).
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.errors import UsageError

# task -> role -> column names, in order of preference
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "text-classification": {
        "text": ("sentence", "text", "sentence1", "premise", "question1", "question", "content", "review"),
        "text_pair": ("sentence2", "hypothesis", "question2"),
        "label": ("label", "labels", "sentiment", "class"),
    },
    "token-classification": {
        "tokens": ("tokens", "words"),
        "tags": ("ner_tags", "tags", "labels", "ner"),
    },
    "question-answering": {
        "question": ("question",),
        "context": ("context",),
        "answers": ("answers",),
    },
    "automatic-speech-recognition": {
        "audio": ("audio", "speech", "file"),
        "text": ("text", "sentence", "transcription", "transcript", "normalized_text"),
    },
    "image-classification": {
        "image": ("image", "img", "pixel_values"),
        "label": ("label", "labels", "fine_label"),
    },
    "summarization": {
        "text": ("article", "document", "text", "dialogue", "content"),
        "target": ("highlights", "summary", "abstract", "target"),
    },
    "translation": {
        "translation": ("translation",),
        "source": ("source", "src"),
        "target": ("target", "tgt"),
    },
    "sentence-similarity": {
        "sentence1": ("sentence1", "sentence_a", "text1", "premise"),
        "sentence2": ("sentence2", "sentence_b", "text2", "hypothesis"),
        "score": ("score", "label", "similarity_score", "relatedness_score"),
    },
}  # fmt: skip

OPTIONAL_ROLES = {"text_pair", "translation", "source", "target"}


def parse_columns(text: str | None) -> dict[str, str]:
    """ "text=sentence,label=label" -> {"text": "sentence", "label": "label"}."""
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in (text or "").split(","))):
        role, sep, column = pair.partition("=")
        if not sep or not role.strip() or not column.strip():
            raise UsageError(
                f"--columns: {pair!r} is not ROLE=COLUMN.",
                hint="For example --columns text=sentence,label=label.",
            )
        mapping[role.strip()] = column.strip()
    return mapping


def map_columns(
    task: str, available: Iterable[str], overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """role -> column for task, from overrides and the known layouts; refuses what is missing."""
    layout = LAYOUTS[task]
    columns = list(available)
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(layout))
    if unknown:
        raise UsageError(
            f"--columns: {task} has no input {unknown[0]!r}.",
            hint=f"Its inputs: {', '.join(layout)}.",
        )
    chosen: dict[str, str] = {}
    for role, names in layout.items():
        if role in overrides:
            if overrides[role] not in columns:
                raise UsageError(
                    f"--columns {role}={overrides[role]}: the dataset has no column {overrides[role]!r}.",
                    hint=f"Its columns: {', '.join(columns)}.",
                )
            chosen[role] = overrides[role]
            continue
        found = next((n for n in names if n in columns and n not in chosen.values()), None)
        if found is not None:
            chosen[role] = found
    _check_complete(task, chosen, columns)
    return chosen


def _check_complete(task: str, chosen: dict[str, str], columns: list[str]) -> None:
    if task == "translation" and "translation" not in chosen:
        if not {"source", "target"} <= set(chosen):
            raise UsageError(
                f"the dataset has no translation column, nor source and target columns ({', '.join(columns)}).",
                hint="Name them: --columns source=COLUMN,target=COLUMN.",
            )
        return
    missing = [r for r in LAYOUTS[task] if r not in chosen and r not in OPTIONAL_ROLES]
    if missing:
        raise UsageError(
            f"no column for the {task} input {missing[0]!r} among {', '.join(columns)}.",
            hint=f"Name it: --columns {missing[0]}=COLUMN.",
        )
