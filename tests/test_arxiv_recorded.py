"""The real arxiv client against real recorded arXiv responses (../shared/fixtures/arxiv)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.server import Reply
from tracker.sources.arxiv import ArxivSource

LONG_AGO = datetime(1990, 1, 1, tzinfo=UTC)


def serve(server, shared, name, **params):
    server.add("/api/query", Reply.file(shared / "arxiv" / name), params=params)


def test_2016_format_id_lookup_with_doi_and_journal_ref(server, shared, cli):
    serve(
        server, shared, "oldformat_idlist_1111.2011v2_doi_journalref_2016.xml", id_list="1111.2011"
    )
    result = cli("add", "arXiv:1111.2011v2", "--json")
    assert result.code == 0, result.err
    assert result.json()["found"] == ["1111.2011"]
    paper = cli("show", "1111.2011", "--json").json()
    assert paper["version"] == 2
    # The 2016 serializer wraps titles at ~80 columns; we store one line.
    assert paper["title"] == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert paper["doi"] == "10.1103/PhysRevB.85.115117"
    assert paper["journal_ref"] == "Phys. Rev. B 85, 115117 (2012)"
    assert paper["published"] == "2011-11-08T18:48:36Z"
    assert paper["updated"] == "2012-04-02T12:38:54Z"
    assert paper["abstract"].startswith("Theoretical description of anisotropic systems, such")
    assert "\n" not in paper["abstract"]


def test_2026_format_old_style_id_with_affiliations(server, shared, cli):
    serve(
        server,
        shared,
        "idlist_astro-ph_0601001_oldstyle-id_affiliations_2026.xml",
        id_list="astro-ph/0601001",
    )
    assert cli("add", "astro-ph/0601001v1").code == 0
    paper = cli("show", "astro-ph/0601001", "--json").json()
    assert paper["arxiv_id"] == "astro-ph/0601001"
    assert paper["primary_category"] == "astro-ph"
    assert len(paper["authors"]) >= 4


def test_id_list_with_one_missing_id_reports_it(server, shared, cli):
    serve(
        server,
        shared,
        "idlist_0808.05394_1707.08567_one-missing_2026.xml",
        id_list="0808.05394,1707.08567",
    )
    result = cli("add", "0808.05394", "1707.08567", "--json")
    assert result.code == 1
    assert result.json()["found"] == ["1707.08567"]
    assert result.json()["missing"] == ["0808.05394"]
    assert "Error: not found on arXiv: 0808.05394" in result.err
    assert cli("show", "1707.08567", "--json").json()["title"] == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    )


def test_empty_id_lookup(server, shared, cli):
    serve(server, shared, "idlist_0000.0000_empty_2026.xml", id_list="0000.0000")
    result = cli("add", "0000.0000", "--json")
    assert result.code == 1
    assert result.json()["missing"] == ["0000.0000"]


def test_title_that_is_zero_and_latex_survive(server, shared, cli):
    serve(server, shared, "idlist_2104.12255v1_title-is-0_2026.xml", id_list="2104.12255")
    assert cli("add", "2104.12255").code == 0
    paper = cli("show", "2104.12255", "--json").json()
    assert paper["title"] == "0"
    assert "x*0 = 0" in paper["abstract"]


def test_2026_search_pages_and_non_ascii(env, server, shared):
    for name, start in (
        ("search_all-testing_start0_max10_2026.xml", "0"),
        ("search_all-testing_start10_max10_2026.xml", "10"),
    ):
        serve(server, shared, name, search_query="all:testing", start=start)
    env.configure(arxiv={"page_size": 10})
    source = ArxivSource(env.config().arxiv)
    pages = list(source.updates("all:testing", LONG_AGO, max_results=20))
    records = [r for page in pages for r in page]
    assert len(records) == 20
    assert len({r.arxiv_id for r in records}) == 20
    assert source.requests == 2
    names = {a for r in records for a in r.authors}
    # Exactly the text of the feed, multi-byte characters included.
    assert "Aurora Ram\u00c3\u00adrez" in names


def test_2016_search_keeps_latex(env, server, shared):
    serve(server, shared, "oldformat_search_au-del_maestro_ANDNOT_2016.xml", start="0")
    env.configure(arxiv={"page_size": 10})
    source = ArxivSource(env.config().arxiv)
    records = [
        r for page in source.updates("au:del_maestro", LONG_AGO, max_results=10) for r in page
    ]
    assert len(records) == 10
    assert any("$\\delta$-function interacting bosons" in r.abstract for r in records)
    assert any(r.arxiv_id == "cond-mat/0412498" for r in records)


def test_comment_project_page_becomes_a_code_link(env, server, shared, cli):
    serve(
        server,
        shared,
        "search_all-transformer_AND_cat-cs.LG_max5_2026.xml",
        search_query="all:transformer AND cat:cs.LG",
    )
    env.configure(arxiv={"categories": [], "queries": ["all:transformer AND cat:cs.LG"]})
    result = cli("sync", "--since", "2000-01-01", "--max", "5", "--json")
    assert result.code == 0, result.err
    assert result.json()["new"] == 5
    paper = cli("show", "2606.13677", "--json").json()
    assert paper["code_links"] == ["https://zhaohengyin.github.io/mana"]
    assert paper["primary_category"] == "cs.RO"
    assert paper["categories"][0] == "cs.RO"
