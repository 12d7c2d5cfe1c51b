"""The bulk loaders' transaction: foreign keys off inside it only, the WAL copied back
at the end, the collector paused and resumed."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tests.support.feeds import make_entries
from tests.test_sync import serve_pages
from tracker.db.engine import bulk_write_transaction, open_database, write_transaction
from tracker.sync.gcpause import collector_paused

NOW = datetime.now(UTC).replace(microsecond=0)


def foreign_keys(conn) -> int:
    return conn.exec_driver_sql("PRAGMA foreign_keys").scalar()


def test_foreign_keys_are_off_inside_and_on_again_after(env):
    engine = open_database(env.url)
    with bulk_write_transaction(engine) as conn:
        assert foreign_keys(conn) == 0
    with write_transaction(engine) as conn:  # the same pooled connection
        assert foreign_keys(conn) == 1
    engine.dispose()


def test_foreign_keys_are_on_again_after_a_failed_bulk_transaction(env):
    engine = open_database(env.url)
    with pytest.raises(IntegrityError):
        with bulk_write_transaction(engine) as conn:
            conn.exec_driver_sql("INSERT INTO authors (id, name) VALUES (1, 'a'), (2, 'a')")
    with engine.connect() as conn:
        assert foreign_keys(conn) == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM authors").scalar() == 0
    engine.dispose()


def test_sync_leaves_keys_consistent_and_the_database_file_current(env, server, cli, tmp_path):
    env.configure(arxiv={"page_size": 5, "lookback_days": 3})
    entries = make_entries(12, newest=NOW - timedelta(hours=1), step=timedelta(hours=3))
    serve_pages(server, entries, 5)
    open_database(env.url).dispose()
    # A reader holding the database open (the TUI, say) keeps SQLite from copying the
    # WAL back when the sync's last connection closes: the sync must do it itself.
    reader = sqlite3.connect(env.db_path)
    assert reader.execute("SELECT count(*) FROM papers").fetchone() == (0,)
    assert cli("sync", "-q").code == 0
    # Everything is in the main file, not only in the WAL: a copy of that file alone
    # (what a backup of it would hold) has every paper.
    copy = tmp_path / "copy.db"
    shutil.copy(env.db_path, copy)
    reader.close()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM papers").fetchone() == (12,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT count(*) FROM paper_authors").fetchone()[0] > 12


def test_collector_paused_and_resumed():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner pause does not resume the outer one
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # nor one the caller had turned off
    finally:
        gc.enable()
