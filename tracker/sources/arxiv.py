"""The arXiv source: the `arxiv` package's Client, made safe for cron.

What we add to arxiv.Client, and why:
- every request has a timeout and a total deadline (the package sets none, so a
  stalled server would hang a cron job forever);
- retries back off exponentially and honour Retry-After (the package retries at
  once); 4xx answers other than 408/429 are not retried;
- a truncated body is a failed request, not a short page (lxml's recover mode
  would otherwise hand us half an entry);
- arXiv's error feed (an entry titled "Error") becomes a SourceQueryError;
- the User-Agent names tracker, its version and a contact, as arXiv's API terms ask
  (the package's default is shared by every program built on it).
Pages come back as lists of PaperRecord; nothing here knows the database.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import arxiv
import requests

from tracker import __version__
from tracker.config import ArxivConfig
from tracker.errors import SourceQueryError, SourceUnavailableError
from tracker.records import PaperRecord
from tracker.sources.arxiv_feed import FeedPage, parse_page

log = logging.getLogger(__name__)

# A whole response may take this many times the per-read timeout.
DEADLINE_FACTOR = 4
MAX_RETRY_AFTER = 300.0
IDS_PER_REQUEST = 100


def project_url() -> str:
    """The project's home page, from the installed package's metadata ("" if none)."""
    from importlib import metadata

    try:
        urls = metadata.metadata("tracker").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return ""
    return next((u.partition(",")[2].strip() for u in urls), "")


def user_agent(contact: str) -> str:
    """'tracker/0.1.0 (mailto:ada@example.org)'; with no contact, the project URL."""
    contact = contact.strip() or project_url()
    if "@" in contact and "://" not in contact and not contact.startswith("mailto:"):
        contact = f"mailto:{contact}"
    return f"tracker/{__version__} ({contact})" if contact else f"tracker/{__version__}"


class TruncatedResponseError(requests.exceptions.ConnectionError):
    """The body ended before the feed did."""


class _Session(requests.Session):
    """A requests session whose every request has a timeout and a total deadline."""

    def __init__(self, timeout: float, on_response: Callable[[requests.Response], None]) -> None:
        super().__init__()
        self.timeout = timeout
        self.on_response = on_response
        self.last: requests.Response | None = None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", (self.timeout, self.timeout))
        kwargs["stream"] = True
        started = time.monotonic()
        log.info("GET %s", url)
        response = super().request(method, url, *args, **kwargs)
        deadline = started + self.timeout * DEADLINE_FACTOR
        body = bytearray()
        try:
            for chunk in response.iter_content(65536):
                body.extend(chunk)
                if time.monotonic() > deadline:
                    raise requests.exceptions.ReadTimeout(
                        f"response took longer than {self.timeout * DEADLINE_FACTOR:.0f} s"
                    )
        except requests.exceptions.ChunkedEncodingError as exc:
            raise TruncatedResponseError(f"connection dropped mid-body: {exc}") from exc
        finally:
            response.close()
        response._content = bytes(body)
        self.last = response
        self.on_response(response)
        if response.status_code == 200 and not bytes(body).rstrip().endswith(b"</feed>"):
            raise TruncatedResponseError(f"truncated feed ({len(body)} bytes) from {url}")
        return response


def _retry_after(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


def _error_summary(response: requests.Response | None) -> str:
    if response is None:
        return ""
    match = re.search(rb"<summary>(.*?)</summary>", response.content or b"", re.DOTALL)
    return match.group(1).decode("utf-8", "replace").strip() if match else ""


class _Client(arxiv.Client):  # type: ignore[misc]  # the arxiv package ships no types
    _last_request_dt: datetime | None  # set by arxiv.Client

    def __init__(self, config: ArxivConfig, on_response: Callable[[requests.Response], None]):
        super().__init__(page_size=config.page_size, delay_seconds=config.delay_seconds)
        self.config = config
        self.query_url_format = config.api_url.rstrip("?") + "?{}"
        self._session = _Session(config.timeout_seconds, on_response)
        self.user_agent = user_agent(config.contact)
        self.sleep: Callable[[float], None] = time.sleep

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        """arxiv.Client's paging calls this for each page; we add retries and our parser."""
        attempt = 0
        while True:
            wait: float | None = None
            try:
                page = self._fetch_page(url, first_page, attempt)
                if page.error is not None:
                    raise SourceQueryError(
                        f"arXiv rejected the request: {page.error}",
                        hint=f"Check the query or ids. URL: {url}",
                    )
                # The package's pager reads its own feed type: hand it our records in one.
                return arxiv._feed.ParsedFeed(
                    header=arxiv._feed.FeedHeader(
                        total_results=page.total_results,
                        items_per_page=page.items_per_page,
                        start_index=page.start_index,
                    ),
                    results=page.records,
                    malformed=page.malformed,
                )
            except arxiv.HTTPError as exc:
                session: _Session = self._session
                if 400 <= exc.status < 500 and exc.status not in (408, 429):
                    detail = _error_summary(session.last) or f"HTTP {exc.status}"
                    raise SourceQueryError(
                        f"arXiv rejected the request: {detail}",
                        hint=f"Check the query or ids in your config. URL: {url}",
                    ) from exc
                wait = _retry_after(session.last)
                error: Exception = exc
            except (arxiv.UnexpectedEmptyPageError, requests.RequestException) as exc:
                error = exc
            if attempt >= self.config.max_retries:
                raise SourceUnavailableError(
                    f"arXiv did not answer after {attempt + 1} tries: {_describe(error)}",
                    hint="It will be fetched on the next sync; check your network or api_url.",
                ) from error
            if wait is None:
                wait = self.config.backoff_seconds * (2**attempt)
            log.warning(
                "arXiv request failed (%s); retry %d in %.1f s", _describe(error), attempt + 1, wait
            )
            self.sleep(wait)
            attempt += 1

    def _fetch_page(self, url: str, first_page: bool, attempt: int) -> FeedPage:
        """One request, at most one per delay_seconds (the package's pacing), parsed."""
        if self._last_request_dt is not None:
            since = (datetime.now() - self._last_request_dt).total_seconds()
            if since < self.delay_seconds:
                time.sleep(self.delay_seconds - since)
        response = self._session.get(url, headers={"User-Agent": self.user_agent})
        self._last_request_dt = datetime.now()
        if response.status_code != requests.codes.OK:
            raise arxiv.HTTPError(url, attempt, response.status_code)
        page = parse_page(response.content)
        if page.malformed:
            log.warning("arXiv sent a feed that does not parse: %s", url)
        if not page.records and page.error is None and not first_page:
            raise arxiv.UnexpectedEmptyPageError(url, attempt, page)
        return page


