"""The trial screen's text for people: the pre-flight verdict, outputs, timings, and the
download hook that reports progress (Rich Text; no torch here).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tracker.trial.checks import gib, needs_remote_code
from tracker.trial.render import describe_input

if TYPE_CHECKING:
    from tracker.trial.plan import TrialPlan
    from tracker.trial.runner import RunResult

BAR = 24
# Tasks whose rendering shows the input itself (highlighted, or as the source sentence).
SHOWS_INPUT = ("token-classification", "question-answering", "sentence-similarity")
ENTITY_STYLES = (
    "bold black on cyan",
    "bold black on yellow",
    "bold black on green",
    "bold black on magenta",
)


class TrialCancelledError(Exception):
    """Raised inside the worker (and the download hook) once the user cancelled."""


def score_bar(score: float, width: int = BAR) -> Text:
    filled = max(0, min(width, round(score * width)))
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"))


def _scored(label: str, score: float, extra: str = "") -> Text:
    line = Text("  ")
    line.append_text(score_bar(score))
    line.append(f" {score:6.3f}  ")
    line.append(label, style="bold")
    if extra:
        line.append(f"  {extra}", style="dim")
    return line


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> Text:
    """text with (start, end, label, style) spans highlighted, each label after its span."""
    out, at = Text(), 0
    for start, end, label, style in sorted(spans):
        if start < at or end > len(text):
            continue
        out.append(text[at:start])
        out.append(text[start:end], style=style)
        out.append(f"{label}", style="dim italic")
        at = end
    out.append(text[at:])
    return out


def render_result(task: str, item: Any, output: Any) -> Text:
    """One output for people: score bars, highlighted entities or answers, generated text."""
    lines: list[Text] = []
    if task not in SHOWS_INPUT:
        lines.append(Text(describe_input(item), style="italic"))
    if task in ("text-classification", "image-classification") and isinstance(output, list):
        lines += [_scored(str(o.get("label")), float(o.get("score", 0))) for o in output[:5]]
    elif task == "zero-shot-classification" and isinstance(output, dict):
        pairs = zip(output.get("labels", []), output.get("scores", []), strict=False)
        lines += [_scored(str(label), float(score)) for label, score in pairs]
    elif task == "fill-mask" and isinstance(output, list):
        lines += [
            _scored(str(o.get("token_str", "")).strip(), float(o["score"]), o.get("sequence", ""))
            for o in output[:5]
        ]
    elif task == "sentence-similarity" and isinstance(output, dict):
        lines = [Text(output.get("source_sentence", ""), style="bold")]
        for s in sorted(output.get("scores", []), key=lambda s: -float(s["score"])):
            lines.append(_scored(s["sentence"], max(0.0, float(s["score"]))))
    elif task == "token-classification" and isinstance(output, list) and isinstance(item, str):
        groups: dict[str, str] = {}
        spans = []
        for e in output:
            group = str(e.get("entity_group", e.get("entity", "?")))
            style = groups.setdefault(group, ENTITY_STYLES[len(groups) % len(ENTITY_STYLES)])
            spans.append((int(e["start"]), int(e["end"]), f"[{group}]", style))
        lines = [highlight(item, spans)] if output else [Text(item), Text("  (no entities)")]
        for e in output:
            lines.append(_scored(f"{e.get('entity_group', '?')} {e.get('word', '')!r}", e["score"]))
    elif task == "question-answering" and isinstance(output, dict) and isinstance(item, dict):
        lines = [Text(item["question"], style="bold")]
        spans = [(int(output["start"]), int(output["end"]), "", "bold black on green")]
        lines.append(highlight(item["context"], spans))
        lines.append(_scored(f"answer: {output.get('answer', '')!r}", float(output["score"])))
    elif task == "feature-extraction" and isinstance(output, dict):
        head = ", ".join(f"{x:.4f}" for x in output.get("embedding", [])[:6])
        lines.append(Text(f"{output.get('dims')} dimensions: [{head}, …]"))
    elif isinstance(output, dict) and (
        key := next((k for k in output if k.endswith("_text") or k == "text"), None)
    ):
        generated = str(output[key])
        if task == "text-generation" and isinstance(item, str) and generated.startswith(item):
            lines.append(Text.assemble((item, "dim"), (generated[len(item) :], "bold")))
        else:
            lines.append(Text(generated, style="bold"))
    else:
        from tracker.trial.render import render_output

        lines += [Text(line) for line in render_output(task, output)]
    return Text("\n").join(lines)


def timing_text(
    device: str, dtype: str, load_seconds: float, result: RunResult, trial: int
) -> Text:
    """The run's numbers under its output (what the ledger records)."""
    text = Text(f"{device} {dtype} · loaded in {load_seconds:.2f} s · ", style="dim")
    text.append(f"{result.seconds:.3f} s ({result.per_input_ms:.1f} ms per input)", style="dim")
    if result.peak_memory_bytes:
        text.append(f" · peak {gib(result.peak_memory_bytes)}", style="dim")
    if trial:
        text.append(f" · recorded as trial {trial} (`tracker trials`)", style="dim")
    return text


