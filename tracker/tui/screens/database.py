"""Screens shown instead of the views: opening, a database problem, an empty database."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class StartScreen(Screen[None]):
    """Shown for the moment the database takes to open."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Center(id="start-box"):
            yield Static(f"Opening {self.where}…", id="start-text")


class DatabaseProblemScreen(Screen[None]):
    """The database is missing, locked, too new or not a tracker database."""

    BINDINGS = [
        Binding("r", "app.retry_database", "Retry"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, where: str, message: str, hint: str | None) -> None:
        super().__init__()
        self.where = where
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("The database cannot be opened\n\n", style="bold red")
        text.append(self.message + "\n", style="bold")
        if self.hint:
            text.append("\n" + self.hint + "\n")
        text.append(f"\nDatabase: {self.where}\n", style="dim")
        text.append("\nr tries again (e.g. once a sync lets go of it) · q quits", style="dim")
        yield Header()
        with Vertical(id="problem-box", classes="notice"):
            yield Static(text, id="problem-text")
        yield Footer()


class EmptyDatabaseScreen(Screen[None]):
    """The database opened but holds no papers yet."""

    BINDINGS = [
        Binding("S", "app.sync", "Sync now"),
        Binding("escape", "app.pop_screen", "Browse anyway"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, where: str, categories: list[str]) -> None:
        super().__init__()
        self.where = where
        self.categories = categories

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("No papers yet\n\n", style="bold")
        text.append(f"{self.where} holds no papers. To fill it:\n\n")
        text.append("  S", style="bold cyan")
        text.append(f"  sync now from arXiv ({', '.join(self.categories) or 'your queries'})\n")
        text.append("  tracker sync", style="bold cyan")
        text.append("  the same from a shell (cron-friendly)\n")
        text.append("  tracker demo", style="bold cyan")
        text.append("  open the built-in demo papers instead (no network)\n")
        text.append("\nesc browses the empty views · q quits", style="dim")
        yield Header()
        with Vertical(id="empty-box", classes="notice"):
            yield Static(text, id="empty-text")
        yield Footer()
