"""`tracker verify`: measure a model on the benchmark its card cites, beside the claim.

pyarrow, torch and transformers load only inside the command body (tracker.verify).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from tracker.cli import AppContext, pass_app
from tracker.commands.run_options import run_options
from tracker.errors import DatabaseError, NotFoundError, TrackerError, UsageError
from tracker.output import emit_json, info

DEFAULT_BATCH_SIZE = 32


class SamplesType(click.ParamType):  # type: ignore[type-arg]
    name = "N|all"

    def convert(self, value: Any, param: Any, ctx: Any) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if str(value).lower() == "all":
            return None
        if str(value).isdigit() and int(value) > 0:
            return int(value)
        self.fail(f"{value!r} is neither a positive number nor 'all'.", param, ctx)


class Progress:
    """Examples done, rate and time left, on one stderr line (only on a terminal)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.live = sys.stderr.isatty()

    def __call__(self, n: int) -> None:
        self.done += n
        if not self.live:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        click.echo(
            f"\r{self.done}/{self.total} examples, {rate:.1f}/s, {left:.0f} s left ",
            err=True,
            nl=False,
        )

    def close(self) -> None:
        if self.live:
            click.echo("", err=True)


@click.command()
@click.argument("model")
@click.option("--result", "result_id", type=int, help="The stored result (claim) to check, by id.")
@click.option("--dataset", help="A Hub dataset id or a local folder (measures without a claim).")
@click.option("--config", "dataset_config", help="The dataset's config (subset).")
@click.option("--split", help="The split (default: the claim's, else validation, test, train).")
@click.option("--metric", help="The metric (default: the claim's, else the task's first).")
@click.option(
    "--samples",
    type=SamplesType(),
    default="500",
    show_default=True,
    help="Examples to measure: a seeded random sample, or 'all'.",
)
@click.option("--first", is_flag=True, help="Take the first N rows instead of a random sample.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the sample and the bootstrap."
)
@run_options(batch_size=DEFAULT_BATCH_SIZE, unit="Examples")
@click.option("--columns", help="Dataset columns for the task's inputs: text=sentence,label=label.")
@click.option("--label-map", help="Dataset label = model label pairs: 0=NEGATIVE,1=POSITIVE.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--yes", "-y", is_flag=True, help="Run even when the pre-flight says it won't fit.")
@pass_app
def verify(app: AppContext, /, model: str, result_id: int | None, **options: Any) -> None:
    """Measure MODEL on a benchmark and put the measurement beside its claimed value.

    The claim comes from the model's stored results (--result ID, or the only one);
    --dataset alone measures without a claim. Only the rows needed are read. The
    report gives the value, a seeded bootstrap 95% interval and n, and whether the
    claim lies inside it; each run is kept (see `tracker trials`).
    """
    from tracker.verify.columns import parse_columns

    try:
        columns = parse_columns(options["columns"])
        claim = _choose_claim(app, model, result_id, options)
        request = _request(model, claim, columns, options)
        _verify(app, request, options)
    except TrackerError as exc:
        _record_failure(app, model, exc.message)
        raise
    except KeyboardInterrupt:
        _record_failure(app, model, "interrupted (Ctrl-C)")
        raise


def _request(model: str, claim: Any, columns: dict[str, str], o: dict[str, Any]) -> Any:
    from tracker.verify.run import Request

    dataset = o["dataset"] or (claim.dataset if claim else None)
    if not dataset:
        raise UsageError(
            f"nothing to verify {model} on: no stored claim and no --dataset.",
            hint="Name one: --dataset owner/name (or ./folder), or `tracker sync` to fetch its card's results.",
        )
    return Request(
        model=model,
        dataset=dataset,
        config=o["dataset_config"]
        or (claim.config if claim and not o["dataset"] else None)
        or None,
        split=o["split"] or (claim.split if claim else None) or None,
        metric=o["metric"],
        claim=claim,
        task=claim_task(claim),
        samples=o["samples"],
        seed=o["seed"],
        first=o["first"],
        device=o["device"],
        dtype=o["dtype"],
        revision=o["revision"],
        columns=columns,
        label_map=o["label_map"],
    )


def claim_task(claim: Any) -> str | None:
    from tracker.verify.metrics import SUPPORTED_TASKS

    task = getattr(claim, "task", "") if claim else ""
    return task if task in SUPPORTED_TASKS else None


def _engine(app: AppContext) -> Any | None:
    try:
        return app.engine(create=False)
    except DatabaseError:
        return None


