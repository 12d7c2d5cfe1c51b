"""SQLModel tables: the current schema, used for reads and Core writes.

The schema is created and upgraded by tracker.db.migrations, never by
``metadata.create_all``; a test checks that a migrated database matches these
definitions column for column. Times are aware UTC datetimes (SQLModel UTCDateTime).

Columns that take part in a uniqueness rule hold '' rather than NULL, because
SQL treats NULLs as distinct and would let a re-sync duplicate a row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class Paper(SQLModel, table=True):
    __tablename__ = "papers"
    __table_args__ = (
        Index("ix_papers_published", "published"),
        Index("ix_papers_updated", "updated"),
        Index("ix_papers_primary_category", "primary_category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    arxiv_id: str = Field(unique=True, nullable=False)
    version: int = 1
    title: str = Field(default="", sa_column_kwargs={"nullable": False})
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Display form of the author list ("A. One, B. Two"); the ordered, normalised
    # list is in paper_authors. Also indexed for full-text search.
    authors: str = Field(default="", sa_column=Column(Text, nullable=False))
    primary_category: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    withdrawn: bool = False
    upvotes: int = 0
    # A stub is a paper we know only by id (named by a model or an import);
    # the next sync fills it in.
    is_stub: bool = False
    first_seen: datetime | None = None
    last_synced: datetime | None = None


class Author(SQLModel, table=True):
    __tablename__ = "authors"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, nullable=False)


class PaperAuthor(SQLModel, table=True):
    __tablename__ = "paper_authors"
    __table_args__ = (Index("ix_paper_authors_author", "author_id"),)

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    author_id: int = Field(foreign_key="authors.id")


class PaperCategory(SQLModel, table=True):
    __tablename__ = "paper_categories"
    __table_args__ = (Index("ix_paper_categories_category", "category"),)

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    category: str = Field(primary_key=True)


class CodeLink(SQLModel, table=True):
    __tablename__ = "code_links"
    __table_args__ = (UniqueConstraint("paper_id", "url", name="uq_code_links_paper_url"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="papers.id", ondelete="CASCADE")
    url: str
    # Where we found it: comment, abstract, hub, import, demo.
    source: str = ""


class SyncState(SQLModel, table=True):
    __tablename__ = "sync_state"

    source_key: str = Field(primary_key=True)
    watermark: datetime | None = None
    cursor: str | None = None
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None


class PaperUser(SQLModel, table=True):
    """The user's own data about a paper. Sync never writes here."""

    __tablename__ = "paper_user"

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    starred: bool = False
    read_at: datetime | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime | None = None


class PaperTag(SQLModel, table=True):
    __tablename__ = "paper_tags"
    __table_args__ = (Index("ix_paper_tags_tag", "tag"),)

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(primary_key=True)


# --- Hugging Face Hub: models, tasks, datasets, results (migration m002) ---


class Model(SQLModel, table=True):
    __tablename__ = "models"
    __table_args__ = (
        Index("ix_models_pipeline_tag", "pipeline_tag"),
        Index("ix_models_downloads", "downloads"),
    )

    id: int | None = Field(default=None, primary_key=True)
    repo_id: str = Field(unique=True, nullable=False)
    author: str = ""
    pipeline_tag: str = ""
    library: str = ""
    downloads: int = 0
    likes: int = 0
    trending_score: float = 0.0
    created_at: datetime | None = None
    last_modified: datetime | None = None
    # "" when not gated, else the Hub's gating mode ("auto" or "manual").
    gated: str = ""
    private: bool = False
    license: str = ""
    parameters: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    safetensors: bool = False
    base_model: str = ""
    sha: str = ""
    fetched_at: datetime | None = None


class PaperModel(SQLModel, table=True):
    __tablename__ = "paper_models"
    __table_args__ = (Index("ix_paper_models_model", "model_id"),)

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    model_id: int = Field(foreign_key="models.id", primary_key=True, ondelete="CASCADE")


class Task(SQLModel, table=True):
    __tablename__ = "tasks"

    id: str = Field(primary_key=True)  # the pipeline identifier, e.g. text-classification
    name: str = ""
    modality: str = "other"
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    trial_supported: bool = False


class Dataset(SQLModel, table=True):
    __tablename__ = "datasets"

    id: str = Field(primary_key=True)  # Hub dataset id or model-index dataset type
    name: str = ""


class ModelDataset(SQLModel, table=True):
    __tablename__ = "model_datasets"

    model_id: int = Field(foreign_key="models.id", primary_key=True, ondelete="CASCADE")
    dataset_id: str = Field(foreign_key="datasets.id", primary_key=True)


