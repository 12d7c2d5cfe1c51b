"""`tracker try`, `tracker doctor` and `tracker trials`: run a model here, and what here can run.

torch and transformers load only inside these command bodies (through tracker.trial).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tracker.cli import AppContext, pass_app
from tracker.commands.run_options import run_options
from tracker.errors import DatabaseError, TrackerError, UsageError
from tracker.output import emit_json, info, table

DEFAULT_BATCH_SIZE = 8


def _existing_engine(app: AppContext) -> Any | None:
    try:
        return app.engine(create=False)
    except DatabaseError:
        return None


def _catalog(app: AppContext, model: str) -> dict[str, Any] | None:
    from tracker.db.engine import read_connection
    from tracker.trial.plan import catalog_record

    engine = _existing_engine(app)
    if engine is None:
        return None
    with read_connection(engine) as conn:
        return catalog_record(conn, model)


def _example(task: str) -> str:
    examples = {
        "question-answering": '"Who wrote it? ||| The paper was written by Ada."',
        "zero-shot-classification": '"The GPU ran out of memory ||| hardware, cooking, sports"',
        "sentence-similarity": '"A cat sits on a mat ||| A kitten rests on a rug ||| Markets fell"',
        "fill-mask": '"Paris is the [MASK] of France."',
        "image-classification": "photo.jpg",
        "automatic-speech-recognition": "speech.wav",
    }
    return examples.get(task, '"Some text to run the model on."')


@click.command("try")
@click.argument("model")
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--input",
    "input_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="One input per line (text or JSON lines); writes JSON lines in input order.",
)
@click.option("--task", help="The pipeline task (default: the model's pipeline tag).")
@run_options(batch_size=DEFAULT_BATCH_SIZE, unit="Inputs")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--yes", "-y", is_flag=True, help="Run even when the pre-flight says it won't fit.")
@click.option(
    "--allow-pickle", is_flag=True, help="Allow pickle (.bin) weights, which can run code."
)
@click.option("--trust-remote-code", is_flag=True, help="Run code shipped in the model repository.")
@pass_app
def try_(
    app: AppContext,
    model: str,
    inputs: tuple[str, ...],
    input_file: Path | None,
    task: str | None,
    device: str | None,
    dtype: str | None,
    batch_size: int,
    revision: str | None,
    as_json: bool,
    yes: bool,
    allow_pickle: bool,
    trust_remote_code: bool,
) -> None:
    """Run MODEL (a Hub repo id or a local folder) on INPUT texts or files.

    Before any download it shows the weights size and the memory needed against what
    this machine has free, and refuses models that won't fit (unless --yes),
    pickle-only weights (unless --allow-pickle) and remote code (unless
    --trust-remote-code). Each trial is recorded; see `tracker trials`.

    Inputs with several parts take JSON or "|||": "QUESTION ||| CONTEXT",
    "TEXT ||| label1, label2", "SENTENCE ||| OTHER ||| ...".
    """
    from tracker.trial import checks, tasks
    from tracker.trial.plan import plan_trial

    raw_inputs: list[Any] = list(inputs)
    if input_file is not None:
        raw_inputs += tasks.read_input_file(input_file)
    plan = plan_trial(
        model,
        app.config,
        task=task,
        device=device,
        dtype=dtype,
        revision=revision,
        allow_pickle=True if allow_pickle else None,
        trust_remote_code=True if trust_remote_code else None,
        catalog=_catalog(app, model),
    )
    info(plan.preflight.summary())
    checks.enforce_fit(plan.preflight, yes=yes)
    parsed = _parsed_inputs(plan, model, raw_inputs)
    if not app.verbose:
        from tracker.trial.runner import quiet_transformers

        quiet_transformers()
    result, loaded, trial_id = _run(app, plan, parsed, batch_size)
    info(_timing(plan, loaded, result, len(parsed), batch_size, trial_id))
    if as_json:
        emit_json(_trial_json(plan, loaded, result, batch_size))
    elif input_file is not None:
        for raw, output in zip(raw_inputs, result.outputs, strict=True):
            click.echo(json.dumps({"input": raw, "output": output}, ensure_ascii=False))
    else:
        _print_outputs(plan.task, parsed, result.outputs)


def _parsed_inputs(plan: Any, model: str, raw_inputs: list[Any]) -> list[Any]:
    """Each input in the form its task's pipeline takes; none at all is a usage error."""
    from tracker.trial import tasks

    if not raw_inputs:
        raise UsageError(
            f"no inputs: give INPUT arguments or --input FILE for {plan.task}.",
            hint=f"For example: tracker try {model} {_example(plan.task)}",
        )
    return [tasks.parse_input(plan.task, raw) for raw in raw_inputs]


