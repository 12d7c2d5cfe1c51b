"""Team mode: what only PostgreSQL has to prove (the shared tests also run there)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import tracker.db.models  # noqa: F401 - registers the tables
from tests.support.server import Reply
from tracker.db import migrations
from tracker.db.engine import make_engine, open_database, write_transaction

from .test_import_snapshot import snapshot_line, write_lines

pytestmark = pytest.mark.backends


@pytest.fixture(autouse=True)
def only_postgres(backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL-only test")


def test_migrated_schema_matches_the_models(env):
    engine = open_database(env.url)
    inspector = inspect(engine)
    for name, table in SQLModel.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)} - {"search_vector"}
        assert columns == {c.name for c in table.columns}, name
    engine.dispose()


def test_first_schema_database_upgrades(env, cli):
    engine = make_engine(env.url)
    with write_transaction(engine) as conn:
        migrations.migrate(conn, migrations.MIGRATIONS[:1])
        conn.execute(
            text(
                "INSERT INTO papers (arxiv_id, version, title, abstract, authors, primary_category,"
                " withdrawn, upvotes, is_stub) VALUES ('1706.03762', 5, 'Attention is all you need',"
                " 'Abstract', 'A. Vaswani', 'cs.CL', false, 0, false)"
            )
        )
    engine.dispose()
    assert cli("star", "1706.03762").code == 0
    assert cli("show", "1706.03762", "--json").json()["starred"] is True
    assert [h["arxiv_id"] for h in cli("search", "attention", "--json").json()] == ["1706.03762"]


def test_snapshot_import(env, cli, tmp_path):
    path = write_lines(tmp_path / "s.jsonl", [snapshot_line(i) for i in range(1, 21)])
    result = cli("import", "arxiv-snapshot", str(path), "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 20
    assert len(cli("search", "entmax", "--limit", "50", "--json").json()) == 20


def test_two_syncs_at_once_the_second_exits_75(env, server):
    server.add("/api/query", Reply(hang=True), params={"search_query": "cat:cs.CL"}, repeat=True)
    env.configure(arxiv={"timeout_seconds": 10})
    run = [sys.executable, "-m", "tracker", "sync", "-q"]
    first = subprocess.Popen(run, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 20
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the first sync should be talking to arXiv"
        second = subprocess.run(
            run, capture_output=True, text=True, env=os.environ.copy(), timeout=20
        )
        assert second.returncode == 75
        assert "another tracker sync or import is running" in second.stderr
    finally:
        first.kill()
        first.communicate()
