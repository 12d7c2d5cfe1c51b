"""BibTeX entries in arXiv's style: eprint, archivePrefix and primaryClass, as biblatex,
natbib and Zotero read them; @article with journal and doi when the paper has them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.export.keys import citation_keys
from tracker.export.latex import escape, to_latex
from tracker.export.record import ExportPaper, one_line

# Names that are not one person's: braced so BibTeX keeps them whole.
_CORPORATE = re.compile(
    r"\b(collaboration|consortium|team|group|project|laboratory|initiative)\b|\sand\s",
    re.IGNORECASE,
)


def _author(name: str) -> str:
    name = escape(one_line(name))
    return "{" + name + "}" if _CORPORATE.search(name) else name


def _fields(paper: ExportPaper) -> list[tuple[str, str]]:
    fields = [
        ("title", to_latex(paper.title, protect_capitals=True)),
        ("author", " and ".join(_author(a) for a in paper.authors if a.strip())),
        ("year", str(paper.year or "")),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
    ]
    if paper.journal_ref:
        fields.append(("journal", to_latex(paper.journal_ref)))
    if paper.doi:
        # biblatex reads doi verbatim: escapes would show; only braces could break the entry.
        fields.append(("doi", re.sub(r"[{}\s]", "", paper.doi)))
    fields.append(("url", paper.abs_url))
    if paper.abstract:
        fields.append(("abstract", to_latex(paper.abstract)))
    if paper.tags:
        fields.append(("keywords", escape(", ".join(paper.tags))))
    return [(name, value) for name, value in fields if value]


def entry(paper: ExportPaper, key: str) -> str:
    """One entry, its fields braced and aligned, ending in a newline."""
    kind = "article" if paper.journal_ref else "misc"
    fields = _fields(paper)
    width = max(len(name) for name, _ in fields)
    lines = [f"  {name.ljust(width)} = {{{value}}}," for name, value in fields]
    return f"@{kind}{{{key},\n" + "\n".join(lines) + "\n}\n"


def render(papers: Sequence[ExportPaper]) -> str:
    """A .bib file: one entry per paper, in order, with unique keys."""
    keys = citation_keys(papers)
    return "\n".join(entry(p, k) for p, k in zip(papers, keys, strict=True))