def preflight_text(plan: TrialPlan) -> Text:
    """The verdict before any download: size, memory against what is free, safety."""
    pf, source = plan.preflight, plan.source
    revision = pf.revision[:12] if len(pf.revision) == 40 else pf.revision
    fetch = f"{gib(pf.download_bytes)} to download" if pf.download_bytes else "on disk"
    text = Text.assemble(("model    ", "dim"), (f"{pf.model}@{revision}", "bold"))
    text.append(f"\ntask     {pf.task}", style="dim")
    text.append(f"\nweights  {pf.parameters:,} parameters · {gib(pf.weights_bytes)} ")
    text.append(f"{pf.weight_format} · {fetch}")
    text.append(f"\nmemory   needs ~{gib(pf.needed_bytes)} as {pf.dtype} on {pf.device}")
    text.append(f"\nfree     {gib(pf.available_bytes)} {pf.available_what}  ")
    text.append("✓ fits" if pf.fits else "✗ does NOT fit", "green" if pf.fits else "bold red")
    if not pf.fits:
        ways = [f"{flag.removeprefix('--')} (~{gib(n)})" for flag, n in pf.alternatives.items()]
        text.append("\nways out " + ", ".join([*ways, "or Run anyway"]), style="yellow")
    checks = [
        ("safetensors ✓", "pickle weights (allowed) ⚠", pf.weight_format == "safetensors"),
        ("no remote code ✓", "remote code (trusted) ⚠", not needs_remote_code(source)),
        ("not gated ✓", "gated (logged in)", not source.gated),
    ]
    text.append("\nsafety   ")
    for i, (good, warning, ok) in enumerate(checks):
        text.append(" · " if i else "")
        text.append(good if ok else warning, style="green" if ok else "yellow")
    return text


def progress_class(
    post: Callable[[str, float, float | None, str], None], stop: threading.Event
) -> type:
    """A tqdm class for runner.load(): reports to post(), draws nothing, raises on cancel."""
    from tqdm.std import tqdm

    class TrialProgress(tqdm):  # type: ignore[misc]
        monitor_interval = 0  # no monitor thread

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs.update(disable=False, file=io.StringIO())
            super().__init__(*args, **kwargs)
            self._posted, self._posted_n = 0.0, 0.0
            self.report(force=True)

        def update(self, n: float | None = 1) -> bool | None:
            if stop.is_set():
                raise TrialCancelledError()
            done: bool | None = super().update(n)
            self.report()
            return done

        def report(self, force: bool = False) -> None:
            """Post at most every 0.1 s or every 1% of the total (and always the last step)."""
            now, total = time.monotonic(), float(self.total or 0)
            step = total > 0 and (self.n - self._posted_n >= total / 100 or self.n >= total)
            if force or step or now - self._posted > 0.1:
                self._posted, self._posted_n = now, self.n
                post(str(self.desc or ""), float(self.n), self.total, str(self.unit))

    return TrialProgress
