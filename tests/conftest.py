"""Shared test fixtures: every test gets its own config and database; nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.support.server import FakeServer
from tracker.cli import run

REPO = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
# A PostgreSQL database the storage, sync and search tests also run against
# (scripts/start_postgres.sh, which .ci/run calls, sets it up). Emptied per test.
POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `backends` run once per database: SQLite and PostgreSQL."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def _toml_value(value: Any) -> str:
    return json.dumps(value)  # TOML accepts JSON strings, numbers, booleans and arrays


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class Env:
    tmp: Path
    config_path: Path
    sections: dict[str, dict[str, Any]]
    backend: str = "sqlite"

    @property
    def url(self) -> str:
        return str(self.sections["database"]["url"])

    @property
    def db_path(self) -> Path:
        return self.tmp / "tracker.db"

    def configure(self, **sections: dict[str, Any]) -> None:
        for name, values in sections.items():
            self.sections.setdefault(name, {}).update(values)
        write_config(self.config_path, self.sections)

    def config(self) -> Any:
        from tracker.config import load_config

        return load_config(self.config_path)


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str) -> Env:
    """A private config, database and user folders; arXiv and the Hub point at a closed
    local port."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name in ("HF_ENDPOINT", "HF_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    # No test reaches the real user folders: TRACKER_HOME holds the user config and
    # databases, and the XDG folders platformdirs falls back to are private too.
    monkeypatch.setenv("TRACKER_HOME", str(tmp_path / "tracker-home"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    sections: dict[str, dict[str, Any]] = {
        "database": {
            "url": f"sqlite:///{tmp_path / 'tracker.db'}",
            "demo_url": f"sqlite:///{tmp_path / 'demo.db'}",
        },
        "arxiv": {
            "api_url": "http://127.0.0.1:9/api/query",
            "categories": ["cs.CL"],
            "delay_seconds": 0,
            "timeout_seconds": 2,
            "max_retries": 2,
            "backoff_seconds": 0.01,
        },
        "hub": {"endpoint": "http://127.0.0.1:9"},
    }
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL variant: TRACKER_TEST_POSTGRES_URL is not set")
        _empty_postgres(POSTGRES_URL)
        sections["database"]["url"] = POSTGRES_URL
    config_path = write_config(tmp_path / "config.toml", sections)
    monkeypatch.setenv("TRACKER_CONFIG", str(config_path))
    return Env(tmp=tmp_path, config_path=config_path, sections=sections, backend=backend)


@pytest.fixture
def server(env: Env) -> Iterator[FakeServer]:
    """A local fixture server; arXiv and the Hub of the test config point at it."""
    fake = FakeServer().start()
    env.configure(arxiv={"api_url": fake.url + "/api/query"}, hub={"endpoint": fake.url})
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_all_used()


@pytest.fixture
def db_engine(env: Env) -> Iterator[Engine]:
    """An engine on the test database, disposed even when the test fails."""
    from tracker.db.engine import open_database

    engine = open_database(env.url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def shared() -> Path:
    """The real recorded responses in ../shared/fixtures (skipped when absent)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"recorded fixtures not found at {SHARED_FIXTURES} (../shared is absent)")
    return SHARED_FIXTURES


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `tracker ARGS...` in-process through the same entry point as the console script."""

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
