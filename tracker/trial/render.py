"""Trial outputs as plain text lines for people (the CLI prints them; the TUI may reuse)."""

from __future__ import annotations

from typing import Any

BAR_WIDTH = 20


def bar(score: float) -> str:
    filled = max(0, min(BAR_WIDTH, round(score * BAR_WIDTH)))
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def _scored(label: str, score: float) -> str:
    return f"  {bar(score)} {score:6.3f}  {label}"


def describe_input(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("question", "text", "source_sentence"):
            if key in raw:
                return str(raw[key])
    return str(raw)


def render_output(task: str, output: Any) -> list[str]:
    """Lines describing one output of task."""
    if task in ("text-classification", "image-classification", "fill-mask") and isinstance(
        output, list
    ):
        lines = []
        for item in output[:5]:
            label = (
                item.get("token_str", item.get("label", ""))
                if isinstance(item, dict)
                else str(item)
            )
            if task == "fill-mask":
                label = f"{str(label).strip()!r}  → {item.get('sequence', '')}"
            lines.append(_scored(str(label), float(item.get("score", 0.0))))
        return lines
    if task == "token-classification" and isinstance(output, list):
        if not output:
            return ["  (no entities)"]
        return [
            f"  [{e.get('entity_group', e.get('entity', '?'))}] {e.get('word', '')!r} "
            f"at {e.get('start')}–{e.get('end')} ({float(e.get('score', 0)):.3f})"
            for e in output
        ]
    if task == "question-answering" and isinstance(output, dict):
        return [
            f"  answer: {output.get('answer', '')!r} (score {float(output.get('score', 0)):.3f})"
        ]
    if task == "zero-shot-classification" and isinstance(output, dict):
        pairs = zip(output.get("labels", []), output.get("scores", []), strict=False)
        return [_scored(str(label), float(score)) for label, score in pairs]
    if task == "sentence-similarity" and isinstance(output, dict):
        return [_scored(s["sentence"], float(s["score"])) for s in output.get("scores", [])]
    if task == "feature-extraction" and isinstance(output, dict):
        head = ", ".join(f"{x:.4f}" for x in output.get("embedding", [])[:6])
        return [f"  {output.get('dims')} dims: [{head}, …]"]
    if isinstance(output, dict):
        for key, value in output.items():
            if key.endswith("_text") or key == "text":
                return [f"  {value}"]
    return [f"  {output}"]
