"""Hub answers -> plain records: listing items, model info (card, model-index), daily papers.

Pure functions over huggingface_hub's ModelInfo and the JSON the Hub sends; no I/O.
A model with no card, a null or empty model-index, or odd values is normal data.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from huggingface_hub.hf_api import ModelInfo, PaperInfo

from tracker.ids import try_parse_arxiv_id
from tracker.records import DailyPaperRecord, ModelRecord, PaperPageRecord, ResultRecord
from tracker.sources.hub_evals import read_eval_results
from tracker.tasks_catalog import canonical_task

log = logging.getLogger(__name__)


def listing_record(item: Any) -> ModelRecord | None:
    """A listing item (with or without expand) -> ModelRecord; None if unreadable."""
    return json_record(item, detailed=False)


def json_record(item: Any, *, detailed: bool) -> ModelRecord | None:
    """A listing item or a model_info body -> ModelRecord; None if unreadable.

    evalResults is read apart (tracker.sources.hub_evals), item by item, so that one
    invalid file is counted and the model's other fields and scores are kept.
    """
    if not isinstance(item, dict) or not item.get("id"):
        return None
    fields = {k: v for k, v in item.items() if k != "evalResults"}
    try:
        record = model_record(ModelInfo(**fields), detailed=detailed)  # type: ignore[no-untyped-call]
    except (TypeError, ValueError, KeyError) as exc:
        log.warning("skipping unreadable model %r: %s", item.get("id"), exc)
        return None
    if "evalResults" in item:
        read = read_eval_results(item["evalResults"], record.repo_id)
        record.evals_read = True
        record.eval_results = read.results
        record.eval_errors = read.errors
    return record


def skim_record(item: Any) -> ModelRecord | None:
    """A listing item that cites no paper -> a bare record (id, lastModified); else the full one."""
    if not isinstance(item, dict) or not item.get("id"):
        return None
    tags = item.get("tags")
    if isinstance(tags, list) and any(isinstance(t, str) and t.startswith("arxiv:") for t in tags):
        return listing_record(item)
    modified = item.get("lastModified")
    try:
        when = datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None
    except (AttributeError, ValueError):
        return listing_record(item)
    return ModelRecord(repo_id=str(item["id"]), last_modified=_utc(when))


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = next((v for v in value if isinstance(v, str) and v), None)
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tag_values(tags: list[str], prefix: str) -> list[str]:
    return [t[len(prefix) :] for t in tags if t.startswith(prefix) and len(t) > len(prefix)]


def model_record(info: ModelInfo, *, detailed: bool) -> ModelRecord:
    """ModelInfo (a listing item or model_info) -> ModelRecord."""
    tags = [t for t in (info.tags or []) if isinstance(t, str)]
    card = info.card_data
    card_get = card.get if card is not None else (lambda _key, _default=None: None)
    arxiv_ids: list[str] = []
    for raw in _tag_values(tags, "arxiv:"):
        parsed = try_parse_arxiv_id(raw)
        if parsed and parsed[0] not in arxiv_ids:
            arxiv_ids.append(parsed[0])
    datasets = list(dict.fromkeys(_tag_values(tags, "dataset:") + _strings(card_get("datasets"))))
    base_models = [b for b in _tag_values(tags, "base_model:") if ":" not in b]
    gated = info.gated
    safetensors = getattr(info, "safetensors", None)
    repo_id = info.id
    results = parse_model_index(info.model_index, repo_id) if detailed else []
    if detailed and not results and card is not None and getattr(card, "eval_results", None):
        read = [_from_eval_result(e, repo_id) for e in card.eval_results or []]
        results = [r for r in read if r is not None]
    return ModelRecord(
        repo_id=repo_id,
        author=info.author or (repo_id.split("/")[0] if "/" in repo_id else None),
        pipeline_tag=info.pipeline_tag,
        library=info.library_name,
        downloads=info.downloads,
        likes=info.likes,
        trending_score=info.trending_score,
        created_at=_utc(info.created_at),
        last_modified=_utc(info.last_modified),
        gated=None if gated is None else (gated if isinstance(gated, str) else ""),
        private=info.private,
        license=_first(_tag_values(tags, "license:")) or _first(card_get("license")),
        parameters=safetensors.total if safetensors is not None else None,
        # Absent from a listing page means "not asked" as much as "none": keep what we know.
        safetensors=True if safetensors is not None else (False if detailed else None),
        # The tags name the base model as the Hub resolved it (after renames); the card as written.
        base_model=_first(base_models) or _first(card_get("base_model")),
        sha=info.sha,
        tags=tags,
        arxiv_ids=arxiv_ids,
        datasets=datasets,
        results=results,
        detailed=detailed,
    )


def parse_number(value: Any) -> float | None:
    """91.3, "91.3", "91.3%", "0.91 ± 0.01", "220k" -> a float; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "").rstrip("%").strip()
    multiplier = 1.0
    if text[-1:].lower() in ("k", "m", "b") and len(text) > 1:
        multiplier = {"k": 1e3, "m": 1e6, "b": 1e9}[text[-1].lower()]
        text = text[:-1]
    head = text.split()[0] if text.split() else ""
    try:
        return float(head) * multiplier
    except ValueError:
        return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return str(value).strip() if value is not None and not isinstance(value, dict | list) else ""


