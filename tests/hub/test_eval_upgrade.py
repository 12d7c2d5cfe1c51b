"""m007 upgrades a database written before eval results in place, losing no row."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text

from tests.hub.test_hub_sync import add_papers
from tracker.db import migrations
from tracker.db.engine import make_engine, open_database, write_transaction

TABLES = ("papers", "models", "results", "paper_models", "paper_user", "paper_tags")


def before_m007(url: str) -> dict[str, int]:
    """A database as the previous release left it: papers, a model, results, a star,
    a tag and a note. Returns its row counts."""
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        migrations.migrate(conn, [m for m in migrations.MIGRATIONS if m.__name__ < "m007"])
    add_papers(engine, ["1706.03762", "1810.04805"])
    with write_transaction(engine) as conn:
        # The rows as the previous release wrote them: its columns, nothing of m007's.
        conn.execute(
            text(
                "INSERT INTO models (id, repo_id, author, pipeline_tag, library, downloads, likes, "
                "trending_score, gated, private, license, safetensors, base_model, sha) VALUES "
                "(1, 'org/bert', 'org', 'fill-mask', '', 0, 0, 0, '', 0, '', 0, '', '')"
            )
        )
        for mid, name, source in ((1, "org/bert", "model-index"), (None, "BERT", "pwc-archive")):
            conn.execute(
                text(
                    "INSERT INTO results (model_id, model_name, task_id, dataset_id, dataset_name, "
                    "dataset_config, dataset_split, metric_type, metric_name, value, value_text, "
                    "verified, source) VALUES (:m, :n, 'fill-mask', 'glue', 'GLUE', '', '', "
                    "'accuracy', '', 0.9, '0.9', 0, :s)"
                ),
                {"m": mid, "n": name, "s": source},
            )
        conn.execute(text("INSERT INTO paper_models (paper_id, model_id) VALUES (1, 1)"))
        conn.execute(text("INSERT INTO paper_user (paper_id, starred, note) VALUES (1, 1, 'keep')"))
        conn.execute(text("INSERT INTO paper_tags (paper_id, tag) VALUES (1, 'classic')"))
    with engine.connect() as conn:
        counts = {
            t: conn.execute(select(func.count()).select_from(text(t))).scalar() for t in TABLES
        }
    engine.dispose()
    return {t: int(n or 0) for t, n in counts.items()}


def test_m007_keeps_every_row(env, cli):
    url = f"sqlite:///{env.db_path}"
    counts = before_m007(url)
    assert counts["results"] == 2 and counts["paper_user"] == 1

    engine = open_database(url)
    columns = {c["name"] for c in inspect(engine).get_columns("results")}
    assert set(migrations.RESULT_PROVENANCE) <= columns
    assert {"paper_hub", "benchmarks", "benchmark_entries"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as conn:
        after = {
            t: conn.execute(select(func.count()).select_from(text(t))).scalar() for t in TABLES
        }
        variants = {r for (r,) in conn.execute(text("SELECT variant FROM results"))}
    engine.dispose()
    assert after == counts
    assert variants == {""}

    paper = cli("show", "1706.03762", "--json").json()
    assert (paper["starred"], paper["note"], paper["tags"]) == (True, "keep", ["classic"])
    board = cli("leaderboard", "fill-mask", "--json").json()
    assert [(r["value"], r["sources"]) for r in board] == [(0.9, ["model-index", "pwc-archive"])]
