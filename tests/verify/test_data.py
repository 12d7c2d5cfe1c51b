"""Local datasets: splits, formats, label names, seeded samples that read only what they need."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.verify.datasets_helpers import SST2_CARD, write_jsonl, write_parquet, write_saved
from tracker.errors import UsageError
from tracker.verify.columns import map_columns, parse_columns
from tracker.verify.labels import map_labels, parse_label_map
from tracker.verify.reader import Split, choose_indices
from tracker.verify.sources import find_split

_RANDOM = random.Random(0)
ROWS = [
    {
        "sentence": " ".join(f"w{_RANDOM.randrange(100_000)}" for _ in range(30)),
        "label": i % 2,
        "idx": i,
    }
    for i in range(20_000)
]


def _open(folder: Path, split: str | None = None, config: str | None = None) -> Split:
    return Split(
        find_split(str(folder), config, split, revision=None, endpoint="http://127.0.0.1:9")
    )


def test_parquet_folder_with_card_gives_split_names_and_labels(tmp_path: Path) -> None:
    write_parquet(tmp_path / "data" / "validation-00000-of-00001.parquet", ROWS[:100])
    write_parquet(tmp_path / "data" / "train-00000-of-00001.parquet", ROWS[:2000])
    (tmp_path / "README.md").write_text(SST2_CARD)
    split = _open(tmp_path)
    assert split.files.split == "validation"  # the default when nobody names one
    assert split.total == 100
    assert split.label_names == {"label": ["negative", "positive"]}
    assert _open(tmp_path, "train").total == 2000
    with pytest.raises(UsageError, match="has no split 'test'") as info:
        _open(tmp_path, "test")
    assert info.value.hint == "Its splits: train, validation. Pick one with --split."


def test_a_sample_reads_only_the_row_groups_and_columns_it_needs(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "validation.parquet", ROWS, row_group_size=1000)
    size = path.stat().st_size
    split = _open(tmp_path)
    first = split.read(["label"], 50, seed=0, first=True)
    assert [r["label"] for r in first.rows] == [i % 2 for i in range(50)]
    assert first.indices == list(range(50))
    # the footer and one row group of the small `label` column: a tiny part of the file
    assert first.bytes_read < size / 20
    again = _open(tmp_path).read(["sentence", "label"], 30, seed=7)
    same = _open(tmp_path).read(["sentence", "label"], 30, seed=7)
    other = _open(tmp_path).read(["sentence", "label"], 30, seed=8)
    assert again.indices == same.indices != other.indices
    assert [r["sentence"] for r in again.rows] == [ROWS[i]["sentence"] for i in again.indices]
    assert again.bytes_read < size  # 30 random rows: two columns of the row groups they fall in
    everything = _open(tmp_path).read(["sentence", "label"], None, seed=0)
    assert len(everything.rows) == 20_000 and not everything.sampled
    assert again.sampled


def test_choose_indices() -> None:
    assert choose_indices(10, None, seed=0, first=False) == list(range(10))
    assert choose_indices(10, 50, seed=0, first=False) == list(range(10))
    picked = choose_indices(1000, 5, seed=3, first=False)
    assert picked == sorted(set(picked)) and len(picked) == 5


def test_json_lines_csv_and_saved_folders(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "j" / "dev.jsonl", ROWS[:10])
    json_split = _open(tmp_path / "j")
    assert json_split.files.split == "validation" and json_split.total == 10
    csv = tmp_path / "c" / "test.csv"
    csv.parent.mkdir()
    csv.write_text("text,label\ngood movie,positive\nbad movie,negative\n")
    rows = _open(tmp_path / "c", "test").read(["text", "label"], None, seed=0).rows
    assert rows == [
        {"text": "good movie", "label": "positive"},
        {"text": "bad movie", "label": "negative"},
    ]
    saved = write_saved(tmp_path / "s", ROWS[:20], ["negative", "positive"])
    split = _open(saved)
    assert split.label_names == {"label": ["negative", "positive"]}
    assert split.files.revision == "f00d"
    assert [r["idx"] for r in split.read(["idx"], 3, seed=0, first=True).rows] == [0, 1, 2]


def test_a_folder_with_only_a_loading_script_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mydata.py").write_text("import os\n")
    with pytest.raises(UsageError, match="needs its loading script mydata.py"):
        _open(tmp_path)


def test_configs_as_folders(tmp_path: Path) -> None:
    write_parquet(tmp_path / "sst2" / "validation-00000-of-00001.parquet", ROWS[:5])
    write_parquet(tmp_path / "cola" / "validation-00000-of-00001.parquet", ROWS[:7])
    assert _open(tmp_path, config="cola").total == 7
    assert _open(tmp_path, config="sst2").total == 5


def test_columns_known_layouts_and_overrides() -> None:
    assert map_columns("text-classification", ["sentence", "label", "idx"]) == {
        "text": "sentence",
        "label": "label",
    }
    assert map_columns("text-classification", ["premise", "hypothesis", "label"]) == {
        "text": "premise",
        "text_pair": "hypothesis",
        "label": "label",
    }
    squad = map_columns("question-answering", ["id", "title", "context", "question", "answers"])
    assert squad == {"question": "question", "context": "context", "answers": "answers"}
    conll = map_columns("token-classification", ["id", "tokens", "pos_tags", "ner_tags"])
    assert conll == {"tokens": "tokens", "tags": "ner_tags"}
    assert map_columns("automatic-speech-recognition", ["file", "audio", "text", "id"]) == {
        "audio": "audio",
        "text": "text",
    }
    assert map_columns("image-classification", ["image", "label"])["image"] == "image"
    custom = map_columns(
        "text-classification", ["body", "stars"], parse_columns("text=body,label=stars")
    )
    assert custom == {"text": "body", "label": "stars"}
    with pytest.raises(UsageError, match="no column for the text-classification input 'text'"):
        map_columns("text-classification", ["body", "label"])
    with pytest.raises(UsageError, match="the dataset has no column 'nope'"):
        map_columns("text-classification", ["body", "label"], {"text": "nope"})
    with pytest.raises(UsageError, match="is not ROLE=COLUMN"):
        parse_columns("text")


def test_label_mapping_by_name_case_and_default_names() -> None:
    names = ["negative", "positive"]
    upper = {0: "NEGATIVE", 1: "POSITIVE"}
    assert map_labels(names, upper, dataset="d", model="m") == {"NEGATIVE": 0, "POSITIVE": 1}
    swapped = {0: "Positive", 1: "neg"}
    assert map_labels(names, swapped, dataset="d", model="m") == {"Positive": 1, "neg": 0}
    defaults = {0: "LABEL_0", 1: "LABEL_1"}
    assert map_labels(names, defaults, dataset="d", model="m") == {"LABEL_0": 0, "LABEL_1": 1}
    three = {0: "negative", 1: "neutral", 2: "positive"}
    assert map_labels(names, three, dataset="d", model="m") == {"negative": 0, "positive": 1}


def test_label_mapping_refused_with_both_sets() -> None:
    with pytest.raises(UsageError) as info:
        map_labels(["negative", "positive"], {0: "joy", 1: "anger"}, dataset="sst2", model="emo")
    assert info.value.message == (
        "the labels of sst2 (0=negative, 1=positive) do not map with certainty onto those of "
        "emo (0=joy, 1=anger)."
    )
    with pytest.raises(UsageError, match=r"\(plain class ids\)"):
        map_labels(None, {0: "NEGATIVE", 1: "POSITIVE"}, dataset="d", model="m")
    mapping = parse_label_map(
        "0=NEGATIVE,positive=POSITIVE", ["negative", "positive"], {0: "NEGATIVE", 1: "POSITIVE"}
    )
    assert mapping == {"NEGATIVE": 0, "POSITIVE": 1}


def test_split_names_from_files_and_folders(tmp_path: Path) -> None:
    from tracker.verify.sources import _split_of

    assert _split_of("data/validation-00000-of-00001.parquet") == "validation"
    assert _split_of("dev.jsonl") == "validation"
    assert _split_of("mnli/validation_matched-00000-of-00001.parquet") == "validation_matched"
    assert _split_of("data/test/0000.parquet") == "test"
    assert _split_of("data/shard-0.parquet") is None
    write_parquet(tmp_path / "mnli" / "validation_matched-00000-of-00001.parquet", ROWS[:3])
    write_parquet(tmp_path / "mnli" / "validation_mismatched-00000-of-00001.parquet", ROWS[:4])
    assert _open(tmp_path, "validation_mismatched", config="mnli").total == 4
