"""Which tasks `tracker try` runs, how a task is chosen, and how inputs are parsed.

Plain text is the input of most tasks. Tasks with several parts take a JSON object
(on the command line or as a line of an --input file) or the "|||" shorthand:

    question-answering        {"question": q, "context": c}          or  "q ||| c"
    zero-shot-classification  {"text": t, "candidate_labels": [..]}  or  "t ||| a, b, c"
    sentence-similarity       {"source_sentence": s, "sentences": [..]} or "s ||| a ||| b"
    image-classification      an image file path
    automatic-speech-recognition  an audio file path (.wav is read without ffmpeg)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tracker.errors import TrialError, UsageError
from tracker.tasks_catalog import canonical_task

SEPARATOR = "|||"

# task -> the kind of input it takes
SUPPORTED_TASKS: dict[str, str] = {
    "text-classification": "text",
    "token-classification": "text",
    "question-answering": "qa",
    "fill-mask": "text",
    "feature-extraction": "text",
    "sentence-similarity": "similarity",
    "zero-shot-classification": "zero-shot",
    "summarization": "text",
    "translation": "text",
    "text-generation": "text",
    "image-classification": "file",
    "automatic-speech-recognition": "file",
}

# Catalogue tasks that `tracker try` runs under another pipeline's name. Other names
# of a task (sentiment-analysis, ner) are the catalogue's (tasks_catalog.ALIASES).
RUNS_AS = {"text2text-generation": "summarization"}

# Architecture name suffix -> task, for folders that carry no pipeline tag.
_ARCHITECTURE_TASKS = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("LMHeadModel", "text-generation"),
    ("ForConditionalGeneration", "summarization"),
    ("ForImageClassification", "image-classification"),
    ("ForCTC", "automatic-speech-recognition"),
    ("ForSpeechSeq2Seq", "automatic-speech-recognition"),
)


def unsupported(task: str) -> TrialError:
    return TrialError(
        f"task '{task}' is not supported by `tracker try` yet.",
        hint=f"Supported tasks: {', '.join(SUPPORTED_TASKS)}. Pick one with --task.",
    )


def normalize_task(task: str) -> str:
    name = canonical_task(task)
    name = RUNS_AS.get(name, name)
    if name.startswith("translation_"):
        name = "translation"
    if name not in SUPPORTED_TASKS:
        raise unsupported(task)
    return name


def infer_task(config: dict[str, Any], files: Iterable[str]) -> str | None:
    """A task from config.json's architectures; None when it says nothing useful."""
    architectures = config.get("architectures") or []
    for arch in architectures:
        for suffix, task in _ARCHITECTURE_TASKS:
            if str(arch).endswith(suffix):
                return task
    if any(str(a).endswith("Model") for a in architectures):
        names = set(files)
        return "sentence-similarity" if "modules.json" in names else "feature-extraction"
    return None


def choose_task(
    requested: str | None, *candidates: str | None, config: dict[str, Any], files: Iterable[str]
) -> str:
    """--task, else the first known pipeline tag, else the architecture; always supported."""
    if requested:
        return normalize_task(requested)
    for tag in candidates:
        if tag:
            return normalize_task(tag)
    inferred = infer_task(config, files)
    if inferred is None:
        raise TrialError(
            "cannot tell which task this model does (no pipeline tag, unknown architecture).",
            hint=f"Name it with --task, one of: {', '.join(SUPPORTED_TASKS)}.",
        )
    return inferred


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(SEPARATOR)]


def parse_input(task: str, raw: Any) -> Any:
    """One raw input (a string or a JSON value) -> what the runner takes for this task."""
    if isinstance(raw, str) and raw.lstrip().startswith("{"):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise UsageError(f"input {raw[:60]!r} is not valid JSON: {exc.msg}.") from exc
    return _PARSERS[SUPPORTED_TASKS[task]](task, raw)


def _text_or_file(task: str, raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("text", "inputs", "path", "file"):
            if isinstance(value := raw.get(key), str):
                return value
        raise UsageError(f"{task} takes text; got an object with keys {sorted(raw)}.")
    if not isinstance(raw, str) or not raw.strip():
        raise UsageError(f"{task} takes a non-empty text per input.")
    if SUPPORTED_TASKS[task] == "file" and not Path(raw).is_file():
        raise UsageError(f"{task} takes a file path; {raw!r} is not a file.")
    return raw


def _question_and_context(task: str, raw: Any) -> dict[str, str]:
    if isinstance(raw, str):
        parts = _split(raw)
        if len(parts) != 2:
            raise UsageError(
                "question-answering takes a question and a context.",
                hint='Write "QUESTION ||| CONTEXT" or {"question": ..., "context": ...}.',
            )
        raw = {"question": parts[0], "context": parts[1]}
    if not isinstance(raw, dict) or not raw.get("question") or not raw.get("context"):
        raise UsageError('question-answering takes {"question": ..., "context": ...}.')
    return {"question": str(raw["question"]), "context": str(raw["context"])}


def _text_and_labels(task: str, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        parts = _split(raw)
        if len(parts) != 2:
            raise UsageError(
                "zero-shot-classification takes a text and candidate labels.",
                hint='Write "TEXT ||| label1, label2" or {"text": ..., "candidate_labels": [...]}.',
            )
        raw = {"text": parts[0], "candidate_labels": parts[1].split(",")}
    labels = raw.get("candidate_labels") if isinstance(raw, dict) else None
    if isinstance(labels, str):
        labels = labels.split(",")
    labels = [str(label).strip() for label in labels or [] if str(label).strip()]
    if not isinstance(raw, dict) or not raw.get("text") or not labels:
        raise UsageError('zero-shot-classification takes {"text": ..., "candidate_labels": [...]}.')
    return {"text": str(raw["text"]), "candidate_labels": labels}


def _sentence_and_others(task: str, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        parts = _split(raw)
        raw = {"source_sentence": parts[0], "sentences": parts[1:]}
    if not isinstance(raw, dict) or not raw.get("source_sentence") or not raw.get("sentences"):
        raise UsageError(
            "sentence-similarity takes a sentence and the sentences to compare it with.",
            hint='Write "SENTENCE ||| OTHER ||| ..." or {"source_sentence": ..., "sentences": [...]}.',
        )
    return {
        "source_sentence": str(raw["source_sentence"]),
        "sentences": [str(s) for s in raw["sentences"]],
    }


# kind of input (SUPPORTED_TASKS' values) -> its parser
_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "text": _text_or_file,
    "file": _text_or_file,
    "qa": _question_and_context,
    "zero-shot": _text_and_labels,
    "similarity": _sentence_and_others,
}


def read_input_file(path: Path) -> list[Any]:
    """One input per line: plain text, or a JSON value (JSON lines). Blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--input {path}: cannot be read ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"--input {path}: not UTF-8 text.") from exc
    items: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in '{["':
            try:
                items.append(json.loads(stripped))
                continue
            except json.JSONDecodeError as exc:
                if stripped[0] != '"':
                    raise UsageError(
                        f"--input {path}:{number}: not valid JSON: {exc.msg}."
                    ) from exc
        items.append(line)
    return items