def parse_model_index(raw: Any, repo_id: str) -> list[ResultRecord]:
    """A model-index (the card's list of {name, results}) -> one record per metric."""
    if not isinstance(raw, list):
        return []
    out: list[ResultRecord] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        for result in entry.get("results") or []:
            if not isinstance(result, dict):
                continue
            task = as_dict(result.get("task"))
            dataset = as_dict(result.get("dataset"))
            for metric in result.get("metrics") or []:
                if not isinstance(metric, dict):
                    continue
                metric_type = _text(metric.get("type")) or _text(metric.get("name"))
                if not metric_type:
                    continue
                value = metric.get("value")
                out.append(
                    ResultRecord(
                        model_name=repo_id,
                        task_id=canonical_task(_text(task.get("type"))),
                        task_name=_text(task.get("name")),
                        dataset_id=_text(dataset.get("type")) or _text(dataset.get("name")),
                        dataset_name=_text(dataset.get("name")),
                        dataset_config=_text(dataset.get("config")),
                        dataset_split=_text(dataset.get("split")),
                        metric_type=metric_type,
                        metric_name=_text(metric.get("name")),
                        value=parse_number(value),
                        value_text=_text(value),
                        verified=metric.get("verified") is True,
                        source="model-index",
                    )
                )
    return out


def _from_eval_result(e: Any, repo_id: str) -> ResultRecord | None:
    metric_type = _text(e.metric_type) or _text(e.metric_name)
    if not metric_type:
        return None
    return ResultRecord(
        model_name=repo_id,
        task_id=canonical_task(_text(e.task_type)),
        task_name=_text(e.task_name),
        dataset_id=_text(e.dataset_type) or _text(e.dataset_name),
        dataset_name=_text(e.dataset_name),
        dataset_config=_text(e.dataset_config),
        dataset_split=_text(e.dataset_split),
        metric_type=metric_type,
        metric_name=_text(e.metric_name),
        value=parse_number(e.metric_value),
        value_text=_text(e.metric_value),
        verified=e.verified is True,
        source="model-index",
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _keywords(value: Any) -> list[str]:
    return (
        [k.strip() for k in value if isinstance(k, str) and k.strip()]
        if isinstance(value, list)
        else []
    )


def daily_record(item: Any) -> DailyPaperRecord | None:
    """A daily papers item -> DailyPaperRecord; None without an arXiv id. The TLDR,
    keywords and stars are read through the library's PaperInfo when it can read the item."""
    if not isinstance(item, dict):
        return None
    paper = as_dict(item.get("paper")) or item
    parsed = try_parse_arxiv_id(_text(paper.get("id")))
    if parsed is None:
        return None
    record = DailyPaperRecord(
        arxiv_id=parsed[0],
        upvotes=_int(paper.get("upvotes")) or 0,
        github_repo=_first(paper.get("githubRepo") or item.get("githubRepo")),
        project_page=_first(paper.get("projectPage") or item.get("projectPage")),
    )
    try:
        info = PaperInfo(**{**item, "paper": dict(as_dict(item.get("paper")))})
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        log.info("daily papers item %s: no TLDR read (%s)", record.arxiv_id, exc)
        return record
    record.summary = _text(info.ai_summary) or None
    record.keywords = _keywords(info.ai_keywords) or None
    record.github_stars = _int(info.github_stars)
    return record


def _repo_ids(items: list[Any] | None) -> list[str]:
    return [i.id for i in items or [] if isinstance(getattr(i, "id", None), str)]


def paper_page_record(info: PaperInfo, arxiv_id: str) -> PaperPageRecord:
    """paper_info's answer -> PaperPageRecord; its linked models as listing records."""
    models = [model_record(m, detailed=False) for m in info.linked_models or []]
    for m in models:  # the page links them to this paper even when their tags say otherwise
        if arxiv_id not in m.arxiv_ids:
            m.arxiv_ids.append(arxiv_id)
    spaces = _repo_ids(info.linked_spaces)
    extra = vars(info)  # the library keeps keys it does not know (numTotalSpaces)
    return PaperPageRecord(
        arxiv_id=arxiv_id,
        summary=_text(info.ai_summary) or None,
        keywords=_keywords(info.ai_keywords),
        upvotes=_int(info.upvotes),
        github_repo=_first(info.github_repo),
        github_stars=_int(info.github_stars),
        models=models,
        datasets=_repo_ids(info.linked_datasets),
        spaces=spaces,
        num_models=_int(info.num_total_models) if info.linked_models is not None else None,
        num_datasets=_int(info.num_total_datasets) if info.linked_datasets is not None else None,
        num_spaces=_int(extra.get("numTotalSpaces"))
        or (len(spaces) if info.linked_spaces is not None else None),
    )
