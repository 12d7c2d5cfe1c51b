"""Reads over models, tasks, datasets and leaderboards, on small data written by the tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.db import hub as store
from tracker.db.engine import open_database, write_transaction
from tracker.db.hub_queries import (
    leaderboard,
    list_datasets,
    list_models,
    list_tasks,
    lower_is_better,
)
from tracker.db.papers import ensure_stubs
from tracker.errors import NotFoundError
from tracker.records import ModelRecord, ResultRecord
from tracker.tasks_catalog import TASKS, TRIAL_TASKS

NOW = datetime(2026, 11, 26, tzinfo=UTC)


@pytest.fixture
def engine(env):
    engine = open_database(f"sqlite:///{env.db_path}")
    yield engine
    engine.dispose()


def result(model, metric, value, *, source="model-index", dataset="wikitext", paper=None, **kw):
    return ResultRecord(
        model_name=model,
        task_id=kw.pop("task", "text-generation"),
        dataset_id=dataset,
        metric_type=metric,
        value=value,
        value_text=str(value),
        source=source,
        paper_arxiv_id=paper,
        dataset_split=kw.pop("split", "test"),
        **kw,
    )


def write(engine, models=(), results=()):
    with write_transaction(engine) as conn:
        store.seed_tasks(conn)
        written = store.upsert_models(conn, list(models), NOW)
        papers = {a for m in models for a in m.arxiv_ids} | {
            r.paper_arxiv_id for r in results if r.paper_arxiv_id
        }
        pids = ensure_stubs(conn, papers, NOW)
        store.link_papers(
            conn, [(pids[a], written.ids[m.repo_id]) for m in models for a in m.arxiv_ids]
        )
        store.add_model_datasets(conn, {written.ids[m.repo_id]: m.datasets for m in models})
        return store.upsert_results(conn, list(results), written.ids, pids)


@pytest.mark.parametrize(
    ("metric", "name", "lower"),
    [
        ("loss", "", True),
        ("eval_loss", "Eval Loss", True),
        ("wer", "Test WER", True),
        ("cer", "", True),
        ("perplexity", "", True),
        ("fid", "FID", True),
        ("error_rate", "", True),
        ("accuracy", "Accuracy", False),
        ("f1", "F1", False),
        ("bleu", "BLEU", False),
        ("exact_match", "", False),
    ],
)
def test_lower_is_better(metric, name, lower):
    assert lower_is_better(metric, name) is lower


def test_leaderboard_ranks_a_loss_metric_ascending(engine):
    write(
        engine,
        [ModelRecord(repo_id=f"org/m{i}", pipeline_tag="text-generation") for i in range(3)],
        [
            result("org/m0", "loss", 2.5),
            result("org/m1", "loss", 1.2),
            result("org/m2", "loss", 3.1),
            result("org/m0", "accuracy", 40.0),
            result("org/m1", "accuracy", 70.0),
        ],
    )
    with engine.connect() as conn:
        rows = leaderboard(conn, "text-generation", metric="loss")
        assert [(r["rank"], r["model"], r["value"]) for r in rows] == [
            (1, "org/m1", 1.2),
            (2, "org/m0", 2.5),
            (3, "org/m2", 3.1),
        ]
        assert all(r["lower_is_better"] for r in rows)
        accuracy = leaderboard(conn, "text-generation", metric="accuracy")
        assert [r["model"] for r in accuracy] == ["org/m1", "org/m0"]
        both = leaderboard(conn, "text-generation")
        assert [r["metric"] for r in both] == ["loss"] * 3 + ["accuracy"] * 2  # biggest board first


def test_hub_and_archive_rows_are_not_double_counted(engine):
    write(
        engine,
        [
            ModelRecord(
                repo_id="google/bert-large",
                pipeline_tag="question-answering",
                arxiv_ids=["1810.04805"],
            )
        ],
        [
            result(
                "google/bert-large",
                "f1",
                90.9,
                task="question-answering",
                dataset="squad",
                paper="1810.04805",
            ),
            # The archive's own name for the same result, from the same paper.
            result(
                "BERT (single)",
                "f1",
                90.9,
                task="question-answering",
                dataset="squad",
                source="pwc-archive",
                paper="1810.04805",
            ),
            # Same name after normalising: also the same result.
            result(
                "BERT-Large",
                "f1",
                91.0,
                task="question-answering",
                dataset="squad",
                source="pwc-archive",
            ),
            result(
                "XLNet",
                "f1",
                94.5,
                task="question-answering",
                dataset="squad",
                source="pwc-archive",
                paper="1906.08237",
            ),
        ],
    )
    with engine.connect() as conn:
        rows = leaderboard(conn, "question-answering", dataset="SQuAD")
    assert [(r["model"], r["sources"]) for r in rows] == [
        ("XLNet", ["pwc-archive"]),
        ("google/bert-large", ["model-index", "pwc-archive"]),
    ]
    assert rows[1]["paper"] == "1810.04805" and rows[1]["split"] == "test"
    assert rows[1]["model_repo"] == "google/bert-large"


def test_leaderboard_for_unknown_task_says_what_to_do(engine):
    with engine.connect() as conn, pytest.raises(NotFoundError) as caught:
        leaderboard(conn, "protein-folding")
    assert caught.value.message == "no results for task 'protein-folding'."


def test_dataset_filter_takes_a_config(engine):
    write(
        engine,
        [ModelRecord(repo_id="org/a", pipeline_tag="text-classification")],
        [
            result(
                "org/a",
                "accuracy",
                90.0,
                task="text-classification",
                dataset="glue",
                dataset_config="sst2",
            ),
            result(
                "org/a",
                "accuracy",
                80.0,
                task="text-classification",
                dataset="glue",
                dataset_config="mnli",
            ),
        ],
    )
    with engine.connect() as conn:
        rows = leaderboard(conn, "text-classification", dataset="glue/mnli")
    assert [(r["config"], r["value"]) for r in rows] == [("mnli", 80.0)]


def test_models_filters_and_sorts(engine):
    write(
        engine,
        [
            ModelRecord(
                repo_id="org/big",
                pipeline_tag="text-generation",
                library="transformers",
                downloads=10,
                likes=50,
                parameters=7_000_000_000,
                arxiv_ids=["2307.09288"],
                datasets=["c4"],
            ),
            ModelRecord(
                repo_id="org/small",
                pipeline_tag="text-generation",
                library="gguf",
                downloads=99,
                likes=5,
                parameters=1_000_000,
                arxiv_ids=["2307.09288"],
            ),
            ModelRecord(
                repo_id="org/cls",
                pipeline_tag="text-classification",
                library="transformers",
                downloads=50,
                likes=9,
            ),
        ],
    )
    with engine.connect() as conn:
        assert [m["repo_id"] for m in list_models(conn)] == ["org/small", "org/cls", "org/big"]
        assert [m["repo_id"] for m in list_models(conn, sort="likes")] == [
            "org/big",
            "org/cls",
            "org/small",
        ]
        assert [m["repo_id"] for m in list_models(conn, sort="params")][:2] == [
            "org/big",
            "org/small",
        ]
        assert [
            m["repo_id"] for m in list_models(conn, task="text-generation", library="GGUF")
        ] == ["org/small"]
        assert [m["repo_id"] for m in list_models(conn, dataset="c4")] == ["org/big"]
        paper = list_models(conn, paper="arXiv:2307.09288v2")
        assert [m["repo_id"] for m in paper] == ["org/small", "org/big"]
        assert paper[1]["papers"] == ["2307.09288"] and paper[1]["datasets"] == ["c4"]


def test_catalogue_is_seeded_and_unknown_tags_are_kept(engine):
    write(engine, [ModelRecord(repo_id="org/x", pipeline_tag="protein-folding")])
    with engine.connect() as conn:
        tasks = {t["id"]: t for t in list_tasks(conn)}
        audio = list_tasks(conn, modality="audio")
    assert set(TASKS) <= set(tasks)
    assert tasks["protein-folding"]["modality"] == "other"
    assert tasks["protein-folding"]["models"] == 1
    assert tasks["text-classification"]["trial_supported"] is True
    assert {t["modality"] for t in audio} == {"audio"}
    assert "automatic-speech-recognition" in {t["id"] for t in audio}
    with write_transaction(engine) as conn:
        store.seed_tasks(conn)  # seeding again changes nothing
    with engine.connect() as conn:
        assert len(list_tasks(conn)) == len(tasks)


def test_catalogue_knows_every_pipeline_task_and_what_try_runs():
    from tracker.trial.tasks import SUPPORTED_TASKS

    assert set(SUPPORTED_TASKS) == TRIAL_TASKS
    pipeline = {t.id for t in TASKS.values() if t.pipeline}
    assert {
        "text-classification",
        "token-classification",
        "question-answering",
        "fill-mask",
        "summarization",
        "translation",
        "text-generation",
        "image-classification",
        "object-detection",
        "image-segmentation",
        "automatic-speech-recognition",
        "audio-classification",
        "image-to-text",
        "visual-question-answering",
        "zero-shot-classification",
        "feature-extraction",
        "depth-estimation",
        "document-question-answering",
    } <= pipeline
    assert {t.modality for t in TASKS.values()} <= {
        "text",
        "vision",
        "audio",
        "multimodal",
        "tabular",
        "rl",
    }


def test_datasets_by_use(engine):
    write(
        engine,
        [ModelRecord(repo_id="org/a", pipeline_tag="question-answering", datasets=["squad"])],
        [result("org/a", "f1", 88.0, task="question-answering", dataset="squad")],
    )
    with engine.connect() as conn:
        rows = list_datasets(conn)
        none = list_datasets(conn, task="translation")
    assert rows == [
        {"id": "squad", "name": "squad", "models": 1, "results": 1, "tasks": ["question-answering"]}
    ]
    assert none == []


def test_results_upsert_is_idempotent_and_replace_drops_stale_rows(engine):
    first = [result("org/a", "loss", 1.0), result("org/a", "accuracy", 50.0)]
    assert write(engine, [ModelRecord(repo_id="org/a")], first) == 2
    assert write(engine, [ModelRecord(repo_id="org/a")], first) == 0
    with write_transaction(engine) as conn:
        mid = store.model_ids(conn, ["org/a"])["org/a"]
        new = store.replace_model_results(
            conn, {mid: ("org/a", None, [result("org/a", "loss", 0.9)])}
        )
    assert new == 0
    with engine.connect() as conn:
        rows = leaderboard(conn, "text-generation")
    assert [(r["metric"], r["value"]) for r in rows] == [("loss", 0.9)]


def test_a_stub_is_never_a_paper(engine, env):
    """One definition (tracker.db.paper_rule): stubs are not counted, listed or accepted."""
    from tracker.db.paper_list import PaperFilters, newest_page
    from tracker.db.paper_pages import count_papers, fetch_papers
    from tracker.db.queries import counts, has_papers, paper_id_for

    write(
        engine,
        [ModelRecord(repo_id="org/m", pipeline_tag="text-generation", arxiv_ids=["2401.00001"])],
    )
    with engine.connect() as conn:
        assert counts(conn)["papers"] == 0
        assert not has_papers(conn)
        assert count_papers(conn, PaperFilters()) == 0
        assert fetch_papers(conn, PaperFilters()).rows == []
        with pytest.raises(NotFoundError):
            paper_id_for(conn, "2401.00001")
        # The link stays: the model lists the stub's arXiv id.
        assert list_models(conn)[0]["papers"] == ["2401.00001"]
    assert newest_page(env.db_path) is None
