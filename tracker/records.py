"""Plain records that sources produce and the store consumes. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def clean_text(text: str | None) -> str:
    """Collapse line wrapping (arXiv's 2016 serializer, the snapshot) and runs of spaces."""
    return " ".join(text.split()) if text else ""


def parse_utc(value: str | None) -> datetime | None:
    """An ISO 8601 time (a trailing Z allowed, naive read as UTC) as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass
class PaperRecord:
    arxiv_id: str  # canonical, without version
    version: int
    title: str
    abstract: str
    authors: list[str]
    primary_category: str
    categories: list[str]
    published: datetime | None  # aware, UTC
    updated: datetime | None  # aware, UTC
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    withdrawn: bool = False
    code_links: list[tuple[str, str]] = field(default_factory=list)  # (url, source)

    def __reduce__(self) -> tuple[type[PaperRecord], tuple[object, ...]]:
        # Pages cross from the fetching process pickled: as constructor arguments
        # they load about 8 times faster than the default (a __dict__ per record).
        return PaperRecord, tuple(vars(self).values())


@dataclass
class ResultRecord:
    """One evaluation result: a model (or method) scored on a dataset with a metric."""

    model_name: str  # the Hub repo id, or for archive rows the method name in the table
    task_id: str
    dataset_id: str
    metric_type: str
    value: float | None
    task_name: str = ""
    dataset_name: str = ""
    dataset_config: str = ""
    dataset_split: str = ""
    metric_name: str = ""
    value_text: str = ""
    verified: bool = False
    source: str = "model-index"  # model-index, eval-results, pwc-archive, model-card, paper, demo
    paper_arxiv_id: str | None = None
    # Provenance of an eval-results score (the Hub's .eval_results/*.yaml files).
    variant: str = ""  # "" for the default setup, "with tools": never ranked together
    notes: str = ""
    source_name: str = ""
    source_url: str = ""
    dataset_revision: str = ""
    result_date: str = ""  # as the file gives it (ISO 8601)
    pull_request: str = ""  # a community-provided score's pull request


@dataclass
class ModelRecord:
    """A Hub model as a listing page or model_info describes it.

    None means "not in this response" (a listing asked only for some fields):
    stored values are then kept, not overwritten.
    """

    repo_id: str
    author: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    downloads: int | None = None
    likes: int | None = None
    trending_score: float | None = None
    created_at: datetime | None = None  # aware, UTC
    last_modified: datetime | None = None  # aware, UTC
    gated: str | None = None  # "" when open, else "auto" or "manual"
    private: bool | None = None
    license: str | None = None
    parameters: int | None = None
    safetensors: bool | None = None
    base_model: str | None = None
    sha: str | None = None
    tags: list[str] = field(default_factory=list)
    arxiv_ids: list[str] = field(default_factory=list)  # canonical, in tag order
    datasets: list[str] = field(default_factory=list)
    results: list[ResultRecord] = field(default_factory=list)
    # True when the card (model-index) was read, so `results` is the whole truth.
    detailed: bool = False
    # The id asked for, when the Hub answered with a redirect to a renamed repo.
    renamed_from: str | None = None
    # True when the answer carried evalResults (asked for), so eval_results is the whole truth.
    evals_read: bool = False
    eval_results: list[ResultRecord] = field(default_factory=list)
    eval_errors: int = 0  # .eval_results files the Hub reported as invalid (never stored)


@dataclass
class DailyPaperRecord:
    """A paper in the Hub's daily papers feed."""

    arxiv_id: str
    upvotes: int = 0
    github_repo: str | None = None
    project_page: str | None = None
    # The Hub's machine-written TLDR and keywords, when the feed item carries them.
    summary: str | None = None
    keywords: list[str] | None = None
    github_stars: int | None = None


@dataclass
class PaperPageRecord:
    """A paper's Hub page (paper_info): its TLDR, keywords and what links to it."""

    arxiv_id: str
    summary: str | None = None  # ai_summary: machine-written
    keywords: list[str] = field(default_factory=list)
    upvotes: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    models: list[ModelRecord] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    spaces: list[str] = field(default_factory=list)
    num_models: int | None = None
    num_datasets: int | None = None
    num_spaces: int | None = None


@dataclass
class BenchmarkEntryRecord:
    """One row of a benchmark dataset's Hub leaderboard (get_dataset_leaderboard)."""

    rank: int
    model_repo: str
    value: float | None
    verified: bool = False
    filename: str = ""
    bench_task: str = ""  # the benchmark's own task (gpqa_diamond), when the Hub says
    source_name: str = ""
    source_url: str = ""
    author: str = ""
    pull_request: str = ""  # a community-provided score's pull request number
    notes: str = ""
    variant: str = ""  # "with tools" or "" (tracker.sources.hub_evals.variant_of)
