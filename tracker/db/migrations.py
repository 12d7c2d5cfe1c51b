"""Schema migrations: an append-only list of named functions, applied when a database opens.

Each migration describes the tables as they were when it was written (frozen Core
definitions), so an old database and a new one end in the same schema. Never edit a
migration that has shipped: append a new one. Applied names are recorded in
``_tracker_migrations``; a database that names a migration we do not know was written
by a newer tracker and is refused rather than damaged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Connection

from tracker.errors import SchemaTooNewError

# Aware UTC datetimes, as SQLModel stores them (timestamptz on PostgreSQL).
UTC_DATETIME = DateTime(timezone=True)

MIGRATIONS_TABLE = "_tracker_migrations"

Migration = Callable[[Connection], None]


def _fk(target: str, ondelete: str | None = "CASCADE") -> ForeignKey:
    return ForeignKey(target, ondelete=ondelete)


def m001_create_papers(conn: Connection) -> None:
    md = MetaData()
    Table(
        "papers",
        md,
        Column("id", Integer, primary_key=True),
        Column("arxiv_id", String, nullable=False, unique=True),
        Column("version", Integer, nullable=False, default=1),
        Column("title", String, nullable=False),
        Column("abstract", Text, nullable=False),
        Column("authors", Text, nullable=False),
        Column("primary_category", String, nullable=False),
        Column("published", UTC_DATETIME),
        Column("updated", UTC_DATETIME),
        Column("comment", String),
        Column("journal_ref", String),
        Column("doi", String),
        Column("withdrawn", Boolean, nullable=False),
        Column("upvotes", Integer, nullable=False),
        Column("is_stub", Boolean, nullable=False),
        Column("first_seen", UTC_DATETIME),
        Column("last_synced", UTC_DATETIME),
        Index("ix_papers_published", "published"),
        Index("ix_papers_updated", "updated"),
        Index("ix_papers_primary_category", "primary_category"),
    )
    Table(
        "authors",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False, unique=True),
    )
    Table(
        "paper_authors",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("position", Integer, primary_key=True),
        Column("author_id", Integer, _fk("authors.id", None), nullable=False),
        Index("ix_paper_authors_author", "author_id"),
    )
    Table(
        "paper_categories",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("category", String, primary_key=True),
        Index("ix_paper_categories_category", "category"),
    )
    Table(
        "code_links",
        md,
        Column("id", Integer, primary_key=True),
        Column("paper_id", Integer, _fk("papers.id"), nullable=False),
        Column("url", String, nullable=False),
        Column("source", String, nullable=False),
        UniqueConstraint("paper_id", "url", name="uq_code_links_paper_url"),
    )
    Table(
        "sync_state",
        md,
        Column("source_key", String, primary_key=True),
        Column("watermark", UTC_DATETIME),
        Column("cursor", String),
        Column("last_run", UTC_DATETIME),
        Column("last_success", UTC_DATETIME),
        Column("last_error", String),
    )
    Table(
        "paper_user",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("starred", Boolean, nullable=False),
        Column("read_at", UTC_DATETIME),
        Column("note", Text, nullable=False, server_default=""),
        Column("updated_at", UTC_DATETIME),
    )
    Table(
        "paper_tags",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("tag", String, primary_key=True),
        Index("ix_paper_tags_tag", "tag"),
    )
    md.create_all(conn)
    from tracker.db import fulltext

    fulltext.create_index(conn)


def m002_hub_models_results(conn: Connection) -> None:
    md = MetaData()
    Table("papers", md, Column("id", Integer, primary_key=True))
    Table(
        "models",
        md,
        Column("id", Integer, primary_key=True),
        Column("repo_id", String, nullable=False, unique=True),
        Column("author", String, nullable=False),
        Column("pipeline_tag", String, nullable=False),
        Column("library", String, nullable=False),
        Column("downloads", Integer, nullable=False),
        Column("likes", Integer, nullable=False),
        Column("trending_score", Float, nullable=False),
        Column("created_at", UTC_DATETIME),
        Column("last_modified", UTC_DATETIME),
        Column("gated", String, nullable=False),
        Column("private", Boolean, nullable=False),
        Column("license", String, nullable=False),
        Column("parameters", BigInteger),
        Column("safetensors", Boolean, nullable=False),
        Column("base_model", String, nullable=False),
        Column("sha", String, nullable=False),
        Column("fetched_at", UTC_DATETIME),
        Index("ix_models_pipeline_tag", "pipeline_tag"),
        Index("ix_models_downloads", "downloads"),
    )
    Table(
        "paper_models",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("model_id", Integer, _fk("models.id"), primary_key=True),
        Index("ix_paper_models_model", "model_id"),
    )
    Table(
        "tasks",
        md,
        Column("id", String, primary_key=True),
        Column("name", String, nullable=False),
        Column("modality", String, nullable=False),
        Column("description", Text, nullable=False, server_default=""),
        Column("trial_supported", Boolean, nullable=False),
    )
    Table(
        "datasets",
        md,
        Column("id", String, primary_key=True),
        Column("name", String, nullable=False),
    )
    Table(
        "model_datasets",
        md,
        Column("model_id", Integer, _fk("models.id"), primary_key=True),
        Column("dataset_id", String, _fk("datasets.id", None), primary_key=True),
    )
    Table(
        "results",
        md,
        Column("id", Integer, primary_key=True),
        Column("model_id", Integer, _fk("models.id")),
        Column("model_name", String, nullable=False),
        Column("paper_id", Integer, _fk("papers.id", "SET NULL")),
        Column("task_id", String, nullable=False),
        Column("dataset_id", String, nullable=False),
        Column("dataset_name", String, nullable=False),
        Column("dataset_config", String, nullable=False),
        Column("dataset_split", String, nullable=False),
        Column("metric_type", String, nullable=False),
        Column("metric_name", String, nullable=False),
        Column("value", Float),
        Column("value_text", String, nullable=False),
        Column("verified", Boolean, nullable=False),
        Column("source", String, nullable=False),
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
    md.create_all(conn)


def m003_trials(conn: Connection) -> None:
    md = MetaData()
    Table(
        "trials",
        md,
        Column("id", Integer, primary_key=True),
        Column("created_at", UTC_DATETIME),
        Column("model_repo", String, nullable=False),
        Column("revision", String, nullable=False),
        Column("task", String, nullable=False),
        Column("device", String, nullable=False),
        Column("dtype", String, nullable=False),
        Column("batch_size", Integer, nullable=False),
        Column("inputs", Integer, nullable=False),
        Column("load_seconds", Float, nullable=False),
        Column("seconds", Float, nullable=False),
        Column("per_input_ms", Float, nullable=False),
        Column("peak_memory_bytes", BigInteger),
        Column("output_summary", Text, nullable=False, server_default=""),
        Column("ok", Boolean, nullable=False),
        Column("error", String, nullable=False),
        Index("ix_trials_model", "model_repo"),
    )
    md.create_all(conn)


def m004_watchlists_digest(conn: Connection) -> None:
    md = MetaData()
    Table("papers", md, Column("id", Integer, primary_key=True))
    Table(
        "watches",
        md,
        Column("id", Integer, primary_key=True),
        Column("kind", String, nullable=False),
        Column("value", String, nullable=False),
        Column("name", String, nullable=False),
        Column("category", String, nullable=False),
        Column("author", String, nullable=False),
        Column("created_at", UTC_DATETIME),
        UniqueConstraint("kind", "value", "category", "author", name="uq_watches_identity"),
    )
    Table(
        "digest_state",
        md,
        Column("key", String, primary_key=True),
        Column("last_digest", UTC_DATETIME),
        Column("snapshot", Text, nullable=False, server_default="{}"),
    )
    Table(
        "paper_embeddings",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("model", String, primary_key=True),
        Column("dim", Integer, nullable=False),
        Column("vector", LargeBinary, nullable=False),
        Column("created_at", UTC_DATETIME),
    )
    md.create_all(conn)


def m005_fts_write_tuning(conn: Connection) -> None:
    """SQLite's full-text index: fewer, larger segments, merged less often.

    FTS5 writes a segment each time its pending terms pass `hashsize` (1 MB by
    default, less than one sync page of text) and merges segments four at a time.
    With 16 MB and eight, one page becomes one segment and each term is rewritten
    by fewer merge levels: index inserts took about 35% less CPU (benchmarks note
    in issue 2). These are settings stored in the index, so they apply to every
    writer of this database.
    """
    if conn.dialect.name != "sqlite":
        return
    for option, value in (("hashsize", 16 * 1024 * 1024), ("automerge", 8)):
        conn.exec_driver_sql(
            "INSERT INTO papers_fts(papers_fts, rank) VALUES (?, ?)", (option, value)
        )


def m006_measurements(conn: Connection) -> None:
    """`tracker verify`: each measurement made on this machine, beside the claim it checks.

    Kept apart from `results`, so that a measurement never takes a claimed rank; linked
    to the trial ledger row of its run and to the claimed result it was measured against.
    """
    md = MetaData()
    Table("trials", md, Column("id", Integer, primary_key=True))
    Table("results", md, Column("id", Integer, primary_key=True))
    Table(
        "measurements",
        md,
        Column("id", Integer, primary_key=True),
        Column("created_at", UTC_DATETIME),
        Column("source", String, nullable=False),
        Column("trial_id", Integer, _fk("trials.id", "SET NULL")),
        Column("result_id", Integer, _fk("results.id", "SET NULL")),
        Column("model_repo", String, nullable=False),
        Column("model_revision", String, nullable=False),
        Column("task_id", String, nullable=False),
        Column("dataset_id", String, nullable=False),
        Column("dataset_config", String, nullable=False),
        Column("dataset_split", String, nullable=False),
        Column("dataset_revision", String, nullable=False),
        Column("metric_type", String, nullable=False),
        Column("value", Float, nullable=False),
        Column("low", Float, nullable=False),
        Column("high", Float, nullable=False),
        Column("scale", Float, nullable=False),
        Column("claimed", Float),
        Column("verdict", String, nullable=False),
        Column("comparable", Boolean, nullable=False),
        Column("n", Integer, nullable=False),
        Column("split_size", Integer, nullable=False),
        Column("sampled", Boolean, nullable=False),
        Column("seed", Integer, nullable=False),
        Column("device", String, nullable=False),
        Column("dtype", String, nullable=False),
        Column("batch_size", Integer, nullable=False),
        Column("seconds", Float, nullable=False),
        Column("examples_per_second", Float, nullable=False),
        Index("ix_measurements_model", "model_repo"),
        Index("ix_measurements_result", "result_id"),
    )
    md.create_all(conn)


# The provenance of the Hub's eval-results scores (m007), '' when unknown.
RESULT_PROVENANCE = (
    "variant",
    "notes",
    "source_name",
    "source_url",
    "dataset_revision",
    "result_date",
    "pull_request",
)


def m007_eval_results_benchmarks(conn: Connection) -> None:
    """Eval-results provenance on results; Hub paper pages; benchmark leaderboards.

    The results columns are added in place (ALTER TABLE ... ADD COLUMN, with a
    default, on both SQLite and PostgreSQL), so no row is copied or lost.
    """
    for name in RESULT_PROVENANCE:
        conn.exec_driver_sql(f"ALTER TABLE results ADD COLUMN {name} VARCHAR NOT NULL DEFAULT ''")
    md = MetaData()
    Table("papers", md, Column("id", Integer, primary_key=True))
    Table("models", md, Column("id", Integer, primary_key=True))
    Table(
        "paper_hub",
        md,
        Column("paper_id", Integer, _fk("papers.id"), primary_key=True),
        Column("summary", Text, nullable=False, server_default=""),
        Column("keywords", Text, nullable=False, server_default="[]"),
        Column("spaces", Text, nullable=False, server_default="[]"),
        Column("num_models", Integer),
        Column("num_datasets", Integer),
        Column("num_spaces", Integer),
        Column("github_stars", Integer),
        Column("fetched_at", UTC_DATETIME),
    )
    Table(
        "benchmarks",
        md,
        Column("id", String, primary_key=True),
        Column("task_id", String, nullable=False),
        Column("fetched_at", UTC_DATETIME),
        Column("entries", Integer, nullable=False),
    )
    Table(
        "benchmark_entries",
        md,
        Column("id", Integer, primary_key=True),
        Column("benchmark_id", String, _fk("benchmarks.id"), nullable=False),
        Column("bench_task", String, nullable=False),
        Column("all_models", Boolean, nullable=False),
        Column("rank", Integer, nullable=False),
        Column("model_repo", String, nullable=False),
        Column("model_id", Integer, _fk("models.id", "SET NULL")),
        Column("value", Float),
        Column("verified", Boolean, nullable=False),
        Column("filename", String, nullable=False),
        Column("source_name", String, nullable=False),
        Column("source_url", String, nullable=False),
        Column("author", String, nullable=False),
        Column("pull_request", String, nullable=False),
        Column("notes", String, nullable=False),
        Column("variant", String, nullable=False),
        UniqueConstraint(
            "benchmark_id", "all_models", "model_repo", "filename", name="uq_benchmark_entry"
        ),
        Index("ix_benchmark_entries_model", "model_repo"),
    )
    md.create_all(conn)


def m008_compact_paper_vectors(conn: Connection) -> None:
    """Paper embeddings stored compactly, and which version of a paper each one saw.

    `encoding` says how `vector` is packed (float32 rows written before this, float16
    or int8 since: ≤ 1 KB a paper); `paper_version` lets `tracker embed` find papers
    whose text changed; `embedding_state` counts writes per model, so the memory-mapped
    search matrix knows cheaply when it is stale.
    """
    conn.execute(
        text("ALTER TABLE paper_embeddings ADD COLUMN encoding VARCHAR NOT NULL DEFAULT 'float32'")
    )
    conn.execute(
        text("ALTER TABLE paper_embeddings ADD COLUMN paper_version INTEGER NOT NULL DEFAULT 0")
    )
    md = MetaData()
    Table(
        "embedding_state",
        md,
        Column("model", String, primary_key=True),
        Column("generation", Integer, nullable=False),
        Column("updated_at", UTC_DATETIME),
    )
    md.create_all(conn)


MIGRATIONS: list[Migration] = [
    m001_create_papers,
    m002_hub_models_results,
    m003_trials,
    m004_watchlists_digest,
    m005_fts_write_tuning,
    m006_measurements,
    m007_eval_results_benchmarks,
    m008_compact_paper_vectors,
]


def _applied(conn: Connection) -> set[str]:
    if not inspect(conn).has_table(MIGRATIONS_TABLE):
        conn.execute(
            text(
                f"CREATE TABLE {MIGRATIONS_TABLE} "
                "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
            )
        )
        return set()
    return {row[0] for row in conn.execute(text(f"SELECT name FROM {MIGRATIONS_TABLE}"))}


def pending(conn: Connection, migrations: list[Migration] | None = None) -> list[Migration]:
    migrations = MIGRATIONS if migrations is None else migrations
    applied = _applied(conn)
    known = {m.__name__ for m in MIGRATIONS}
    unknown = sorted(applied - known)
    if unknown:
        raise SchemaTooNewError(
            f"the database was written by a newer tracker (it has migration {unknown[-1]}).",
            hint="Upgrade tracker (git pull, then make install) before opening this database.",
        )
    return [m for m in migrations if m.__name__ not in applied]


def migrate(conn: Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the pending migrations in order, each in the caller's transaction."""
    done = []
    for migration in pending(conn, migrations):
        migration(conn)
        conn.execute(
            text(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (:n, :t)"),
            {"n": migration.__name__, "t": datetime.now(UTC).replace(tzinfo=None)},
        )
        done.append(migration.__name__)
    return done