def _describe(error: BaseException) -> str:
    if isinstance(error, arxiv.HTTPError):
        return f"HTTP {error.status}"
    if isinstance(error, arxiv.UnexpectedEmptyPageError):
        return "unexpected empty page"
    if isinstance(error, requests.exceptions.Timeout):
        return "timed out"
    return type(error).__name__ + (f": {error}" if str(error) else "")


class ArxivSource:
    """Fetches papers from the arXiv API, page by page, counting requests."""

    def __init__(self, config: ArxivConfig) -> None:
        self.config = config
        self.requests = 0
        self.client = _Client(config, self._count)

    def _count(self, _response: requests.Response) -> None:
        self.requests += 1

    def updates(
        self, query: str, cutoff: datetime, max_results: int | None = None
    ) -> Iterator[list[PaperRecord]]:
        """Pages of papers matching query, most recently updated first, down to cutoff.

        Stops at the first entry updated before cutoff (entries come sorted by
        last update, so every later one is older still) or after max_results.
        """
        search = arxiv.Search(
            query=query,
            max_results=None,
            sort_by=arxiv.SortCriterion.LastUpdatedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        page: list[PaperRecord] = []
        seen = 0
        for result in self.client.results(search):
            record: PaperRecord = result
            if record.updated is not None and record.updated < cutoff:
                break
            page.append(record)
            seen += 1
            if len(page) >= self.config.page_size:
                yield page
                page = []
            if max_results is not None and seen >= max_results:
                break
        if page:
            yield page

    def by_ids(self, arxiv_ids: list[str]) -> Iterator[list[PaperRecord]]:
        """The papers with these ids, many ids per request; missing ids are skipped."""
        for start in range(0, len(arxiv_ids), IDS_PER_REQUEST):
            chunk = arxiv_ids[start : start + IDS_PER_REQUEST]
            search = arxiv.Search(id_list=chunk, max_results=len(chunk))
            yield list(self.client.results(search))
