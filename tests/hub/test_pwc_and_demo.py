"""The Papers with Code archive import, the demo's models, and the commands' output."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from tracker.demo import DEMO_FILE
from tracker.imports.pwc import parse, split_metric

SNLI = "evaluation-tables_format_sota-extractor_snli.json"
CMRC = "evaluation-tables_format_sota-extractor_cmrc.json"


@pytest.mark.parametrize(
    ("name", "metric", "split"),
    [
        ("% Test Accuracy", "accuracy", "test"),
        ("% Train Accuracy", "accuracy", "train"),
        ("TEST-EM", "exact_match", "test"),
        ("CHALLENGE-F1", "challenge_f1", ""),
        ("Parameters", "parameters", ""),
        ("QAC", "qac", ""),
    ],
)
def test_split_metric(name, metric, split):
    assert split_metric(name) == (metric, split)


def test_import_snli_links_arxiv_papers_and_ranks(shared, cli, tmp_path):
    path = shared / "pwc" / SNLI
    result = cli("import", "pwc-evaluations", str(path), "--json")
    assert result.code == 0, result.err
    done = result.json()
    archive = parse(json.loads(path.read_text()))
    assert done["tasks"] == 1 and done["datasets"] == 1 and done["rows"] == 64
    assert done["results"] == len(archive.results) and done["new_results"] == done["results"]
    assert done["stubs"] == done["papers"] > 0  # every paper is new to this database
    board = cli(
        "leaderboard", "natural-language-inference", "--metric", "accuracy", "--json"
    ).json()
    test = [r for r in board if r["split"] == "test"]
    values = [r["value"] for r in test]
    assert values == sorted(values, reverse=True)
    assert {r["source"] for r in board} == {"pwc-archive"}
    assert any(
        r["paper"] == "1511.06361" for r in test
    )  # from http://arxiv.org/pdf/1511.06361v3.pdf
    again = cli("import", "pwc-evaluations", str(path), "--json").json()
    assert again["new_results"] == 0 and again["stubs"] == 0


def test_import_cmrc_gz_with_chinese_names(shared, cli, tmp_path):
    packed = tmp_path / "evaluation-tables.json.gz"
    packed.write_bytes(gzip.compress((shared / "pwc" / CMRC).read_bytes()))
    result = cli("import", "pwc-evaluations", str(packed))
    assert result.code == 0, result.err
    assert result.err.startswith("import: ")
    datasets = cli("datasets", "--task", "chinese-reading-comprehension", "--json").json()
    assert {d["id"] for d in datasets} == {
        "cmrc-2018-chinese-machine-reading-comprehension-2018",
        "cmrc-2019-chinese-machine-reading-comprehension-2019",
    }
    board = cli(
        "leaderboard",
        "chinese-reading-comprehension",
        "--dataset",
        "cmrc-2018-chinese-machine-reading-comprehension-2018",
        "--metric",
        "TEST-EM",
        "--json",
    ).json()
    assert board[0]["metric"] == "exact_match" and board[0]["split"] == "test"
    assert [r["rank"] for r in board] == list(range(1, len(board) + 1))
    tasks = {t["id"]: t for t in cli("tasks", "--json").json()}
    assert tasks["chinese-reading-comprehension"]["modality"] == "other"
    assert tasks["chinese-reading-comprehension"]["name"] == "Chinese Reading Comprehension"


def test_import_rejects_a_file_in_another_format(cli, tmp_path):
    bad = tmp_path / "papers.json"
    bad.write_text('{"count": 1, "results": []}')
    result = cli("import", "pwc-evaluations", str(bad))
    assert result.code == 2
    assert result.err.startswith(f"Error: {bad}: not in the sota-extractor format")


def test_demo_has_models_and_leaderboards(cli):
    assert cli("demo", "--no-tui").code == 0
    models = cli("--demo", "models", "--json").json()
    assert "sentence-transformers/all-MiniLM-L6-v2" in {m["repo_id"] for m in models}
    paper = cli("--demo", "show", "1908.10084", "--json").json()
    assert "sentence-transformers/all-MiniLM-L6-v2" in {m["repo_id"] for m in paper["models"]}
    assert "sentence-similarity" in paper["tasks"]
    board = cli("--demo", "leaderboard", "text-classification", "--json").json()
    assert board and all(
        set(r) >= {"model", "paper", "split", "verified", "source", "value"} for r in board
    )
    text = cli("--demo", "leaderboard", "text-classification")
    assert text.code == 0 and "glue (sst2, validation) · Accuracy (higher is better)" in text.out
    asr = cli(
        "--demo", "leaderboard", "automatic-speech-recognition", "--metric", "wer", "--json"
    ).json()
    assert asr[0]["lower_is_better"] and asr[0]["value"] <= asr[1]["value"]
    table = cli("--demo", "models", "--task", "fill-mask")
    assert table.out.splitlines()[0].split() == [
        "model",
        "task",
        "library",
        "downloads",
        "likes",
        "params",
        "access",
        "papers",
    ]
    again = cli("demo", "--json").json()
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert (again["models"], again["results"]) == (len(data["models"]), len(data["results"]))


@pytest.mark.parametrize(
    "command", ["models", "tasks", "datasets", "leaderboard", "import", "import pwc-evaluations"]
)
def test_every_command_has_help(cli, command):
    result = cli(*command.split(), "--help")
    assert result.code == 0 and "Usage: tracker" in result.out


def test_hub_modules_load_no_torch():
    code = (
        "import sys, tracker.cli, tracker.commands.hub_cmd, tracker.sync.hub_pass, tracker.imports.pwc, "
        "tracker.db.hub_queries; print('torch' in sys.modules or 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
