"""plan_trial(): everything decided before a download — model, task, device, dtype, gates.

The CLI and the TUI both call this first, show `plan.preflight`, then `runner.load(plan)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tracker.config import Config
from tracker.db.models import Model
from tracker.db.tables import table_of
from tracker.errors import GatedModelError
from tracker.trial import checks, hardware, tasks
from tracker.trial.resolve import ModelSource, resolve_model


@dataclass
class TrialPlan:
    source: ModelSource
    task: str
    device: str
    dtype: str
    weight_format: str
    preflight: checks.Preflight
    allow_pickle: bool
    trust_remote_code: bool
    endpoint: str


def catalog_record(conn: Connection, repo_id: str) -> dict[str, Any] | None:
    """What the models table knows about repo_id (from sync), or None."""
    t = table_of(Model)
    row = (
        conn.execute(
            select(t.c.pipeline_tag, t.c.parameters, t.c.gated, t.c.private, t.c.safetensors).where(
                t.c.repo_id == repo_id
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _has_token() -> bool:
    try:
        from huggingface_hub import get_token
    except ImportError:  # pragma: no cover
        return False
    return get_token() is not None


def plan_trial(
    model: str,
    config: Config,
    *,
    task: str | None = None,
    device: str | None = None,
    dtype: str | None = None,
    revision: str | None = None,
    allow_pickle: bool | None = None,
    trust_remote_code: bool | None = None,
    catalog: dict[str, Any] | None = None,
    available: tuple[int | None, str] | None = None,
) -> TrialPlan:
    """Resolve MODEL and run every gate that needs no download. Raises TrackerError subclasses.

    None means "use the [trial] config"; `available` overrides the measured free memory.
    """
    allow_pickle = config.trial.allow_pickle if allow_pickle is None else allow_pickle
    trust = config.trial.trust_remote_code if trust_remote_code is None else trust_remote_code
    catalog = catalog or {}
    endpoint = config.hub.endpoint
    source = resolve_model(model, endpoint=endpoint, revision=revision)
    if not source.is_local and (source.gated or catalog.get("gated")) and not _has_token():
        raise GatedModelError.for_model(source.repo_id, endpoint)
    weight_format = checks.check_safety(source, allow_pickle=allow_pickle, trust_remote_code=trust)
    chosen_task = tasks.choose_task(
        task,
        source.pipeline_tag,
        catalog.get("pipeline_tag"),
        config=source.config,
        files=source.files,
    )
    chosen_device = hardware.choose_device(device or config.trial.device)
    chosen_dtype = hardware.choose_dtype(dtype or config.trial.dtype, chosen_device)
    pf = checks.preflight(
        source,
        task=chosen_task,
        device=chosen_device,
        dtype=chosen_dtype,
        weight_format=weight_format,
        available=available or hardware.free_memory(chosen_device),
        catalog_parameters=catalog.get("parameters"),
    )
    return TrialPlan(
        source=source,
        task=chosen_task,
        device=chosen_device,
        dtype=chosen_dtype,
        weight_format=weight_format,
        preflight=pf,
        allow_pickle=allow_pickle,
        trust_remote_code=trust,
        endpoint=endpoint,
    )