def _timing(
    plan: Any, loaded: Any, result: Any, inputs: int, batch_size: int, trial_id: int
) -> str:
    return (
        f"{plan.device} {plan.dtype}: loaded in {loaded.load_seconds:.2f} s; {inputs} input(s) in "
        f"{result.seconds:.2f} s ({result.per_input_ms:.1f} ms each, batch size {batch_size})."
        + (f" Recorded as trial {trial_id} (`tracker trials`)." if trial_id else "")
    )


def _trial_json(plan: Any, loaded: Any, result: Any, batch_size: int) -> dict[str, Any]:
    return {
        "model": plan.source.repo_id,
        "revision": plan.source.revision,
        "task": plan.task,
        "device": plan.device,
        "dtype": plan.dtype,
        "batch_size": batch_size,
        "preflight": plan.preflight.to_dict(),
        "outputs": result.outputs,
        "load_seconds": round(loaded.load_seconds, 4),
        "seconds": round(result.seconds, 4),
        "per_input_ms": round(result.per_input_ms, 3),
        "peak_memory_bytes": result.peak_memory_bytes,
    }


def _print_outputs(task: str, parsed: list[Any], outputs: list[Any]) -> None:
    from tracker.trial.render import describe_input, render_output

    for raw, output in zip(parsed, outputs, strict=True):
        click.echo(describe_input(raw))
        for line in render_output(task, output):
            click.echo(line)


def _run(app: AppContext, plan: Any, parsed: list[Any], batch_size: int) -> tuple[Any, Any, int]:
    """Load, run, record (also a failure), release."""
    from tracker.trial import runner
    from tracker.trial.ledger import TrialRecord, record_trial, summarize_outputs

    record = TrialRecord(
        model_repo=plan.source.repo_id,
        revision=plan.source.revision,
        task=plan.task,
        device=plan.device,
        dtype=plan.dtype,
        batch_size=batch_size,
        inputs=len(parsed),
    )
    loaded = None
    try:
        loaded = runner.load(plan)
        record.load_seconds = loaded.load_seconds
        result = loaded.run(parsed, batch_size=batch_size)
    except Exception as exc:
        message = exc.message if isinstance(exc, TrackerError) else f"{type(exc).__name__}: {exc}"
        record.ok, record.error = False, (message.strip().splitlines() or [""])[0][:500]
        _record(app, record, record_trial)
        raise
    finally:
        if loaded is not None:
            loaded.close()
    record.seconds = result.seconds
    record.per_input_ms = result.per_input_ms
    record.peak_memory_bytes = result.peak_memory_bytes
    record.output_summary = summarize_outputs(result.outputs)
    return result, loaded, _record(app, record, record_trial)


def _record(app: AppContext, record: Any, record_trial: Any) -> int:
    try:
        return int(record_trial(app.engine(), record))
    except DatabaseError as exc:
        info(f"Warning: the trial was not recorded: {exc.message}")
        return 0


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_app
def doctor(app: AppContext, as_json: bool) -> None:
    """What this machine can run: torch build, GPUs, memory, Hub cache and token, advice."""
    from tracker.trial.doctor import machine_report

    report = machine_report(endpoint=app.config.hub.endpoint, database=_database_info(app))
    if as_json:
        emit_json(report)
        return
    _print_report(report)


def _database_info(app: AppContext) -> dict[str, Any]:
    from tracker.db.engine import read_connection
    from tracker.db.queries import counts, trial_count

    url = app.config.database_url
    engine = _existing_engine(app)
    if engine is None:
        return {"url": url, "exists": False}
    with read_connection(engine) as conn:
        found = counts(conn)  # papers: never stubs (tracker.db.paper_rule)
        trials = trial_count(conn)
    return {
        "url": url,
        "exists": True,
        "papers": found["papers"],
        "models": found["models"],
        "trials": trials,
    }


def _print_report(report: dict[str, Any]) -> None:
    from tracker.trial.doctor import report_lines

    for line in report_lines(report):
        click.echo(line)


@click.command()
@click.option("--model", help="Only the trials of this repo id.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def trials(app: AppContext, model: str | None, limit: int, as_json: bool) -> None:
    """The trial ledger: what each model did on this machine, newest first."""
    from tracker.db.engine import read_connection
    from tracker.trial.ledger import list_trials

    engine = _existing_engine(app)
    rows: list[dict[str, Any]] = []
    if engine is not None:
        with read_connection(engine) as conn:
            rows = list_trials(conn, model=model, limit=limit)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        info(
            'No trials yet. Run one: tracker try sentence-transformers/all-MiniLM-L6-v2 "some text"'
        )
        return
    table(
        [
            (
                r["id"],
                (r["created_at"] or "")[:16].replace("T", " "),
                r["model_repo"],
                r["task"],
                f"{r['device']} {r['dtype']}",
                r["inputs"],
                f"{r['per_input_ms']:.1f}",
                "ok" if r["ok"] else "failed",
                r["output_summary"] if r["ok"] else r["error"],
            )
            for r in rows
        ],
        ["id", "when", "model", "task", "device", "inputs", "ms/input", "", "output"],
    )


COMMANDS = [try_, doctor, trials]
