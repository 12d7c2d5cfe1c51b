"""A paper's detail: title, authors, dates, categories, abstract, links, models, results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tracker.tui.formatting import count, day, metric, one_line, params
from tracker.tui.widgets.similar_papers import SimilarPapers

if TYPE_CHECKING:
    from textual.widgets import DataTable


class PaperDetail(VerticalScroll):
    """Shows a paper_detail() dict; set with show(). The two tables post RowSelected.

    The models and results tables (hidden while no paper is shown) are mounted with
    the first paper: the papers list paints its first rows before DataTable loads.
    """

    _models: DataTable[Any] | None = None
    _results: DataTable[Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Select a paper to see its details.", id="paper-title")
        yield Static(id="paper-meta")
        yield Static(id="paper-hub")  # the Hub page's TLDR and linked counts, when known
        yield Static(id="paper-abstract")
        yield Static(id="paper-links")

    def on_mount(self) -> None:
        self.set_class(True, "-empty")

    def _tables(self) -> tuple[DataTable[Any], DataTable[Any]]:
        """The models and results tables, mounted on first use."""
        if self._models is None or self._results is None:
            from textual.widgets import DataTable, Label

            models: DataTable[Any] = DataTable(
                id="paper-models", cursor_type="row", show_cursor=False
            )
            models.add_columns("Model", "Task", "Downloads", "Likes", "Params")
            results: DataTable[Any] = DataTable(
                id="paper-results", cursor_type="row", show_cursor=False
            )
            results.add_columns("Model", "Dataset", "Metric", "Value", "Src")
            self.mount(
                Label("Models", classes="section", id="paper-models-label"),
                models,
                Label("Results", classes="section", id="paper-results-label"),
                results,
            )
            self._models, self._results = models, results
        return self._models, self._results

    def show(self, paper: dict[str, Any] | None) -> None:
        self.set_class(paper is None, "-empty")
        title = self.query_one("#paper-title", Static)
        if paper is None:
            title.update("Select a paper to see its details.")
            for name in ("#paper-meta", "#paper-abstract", "#paper-links"):
                self.query_one(name, Static).update("")
            self._hub_page({})
            for table in (self._models, self._results):
                if table is not None:
                    table.clear()
            return
        title.update(Text(one_line(paper["title"]), style="bold"))
        self.query_one("#paper-meta", Static).update(self._meta(paper))
        self._hub_page(paper)
        self.query_one("#paper-abstract", Static).update(Text(one_line(paper["abstract"])))
        self.query_one("#paper-links", Static).update(self._links(paper))
        models, results = self._tables()
        models.clear()
        for m in paper["models"]:
            models.add_row(
                Text(m["repo_id"]),
                Text(m["task"] or "", style="green"),
                Text(count(m["downloads"]), justify="right"),
                Text(count(m["likes"]), justify="right"),
                Text(params(m.get("parameters")), justify="right"),
                key=m["repo_id"],
            )
        results.clear()
        for i, r in enumerate(paper["results"]):
            results.add_row(
                Text(r["model"]),
                Text(r["dataset_name"] or r["dataset"] or ""),
                Text(r["metric"] or ""),
                _value(r),
                Text("✓" if r["verified"] else r["source"][:3], style="dim"),
                key=str(i),
            )
        self._similar().load(paper["arxiv_id"])
        self.set_class(not paper["models"], "-no-models")
        self.set_class(not paper["results"], "-no-results")
        self.scroll_home(animate=False)

    def _similar(self) -> SimilarPapers:
        """The "Similar papers" section, mounted last on first use."""
        found = self.query(SimilarPapers)
        if found:
            return found.first()
        section = SimilarPapers(id="paper-similar-section")
        self.mount(section)
        return section

    def _hub_page(self, paper: dict[str, Any]) -> None:
        """The TLDR (labelled machine-written) above the abstract, and the linked counts."""
        from tracker.db.paper_hub import hub_counts_line

        text = Text()
        counts = hub_counts_line(paper.get("hub_counts"))
        if counts:
            text.append(counts, style="cyan")
        if paper.get("summary"):
            text.append("\n" if counts else "")
            text.append("TLDR ", style="bold")
            text.append("(machine-written) ", style="dim")
            text.append(one_line(paper["summary"]))
        hub = self.query_one("#paper-hub", Static)
        hub.update(text)
        hub.display = bool(text.plain)

    def _meta(self, paper: dict[str, Any]) -> Text:
        text = Text()
        authors = paper["authors"]
        shown = ", ".join(authors[:12]) + (
            f" + {len(authors) - 12} more" if len(authors) > 12 else ""
        )
        text.append(shown or "(no authors)", style="italic")
        text.append("\n")
        text.append(f"arXiv:{paper['arxiv_id']}v{paper['version']}", style="bold cyan")
        text.append(f"  published {day(paper['published'])}  updated {day(paper['updated'])}")
        if paper.get("upvotes"):
            text.append(f"  ▲ {paper['upvotes']}")
        text.append("\n")
        text.append(" ".join(paper["categories"]), style="green")
        marks = []
        if paper.get("starred"):
            marks.append("★ starred")
        marks.append("read" if paper.get("read") else "unread")
        if paper.get("tags"):
            marks.append("tags: " + ", ".join(paper["tags"]))
        text.append("   " + " · ".join(marks), style="yellow")
        for label in ("comment", "journal_ref", "doi"):
            if paper.get(label):
                text.append(f"\n{label.replace('_', ' ')}: ", style="dim")
                text.append(one_line(paper[label]))
        if paper.get("note"):
            text.append("\nnote: ", style="dim")
            text.append(paper["note"].strip(), style="yellow")
        return text

    def _links(self, paper: dict[str, Any]) -> Text:
        text = Text()
        if paper["code_links"]:
            text.append("Code  ", style="bold magenta")
            text.append("  ".join(paper["code_links"]))
            text.append("\n")
        if paper["tasks"]:
            text.append("Tasks  ", style="bold")
            text.append(", ".join(paper["tasks"]), style="green")
            text.append("\n")
        if paper["datasets"]:
            text.append("Datasets  ", style="bold")
            text.append(", ".join(paper["datasets"]))
        return text


def _value(result: dict[str, Any]) -> Text:
    """The claimed value, marked "verified here" when `tracker verify` measured it."""
    text = Text(metric(result["value"]), justify="right")
    if "measured" in result:
        text.append(f" · verified here: {result['measured']['text']}", style="green")
    return text
