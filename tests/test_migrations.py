"""Schema upgrades: a database made by the first schema opens, upgrades and keeps every row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import tracker.db.models  # noqa: F401 - registers the tables on SQLModel.metadata
from tracker.db import migrations
from tracker.db.engine import make_engine, open_database, write_transaction
from tracker.errors import SchemaTooNewError


def first_schema_db(url: str) -> None:
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        migrations.migrate(conn, migrations.MIGRATIONS[:1])
        when = datetime(2026, 1, 2, 3, 4, 5)
        conn.execute(
            text(
                "INSERT INTO papers (id, arxiv_id, version, title, abstract, authors, "
                "primary_category, published, updated, withdrawn, upvotes, is_stub) VALUES "
                "(1, '1706.03762', 5, 'Attention', 'Abstract', 'A. Vaswani', 'cs.CL', "
                ":w, :w, 0, 0, 0)"
            ),
            {"w": when},
        )
        conn.execute(
            text(
                "INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (1, 'Attention', 'Abstract', 'A. Vaswani')"
            )
        )
        conn.execute(
            text("INSERT INTO paper_user (paper_id, starred, note) VALUES (1, 1, 'keep me')")
        )
        conn.execute(text("INSERT INTO paper_tags (paper_id, tag) VALUES (1, 'classic')"))
        conn.execute(
            text("INSERT INTO sync_state (source_key, watermark) VALUES ('arxiv:cat:cs.CL', :w)"),
            {"w": when},
        )
    engine.dispose()


def test_first_schema_database_upgrades_in_place(env, cli):
    url = f"sqlite:///{env.db_path}"
    first_schema_db(url)
    engine = make_engine(url)
    assert "models" not in inspect(engine).get_table_names()
    engine.dispose()

    engine = open_database(url)
    tables = set(inspect(engine).get_table_names())
    assert {"models", "results", "tasks", "trials"} <= tables
    with engine.connect() as conn:
        applied = [r[0] for r in conn.execute(text("SELECT name FROM _tracker_migrations"))]
    assert applied == [m.__name__ for m in migrations.MIGRATIONS]
    engine.dispose()

    paper = cli("show", "1706.03762", "--json").json()
    assert paper["starred"] is True
    assert paper["note"] == "keep me"
    assert paper["tags"] == ["classic"]
    assert paper["published"] == "2026-01-02T03:04:05Z"
    assert [h["arxiv_id"] for h in cli("search", "attention", "--json").json()] == ["1706.03762"]


def test_migrated_schema_matches_the_models(env):
    engine = open_database(f"sqlite:///{env.db_path}")
    inspector = inspect(engine)
    for name, table in SQLModel.metadata.tables.items():
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        assert set(columns) == {c.name for c in table.columns}, name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable or column.primary_key, (
                f"{name}.{column.name}"
            )
    engine.dispose()


def test_database_from_a_newer_tracker_is_refused(env, cli):
    url = f"sqlite:///{env.db_path}"
    engine = open_database(url)
    with write_transaction(engine) as conn:
        conn.execute(
            text("INSERT INTO _tracker_migrations (name, applied_at) VALUES ('m999_future', :t)"),
            {"t": datetime.now(UTC)},
        )
    engine.dispose()
    with pytest.raises(SchemaTooNewError):
        open_database(url)
    result = cli("search", "x")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "Error: the database was written by a newer tracker (it has migration m999_future)."
    )


def test_a_file_that_is_not_a_database(env, cli):
    env.db_path.write_text("this is not sqlite " * 100)
    result = cli("search", "x")
    assert result.code == 1
    assert result.err.startswith(f"Error: cannot open database {env.db_path}")
    assert "Traceback" not in result.err
