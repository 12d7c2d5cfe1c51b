"""What's new: the digest (papers per watchlist, news of starred papers, followed
leaderboards and models) and recommendations with their reasons.

It shows the digest without marking it (cron's `tracker digest` still reports it);
`m` marks it as read, like a digest run would. Both lists load in thread workers.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from tracker.errors import UsageError
from tracker.follow.digest import Digest, fmt_time
from tracker.follow.render import nothing_new
from tracker.tui.navigation import TrackerScreen

RECOMMENDATIONS = 10


class WhatsNewScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open_paper", "Paper", show=False),
        Binding("m", "mark_read", "Mark as read"),
        Binding("R", "reload", "Reload"),
    ]

    class DigestLoaded(Message):
        def __init__(self, digest: Digest, marked: bool) -> None:
            super().__init__()
            self.digest = digest
            self.marked = marked

    class RecommendationsLoaded(Message):
        def __init__(self, items: list[dict[str, Any]], note: str) -> None:
            super().__init__()
            self.items = items
            self.note = note

    def __init__(self) -> None:
        super().__init__()
        self.digest: Digest | None = None
        self.recommendations: list[dict[str, Any]] = []
        self.recommend_note = ""
        # row key -> arxiv id, for the rows that name a paper
        self.papers: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading what's new…", id="whats-new-status")
        yield DataTable(id="whats-new-table", cursor_type="row", show_header=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "what's new"
        table = self.query_one("#whats-new-table", DataTable)
        table.add_columns("item", "detail")
        table.focus()
        self.watch(self.app, "data_version", self.action_reload, init=False)
        self.action_reload()

    def action_reload(self) -> None:
        self.load_digest(mark=False)
        self.load_recommendations()

    def action_mark_read(self) -> None:
        self.load_digest(mark=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="digest")
    def load_digest(self, mark: bool) -> None:
        from tracker.follow.digest import run_digest

        digest = run_digest(self.engine, self.config, mark=mark)
        self.post_message(self.DigestLoaded(digest, mark))

    @work(thread=True, exclusive=True, exit_on_error=False, group="recommend")
    def load_recommendations(self) -> None:
        from tracker.follow.recommend import recommend

        try:
            result = recommend(self.engine, self.config, limit=RECOMMENDATIONS)
        except UsageError as exc:
            self.post_message(self.RecommendationsLoaded([], exc.message))
            return
        note = (
            f"learned from {result.positives} papers you marked"
            if result.items
            else f"no unmarked papers from the last {self.config.recommend.days} days"
        )
        self.post_message(self.RecommendationsLoaded(result.items, note))

    def on_whats_new_screen_digest_loaded(self, message: DigestLoaded) -> None:
        digest = message.digest
        if message.marked:
            self.notify(f"Marked as read: the next digest starts at {fmt_time(digest.until)}.")
            self.load_digest(mark=False)
            return
        self.digest = digest
        status = Text()
        if digest.empty:
            status.append(nothing_new(digest), style="bold")
        else:
            status.append(f"Since {fmt_time(digest.since)}", style="bold")
            status.append(f"  ·  {digest.new_papers} new papers synced", style="cyan")
            status.append("  ·  m marks as read", style="dim")
        self.query_one("#whats-new-status", Static).update(status)
        self.render_rows()

    def on_whats_new_screen_recommendations_loaded(self, message: RecommendationsLoaded) -> None:
        self.recommendations = message.items
        self.recommend_note = message.note
        self.render_rows()

    def render_rows(self) -> None:
        table = self.query_one("#whats-new-table", DataTable)
        table.clear()
        self.papers = {}
        count = 0

        def add(item: Text, detail: Text, arxiv_id: str | None = None) -> None:
            nonlocal count
            key = str(count)
            count += 1
            if arxiv_id:
                self.papers[key] = arxiv_id
            table.add_row(item, detail, key=key)

        if self.digest is not None:
            for section in self.digest.sections:
                if not section.groups:
                    continue
                add(Text(section.title, style="bold underline"), Text(""))
                for group in section.groups:
                    add(Text("  " + group.heading, style="bold"), Text(""), group.url and group.key)
                    for line in group.lines:
                        arxiv_id = line.data.get("arxiv_id") if line.kind == "paper" else None
                        if arxiv_id:
                            add(
                                Text("    " + arxiv_id, style="cyan"),
                                Text(line.data["title"]),
                                arxiv_id,
                            )
                        else:
                            add(Text("    •"), Text(line.text), group.url and group.key)
                    if group.more:
                        add(Text(""), Text(f"and {group.more} more", style="dim"))
        add(
            Text("Recommended for you", style="bold underline"),
            Text(self.recommend_note, style="dim"),
        )
        for item in self.recommendations:
            add(
                Text("    " + item["arxiv_id"], style="cyan"), Text(item["title"]), item["arxiv_id"]
            )
            add(Text(""), Text("why: " + item["reason"], style="dim"), item["arxiv_id"])

    @property
    def current_paper(self) -> str | None:
        table = self.query_one("#whats-new-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.papers.get(key or "")

    def action_open_paper(self) -> None:
        arxiv_id = self.current_paper
        if arxiv_id is not None:
            self.tracker.open_paper(arxiv_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_paper()
