"""Follow fixtures: scripted syncs through the same upserts a sync runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import Env
from tracker.db import hub as store
from tracker.db.engine import open_database, write_transaction
from tracker.db.hub import paper_ids
from tracker.db.papers import upsert_papers
from tracker.records import ModelRecord, PaperRecord, ResultRecord

T0 = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)


def paper(
    arxiv_id: str,
    title: str,
    *,
    version: int = 1,
    abstract: str = "",
    authors: tuple[str, ...] = ("Ada Lovelace",),
    category: str = "cs.CL",
    published: datetime = T0,
    code: tuple[str, ...] = (),
) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract or f"We study {title.lower()}.",
        authors=list(authors),
        primary_category=category,
        categories=[category],
        published=published,
        updated=published,
        code_links=[(url, "comment") for url in code],
    )


def model(
    repo_id: str, *, downloads: int, papers: tuple[str, ...] = (), task: str = ""
) -> ModelRecord:
    return ModelRecord(
        repo_id=repo_id,
        author=repo_id.split("/")[0],
        pipeline_tag=task,
        downloads=downloads,
        likes=0,
        arxiv_ids=list(papers),
    )


def result(model_name: str, value: float, *, paper: str | None = None) -> ResultRecord:
    return ResultRecord(
        model_name=model_name,
        task_id="text-classification",
        dataset_id="sst2",
        dataset_name="SST-2",
        dataset_split="validation",
        metric_type="accuracy",
        metric_name="accuracy",
        value=value,
        source="model-index",
        paper_arxiv_id=paper,
    )


@dataclass
class Syncer:
    engine: Engine

    def sync(
        self,
        now: datetime,
        papers: list[PaperRecord] = (),  # type: ignore[assignment]
        models: list[ModelRecord] = (),  # type: ignore[assignment]
        results: list[ResultRecord] = (),  # type: ignore[assignment]
    ) -> None:
        with write_transaction(self.engine) as conn:
            upsert_papers(conn, list(papers), now)
            written = store.upsert_models(conn, list(models), now)
            pids = paper_ids(conn, {a for m in models for a in m.arxiv_ids})
            pids |= paper_ids(conn, {r.paper_arxiv_id for r in results if r.paper_arxiv_id})
            store.link_papers(
                conn, [(pids[a], written.ids[m.repo_id]) for m in models for a in m.arxiv_ids]
            )
            ids = written.ids | store.model_ids(conn, {r.model_name for r in results})
            store.upsert_results(conn, list(results), ids, pids)


@pytest.fixture
def engine(env: Env) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{env.db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def syncer(engine: Engine) -> Syncer:
    return Syncer(engine)
