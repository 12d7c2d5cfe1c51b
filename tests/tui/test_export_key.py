"""E on the papers list: the list on screen, its search and filters applied, in its
order, written to a new file in the current folder; the notification says where."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy

from tests.tui.conftest import SIZE, wait_for
from tracker.tui.app import TrackerApp
from tracker.tui.screens.export import ExportScreen
from tracker.tui.screens.papers import PapersScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


async def open_papers(pilot: Any, app: TrackerApp) -> PapersScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
    screen = app.screen
    assert isinstance(screen, PapersScreen)
    return screen


def shown_ids(screen: PapersScreen) -> list[str]:
    return [r.arxiv_id for r in screen.query_one("#paper-table").rows_shown]  # type: ignore[attr-defined]


def messages(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.chdir(out)
    return out


async def test_e_exports_the_filtered_list_in_its_order(
    make_app: Any, demo_db: str, folder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        everything = shown_ids(screen)
        screen.set_filters(replace(screen.filters, category="cs.CL", sort="upvotes"))
        await wait_for(pilot, lambda: screen.shown == screen.filters)
        expected = shown_ids(screen)
        assert expected and len(expected) < len(everything)
        await pilot.press("E")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("down", "enter")  # RIS
        await wait_for(pilot, lambda: any(m.startswith("Exported") for m in messages(app)))
        [written] = list(folder.iterdir())
        assert written.suffix == ".ris"
        count = f"{len(expected)} papers"
        assert f"Exported {count} (RIS) to {written}." in messages(app)
        entries = rispy.loads(written.read_text(encoding="utf-8"))
        assert [e["accession_number"] for e in entries] == [f"arXiv:{a}" for a in expected]


async def test_e_exports_a_text_search_as_bibtex_and_never_overwrites(
    make_app: Any, demo_db: str, folder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await pilot.press("slash", *"attention", "enter")
        await wait_for(pilot, lambda: screen.shown is not None and screen.shown.text == "attention")
        expected = shown_ids(screen)
        assert expected

        def exported() -> int:
            return sum(m.startswith("Exported") for m in messages(app))

        for round_ in (1, 2):
            await pilot.press("E")
            await pilot.press("enter")  # BibTeX, the first choice
            await wait_for(pilot, lambda: exported() == round_)  # noqa: B023 - awaited here
        files = sorted(folder.iterdir())
        assert len(files) == 2 and all(f.suffix == ".bib" for f in files)
        for written in files:
            library = bibtexparser.parse_string(written.read_text(encoding="utf-8"))
            assert library.failed_blocks == []
            assert [e["eprint"] for e in library.entries] == expected


async def test_escape_cancels_and_an_empty_list_writes_nothing(
    make_app: Any, demo_db: str, folder: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await pilot.press("E")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape")
        assert app.screen is screen
        screen.set_filters(replace(screen.filters, tag="no-such-tag"))
        await wait_for(pilot, lambda: screen.shown == screen.filters)
        await pilot.press("E", "enter")
        await wait_for(pilot, lambda: "The list is empty: nothing exported." in messages(app))
        assert list(folder.iterdir()) == []
