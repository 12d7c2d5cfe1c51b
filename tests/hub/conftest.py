"""Helpers for the Hub tests: listing items, model info bodies and routes on the fake server.

Recorded Hub answers come from ../shared/fixtures/hf through the `shared` fixture;
the small bodies built here are ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import FakeServer, Reply

NOW = datetime.now(UTC).replace(microsecond=0)


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def hf(shared: Path, name: str) -> Path:
    return shared / "hf" / name


def listing_item(
    repo_id: str,
    *,
    arxiv: Sequence[str] = (),
    modified: datetime | None = None,
    downloads: int = 100,
    likes: int = 1,
    task: str | None = "text-classification",
    sha: str = "sha-1",
    datasets: Sequence[str] = (),
    gated: bool | str = False,
    parameters: int | None = None,
) -> dict[str, Any]:
    """A listing item as the Hub sends it when asked for our expand fields."""
    tags = ["transformers", "safetensors", "license:apache-2.0", "region:us"]
    tags += [f"arxiv:{a}" for a in arxiv] + [f"dataset:{d}" for d in datasets]
    item: dict[str, Any] = {
        "_id": "x" + repo_id.replace("/", ""),
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "createdAt": stamp((modified or NOW) - timedelta(days=30)),
        "lastModified": stamp(modified or NOW),
        "downloads": downloads,
        "likes": likes,
        "gated": gated,
        "private": False,
        "library_name": "transformers",
        "pipeline_tag": task,
        "sha": sha,
        "tags": tags,
        "trendingScore": 0,
    }
    if parameters is not None:
        item["safetensors"] = {"parameters": {"F32": parameters}, "total": parameters}
    return item


def info_body(item: dict[str, Any], results: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A model_info answer for a listing item; results as model-index results entries."""
    body = dict(item)
    card: dict[str, Any] = {"license": "apache-2.0"}
    if results is not None:
        index = [{"name": item["id"], "results": results}]
        card["model-index"] = index
        body["model-index"] = index
    body["cardData"] = card
    return body


def result_entry(
    dataset: str,
    metric: str,
    value: float,
    *,
    task: str = "text-classification",
    split: str = "test",
) -> dict[str, Any]:
    return {
        "task": {"type": task},
        "dataset": {"type": dataset, "name": dataset, "split": split},
        "metrics": [{"type": metric, "value": value, "verified": False}],
    }


def serve_listing(
    server: FakeServer, pages: list[list[dict[str, Any]]], *, sort: str = "lastModified"
) -> None:
    """Pages linked by a Link rel="next" cursor, as the Hub pages its listings."""
    for n, page in enumerate(pages):
        headers = {}
        if n + 1 < len(pages):
            headers["Link"] = f'<{server.url}/api/models?cursor=c{n + 1}>; rel="next"'
        params = {"sort": sort, "limit": "1000"} if n == 0 else {"cursor": f"c{n}"}
        server.add("/api/models", Reply.json(page, headers=headers), params=params)


def serve_info(server: FakeServer, body: dict[str, Any]) -> None:
    server.add(f"/api/models/{body['id']}", Reply.json(body))


def serve_daily(server: FakeServer, items: list[dict[str, Any]] | None = None) -> None:
    server.add("/api/daily_papers", Reply.json(items or []), repeat=True)


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Hub waits are recorded, not slept."""
    waits: list[float] = []
    monkeypatch.setattr("tracker.sources.hub._sleep", waits.append)
    return waits
