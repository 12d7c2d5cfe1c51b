"""Actions on the paper being shown: open, BibTeX, copy id, star, read, tag, note, try.

Mixed into the papers list and the paper page. The host screen keeps the shown
paper_detail() dict in `paper_detail` and reloads it on PaperChanged. Dialogs open
through the app (tracker.tui.navigation), which imports each when first opened:
the papers list paints before they are needed.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.binding import Binding

from tracker.tui.messages import PaperChanged
from tracker.tui.navigation import TrackerScreen

PAPER_BINDINGS = [
    Binding("o", "open", "Open"),
    Binding("b", "bibtex", "BibTeX"),
    Binding("y", "copy_id", "Copy id", show=False),
    Binding("s", "star", "Star"),
    Binding("r", "toggle_read", "Read", show=False),
    Binding("T", "tag", "Tag", show=False),
    Binding("n", "note", "Note", show=False),
    Binding("t", "try_model", "Try"),
]


class PaperActions(TrackerScreen):
    paper_detail: dict[str, Any] | None = None

    def _paper(self) -> dict[str, Any] | None:
        if self.paper_detail is None:
            self.notify("No paper selected.", severity="warning")
        return self.paper_detail

    def action_open(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        links = [("arXiv", paper["abs_url"]), ("PDF", paper["pdf_url"])]
        links += [("Code", url) for url in paper["code_links"]]
        links += [("Hub", f"https://huggingface.co/{m['repo_id']}") for m in paper["models"]]
        self.tracker.choose_link(f"Open {paper['arxiv_id']}", links, self._open_chosen)

    def _open_chosen(self, url: str | None) -> None:
        if url:
            self.tracker.open_url(url)

    def action_bibtex(self) -> None:
        paper = self._paper()
        if paper is not None:
            from tracker.export import bibtex
            from tracker.export.record import ExportPaper

            self.app.copy_to_clipboard(bibtex.render([ExportPaper.from_detail(paper)]))
            self.notify(f"BibTeX for {paper['arxiv_id']} copied to the clipboard.")

    def action_copy_id(self) -> None:
        paper = self._paper()
        if paper is not None:
            self.app.copy_to_clipboard(paper["arxiv_id"])
            self.notify(f"Copied {paper['arxiv_id']}.")

    def action_star(self) -> None:
        if (paper := self._paper()) is not None:
            self.write_user_data(paper["arxiv_id"], "star", None)

    def action_toggle_read(self) -> None:
        if (paper := self._paper()) is not None:
            self.write_user_data(paper["arxiv_id"], "read", not paper["read"])

    def action_tag(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        arxiv_id = paper["arxiv_id"]

        def done(value: str | None) -> None:
            if value is not None:
                self.write_user_data(arxiv_id, "tags", value)

        self.tracker.prompt(
            f"Tags for {arxiv_id}",
            ", ".join(paper["tags"]),
            "comma-separated; remove a tag by deleting it · enter saves · esc cancels",
            done,
        )

    def action_note(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        arxiv_id = paper["arxiv_id"]

        def done(value: str | None) -> None:
            if value is not None:
                self.write_user_data(arxiv_id, "note", value)

        self.tracker.edit_note(f"Note on {arxiv_id}", paper["note"], done)

    def action_try_model(self) -> None:
        paper = self._paper()
        if paper is None:
            return
        if not paper["models"]:
            self.notify(
                f"No models are linked to {paper['arxiv_id']}; nothing to try.",
                severity="warning",
            )
            return
        top = paper["models"][0]
        self.tracker.try_model(top["repo_id"], top["task"] or "")

    @work(thread=True, exclusive=True, exit_on_error=False, group="userdata")
    def write_user_data(self, arxiv_id: str, op: str, value: Any) -> None:
        # Imported here: the papers list paints before SQLAlchemy has loaded.
        from tracker.db.engine import write_transaction
        from tracker.db.queries import paper_id_for
        from tracker.db.userdata import (
            add_tags,
            remove_tags,
            set_note,
            set_read,
            tags_of,
            toggle_star,
        )

        with write_transaction(self.engine) as conn:
            pid = paper_id_for(conn, arxiv_id)
            if op == "star":
                message = (
                    f"Starred {arxiv_id}." if toggle_star(conn, pid) else f"Unstarred {arxiv_id}."
                )
            elif op == "read":
                set_read(conn, pid, bool(value))
                message = f"Marked {arxiv_id} {'read' if value else 'unread'}."
            elif op == "tags":
                wanted = {t.strip() for t in str(value).split(",") if t.strip()}
                current = set(tags_of(conn, pid))
                remove_tags(conn, pid, sorted(current - wanted))
                add_tags(conn, pid, sorted(wanted - current))
                message = f"Tags of {arxiv_id}: {', '.join(sorted(wanted)) or 'none'}."
            else:
                set_note(conn, pid, str(value))
                message = f"Note saved for {arxiv_id}."
        self.app.call_from_thread(self.notify, message)
        self.post_message(PaperChanged(arxiv_id))
