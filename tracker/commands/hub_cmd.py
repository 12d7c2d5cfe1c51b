"""`tracker models`, `tasks`, `datasets`, `leaderboard` and `import`: the Papers-with-Code view."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli import AppContext, pass_app
from tracker.db.engine import read_connection
from tracker.db.sorts import MODEL_SORTS
from tracker.errors import NotFoundError, UsageError
from tracker.output import emit_json, info, table
from tracker.tasks_catalog import MODALITIES


def human_count(value: int | None) -> str:
    """110106428 -> '110M'; 7241732096 -> '7.2B'."""
    if value is None:
        return ""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            scaled = value / size
            return f"{scaled:.1f}{suffix}" if scaled < 10 else f"{scaled:.0f}{suffix}"
    return str(value)


def _require_paper(app: AppContext, raw_id: str) -> None:
    """--paper names a paper we hold (a stub is not one: tracker.db.paper_rule)."""
    from tracker.db.queries import paper_id_for

    with read_connection(app.engine()) as conn:
        try:
            paper_id_for(conn, raw_id)
        except NotFoundError as missing:
            raise NotFoundError(
                missing.message,
                hint=f"Run `tracker models --paper {raw_id} --refresh` to look it up on the Hub.",
            ) from None


@click.command()
@click.option("--paper", "paper", metavar="ID", help="Only models linked to this paper (arXiv id).")
@click.option("--task", metavar="T", help="Only models for this task, e.g. text-classification.")
@click.option(
    "--dataset",
    metavar="D",
    help="Only models trained or evaluated on this dataset (id or name, any case).",
)
@click.option("--library", metavar="L", help="Only models of this library, e.g. transformers.")
@click.option("--sort", type=click.Choice(MODEL_SORTS), default="downloads", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option(
    "--refresh",
    is_flag=True,
    help="With --paper: look the paper's models up on the Hub first (one request, plus cards).",
)
@click.option(
    "--fits",
    is_flag=True,
    help="Only models whose weights fit this machine's free GPU memory (or RAM) as [trial] dtype.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def models(
    app: AppContext,
    paper: str | None,
    task: str | None,
    dataset: str | None,
    library: str | None,
    sort: str,
    limit: int,
    refresh: bool,
    fits: bool,
    as_json: bool,
) -> None:
    """Hugging Face models linked to papers, with their task, downloads and likes.

    --fits keeps models whose parameters x bytes per dtype (plus overhead) fit the free
    memory of the device a trial would use ([trial] device and dtype); models of unknown
    size are left out.
    """
    from tracker.db.measurements import attach_model_measurements
    from tracker.db.model_queries import list_models

    if refresh:
        _refresh(app, paper)
    elif paper:
        _require_paper(app, paper)
    max_parameters = _fit_limit(app) if fits else None
    with read_connection(app.engine()) as conn:
        rows = list_models(
            conn,
            paper=paper,
            task=task,
            dataset=dataset,
            library=library,
            sort=sort,
            limit=limit,
            max_parameters=max_parameters,
        )
        attach_model_measurements(conn, rows)
    if as_json:
        emit_json(rows)
    elif not rows:
        hint = f" Try `tracker models --paper {paper} --refresh`." if paper else ""
        info("No models match." + hint)
    else:
        _print_models(rows)


def _refresh(app: AppContext, paper: str | None) -> None:
    """--refresh: look the paper's models up on the Hub first."""
    if not paper:
        raise UsageError(
            "--refresh needs --paper ID.",
            hint="`tracker sync` refreshes the models of every paper.",
        )
    from tracker.sync.hub_pass import refresh_paper

    done = refresh_paper(app.engine(), app.config, paper, force=True)
    info(
        f"hub: {done['models']} models for {done['arxiv_id']} "
        f"({done['new_models']} new, {done['cards_read']} cards read, "
        f"{done['requests']} Hub requests)"
    )


def _fit_limit(app: AppContext) -> int:
    """--fits: the most parameters this machine's trial device holds."""
    from tracker.trial.checks import fit_budget

    budget = fit_budget(app.config.trial.device, app.config.trial.dtype)
    info(budget.summary() + "; models of unknown size are left out.")
    return 2**62 if budget.max_parameters is None else budget.max_parameters


def _print_models(rows: list[dict[str, Any]]) -> None:
    table(
        [
            (
                r["repo_id"],
                r["task"],
                r["library"],
                human_count(r["downloads"]),
                human_count(r["likes"]),
                human_count(r["parameters"]),
                "gated" if r["gated"] else "",
                " ".join(r["papers"][:3]),
            )
            for r in rows
        ],
        ["model", "task", "library", "downloads", "likes", "params", "access", "papers"],
        wide=0,
    )
    measured = [(r["repo_id"], m["text"]) for r in rows for m in r.get("measured", [])]
    if measured:
        click.echo("\nMeasured on this machine (tracker verify):")
        for repo_id, text in measured:
            click.echo(f"  {repo_id}  {text}")


