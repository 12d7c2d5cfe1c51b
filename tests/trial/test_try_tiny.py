"""`tracker try` on tiny random models saved in the test, through the user's code path."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# (task, inputs, the check each output must pass)
CASES: list[tuple[str, list[str], Callable[[Any], bool]]] = [
    (
        "text-classification",
        ["a good movie", "the cat sits on the mat and the dog rests on the rug"],
        lambda o: {x["label"] for x in o} == {"POSITIVE", "NEGATIVE"},
    ),
    (
        "token-classification",
        ["ada wrote the paper in paris", "the cat"],
        lambda o: (
            isinstance(o, list) and all({"entity_group", "word", "start"} <= set(e) for e in o)
        ),
    ),
    (
        "question-answering",
        ["who wrote the paper ||| ada wrote the paper in paris", "who ||| the cat sits"],
        lambda o: set(o) == {"score", "start", "end", "answer"} and o["answer"] != "",
    ),
    (
        "fill-mask",
        ["paris is the [MASK] of france", "the [MASK] sits"],
        lambda o: len(o) == 5 and all(x["token_str"] for x in o),
    ),
    (
        "feature-extraction",
        ["the cat", "the dog sits on the mat"],
        lambda o: o["dims"] == 32 and len(o["embedding"]) == 32,
    ),
    (
        "sentence-similarity",
        ["the cat sits ||| the cat sits ||| stock market fell today"],
        lambda o: math.isclose(o["scores"][0]["score"], 1.0, abs_tol=1e-5),
    ),
    (
        "zero-shot-classification",
        ["a good movie ||| cat, dog, gpu"],
        lambda o: sorted(o["labels"]) == ["cat", "dog", "gpu"],
    ),
    ("text-generation", ["the cat", "the dog sits"], lambda o: "generated_text" in o),
    ("summarization", ["the cat sits on the mat", "the dog"], lambda o: "summary_text" in o),
    ("translation", ["the cat sits on the mat", "the dog"], lambda o: "translation_text" in o),
]


def auto_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


MODEL_OF = {"sentence-similarity": "feature-extraction", "translation": "summarization"}


def _labels(task: str, output: Any) -> Any:
    """What must be identical between batch and per-input runs (scores may differ by 1e-6)."""
    if task in ("feature-extraction", "sentence-similarity"):
        return None
    if task == "text-classification":
        return [x["label"] for x in output]
    if task == "fill-mask":
        return [x["token"] for x in output]
    if task == "token-classification":
        return [(e["entity_group"], e["start"], e["end"]) for e in output]
    if task == "question-answering":
        return (output["start"], output["end"])
    if task == "zero-shot-classification":
        return output["labels"]
    return output


@pytest.mark.parametrize(("task", "inputs", "check"), CASES, ids=[c[0] for c in CASES])
def test_each_text_task_runs_and_batch_equals_per_input(
    tiny: Callable[[str], Path], cli: Any, task: str, inputs: list[str], check: Any
) -> None:
    folder = tiny(MODEL_OF.get(task, task))
    # device auto: CUDA on a GPU machine (benchmarks/gpu_trial_check.sh), else the CPU.
    args = ("try", str(folder), *inputs, "--task", task, "--dtype", "float32", "--json")
    one = cli(*args, "--batch-size", "1")
    assert one.code == 0, one.err
    doc = one.json()
    assert {
        "model",
        "revision",
        "task",
        "device",
        "dtype",
        "outputs",
        "load_seconds",
        "seconds",
    } <= set(doc)
    assert (doc["task"], doc["device"], doc["dtype"], doc["revision"]) == (
        task,
        "cpu",
        "float32",
        "local",
    )
    assert len(doc["outputs"]) == len(inputs)
    for output in doc["outputs"]:
        assert check(output), output
    batched = cli(*args, "--batch-size", "8").json()
    for a, b in zip(doc["outputs"], batched["outputs"], strict=True):
        assert _labels(task, a) == _labels(task, b)
        if task == "feature-extraction":
            dot = sum(x * y for x, y in zip(a["embedding"], b["embedding"], strict=True))
            norms = math.hypot(*a["embedding"]) * math.hypot(*b["embedding"])
            assert dot / norms >= 0.9999


def test_task_comes_from_the_architecture_and_text_output_is_for_people(
    tiny: Callable[[str], Path], cli: Any
) -> None:
    result = cli("try", str(tiny("text-classification")), "a good movie")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "a good movie"
    assert "POSITIVE" in result.out and "NEGATIVE" in result.out and "█" in result.out
    assert "(text-classification)" in result.err and "fits." in result.err


def test_input_file_writes_json_lines_in_input_order(
    tiny: Callable[[str], Path], cli: Any, tmp_path: Path
) -> None:
    texts = ["the cat", "paris is the capital city of france and a good city", "a dog", "the mat"]
    path = tmp_path / "inputs.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    result = cli("try", str(tiny("feature-extraction")), "--input", str(path), "--batch-size", "2")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r["input"] for r in rows] == texts
    assert all(r["output"]["dims"] == 32 for r in rows)


def test_fill_mask_without_mask_and_no_inputs_are_usage_errors(
    tiny: Callable[[str], Path], cli: Any
) -> None:
    folder = str(tiny("fill-mask"))
    result = cli("try", folder, "no mask here")
    assert result.code == 2
    assert "Error: fill-mask input 'no mask here' has no [MASK] token." in result.err
    result = cli("try", folder)
    assert result.code == 2
    assert "Error: no inputs: give INPUT arguments or --input FILE for fill-mask." in result.err
    assert f"tracker try {folder} " in result.err


def test_unsupported_task_is_refused_clearly(tiny: Callable[[str], Path], cli: Any) -> None:
    result = cli("try", str(tiny("fill-mask")), "x", "--task", "text-to-audio")
    assert result.code == 1
    assert "Error: task 'text-to-audio' is not supported by `tracker try` yet." in result.err


def test_out_of_memory_is_a_clear_message_and_releases_the_model(
    tiny: Callable[[str], Path], env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from tracker.errors import TrialError
    from tracker.trial import runner
    from tracker.trial.plan import plan_trial

    plan = plan_trial(str(tiny("text-classification")), env.config(), device="cpu")
    loaded = runner.load(plan)

    def oom(*args: Any, **kwargs: Any) -> Any:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(loaded.pipe.model, "forward", oom)
    with pytest.raises(TrialError) as info:
        loaded.run(["a good movie"], batch_size=1)
    assert info.value.message.startswith("out of memory running ")
    assert "on cpu as float32: it needs ~" in info.value.message
    assert info.value.message.endswith("The model was released.")
    assert (
        info.value.hint
        == "Try a smaller --batch-size, --dtype float16 or bfloat16, or --device cpu."
    )
    assert loaded.pipe is None
