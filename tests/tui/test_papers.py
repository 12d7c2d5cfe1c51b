"""The papers view: live search, each filter, sorts, detail, user data, paging."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import bibtexparser
import pytest

from tests.tui.conftest import SIZE, wait_for
from tracker.db.engine import open_database, read_connection, write_transaction
from tracker.db.papers import upsert_papers
from tracker.db.queries import paper_detail, paper_id_for
from tracker.db.userdata import add_tags, set_read, set_starred
from tracker.demo import DEMO_FILE
from tracker.records import PaperRecord
from tracker.tui.screens.dialogs import NoteScreen, OpenScreen, PromptScreen
from tracker.tui.screens.filters import PaperFiltersScreen
from tracker.tui.screens.paper import PaperScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.widgets.paged_table import MAX_PAGES

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]

DEMO = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
ALL = {p["arxiv_id"] for p in DEMO["papers"]}


def _model_papers(pred) -> set[str]:
    return {a for m in DEMO["models"] if pred(m) for a in m["papers"]}


def _result_papers(pred) -> set[str]:
    return {r["paper"] for r in DEMO["results"] if pred(r) and r.get("paper")}


def _dataset_papers(ds: str) -> set[str]:
    models = {r["model"] for r in DEMO["results"] if r["dataset"] == ds}
    return _model_papers(
        lambda m: ds in m.get("datasets", []) or m["repo_id"] in models
    ) | _result_papers(lambda r: r["dataset"] == ds)


async def open_papers(pilot, app) -> PapersScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
    return app.screen


def shown_ids(screen: PapersScreen) -> list[str]:
    return [r.arxiv_id for r in screen.query_one("#paper-table").rows_shown]


async def select(pilot, screen: PapersScreen, arxiv_id: str) -> None:
    table = screen.query_one("#paper-table")
    table.focus()
    table.move_cursor(row=shown_ids(screen).index(arxiv_id))
    await wait_for(
        pilot, lambda: screen.paper_detail and screen.paper_detail["arxiv_id"] == arxiv_id
    )


async def test_first_page_is_newest_first(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        ids = shown_ids(screen)
        assert set(ids) == ALL
        assert ids[0] == "2310.06825"  # Mistral 7B, the newest
        await wait_for(pilot, lambda: screen.total == len(ALL))
        assert "1–43 of 43 papers" in screen.query_one("#papers-status").render().plain


async def test_live_search_updates_the_list(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"attention")
        await wait_for(pilot, lambda: screen.shown.text == "attention")
        ids = shown_ids(screen)
        assert "1706.03762" in ids[:3]
        assert "2205.14135" in ids  # FlashAttention
        await pilot.press("ctrl+a", "ctrl+k", *"qqqzzz")
        await wait_for(pilot, lambda: screen.shown.text == "qqqzzz")
        assert shown_ids(screen) == []
        assert screen.query_one("#papers-status").render().plain.startswith("No papers match.")


FILTER_CASES = [
    ("category", "cs.CV", {p["arxiv_id"] for p in DEMO["papers"] if "cs.CV" in p["categories"]}),
    (
        "task",
        "question-answering",
        _model_papers(lambda m: m["pipeline_tag"] == "question-answering")
        | _result_papers(lambda r: r["task"] == "question-answering"),
    ),
    ("dataset", "squad", _dataset_papers("squad")),
    ("has_models", True, _model_papers(lambda m: True)),
    ("has_code", True, {p["arxiv_id"] for p in DEMO["papers"] if p.get("code_links")}),
    ("starred", True, {"1810.04805"}),
    ("unread", True, ALL - {"1706.03762"}),
    ("tag", "to-read", {"2106.09685"}),
    ("since", "2023-01-01", {p["arxiv_id"] for p in DEMO["papers"] if p["published"] >= "2023"}),
    ("until", "1999-12-31", {"hep-th/9711200"}),
]


async def test_each_filter(make_app, demo_db):
    engine = open_database(demo_db)
    with write_transaction(engine) as conn:
        set_starred(conn, paper_id_for(conn, "1810.04805"), True)
        set_read(conn, paper_id_for(conn, "1706.03762"))
        add_tags(conn, paper_id_for(conn, "2106.09685"), ["to-read"])
    engine.dispose()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        for field, value, expected in FILTER_CASES:
            assert expected and expected != ALL, field
            if field in ("since", "until"):
                value = date.fromisoformat(value)
            screen.set_filters(replace(screen.filters, **{field: value}))
            await wait_for(pilot, lambda: screen.shown is not None and screen.shown.describe())
            assert set(shown_ids(screen)) == expected, field
            await wait_for(pilot, lambda: screen.total == len(expected))  # noqa: B023
            await pilot.press("x")  # clears the filters
            await wait_for(pilot, lambda: not screen.shown.describe())
            assert set(shown_ids(screen)) == ALL


async def test_the_filter_dialog_applies_filters(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await pilot.press("f")
        assert isinstance(app.screen, PaperFiltersScreen)
        app.screen.query_one("#filter-category").value = "cs.CV"
        app.screen.query_one("#filter-has-code").value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.shown is not None and screen.shown.describe())
        assert screen.filters.category == "cs.CV" and screen.filters.has_code
        expected = {
            p["arxiv_id"]
            for p in DEMO["papers"]
            if "cs.CV" in p["categories"] and p.get("code_links")
        }
        assert set(shown_ids(screen)) == expected
        status = screen.query_one("#papers-status").render().plain
        assert status.endswith("category:cs.CV, has code")


async def test_a_bad_date_is_refused_in_the_dialog(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_papers(pilot, app)
        await pilot.press("f")
        app.screen.query_one("#filter-since").value = "last week"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PaperFiltersScreen)
        error = app.screen.query_one("#filters-error").render().plain
        assert error == "Since: 'last week' is not a date; use YYYY-MM-DD."


async def test_sort_by_most_models(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        screen.set_filters(replace(screen.filters, sort="models"))
        await wait_for(pilot, lambda: screen.shown.sort == "models")
        counts = [r.models for r in screen.query_one("#paper-table").rows_shown]
        assert counts == sorted(counts, reverse=True)
        assert counts[0] >= 3


async def test_detail_pane_and_paper_page(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await select(pilot, screen, "1910.01108")
        detail = screen.paper_detail
        assert detail["title"].startswith("DistilBERT")
        assert screen.query_one("#paper-models").row_count == len(detail["models"]) > 0
        assert screen.query_one("#paper-results").row_count == len(detail["results"]) > 0
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PaperScreen) and app.screen.paper_detail
        )
        assert app.screen.paper_detail["arxiv_id"] == "1910.01108"
        await pilot.press("escape")
        assert app.screen is screen


async def test_star_read_tag_and_note(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await select(pilot, screen, "1706.03762")
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.paper_detail["starred"])
        assert "Starred 1706.03762." in [n.message for n in app._notifications]
        table = screen.query_one("#paper-table")
        await wait_for(pilot, lambda: table.current.starred)
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.paper_detail["read"])
        assert "Marked 1706.03762 read." in [n.message for n in app._notifications]
        await pilot.press("T")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"to-read, rag", "enter")
        await wait_for(pilot, lambda: screen.paper_detail["tags"] == ["rag", "to-read"])
        assert "Tags of 1706.03762: rag, to-read." in [n.message for n in app._notifications]
        await pilot.press("n")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"See section 3.", "ctrl+s")
        await wait_for(pilot, lambda: screen.paper_detail["note"] == "See section 3.")
    engine = open_database(demo_db)
    with read_connection(engine) as conn:
        stored = paper_detail(conn, "1706.03762")
    engine.dispose()
    assert (stored["starred"], stored["read"], stored["tags"], stored["note"]) == (
        True,
        True,
        ["rag", "to-read"],
        "See section 3.",
    )


async def test_bibtex_id_and_browser(make_app, demo_db, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await select(pilot, screen, "1706.03762")
        await pilot.press("b")
        # The same entry as `tracker export`: one BibTeX writer for both.
        entry = bibtexparser.parse_string(app.clipboard).entries[0]
        assert entry.key == "vaswani2017attention"
        assert entry["title"] == "Attention Is All You Need"
        assert (entry["eprint"], entry["archivePrefix"]) == ("1706.03762", "arXiv")
        await pilot.press("y")
        assert app.clipboard == "1706.03762"
        await pilot.press("o")
        assert isinstance(app.screen, OpenScreen)
        await pilot.press("down", "enter")  # the PDF
        await wait_for(pilot, lambda: opened)
        assert opened == ["https://arxiv.org/pdf/1706.03762v7"]


def _many_papers(url: str, n: int) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    records = [
        PaperRecord(
            arxiv_id=f"2501.{i:05d}",
            version=1,
            title=f"Synthetic paper {i} — über $\\alpha$-divergences and a very long title " * 3,
            abstract="An abstract.",
            authors=["Ada Lovelace"],
            primary_category="cs.LG",
            categories=["cs.LG"],
            published=start + timedelta(minutes=i),
            updated=None,
        )
        for i in range(n)
    ]
    engine = open_database(url)
    with write_transaction(engine) as conn:
        upsert_papers(conn, records, datetime.now(UTC))
    engine.dispose()


async def test_scrolling_pages_through_a_bounded_window(make_app, env):
    url = f"sqlite:///{env.db_path}"
    _many_papers(url, 350)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        table = screen.query_one("#paper-table")
        assert len(table.rows_shown) == 100
        seen = set(shown_ids(screen))
        for _ in range(5):
            table.focus()
            table.move_cursor(row=len(table.rows_shown) - 1)
            await pilot.press("j")
            await wait_for(pilot, lambda: not table.waiting)
            assert len(table.pages) <= MAX_PAGES
            assert len(table.rows_shown) <= MAX_PAGES * 100
            seen |= set(shown_ids(screen))
        assert len(seen) == 350
        assert shown_ids(screen)[-1] == "2501.00000"  # the oldest, at the end
        assert table.first_offset == 100
        for _ in range(4):
            table.move_cursor(row=0)
            await pilot.press("k")
            await wait_for(pilot, lambda: not table.waiting)
        assert table.first_offset == 0
        assert shown_ids(screen)[0] == "2501.00349"


def test_dates_in_filters_are_days():
    from tracker.tui.screens.filters import parse_day

    assert parse_day("2024-05-01", "Since") == date(2024, 5, 1)
    assert parse_day("  ", "Since") is None


def test_the_sqlite3_first_page_equals_the_engine_one(env, demo_db):
    """The page painted before SQLAlchemy loads is the one fetch_papers returns."""
    from tracker.db.paper_list import newest_page, sqlite_file
    from tracker.db.paper_pages import PaperFilters, fetch_papers

    _many_papers(demo_db, 120)  # more than a page, on top of the demo papers
    engine = open_database(demo_db)
    with write_transaction(engine) as conn:
        set_starred(conn, paper_id_for(conn, "2501.00119"), True)
        set_read(conn, paper_id_for(conn, "2501.00118"), True)
    with read_connection(engine) as conn:
        expected = fetch_papers(conn, PaperFilters())
    engine.dispose()
    path = sqlite_file(demo_db)
    assert path is not None
    page = newest_page(path)
    assert page is not None
    assert page.rows == expected.rows
    assert (page.offset, page.has_more) == (expected.offset, expected.has_more) == (0, True)
    assert page.rows[0].starred and page.rows[1].read
    assert newest_page(env.tmp / "nothing-here.db") is None
    assert not (env.tmp / "nothing-here.db").exists()


async def test_keys_typed_before_the_engine_opens_apply_once_it_does(make_app, demo_db):
    """The first page comes from sqlite3; a search typed meanwhile runs when the engine opens."""
    app = make_app()
    app.first_rows_shown = lambda: None  # the engine opens only when the test says
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        assert app.engine is None and len(shown_ids(screen)) == len(ALL)
        screen.query_one("#search").focus()
        await pilot.press(*"bert")
        await pilot.pause(0.1)
        assert screen.shown.text == "" and screen.paper_detail is None
        app.open_db()
        await wait_for(pilot, lambda: screen.shown.text == "bert" and screen.paper_detail)
        assert "1810.04805" in shown_ids(screen)
        assert screen.paper_detail["arxiv_id"] == shown_ids(screen)[0]


async def test_a_newer_key_interrupts_a_stale_search(make_app, demo_db, monkeypatch):
    """A search still running when the next key comes is stopped, not waited for."""
    from sqlalchemy import text

    import tracker.db.paper_pages as data

    real = data.fetch_papers

    def fetch(conn, filters, **kwargs):
        if filters.text == "slow":  # runs until interrupted
            conn.execute(
                text(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
                    " SELECT count(*) FROM c"
                )
            )
        return real(conn, filters, **kwargs)

    monkeypatch.setattr(data, "fetch_papers", fetch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_papers(pilot, app)
        await wait_for(pilot, lambda: app.engine is not None)
        screen.query_one("#search").focus()
        await pilot.press(*"slow")
        await wait_for(pilot, lambda: screen._loading is not None and screen.filters.text == "slow")
        await pilot.pause(0.2)
        await pilot.press("e", "r")
        await wait_for(pilot, lambda: screen.shown.text == "slower")
        assert not [n for n in app._notifications if n.severity == "error"]
