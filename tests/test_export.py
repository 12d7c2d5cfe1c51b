"""`tracker export`: each format read back by the parsers reference managers rely on
(bibtexparser, rispy, json for CSL-JSON, csv), keys, selections and bad input."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares

from tracker.db.engine import open_database, write_transaction
from tracker.db.follow import add_watch
from tracker.db.papers import upsert_papers
from tracker.db.queries import paper_id_for
from tracker.db.userdata import add_tags, set_starred
from tracker.export import FORMATS, format_of_path
from tracker.export.keys import ascii_fold, base_key, citation_keys, split_name
from tracker.export.latex import to_latex
from tracker.export.record import ExportPaper
from tracker.records import PaperRecord

ATTENTION_TITLE = "Attention Is All You Need"
TRICKY_TITLE = "Attention & 50% of $x^2$: BERT_base on GPUs #1 {really} ~ ^ \\ costs from $5 to $10"
TRICKY_ABSTRACT = "We use 100% of $\\mathcal{O}(n)$ & a_b; naïve ~50% {braces} back\\slash #tag ^"


def _record(arxiv_id: str, title: str, authors: list[str], day: datetime, **extra: Any):
    fields: dict[str, Any] = {
        "version": 2,
        "abstract": "An abstract.",
        "primary_category": "cs.CL",
        "categories": ["cs.CL", "cs.LG"],
        "published": day,
        "updated": day,
    }
    fields.update(extra)
    return PaperRecord(arxiv_id=arxiv_id, title=title, authors=authors, **fields)


RECORDS = [
    _record(
        "1706.03762",
        ATTENTION_TITLE,
        ["Ashish Vaswani", "Noam Shazeer", "Łukasz Kaiser"],
        datetime(2017, 6, 12, tzinfo=UTC),
        doi="10.48550/arXiv.1706.03762",
    ),
    # The same key base as 1706.03762: a later arXiv id, so it gets the suffix.
    _record(
        "1706.99999",
        TRICKY_TITLE,
        ["Ashish Vaswani", "ATLAS Collaboration"],
        datetime(2017, 6, 30, tzinfo=UTC),
        abstract=TRICKY_ABSTRACT,
    ),
    _record(
        "hep-th/9711200",
        "The Large N Limit of Superconformal Field Theories and Supergravity",
        ["Juan M. Maldacena"],
        datetime(1997, 11, 27, tzinfo=UTC),
        primary_category="hep-th",
        categories=["hep-th"],
        journal_ref="Adv.Theor.Math.Phys. 2 (1998) 231-252",
        doi="10.1023/A:1026654312961",
        comment="20 pages, harvmac",
    ),
    _record(
        "2101.00001",
        "Über Sprachmodelle für Übersetzungen",
        ["José Núñez-García", "Ludwig van Beethoven"],
        datetime(2021, 1, 1, tzinfo=UTC),
        primary_category="cs.CL",
    ),
]
ALL_IDS = [r.arxiv_id for r in RECORDS]


@pytest.fixture
def library(env: Any) -> Iterator[None]:
    """Four papers; 1706.03762 and hep-th/9711200 starred; tags; a watch on Maldacena."""
    engine = open_database(env.url)
    with write_transaction(engine) as conn:
        upsert_papers(conn, RECORDS, datetime(2026, 12, 1, tzinfo=UTC))
        for arxiv_id in ("1706.03762", "hep-th/9711200"):
            set_starred(conn, paper_id_for(conn, arxiv_id), True)
        add_tags(conn, paper_id_for(conn, "1706.03762"), ["classics", "nlp"])
        add_tags(conn, paper_id_for(conn, "1706.99999"), ["nlp"])
        add_watch(conn, "author", "Maldacena")
        add_watch(conn, "search", "sprachmodelle", name="german lm")
    engine.dispose()
    yield


def parse_bibtex(text: str, *, decode: bool = True) -> bibtexparser.Library:
    stack: list[Any] = []
    if decode:
        # keep_math_mode: $x^2$ comes back as written, as a LaTeX user reads it.
        stack.append(middlewares.LatexDecodingMiddleware(keep_math_mode=True))
    library = bibtexparser.parse_string(text, append_middleware=stack)
    assert library.failed_blocks == []
    return library


def decoded(value: str) -> str:
    # pylatexenc renders \textasciicircum as U+02C6, the modifier letter circumflex.
    return value.replace("\u02c6", "^")


# --- BibTeX ------------------------------------------------------------------------


def test_bibtex_round_trips_through_bibtexparser(library: None, cli: Any) -> None:
    result = cli("export", *ALL_IDS, "--format", "bibtex")
    assert result.code == 0, result.err
    entries = {e.key: e for e in parse_bibtex(result.out).entries}
    assert list(entries) == [
        "vaswani2017attention",
        "vaswani2017attentiona",
        "maldacena1997large",
        "nunezgarcia2021uber",
    ]
    attention = entries["vaswani2017attention"]
    assert attention.entry_type == "misc"
    assert attention["title"] == ATTENTION_TITLE
    assert attention["author"] == "Ashish Vaswani and Noam Shazeer and Łukasz Kaiser"
    assert (attention["eprint"], attention["archivePrefix"], attention["primaryClass"]) == (
        "1706.03762",
        "arXiv",
        "cs.CL",
    )
    assert attention["year"] == "2017"
    assert attention["doi"] == "10.48550/arXiv.1706.03762"
    assert attention["url"] == "https://arxiv.org/abs/1706.03762"
    assert attention["keywords"] == "classics, nlp"
    tricky = entries["vaswani2017attentiona"]
    assert decoded(tricky["title"]) == TRICKY_TITLE
    assert decoded(tricky["abstract"]) == TRICKY_ABSTRACT
    maldacena = entries["maldacena1997large"]
    assert maldacena.entry_type == "article"
    assert maldacena["journal"] == "Adv.Theor.Math.Phys. 2 (1998) 231-252"
    assert maldacena["doi"] == "10.1023/A:1026654312961"
    assert entries["nunezgarcia2021uber"]["title"] == "Über Sprachmodelle für Übersetzungen"


def test_bibtex_escapes_specials_keeps_math_and_protects_capitals(library: None, cli: Any) -> None:
    out = cli("export", "1706.99999").out
    title = parse_bibtex(out, decode=False).entries[0]["title"]
    assert title == (
        r"Attention \& 50\% of {$x^2$}: {BERT\_base} on {GPUs} \#1 \{really\} "
        r"\textasciitilde{} \textasciicircum{} \textbackslash{} costs from \$5 to \$10"
    )
    assert "naïve" in out  # UTF-8 as it is, not \"{\i}


def test_bibtex_authors_split_as_bibtex_reads_them(library: None, cli: Any) -> None:
    out = cli("export", "1706.03762", "1706.99999", "2101.00001").out
    stack = [middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    library = bibtexparser.parse_string(out, append_middleware=stack)
    names = {e.key: e["author"] for e in library.entries}
    assert [n.last for n in names["vaswani2017attention"]] == [
        ["Vaswani"],
        ["Shazeer"],
        ["Kaiser"],
    ]
    assert names["vaswani2017attention"][2].first == ["Łukasz"]
    # A collaboration is one name, braced.
    assert [n.last for n in names["vaswani2017attentiona"]] == [
        ["Vaswani"],
        ["{ATLAS Collaboration}"],
    ]
    beethoven = names["nunezgarcia2021uber"][1]
    assert (beethoven.first, beethoven.von, beethoven.last) == (["Ludwig"], ["van"], ["Beethoven"])


def test_bibtex_keys_are_stable_and_unique(library: None, cli: Any) -> None:
    forward = cli("export", *ALL_IDS).out
    backward = cli("export", *reversed(ALL_IDS)).out
    keys_of = {e["eprint"]: e.key for e in parse_bibtex(forward).entries}
    assert keys_of == {e["eprint"]: e.key for e in parse_bibtex(backward).entries}
    assert len(set(keys_of.values())) == len(ALL_IDS)
    assert cli("export", *ALL_IDS).out == forward


def test_keys_suffix_in_arxiv_id_order_and_never_reuse_another_key() -> None:
    day = datetime(2020, 5, 1, tzinfo=UTC)

    def paper(arxiv_id: str, title: str) -> ExportPaper:
        return ExportPaper(arxiv_id, title, ["Ada Lovelace"], published=day)

    papers = [
        paper("2005.00003", "Deep nets"),
        paper("2005.00001", "Deep learning"),
        paper("2005.00002", "Deep models"),
        paper("2005.00004", "Deepa: a system"),  # its own key is the first suffixed one
    ]
    # 2005.00001 keeps the plain key; "a" is Deepa's own, so 00002 gets b and 00003 c.
    assert citation_keys(papers) == [
        "lovelace2020deepc",
        "lovelace2020deep",
        "lovelace2020deepb",
        "lovelace2020deepa",
    ]


@pytest.mark.parametrize(
    ("authors", "title", "key"),
    [
        (["Łukasz Kaiser"], "On the Power of Attention", "kaiser2017power"),
        (["Søren Ørsted"], "The $k$-means Algorithm", "orsted2017means"),
        (["Martin Luther King Jr."], "A Dream", "king2017dream"),
        (["王小明"], "深度学习 and Graphs", "anon2017graphs"),
        ([], "", "anon2017"),
    ],
)
def test_base_keys_fold_to_ascii(authors: list[str], title: str, key: str) -> None:
    paper = ExportPaper("1", title, authors, published=datetime(2017, 1, 1, tzinfo=UTC))
    assert base_key(paper) == key


def test_names_and_folding() -> None:
    assert ascii_fold("Łukasz Núñez-García Straße") == "Lukasz Nunez-Garcia Strasse"
    assert split_name("Ludwig van Beethoven") == ("Ludwig", "van Beethoven")
    assert split_name("Vaswani, Ashish") == ("Ashish", "Vaswani")
    assert split_name("Plato") == ("", "Plato")


def test_capitals_are_protected_per_word_and_hyphenated_part() -> None:
    title = "FlashAttention: Memory-Efficient Attention with IO-Awareness for GPT-3 on ImageNet"
    assert to_latex(title, protect_capitals=True) == (
        "{FlashAttention:} Memory-Efficient Attention with {IO-Awareness} for {GPT-3} on {ImageNet}"
    )


def test_latex_math_spans_need_balanced_braces() -> None:
    assert to_latex("a $}x{$ b") == r"a \$\}x\{\$ b"
    assert to_latex("$x$ and $y$") == "$x$ and $y$"


# --- RIS, CSL-JSON, CSV --------------------------------------------------------------


def test_ris_reads_back_with_rispy(library: None, cli: Any) -> None:
    result = cli("export", *ALL_IDS, "--format", "ris")
    assert result.code == 0, result.err
    entries = rispy.loads(result.out)
    assert len(entries) == 4
    attention, tricky, maldacena, nunez = entries
    assert attention["type_of_reference"] == "UNPB"
    assert attention["id"] == "vaswani2017attention"
    assert attention["title"] == ATTENTION_TITLE
    assert attention["authors"] == ["Vaswani, Ashish", "Shazeer, Noam", "Kaiser, Łukasz"]
    assert attention["year"] == "2017"
    assert attention["date"] == "2017/06/12"
    assert attention["doi"] == "10.48550/arXiv.1706.03762"
    assert attention["urls"] == ["https://arxiv.org/abs/1706.03762"]
    assert attention["accession_number"] == "arXiv:1706.03762"
    assert attention["keywords"] == ["classics", "nlp"]
    assert tricky["title"] == TRICKY_TITLE and tricky["abstract"] == TRICKY_ABSTRACT
    assert maldacena["type_of_reference"] == "JOUR"
    assert maldacena["journal_name"] == "Adv.Theor.Math.Phys. 2 (1998) 231-252"
    assert maldacena["notes"] == ["20 pages, harvmac"]
    assert nunez["authors"] == ["Núñez-García, José", "van Beethoven, Ludwig"]


# The CSL-JSON schema's types for the fields we fill (csl-data.json, CSL 1.0.2).
CSL_TYPES = {"article", "article-journal"}
CSL_STRING_FIELDS = {
    "title",
    "abstract",
    "DOI",
    "URL",
    "container-title",
    "publisher",
    "number",
    "keyword",
    "note",
}
CSL_NAME_FIELDS = {"family", "given", "literal"}


def assert_csl_item(item: dict[str, Any]) -> None:
    assert isinstance(item["id"], str | int) and item["id"]
    assert item["type"] in CSL_TYPES
    for name in item["author"]:
        assert name and set(name) <= CSL_NAME_FIELDS
        assert all(isinstance(v, str) and v for v in name.values())
    parts = item["issued"]["date-parts"]
    assert isinstance(parts, list) and len(parts) == 1
    assert 1 <= len(parts[0]) <= 3 and all(isinstance(p, int) for p in parts[0])
    for key in set(item) - {"id", "type", "author", "issued"}:
        assert key in CSL_STRING_FIELDS, key
        assert isinstance(item[key], str), key


def test_csl_json_has_the_schema_fields_and_types(library: None, cli: Any) -> None:
    result = cli("export", *ALL_IDS, "--format", "csl-json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    for item in items:
        assert_csl_item(item)
    attention, tricky, maldacena, nunez = items
    assert attention["id"] == "vaswani2017attention"
    assert attention["type"] == "article"
    assert (attention["publisher"], attention["number"]) == ("arXiv", "arXiv:1706.03762")
    assert attention["author"][2] == {"family": "Kaiser", "given": "Łukasz"}
    assert attention["issued"] == {"date-parts": [[2017, 6, 12]]}
    assert tricky["title"] == TRICKY_TITLE
    assert tricky["author"][1] == {"literal": "ATLAS Collaboration"}
    assert maldacena["type"] == "article-journal"
    assert maldacena["container-title"] == "Adv.Theor.Math.Phys. 2 (1998) 231-252"
    assert nunez["author"][1] == {"family": "van Beethoven", "given": "Ludwig"}
    assert "Über" in result.out  # UTF-8, not \u00dc


def test_csv_has_a_header_and_one_row_per_paper(library: None, cli: Any) -> None:
    result = cli("export", *ALL_IDS, "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
    assert [r["arxiv_id"] for r in rows] == ALL_IDS
    first = rows[0]
    assert first["key"] == "vaswani2017attention"
    assert first["authors"] == "Ashish Vaswani; Noam Shazeer; Łukasz Kaiser"
    assert (first["published"], first["tags"], first["starred"]) == (
        "2017-06-12",
        "classics; nlp",
        "yes",
    )
    assert first["categories"] == "cs.CL; cs.LG"
    assert first["pdf_url"] == "https://arxiv.org/pdf/1706.03762v2"
    assert rows[1]["title"] == TRICKY_TITLE


# --- selections ------------------------------------------------------------------------


def eprints(out: str) -> list[str]:
    return [e["eprint"] for e in parse_bibtex(out).entries]


def test_filters_select_and_narrow_together(library: None, cli: Any) -> None:
    # Newest first within a selection.
    assert eprints(cli("export", "--starred").out) == ["1706.03762", "hep-th/9711200"]
    assert eprints(cli("export", "--tag", "nlp").out) == ["1706.99999", "1706.03762"]
    assert eprints(cli("export", "--tag", "nlp", "--starred").out) == ["1706.03762"]
    assert eprints(cli("export", "--tag", "classics", "--tag", "nlp").out) == [
        "1706.99999",
        "1706.03762",
    ]
    assert eprints(cli("export", "--search", "attention").out) == ["1706.99999", "1706.03762"]
    assert eprints(cli("export", "--watch", "Maldacena").out) == ["hep-th/9711200"]
    assert eprints(cli("export", "--watch", "german lm").out) == ["2101.00001"]
    # Named papers first, in their order, then the selection.
    assert eprints(cli("export", "2101.00001", "--starred").out) == [
        "2101.00001",
        "1706.03762",
        "hep-th/9711200",
    ]


def test_output_file_and_its_format_from_the_suffix(
    library: None, cli: Any, tmp_path: Path
) -> None:
    target = tmp_path / "refs.ris"
    result = cli("export", "--starred", "-o", str(target))
    assert result.code == 0
    assert result.out == ""
    assert result.err == f"Exported 2 papers to {target.resolve()} (RIS).\n"
    assert [e["id"] for e in rispy.loads(target.read_text(encoding="utf-8"))] == [
        "vaswani2017attention",
        "maldacena1997large",
    ]
    assert format_of_path("refs.BIB") is FORMATS["bibtex"]
    assert format_of_path("refs.txt") is None


def test_nothing_matched_writes_nothing(library: None, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "none.bib"
    result = cli("export", "--tag", "no-such-tag", "-o", str(target))
    assert (result.code, result.out, result.err) == (0, "", "No papers match: nothing exported.\n")
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (),
            "Error: name the papers to export: PAPER_ID …, --tag, --starred, --search or --watch.",
        ),
        (("9999.99999",), "Error: paper 9999.99999 is not in the database."),
        (("not-an-id",), "Error: 'not-an-id' is not an arXiv id."),
        (("--watch", "nobody"), "Error: no watch named 'nobody'."),
        (
            ("--starred", "-o", "refs.txt"),
            "Error: --output refs.txt: cannot tell the format from the file name.",
        ),
        (
            ("--starred", "-o", "no/such/folder/refs.bib"),
            "Error: --output no/such/folder/refs.bib: cannot write it (No such file or directory).",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    library: None, cli: Any, args: tuple[str, ...], message: str
) -> None:
    result = cli("export", *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines()[0] == message
    assert "Traceback" not in result.err


def test_help_says_what_no_selection_does(cli: Any) -> None:
    result = cli("export", "--help")
    assert result.code == 0
    assert "With neither, nothing is exported" in " ".join(result.out.split())
