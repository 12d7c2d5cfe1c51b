"""arXiv identifiers: parse what users and feeds write into (canonical id, version)."""

from __future__ import annotations

import re

from tracker.errors import UsageError

# New style (0704.0001 onwards, 5-digit numbers from 1501) and old style
# (archive[.SUBJ]/YYMMNNN), each with an optional version.
_NEW = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v(?P<v>\d+))?")
_OLD = re.compile(r"(?P<id>[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?/\d{7})(?:v(?P<v>\d+))?")
# How the API writes a new-style entry id.
_ENTRY_ID = re.compile(r"https?://arxiv\.org/abs/(\d{4}\.\d{4,5})v(\d+)")
_PREFIXES = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?(?:arxiv\.org/(?:abs|pdf|html)/)|^arxiv:",
    re.IGNORECASE,
)


def parse_arxiv_id(raw: str) -> tuple[str, int | None]:
    """'arXiv:1706.03762v5' -> ('1706.03762', 5); 'hep-th/9901001' -> ('hep-th/9901001', None).

    Raises UsageError for anything that is not an arXiv id.
    """
    text = raw or ""
    match = _NEW.fullmatch(text)  # a bare id (most callers, every snapshot line): as it is
    if match is None:
        text = _PREFIXES.sub("", text.strip())
        text = re.sub(r"\.pdf$", "", text, flags=re.IGNORECASE).rstrip("/")
        match = _NEW.fullmatch(text) or _OLD.fullmatch(text)
    if match:
        version = match.group("v")
        return match.group("id"), int(version) if version else None
    raise UsageError(
        f"'{raw}' is not an arXiv id.",
        hint="Use a form like 1706.03762, 1706.03762v5 or hep-th/9901001.",
    )


def try_parse_arxiv_id(raw: str) -> tuple[str, int | None] | None:
    try:
        return parse_arxiv_id(raw)
    except UsageError:
        return None


def split_entry_id(entry_id: str) -> tuple[str, int]:
    """A feed's entry id (http://arxiv.org/abs/1706.03762v5) -> ('1706.03762', 5)."""
    match = _ENTRY_ID.fullmatch(entry_id)
    if match:  # nearly every entry: skip the general parser
        return match.group(1), int(match.group(2))
    canonical, version = parse_arxiv_id(entry_id)
    return canonical, version or 1
