"""The digest after scripted syncs: exact text, idempotence, formats and the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.follow.conftest import T0, model, paper, result
from tracker.db.engine import write_transaction
from tracker.db.queries import paper_id_for
from tracker.db.userdata import set_starred
from tracker.follow.digest import run_digest
from tracker.follow.render import digest_json, render_markdown, render_text

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def followed(env, engine, syncer, monkeypatch):
    """Day 0: three papers, a leaderboard, a starred paper, a saved search and a task."""
    env.configure(watch={"tasks": ["text-classification"], "model_downloads": 1000})
    # A list of tables, as TRACKER_WATCH_SEARCHES (JSON) gives it.
    monkeypatch.setenv("TRACKER_WATCH_SEARCHES", '[{"name": "diffusion", "query": "diffusion"}]')
    syncer.sync(
        T0,
        papers=[
            paper("2601.00001", "Sparse attention for long documents"),
            paper("2601.00002", "Diffusion language models", category="cs.LG"),
            paper("2601.00003", "A strong baseline for sentiment"),
        ],
        models=[
            model("org/base", downloads=20_000, papers=("2601.00003",), task="text-classification")
        ],
        results=[result("org/base", 0.90)],
    )
    with write_transaction(engine) as conn:
        set_starred(conn, paper_id_for(conn, "2601.00001"), True)
    return env.config()


def test_digest_after_scripted_syncs(followed, engine, syncer):
    config = followed
    first = run_digest(engine, config, now=T0 + HOUR)
    assert render_text(first) == (
        "What's new since 2025-12-31 07:00 UTC (3 new papers synced)\n"
        "\n"
        "New papers\n"
        '  search "diffusion"\n'
        "    2601.00002  Diffusion language models (cs.LG)\n"
        "  task text-classification\n"
        "    2601.00003  A strong baseline for sentiment (cs.CL)"
    )

    # Day 1: a new version with code, the first model, a better result, a new paper.
    day1 = T0 + DAY
    syncer.sync(
        day1,
        papers=[
            paper(
                "2601.00001",
                "Sparse attention for long documents",
                version=2,
                code=("https://github.com/ada/sparse",),
            ),
            paper("2601.00004", "Diffusion transformers for protein design", category="q-bio.BM"),
        ],
        models=[
            model(
                "ada/sparse-small", downloads=50, papers=("2601.00001",), task="text-classification"
            )
        ],
        results=[result("ada/sparse-small", 0.93)],
    )
    second = run_digest(engine, config, now=day1 + HOUR)
    assert render_text(second) == (
        "What's new since 2026-01-01 07:00 UTC (1 new paper synced)\n"
        "\n"
        "New papers\n"
        '  search "diffusion"\n'
        "    2601.00004  Diffusion transformers for protein design (q-bio.BM)\n"
        "\n"
        "Starred papers\n"
        "  2601.00001  Sparse attention for long documents\n"
        "    - new version v2\n"
        "    - first code: https://github.com/ada/sparse\n"
        "    - first model: ada/sparse-small (50 downloads)\n"
        "    - new result: SST-2 accuracy 0.93 (ada/sparse-small)\n"
        "\n"
        "Leaderboards\n"
        "  text-classification · SST-2/validation · accuracy\n"
        "    - new best: 0.93 by ada/sparse-small (was 0.9 by org/base)"
    )

    # Nothing happened since: one line.
    third = run_digest(engine, config, now=day1 + 2 * HOUR)
    assert render_text(third) == "Nothing new since 2026-01-02 07:00 UTC."

    # Day 2: the model becomes popular, and a result that is not the best arrives.
    day2 = T0 + 2 * DAY
    syncer.sync(
        day2,
        models=[
            model(
                "ada/sparse-small",
                downloads=5000,
                papers=("2601.00001",),
                task="text-classification",
            )
        ],
        results=[result("lab/other", 0.91)],
    )
    fourth = run_digest(engine, config, now=day2 + HOUR)
    assert render_text(fourth) == (
        "What's new since 2026-01-02 08:00 UTC (0 new papers synced)\n"
        "\n"
        "Starred papers\n"
        "  2601.00001  Sparse attention for long documents\n"
        "    - model over 1,000 downloads: ada/sparse-small (5,000)\n"
        "\n"
        "Leaderboards\n"
        "  text-classification · SST-2/validation · accuracy\n"
        "    - 1 new result, best 0.91 by lab/other (rank 2 of 3)\n"
        "\n"
        "Models\n"
        "  task text-classification\n"
        "    - model over 1,000 downloads: ada/sparse-small (5,000)"
    )


def test_digest_is_idempotent_and_peek_does_not_mark(followed, engine, syncer):
    config = followed
    run_digest(engine, config, now=T0 + HOUR)
    syncer.sync(T0 + DAY, papers=[paper("2601.00005", "Diffusion for speech")])
    peeked = run_digest(engine, config, now=T0 + DAY + HOUR, mark=False)
    again = run_digest(engine, config, now=T0 + DAY + HOUR, mark=False)
    assert render_text(peeked) == render_text(again)
    assert "2601.00005  Diffusion for speech" in render_text(peeked)
    marked = run_digest(engine, config, now=T0 + DAY + HOUR)
    assert render_text(marked) == render_text(peeked)
    assert render_text(run_digest(engine, config, now=T0 + DAY + 2 * HOUR)) == (
        "Nothing new since 2026-01-02 07:00 UTC."
    )


def test_newly_starred_papers_and_followed_tasks_start_silently(followed, engine, syncer, env):
    config = followed
    run_digest(engine, config, now=T0 + HOUR)
    with write_transaction(engine) as conn:
        set_starred(conn, paper_id_for(conn, "2601.00003"), True)
    env.configure(watch={"datasets": ["imdb"]})
    syncer.sync(T0 + DAY, results=[result("org/base", 0.95)])  # an update, not a new row
    digest = run_digest(engine, env.config(), now=T0 + DAY + HOUR)
    text = render_text(digest)
    # 2601.00003 was starred after the last digest: its model is not news.
    assert "2601.00003" not in text
    assert "new best: 0.95 by org/base (was 0.9 by org/base)" in text


def test_markdown_and_json(followed, engine, syncer):
    config = followed
    run_digest(engine, config, now=T0 + HOUR)
    syncer.sync(
        T0 + DAY,
        papers=[paper("2601.00001", "Sparse attention for long documents", version=3)],
    )
    digest = run_digest(engine, config, now=T0 + DAY + HOUR, mark=False)
    assert render_markdown(digest) == (
        "# What's new since 2026-01-01 07:00 UTC (0 new papers synced)\n"
        "\n"
        "## Starred papers\n"
        "\n"
        "### [2601.00001](https://arxiv.org/abs/2601.00001) Sparse attention for long documents\n"
        "\n"
        "- new version v3"
    )
    doc = digest_json(digest)
    assert doc["since"] == "2026-01-01T07:00:00Z"
    assert doc["empty"] is False
    starred = next(s for s in doc["sections"] if s["key"] == "starred")
    assert starred["groups"][0]["items"] == [
        {"kind": "new_version", "text": "new version v3", "version": 3}
    ]


def test_digest_command(followed, cli, syncer):
    first = cli("digest", "--format", "json")
    assert first.code == 0, first.err
    doc = first.json()
    # The papers were first seen long before the last day, which a first digest covers.
    assert doc["first"] is True and doc["empty"] is True
    assert [s["key"] for s in doc["sections"]] == ["papers", "starred", "boards", "models"]
    again = cli("digest")
    assert again.code == 0
    assert again.out.startswith("Nothing new since ") and again.out.count("\n") == 1
    since = cli("digest", "--since", "2020-01-01", "--peek")
    assert "2601.00002  Diffusion language models (cs.LG)" in since.out
    bad = cli("digest", "--since", "yesterday")
    assert bad.code == 2
    assert bad.err.splitlines()[0] == "Error: --since: 'yesterday' is not a date."