class Result(SQLModel, table=True):
    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint(
            "source",
            "model_name",
            "task_id",
            "dataset_id",
            "dataset_config",
            "dataset_split",
            "metric_type",
            "metric_name",
            name="uq_results_identity",
        ),
        Index("ix_results_board", "task_id", "dataset_id", "metric_type"),
        Index("ix_results_paper", "paper_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int | None = Field(default=None, foreign_key="models.id", ondelete="CASCADE")
    # The model's repo id, or for archive rows the method name in the table.
    model_name: str = ""
    paper_id: int | None = Field(default=None, foreign_key="papers.id", ondelete="SET NULL")
    task_id: str = ""
    dataset_id: str = ""
    dataset_name: str = ""
    dataset_config: str = ""
    dataset_split: str = ""
    metric_type: str = ""
    metric_name: str = ""
    value: float | None = None
    value_text: str = ""
    verified: bool = False
    source: str = ""  # model-index, eval-results, pwc-archive, demo
    # Provenance of eval-results scores (migration m007); '' when unknown.
    variant: str = ""  # '' the default setup, 'with tools': a board of its own
    notes: str = ""
    source_name: str = ""
    source_url: str = ""
    dataset_revision: str = ""
    result_date: str = ""
    pull_request: str = ""


# --- Trials (migration m003) ---


class Trial(SQLModel, table=True):
    __tablename__ = "trials"
    __table_args__ = (Index("ix_trials_model", "model_repo"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime | None = None
    model_repo: str = ""
    revision: str = ""
    task: str = ""
    device: str = ""
    dtype: str = ""
    batch_size: int = 1
    inputs: int = 0
    load_seconds: float = 0.0
    seconds: float = 0.0
    per_input_ms: float = 0.0
    peak_memory_bytes: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    output_summary: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    ok: bool = True
    error: str = ""


# --- Watchlists, digest state, embeddings (migration m004) ---


class Watch(SQLModel, table=True):
    """A watchlist entry the user added with `tracker watch add` (user data)."""

    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("kind", "value", "category", "author", name="uq_watches_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # search, author, category, task, dataset, organisation
    kind: str
    # The query, name or id watched.
    value: str
    name: str = ""
    # Filters of a saved search ('' when none).
    category: str = ""
    author: str = ""
    created_at: datetime | None = None


class DigestState(SQLModel, table=True):
    """When the last digest ran and the facts it reported (a JSON snapshot)."""

    __tablename__ = "digest_state"

    key: str = Field(primary_key=True)
    last_digest: datetime | None = None
    snapshot: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class PaperEmbedding(SQLModel, table=True):
    """A paper's title+abstract embedding, computed once per model and paper version.

    `encoding` says how `vector` is packed: float32 (rows of m004), float16 or int8
    (tracker.db.vectors; m008)."""

    __tablename__ = "paper_embeddings"

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(primary_key=True)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime | None = None
    encoding: str = Field(
        default="float32",
        sa_column=Column(String, nullable=False, server_default="float32"),
    )
    paper_version: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )


class EmbeddingState(SQLModel, table=True):
    """A counter per model, bumped by every write of its embeddings (m008): the search
    matrix built from them is stale when it was built at another generation."""

    __tablename__ = "embedding_state"

    model: str = Field(primary_key=True)
    generation: int
    updated_at: datetime | None = None


# --- Hub paper pages and benchmark leaderboards (migration m007) ---


class PaperHub(SQLModel, table=True):
    """A paper's Hub page (paper_info): its TLDR, keywords, linked counts and Spaces."""

    __tablename__ = "paper_hub"

    paper_id: int = Field(foreign_key="papers.id", primary_key=True, ondelete="CASCADE")
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    keywords: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    spaces: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    num_models: int | None = None
    num_datasets: int | None = None
    num_spaces: int | None = None
    github_stars: int | None = None
    fetched_at: datetime | None = None


class Benchmark(SQLModel, table=True):
    """A benchmark dataset whose Hub leaderboard we keep, and our task for it."""

    __tablename__ = "benchmarks"

    id: str = Field(primary_key=True)  # the dataset id, e.g. Idavidrein/gpqa
    task_id: str = "other"
    fetched_at: datetime | None = None
    entries: int = 0


class BenchmarkEntry(SQLModel, table=True):
    """One row of a benchmark's Hub leaderboard (get_dataset_leaderboard)."""

    __tablename__ = "benchmark_entries"
    __table_args__ = (
        UniqueConstraint(
            "benchmark_id", "all_models", "model_repo", "filename", name="uq_benchmark_entry"
        ),
        Index("ix_benchmark_entries_model", "model_repo"),
    )

    id: int | None = Field(default=None, primary_key=True)
    benchmark_id: str = Field(foreign_key="benchmarks.id", ondelete="CASCADE")
    bench_task: str = ""  # the benchmark's own task (gpqa_diamond); '' when one only
    all_models: bool = False  # fetched with fine-tuned models too (base_model=false)
    rank: int = 0
    model_repo: str = ""
    model_id: int | None = Field(default=None, foreign_key="models.id", ondelete="SET NULL")
    value: float | None = None
    verified: bool = False
    filename: str = ""
    source_name: str = ""
    source_url: str = ""
    author: str = ""
    pull_request: str = ""
    notes: str = ""
    variant: str = ""
