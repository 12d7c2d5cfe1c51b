"""CSL-JSON, for Zotero and pandoc: a list of items whose ids are the BibTeX keys.

A preprint is CSL's `article` with arXiv as publisher and `arXiv:ID` as number, as
Zotero writes one; a paper with a journal reference is an `article-journal`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from tracker.export.keys import citation_keys, split_name
from tracker.export.record import ExportPaper, one_line

_CORPORATE = re.compile(r"\b(collaboration|consortium|team|group|project|laboratory)\b", re.I)


def _name(name: str) -> dict[str, str]:
    name = one_line(name)
    given, family = split_name(name)
    if _CORPORATE.search(name) or not given:
        return {"literal": name}
    return {"family": family, "given": given}


def item(paper: ExportPaper, key: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": key,
        "type": "article-journal" if paper.journal_ref else "article",
        "title": one_line(paper.title),
        "author": [_name(a) for a in paper.authors if a.strip()],
    }
    if paper.published:
        day = paper.published
        data["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if paper.journal_ref:
        data["container-title"] = one_line(paper.journal_ref)
    else:
        data["publisher"] = "arXiv"
        data["number"] = f"arXiv:{paper.arxiv_id}"
    optional = {
        "abstract": one_line(paper.abstract),
        "DOI": one_line(paper.doi),
        "URL": paper.abs_url,
        "keyword": ", ".join(paper.tags),
        "note": one_line(paper.comment),
    }
    data.update({name: value for name, value in optional.items() if value})
    return data


def items(papers: Sequence[ExportPaper]) -> list[dict[str, Any]]:
    keys = citation_keys(papers)
    return [item(p, k) for p, k in zip(papers, keys, strict=True)]


def render(papers: Sequence[ExportPaper]) -> str:
    """A CSL-JSON document (UTF-8, not \\u-escaped)."""
    return json.dumps(items(papers), ensure_ascii=False, indent=2) + "\n"