@click.command()
@click.option("--modality", type=click.Choice(MODALITIES), help="Only tasks of this modality.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def tasks(app: AppContext, modality: str | None, as_json: bool) -> None:
    """The task catalogue (transformers pipeline tasks and Hub tags), with counts."""
    from tracker.db.engine import write_transaction
    from tracker.db.hub import seed_tasks
    from tracker.db.hub_queries import list_tasks

    engine = app.engine()
    with write_transaction(engine) as conn:
        seed_tasks(conn)  # the catalogue is there even before the first sync
    with read_connection(engine) as conn:
        rows = list_tasks(conn, modality=modality)
    if as_json:
        emit_json(rows)
        return
    table(
        [
            (
                t["id"],
                t["modality"],
                t["models"] or "",
                t["results"] or "",
                "yes" if t["trial_supported"] else "",
                t["description"],
            )
            for t in rows
        ],
        ["task", "modality", "models", "results", "try", "description"],
    )


@click.command()
@click.option("--task", metavar="T", help="Only datasets used for this task.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def datasets(app: AppContext, task: str | None, limit: int, as_json: bool) -> None:
    """Datasets that the models here were trained or evaluated on."""
    from tracker.db.hub_queries import list_datasets

    with read_connection(app.engine()) as conn:
        rows = list_datasets(conn, task=task)[:limit]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info("No datasets yet. Run `tracker sync` or `tracker import pwc-evaluations FILE`.")
        return
    table(
        [(d["id"], d["models"], d["results"] or "", ", ".join(d["tasks"])) for d in rows],
        ["dataset", "models", "results", "tasks"],
        wide=0,
    )


def _value(row: dict[str, Any]) -> str:
    value = row["value"]
    text = f"{value:.4g}" if abs(value) < 1e6 else human_count(int(value))
    if "measured" in row:  # `tracker verify` ran here; it never changes the rank
        return f"claimed {text} · {row['measured']['text']}"
    return text


@click.command()
@click.argument("task", required=False)
@click.option(
    "--dataset", metavar="D", help="Only this dataset (id or name; glue/sst2 for a config)."
)
@click.option("--metric", metavar="M", help="Only this metric (type or name, e.g. accuracy, wer).")
@click.option("--limit", type=click.IntRange(1, 100_000), help="At most N rows per board.")
@click.option(
    "--benchmark",
    metavar="ID",
    help="A benchmark dataset's Hub leaderboard (e.g. Idavidrein/gpqa).",
)
@click.option("--task-id", metavar="T", help="With --benchmark: only this benchmark task.")
@click.option(
    "--all-models",
    is_flag=True,
    help="With --benchmark: fine-tuned models too, not only base ones.",
)
@click.option("--refresh", is_flag=True, help="With --benchmark: fetch the board from the Hub now.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of ranked rows on stdout.")
@pass_app
def leaderboard(
    app: AppContext,
    task: str | None,
    dataset: str | None,
    metric: str | None,
    limit: int | None,
    benchmark: str | None,
    task_id: str | None,
    all_models: bool,
    refresh: bool,
    as_json: bool,
) -> None:
    """Results for TASK ranked by value, one board per dataset, split and metric.

    Lower is better for loss, error, perplexity, WER, FID and CER-style metrics; a
    metric whose name says neither is ranked higher-is-better and marked "(guessed)".
    Rows come from model cards (model-index), the Hub's eval results files and the
    Papers with Code archive; a result several hold is shown once, with every source.
    An eval-results score is verified (✓) or community-provided; a "with tools" score
    is ranked on a board of its own.

    With --benchmark ID instead of TASK: that benchmark's leaderboard as the Hub ranks
    it (base models unless --all-models), with each score's badge and notes.
    """
    if benchmark:
        _benchmark(app, benchmark, task_id, all_models, refresh, limit, as_json)
        return
    if not task:
        raise UsageError(
            "leaderboard needs a TASK or --benchmark ID.",
            hint="`tracker tasks` lists the tasks with results.",
        )
    if task_id or all_models or refresh:
        raise UsageError("--task-id, --all-models and --refresh go with --benchmark ID.")
    from tracker.db.benchmarks import benchmarks_of_task
    from tracker.db.leaderboards import leaderboard as ranked
    from tracker.db.measurements import attach_measurements
    from tracker.tasks_catalog import canonical_task

    with read_connection(app.engine()) as conn:
        benches = benchmarks_of_task(conn, canonical_task(task))
        try:
            rows = ranked(conn, task, dataset=dataset, metric=metric, limit=limit)
        except NotFoundError:
            if not benches:
                raise
            rows = []
        attach_measurements(conn, rows)
    if as_json:
        emit_json(rows)
    else:
        _print_task_boards(task, rows, benches, filtered=bool(dataset or metric))


def _print_task_boards(
    task: str, rows: list[dict[str, Any]], benches: list[dict[str, Any]], *, filtered: bool
) -> None:
    """Our boards of a task, then the names of its Hub benchmark boards."""
    if not rows:
        info(
            f"No results for {task} match."
            + (" Try without --dataset or --metric." if filtered else "")
        )
    else:
        _print_boards(rows)
    if benches:
        names = ", ".join(f"{b['benchmark']} ({b['entries']})" for b in benches)
        click.echo(f"Hub benchmark boards for {task}: {names}")
        click.echo("See one with `tracker leaderboard --benchmark ID`.")


def _benchmark(
    app: AppContext,
    benchmark: str,
    task_id: str | None,
    all_models: bool,
    refresh: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """--benchmark: one benchmark's stored board (fetched first with --refresh)."""
    from tracker.db.benchmarks import benchmark_board

    if refresh:
        from tracker.sources.hub import HubSource
        from tracker.sync.hub_benchmarks import fetch_board
        from tracker.sync.state import utcnow

        hub = HubSource(app.config.hub)
        size = fetch_board(app.engine(), hub, benchmark, utcnow(), all_models=all_models)
        info(f"hub: {size} entries for {benchmark} ({hub.requests} Hub requests)")
    with read_connection(app.engine()) as conn:
        board = benchmark_board(conn, benchmark, bench_task=task_id, all_models=all_models)
    if limit:
        board["entries"] = board["entries"][:limit]
    if as_json:
        emit_json(board)
        return
    _print_benchmark(board)


def _print_benchmark(board: dict[str, Any]) -> None:
    """The board's header, then rank, model (· when not in tracker), value, badge, notes."""
    which = "all models" if board["all_models"] else "base models"
    click.echo(
        click.style(f"{board['benchmark']} · task {board['task']} · {which}", bold=True)
        + f"  (fetched {(board['fetched_at'] or '')[:10]})"
    )
    if not board["entries"]:
        info("No entries on this board.")
        return
    rows = [
        (
            e["rank"],
            e["model"] + ("" if e["model_in_tracker"] else " ·"),
            _value(e) if e["value"] is not None else "",
            badge({"verified": e["verified"], "provenance": e}),
            e["variant"] or "",
            e["notes"] or "",
        )
        for e in board["entries"]
    ]
    table(rows, ["#", "model", "value", "badge", "variant", "notes"], wide=1)
    click.echo("· not in tracker yet (a model that cites a paper comes with the next sync)")


def _print_boards(rows: list[dict[str, Any]]) -> None:
    """One table per board, under a header that says which way it ranks."""
    from tracker.db.metrics import direction_label

    board: tuple[Any, ...] | None = None
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        key = (row["dataset"], row["config"], row["split"], row["metric"], row.get("variant"))
        if key != board:
            _flush(batch)
            batch = []
            board = key
            where = ", ".join(x for x in (row["config"], row["split"]) if x)
            better = direction_label(row["direction"], row["direction_guessed"])
            click.echo(
                click.style(
                    f"{row['dataset_name']}{f' ({where})' if where else ''} · {row['metric_name']} ({better})",
                    bold=True,
                )
            )
        batch.append(
            (
                row["rank"],
                row["model"],
                _value(row),
                badge(row),
                "+".join(row["sources"]),
                row["paper"] or "",
                (row.get("provenance") or {}).get("notes") or "",
            )
        )
    _flush(batch)


def badge(row: dict[str, Any]) -> str:
    """✓ for a verified score; 'community' for an eval-results score nobody verified."""
    provenance = row.get("provenance") or {}
    if row["verified"] or provenance.get("status") == "verified":
        return "✓"
    if provenance.get("pull_request"):
        return f"community (PR #{provenance['pull_request']})"
    return "community" if provenance else ""


def _flush(batch: list[tuple[Any, ...]]) -> None:
    if not batch:
        return
    headers = ["#", "model", "value", "verified", "source", "paper", "notes"]
    if not any(row[-1] for row in batch):  # no notes on this board: no column for them
        batch, headers = [row[:-1] for row in batch], headers[:-1]
    table(batch, headers, wide=1)
    click.echo("")


COMMANDS = [models, tasks, datasets, leaderboard]
