"""RIS, for Zotero, EndNote and Mendeley: one tagged line per field, plain UTF-8 text.

A paper with a journal reference is a journal article (JOUR); any other is an
unpublished work (UNPB), the RIS type EndNote and Zotero give a preprint.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.export.keys import citation_keys, split_name
from tracker.export.record import ExportPaper, one_line


def _ris_name(name: str) -> str:
    """'Ashish Vaswani' -> 'Vaswani, Ashish', the form RIS readers split on."""
    given, family = split_name(one_line(name))
    return f"{family}, {given}" if given else family


def _tags(paper: ExportPaper, key: str) -> list[tuple[str, str]]:
    tags = [("TY", "JOUR" if paper.journal_ref else "UNPB"), ("ID", key)]
    tags.append(("TI", one_line(paper.title)))
    tags += [("AU", _ris_name(a)) for a in paper.authors if a.strip()]
    if paper.published:
        tags.append(("PY", str(paper.published.year)))
        tags.append(("DA", paper.published.strftime("%Y/%m/%d")))
    if paper.journal_ref:
        tags.append(("JO", one_line(paper.journal_ref)))
    tags.append(("AB", one_line(paper.abstract)))
    tags.append(("DO", one_line(paper.doi)))
    tags.append(("UR", paper.abs_url))
    tags.append(("AN", f"arXiv:{paper.arxiv_id}"))
    tags.append(("DB", "arXiv"))
    tags.append(("N1", one_line(paper.comment)))
    tags += [("KW", one_line(t)) for t in paper.tags]
    return [(tag, value) for tag, value in tags if value]


def record(paper: ExportPaper, key: str) -> str:
    lines = [f"{tag}  - {value}" for tag, value in _tags(paper, key)]
    return "\n".join([*lines, "ER  - "]) + "\n"


def render(papers: Sequence[ExportPaper]) -> str:
    """A .ris file: one record per paper, in order."""
    keys = citation_keys(papers)
    return "\n".join(record(p, k) for p, k in zip(papers, keys, strict=True))
