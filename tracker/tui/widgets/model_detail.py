"""A model's detail: card facts, papers, datasets and results."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from tracker.tui.formatting import count, day, metric, one_line, params


class ModelDetail(VerticalScroll):
    """Shows a tracker.db.model_queries.model_detail() dict; set with show()."""

    def compose(self) -> ComposeResult:
        yield Static("Select a model to see its details.", id="model-title")
        yield Static(id="model-facts")
        yield Label("Papers", classes="section")
        yield DataTable(id="model-papers", cursor_type="row", show_cursor=False)
        yield Label("Results", classes="section")
        yield DataTable(id="model-results", cursor_type="row", show_cursor=False)

    def on_mount(self) -> None:
        self.query_one("#model-papers", DataTable).add_columns("arXiv", "Title")
        self.query_one("#model-results", DataTable).add_columns(
            "Task", "Dataset", "Metric", "Value", "Src"
        )

    def show(self, model: dict[str, Any] | None) -> None:
        title = self.query_one("#model-title", Static)
        papers = self.query_one("#model-papers", DataTable)
        results = self.query_one("#model-results", DataTable)
        papers.clear()
        results.clear()
        if model is None:
            title.update("Select a model to see its details.")
            self.query_one("#model-facts", Static).update("")
            return
        title.update(Text(model["repo_id"], style="bold"))
        self.query_one("#model-facts", Static).update(self._facts(model))
        for p in model["papers"]:
            papers.add_row(
                Text(p["arxiv_id"], style="cyan"), Text(one_line(p["title"])), key=p["arxiv_id"]
            )
        for i, r in enumerate(model["results"]):
            split = "/".join(x for x in (r["config"], r["split"]) if x)
            results.add_row(
                Text(r["task"], style="green"),
                Text(r["dataset_name"] + (f" ({split})" if split else "")),
                Text(r["metric"]),
                Text(metric(r["value"], r["value_text"]), justify="right"),
                Text("✓" if r["verified"] else r["source"][:3], style="dim"),
                key=str(i),
            )
        self.scroll_home(animate=False)

    def _facts(self, m: dict[str, Any]) -> Text:
        text = Text()
        rows = [
            ("task", m["task"] or "—"),
            ("library", m["library"] or "—"),
            ("license", m["license"] or "—"),
            ("gated", f"yes ({m['gated']})" if m["gated"] else "no"),
            ("parameters", params(m["parameters"]) or "—"),
            ("safetensors", "yes" if m["safetensors"] else "no"),
            ("downloads", count(m["downloads"])),
            ("likes", count(m["likes"])),
            ("modified", day(m["last_modified"]) or "—"),
            ("datasets", ", ".join(m["datasets"]) or "—"),
        ]
        for i, (label, value) in enumerate(rows):
            if i:
                text.append("\n")
            text.append(f"{label:>11}  ", style="dim")
            text.append(value)
        if m.get("base_model"):
            text.append(f"\n{'base model':>11}  ", style="dim")
            text.append(m["base_model"])
        text.append("\n\n")
        text.append(m["hub_url"], style="underline blue")
        return text


def trials_text(trials: list[dict[str, Any]]) -> Text:
    """Past trials of a model, newest first: "the paper claims X; on my machine it did Y"."""
    from tracker.trial.checks import gib

    text = Text()
    for i, t in enumerate(trials):
        if i:
            text.append("\n")
        text.append("✓ " if t["ok"] else "✗ ", style="green" if t["ok"] else "red")
        text.append(f"{(t['created_at'] or '')[:10]} {t['device']} {t['dtype']}", style="dim")
        if t["ok"]:
            text.append(f"  {t['per_input_ms']:.1f} ms/input, load {t['load_seconds']:.1f} s")
            if t["peak_memory_bytes"]:
                text.append(f", peak {gib(t['peak_memory_bytes'])}")
            text.append(f"\n  {t['output_summary'][:160]}", style="italic")
        else:
            text.append(f"  failed: {t['error'][:160]}", style="red")
    return text


def show_trials(detail: ModelDetail, trials: list[dict[str, Any]]) -> None:
    """Add (or update) an "On this machine" section under the detail's results."""
    shown = detail.query(".model-trials")
    if not shown:
        if trials:
            detail.mount(
                Label("On this machine", classes="section model-trials"),
                Static(trials_text(trials), id="model-trials", classes="model-trials"),
            )
        return
    shown.set(display=bool(trials))
    detail.query_one("#model-trials", Static).update(trials_text(trials))