def _choose_claim(app: AppContext, model: str, result_id: int | None, o: dict[str, Any]) -> Any:
    from tracker.db.engine import read_connection
    from tracker.db.measurements import claim_by_id, model_claims

    engine = _engine(app)
    if result_id is not None:
        row = None
        if engine is not None:
            with read_connection(engine) as conn:
                row = claim_by_id(conn, result_id)
        if row is None:
            raise NotFoundError(
                f"no stored result {result_id}.",
                hint=f"`tracker models {model}` lists its results.",
            )
        return _claim(row)
    if o["dataset"] or engine is None:
        return None
    with read_connection(engine) as conn:
        rows = model_claims(conn, model)
    if len(rows) <= 1:
        return _claim(rows[0]) if rows else None
    return _claim(_pick(model, rows, o["as_json"]))


def _describe(row: dict[str, Any]) -> str:
    where = "/".join(
        x for x in (row["dataset_id"], row["dataset_config"], row["dataset_split"]) if x
    )
    return f"{row['id']:>6}  {row['task_id']}  {where}  {row['metric_type']} = {row['value']}  ({row['source']})"


def _pick(model: str, rows: list[dict[str, Any]], as_json: bool) -> dict[str, Any]:
    listing = "\n".join(_describe(r) for r in rows)
    if as_json or not sys.stdin.isatty():
        raise UsageError(
            f"{model} has {len(rows)} stored results; pick one with --result ID:\n{listing}",
            hint="Or name a --dataset to measure without a claim.",
        )
    info(f"{model} has {len(rows)} stored results:\n{listing}")
    ids = [r["id"] for r in rows]
    chosen = click.prompt("Result to verify", type=click.Choice([str(i) for i in ids]), err=True)
    return rows[ids.index(int(chosen))]


def _claim(row: dict[str, Any]) -> Any:
    from tracker.verify.verdict import Claim

    return Claim(
        value=float(row["value"]),
        dataset=row["dataset_id"],
        metric=row["metric_type"] or row["metric_name"],
        config=row["dataset_config"],
        split=row["dataset_split"],
        result_id=row["id"],
        source=row["source"],
        task=row["task_id"],
    )


def _verify(app: AppContext, request: Any, o: dict[str, Any]) -> None:
    from tracker.trial import checks
    from tracker.trial.plan import catalog_record
    from tracker.verify import report
    from tracker.verify.run import plan_verify

    catalog = None
    engine = _engine(app)
    if engine is not None:
        from tracker.db.engine import read_connection

        with read_connection(engine) as conn:
            catalog = catalog_record(conn, request.model)
    plan = plan_verify(request, app.config, catalog)
    info(plan.trial.preflight.summary())
    info(report.data_line(plan))
    checks.enforce_fit(plan.trial.preflight, yes=o["yes"])
    measurement, trial_id, measurement_id = _run(app, plan, o["batch_size"])
    doc = {**measurement.to_dict(), "trial_id": trial_id, "measurement_id": measurement_id}
    if o["as_json"]:
        emit_json(doc)
    else:
        for line in report.report_lines(doc, measurement.verdict):
            click.echo(line)


def _run(app: AppContext, plan: Any, batch_size: int) -> tuple[Any, int, int | None]:
    from tracker.trial import runner
    from tracker.verify import report
    from tracker.verify.run import measure

    _quiet_transformers(app.verbose)
    progress = Progress(len(plan.rows.rows))
    loaded = runner.load(plan.trial)
    try:
        measurement = measure(plan, loaded, batch_size=batch_size, tick=progress)
    finally:
        progress.close()
        loaded.close()
    trial = report.trial_values(plan, batch_size, measurement)
    values = report.measurement_values(measurement, batch_size)
    trial_id, measurement_id = _store(app, trial, values)
    return measurement, trial_id, measurement_id


def _quiet_transformers(verbose: int) -> None:
    if not verbose:
        from tracker.trial.runner import quiet_transformers

        quiet_transformers()


def _store(
    app: AppContext, trial: dict[str, Any], values: dict[str, Any] | None
) -> tuple[int, int | None]:
    from tracker.db.measurements import record_verification

    try:
        return record_verification(app.engine(), trial, values)
    except DatabaseError as exc:
        info(f"Warning: the measurement was not stored: {exc.message}")
        return 0, None


def _record_failure(app: AppContext, model: str, message: str) -> None:
    from tracker.verify.report import failure_values

    _store(app, failure_values(model, message), None)


COMMANDS = [verify]
