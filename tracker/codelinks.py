"""Find code links (Papers with Code's "code") in abstracts and comments.

GitHub, GitLab, Bitbucket and Hugging Face URLs, and project pages (github.io
sites, or any URL the text calls a project page), normalised so that the same
repository written three ways is stored once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'{}|\\^`\[\]]+", re.IGNORECASE)
# Hosts written without a scheme, e.g. "github.com/user/repo".
_BARE = re.compile(
    r"(?<![\w./])(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co)/[^\s<>\"'{}|\\^`\[\]]+",
    re.IGNORECASE,
)
# Every URL the patterns below can match contains one of these ("://" or "www."
# for _URL; ".com", ".co/" or ".org" for _BARE's hosts). Four substring scans
# are far cheaper than the patterns over every abstract.
_TRAILING = ".,;:!?)]}'\"*"
_REPO_HOSTS = {"github.com", "gitlab.com", "bitbucket.org"}
_PROJECT_WORDS = re.compile(r"project\s*(?:page|website|site)|homepage|website", re.IGNORECASE)


def normalize_url(url: str) -> str | None:
    url = url.strip().rstrip(_TRAILING)
    # LaTeX leftovers such as \url{...} leave a closing brace or a backslash.
    url = url.split("\\")[0].rstrip("}")
    if not re.match(r"https?://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host or "." not in host:
        return None
    path = re.sub(r"/+", "/", parts.path).rstrip("/")
    if host in _REPO_HOSTS:
        segments = [s for s in path.split("/") if s]
        if len(segments) < 2:
            return None
        owner, repo = segments[0], segments[1]
        if repo.lower().endswith(".git"):
            repo = repo[:-4]
        # These hosts ignore case in owner and repository names.
        return f"https://{host}/{owner.lower()}/{repo.lower()}"
    if host == "huggingface.co":
        segments = [s for s in path.split("/") if s]
        if not segments:
            return None
        if segments[0] in ("datasets", "spaces") and len(segments) >= 3:
            return f"https://huggingface.co/{'/'.join(segments[:3])}"
        if segments[0] == "papers":
            return None  # a paper page, not code
        if len(segments) >= 2:
            return f"https://huggingface.co/{segments[0]}/{segments[1]}"
        return None
    return f"https://{host}{path}"


def _is_code_host(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in _REPO_HOSTS or host == "huggingface.co" or host.endswith(".github.io")


def _may_hold_url(text: str) -> bool:
    # Spelled out rather than a loop over the hints: this runs for every abstract
    # of an import, and a generator costs more than the four searches.
    return "://" in text or "www." in text or ".co" in text or ".org" in text


def find_code_links(text: str | None) -> list[str]:
    """Code and project-page URLs in text, normalised, deduplicated, in order."""
    if not text or not _may_hold_url(text):
        return []  # most abstracts hold no URL: skip the costlier patterns below
    found: dict[str, None] = {}
    spans = [(m.start(), m.group(0)) for m in _URL.finditer(text)]
    spans += [(m.start(), m.group(0)) for m in _BARE.finditer(text)]
    for start, raw in sorted(spans):
        url = normalize_url(raw)
        if url is None:
            continue
        before = text[max(0, start - 40) : start]
        if _is_code_host(url) or _PROJECT_WORDS.search(before):
            found.setdefault(url, None)
    return list(found)
