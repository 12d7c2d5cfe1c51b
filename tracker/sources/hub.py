"""The Hugging Face Hub source: models, the papers they cite and their model-index results.

Wraps huggingface_hub: `HfApi(endpoint=[hub] endpoint)` for model info, and the
library's own session, headers and error mapping for listings. The token comes only
from HF_TOKEN or the Hub login, resolved by huggingface_hub; we never print, log or
store it. What we add, and why:
- listing pages are walked one at a time (the Link rel="next" cursor), so a sync can
  stop at its watermark and count every request (HfApi.list_models hides both);
- every request has a timeout (the library's default client has none);
- 429 is answered by waiting (Retry-After, or the RateLimit reset) and 5xx or network
  errors by exponential backoff; a client-side window keeps us inside the anonymous
  budget (500 calls per 5 minutes, 1,000 logged in);
- errors are translated: GatedRepoError -> GatedModelError, network -> SourceUnavailableError,
  other 4xx -> SourceQueryError; a missing model (404) is None, a renamed one (307)
  is followed and recorded. A model with no card or a null model-index is normal data.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import httpx2
from huggingface_hub import HfApi, get_token
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)
from huggingface_hub.hf_api import DatasetInfo, PaperInfo
from huggingface_hub.utils import (  # type: ignore[attr-defined]
    build_hf_headers,
    get_session,
    hf_raise_for_status,
    parse_ratelimit_headers,
)

from tracker import __version__
from tracker.config import HubConfig
from tracker.errors import GatedModelError, SourceQueryError, SourceUnavailableError
from tracker.records import BenchmarkEntryRecord, DailyPaperRecord, ModelRecord, PaperPageRecord
from tracker.sources.hub_evals import read_board
from tracker.sources.hub_records import (
    daily_record,
    json_record,
    listing_record,
    paper_page_record,
    skim_record,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

PAGE_SIZE = 1000  # the Hub's largest listing page
DAILY_PAGE_SIZE = 50
MAX_DAILY_PAGES = 20
TIMEOUT_SECONDS = 30.0
MAX_RETRIES = 5
BACKOFF_SECONDS = 1.0
MAX_WAIT_SECONDS = 300.0
# Anonymous clients get 500 calls per 5 minutes; logged-in ones 1,000.
WINDOW_SECONDS = 300.0
ANONYMOUS_CALLS = 500
LOGGED_IN_CALLS = 1000
# Pause until the window resets when the server says this few calls are left.
RESERVE_CALLS = 2

# One listing page then carries everything but the card.
LIST_EXPAND = [
    "author",
    "createdAt",
    "downloads",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "tags",
    "trendingScore",
    # The .eval_results/*.yaml scores: on the listing page, so reading them costs no request.
    "evalResults",
]
INFO_EXPAND = [*LIST_EXPAND, "cardData", "model-index"]

_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx2.TransportError, OSError)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class _NotOnHub(Exception):
    """The Hub answered 404 (or 401 for a private repo): no such model for us."""


class RateWindow:
    """At most `calls` requests per `window` seconds, shared by all threads, and a pause
    until the reset when the server's RateLimit header says the window is nearly spent."""

    def __init__(
        self,
        calls: int,
        window: float = WINDOW_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calls = calls
        self.window = window
        self.sleep = sleep
        self.clock = clock
        self.lock = threading.Lock()
        self.sent: deque[float] = deque()
        self.paused_until = 0.0
        self.waited = 0.0

    def acquire(self) -> None:
        with self.lock:
            now = self.clock()
            while self.sent and self.sent[0] <= now - self.window:
                self.sent.popleft()
            start = max(now, self.paused_until)
            if len(self.sent) >= self.calls:
                start = max(start, self.sent[-self.calls] + self.window)
            self.sent.append(start)
            wait = start - now
        if wait > 0:
            log.info("Hub rate budget: waiting %.1f s", wait)
            self.waited += wait
            self.sleep(wait)

    def note(self, headers: Any) -> None:
        info = parse_ratelimit_headers(headers)
        if info is not None and info.remaining <= RESERVE_CALLS:
            with self.lock:
                reset = min(float(info.reset_in_seconds), MAX_WAIT_SECONDS)
                self.paused_until = max(self.paused_until, self.clock() + reset)


def rate_limit_wait(headers: Any, now: datetime | None = None) -> float | None:
    """Seconds a 429 asks us to wait: the RateLimit reset, else Retry-After (seconds or a date)."""
    info = parse_ratelimit_headers(headers)
    if info is not None and info.remaining == 0:
        return min(float(info.reset_in_seconds), MAX_WAIT_SECONDS)
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


def _describe(error: BaseException) -> str:
    if isinstance(error, HfHubHTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code}"
    if isinstance(error, httpx2.TimeoutException):
        return "timed out"
    return type(error).__name__ + (f": {error}" if str(error) else "")


class HubSource:
    """Reads models from the Hub, counting requests; safe to call from several threads."""

    def __init__(
        self,
        config: HubConfig,
        *,
        sleep: Callable[[float], None] | None = None,
        timeout: float = TIMEOUT_SECONDS,
        max_retries: int = MAX_RETRIES,
        backoff: float = BACKOFF_SECONDS,
        window: RateWindow | None = None,
    ) -> None:
        self.config = config
        self.endpoint = config.endpoint.rstrip("/")
        self.api = HfApi(
            endpoint=self.endpoint, library_name="tracker", library_version=__version__
        )
        self.sleep = sleep or _sleep
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        logged_in = get_token() is not None
        self.window = window or RateWindow(
            LOGGED_IN_CALLS if logged_in else ANONYMOUS_CALLS, sleep=self.sleep
        )
        self.requests = 0
        self.next_page: str | None = None  # the listing walk's next link, after each page
        self._lock = threading.Lock()

    # --- requests -------------------------------------------------------------

    def _count(self, n: int = 1) -> None:
        with self._lock:
            self.requests += n

    def _send(self, call: Callable[[], T], what: str) -> T:
        """call() with our retry policy; each try counts as one request."""
        attempt = 0
        while True:
            self.window.acquire()
            self._count()
            wait: float | None = None
            try:
                return call()
            except OfflineModeIsEnabled as exc:
                raise SourceUnavailableError(
                    f"cannot reach the Hub for {what}: HF_HUB_OFFLINE is set.",
                    hint="Unset HF_HUB_OFFLINE to fetch models from the Hub.",
                ) from exc
            except GatedRepoError as exc:
                raise GatedModelError.for_model(what.removeprefix("model "), self.endpoint) from exc
            except RepositoryNotFoundError as exc:
                raise _NotOnHub(what) from exc
            except HfHubHTTPError as exc:
                response = exc.response
                status = response.status_code if response is not None else 0
                if response is not None:
                    self.window.note(response.headers)
                if status == 404:
                    raise _NotOnHub(what) from exc
                if status == 429:
                    wait = rate_limit_wait(response.headers) if response is not None else None
                elif status != 408 and status < 500:
                    raise SourceQueryError(
                        f"the Hub rejected the request for {what}: HTTP {status}.",
                        hint=f"Check [hub] endpoint ({self.endpoint}) in your config.",
                    ) from exc
                error: BaseException = exc
            except _TRANSPORT_ERRORS as exc:
                error = exc
            if attempt >= self.max_retries:
                raise SourceUnavailableError(
                    f"the Hub did not answer for {what} after {attempt + 1} tries: {_describe(error)}",
                    hint=f"It will be fetched on the next sync; check your network or [hub] endpoint ({self.endpoint}).",
                ) from error
            if wait is None:
                wait = min(self.backoff * (2**attempt), MAX_WAIT_SECONDS)
            log.warning(
                "Hub request for %s failed (%s); retry %d in %.1f s",
                what,
                _describe(error),
                attempt + 1,
                wait,
            )
            self.sleep(wait)
            attempt += 1

    def _get(self, url: str, params: Any) -> httpx2.Response:
        log.info("GET %s", url)
        response = get_session().get(
            url,
            params=params,
            headers=build_hf_headers(library_name="tracker", library_version=__version__),
            timeout=self.timeout,
        )
        self.window.note(response.headers)
        hf_raise_for_status(response)
        self._count(len(response.history))  # a followed redirect was a request too
        return response

    # --- listings ---------------------------------------------------------------

    def model_pages(
        self,
        *,
        sort: str = "lastModified",
        filter: str | None = None,
        limit: int = PAGE_SIZE,
        max_pages: int | None = None,
        skim: bool = False,
        start: str | None = None,
    ) -> Iterator[list[ModelRecord]]:
        """Listing pages, newest first for sort; the caller stops when it has seen enough.

        skim=True reads a model that cites no paper only as far as a walk needs (its id
        and lastModified): most of a week's models cite none, and parsing is the cost.
        start: a page's next link (self.next_page after a page) to resume a walk from.
        """
        params: list[tuple[str, str]] = [("sort", sort), ("limit", str(limit))]
        if filter:
            params.append(("filter", filter))
        params += [("expand", field) for field in LIST_EXPAND]
        url: str | None = start or f"{self.endpoint}/api/models"
        query: list[tuple[str, str]] | None = None if start else params
        pages = 0
        while url is not None:
            response = self._send(partial(self._get, url, query), "the models listing")
            items = response.json()
            if not isinstance(items, list):
                raise SourceQueryError(
                    "the Hub's models listing did not answer with a list.",
                    hint=f"Check [hub] endpoint ({self.endpoint}) in your config.",
                )
            pages += 1
            parse = skim_record if skim else listing_record
            url = response.links.get("next", {}).get("url")
            self.next_page = url
            yield [r for r in (parse(item) for item in items) if r is not None]
            query = None  # the next link carries its own query
            if max_pages is not None and pages >= max_pages:
                return

    def models_for_paper(self, arxiv_id: str, limit: int) -> list[ModelRecord]:
        """The most downloaded models that cite arxiv_id (one request)."""
        pages = self.model_pages(
            sort="downloads", filter=f"arxiv:{arxiv_id}", limit=min(limit, PAGE_SIZE), max_pages=1
        )
        return next(pages, [])[:limit]

    def daily_papers(self, week: str) -> list[DailyPaperRecord]:
        """The Hub's daily papers of an ISO week (2026-W24), page by page."""
        out: list[DailyPaperRecord] = []
        for page_number in range(MAX_DAILY_PAGES):
            params = [("week", week), ("limit", str(DAILY_PAGE_SIZE)), ("p", str(page_number))]
            response = self._send(
                partial(self._get, f"{self.endpoint}/api/daily_papers", params),
                f"the daily papers of {week}",
            )
            items = response.json()
            out += [r for r in (daily_record(item) for item in items) if r is not None]
            if len(items) < DAILY_PAGE_SIZE:
                break
        return out

    # --- benchmarks ----------------------------------------------------------------

    def dataset_leaderboard(
        self, dataset_id: str, *, all_models: bool = False
    ) -> list[BenchmarkEntryRecord] | None:
        """A benchmark dataset's Hub leaderboard (as HfApi.get_dataset_leaderboard asks
        for it, read into DatasetLeaderboardEntry); None when it has none. By default
        only base models, as the Hub ranks them; all_models adds fine-tuned ones."""
        url = f"{self.endpoint}/api/datasets/{dataset_id}/leaderboard"
        params = [("base_model", "false")] if all_models else None
        try:
            response = self._send(partial(self._get, url, params), f"benchmark {dataset_id}")
        except _NotOnHub:
            log.info("dataset %s has no leaderboard on the Hub", dataset_id)
            return None
        return read_board(response.json(), dataset_id)

    def dataset_task_categories(self, dataset_id: str) -> list[str]:
        """The dataset card's task_categories (one request); [] when none or no such dataset."""
        url = f"{self.endpoint}/api/datasets/{dataset_id}"
        try:
            response = self._send(
                partial(self._get, url, [("expand", "cardData")]), f"dataset {dataset_id}"
            )
        except _NotOnHub:
            return []
        try:
            card = DatasetInfo(**response.json()).card_data  # type: ignore[no-untyped-call]
        except (TypeError, ValueError, KeyError) as exc:
            log.warning("dataset %s: unreadable answer: %s", dataset_id, exc)
            return []
        categories = getattr(card, "task_categories", None) if card is not None else None
        if isinstance(categories, str):
            categories = [categories]
        return [c for c in categories or [] if isinstance(c, str)]

    # --- one paper -------------------------------------------------------------------

    def paper_info(self, arxiv_id: str) -> PaperPageRecord | None:
        """The paper's Hub page in one request (GET /api/papers/{id}, read as the
        library's PaperInfo); None when the Hub has no page for it."""
        url = f"{self.endpoint}/api/papers/{arxiv_id}"
        try:
            response = self._send(partial(self._get, url, None), f"paper {arxiv_id}")
        except _NotOnHub:
            log.info("paper %s has no page on the Hub", arxiv_id)
            return None
        body = response.json()
        try:
            info = PaperInfo(**body)
        except (TypeError, ValueError, KeyError) as exc:
            raise SourceQueryError(
                f"the Hub's page for paper {arxiv_id} could not be read: {exc}.",
                hint=f"Check [hub] endpoint ({self.endpoint}) in your config.",
            ) from exc
        return paper_page_record(info, arxiv_id)

    # --- one model ----------------------------------------------------------------

    def model_info(self, repo_id: str) -> ModelRecord | None:
        """The model with its card and results; None when the Hub has no such model.

        The body is read as JSON (as HfApi.model_info reads it) so that evalResults'
        invalid files can be counted; a followed 307 from an old name counts as a request.
        """
        url = f"{self.endpoint}/api/models/{repo_id}"
        params = [("expand", field) for field in INFO_EXPAND]
        try:
            response = self._send(partial(self._get, url, params), f"model {repo_id}")
        except _NotOnHub:
            log.info("model %s is not on the Hub (deleted or private)", repo_id)
            return None
        record = json_record(response.json(), detailed=True)
        if record is None:
            raise SourceQueryError(
                f"the Hub's answer for model {repo_id} could not be read.",
                hint=f"Check [hub] endpoint ({self.endpoint}) in your config.",
            )
        if record.repo_id != repo_id:
            record.renamed_from = repo_id
            log.info("model %s was renamed to %s", repo_id, record.repo_id)
        return record

    def model_infos(
        self, repo_ids: Iterable[str]
    ) -> Iterator[tuple[str, ModelRecord | None, str | None]]:
        """(repo id, record or None, error) for each id, [hub] concurrency at a time.

        A gated or rejected model is an error for that model only; an unreachable
        Hub (SourceUnavailableError) stops the whole batch.
        """
        pool = ThreadPoolExecutor(max_workers=self.config.concurrency, thread_name_prefix="hub")
        try:
            futures = {pool.submit(self.model_info, repo_id): repo_id for repo_id in repo_ids}
            for future in as_completed(futures):
                repo_id = futures[future]
                try:
                    yield repo_id, future.result(), None
                except (GatedModelError, SourceQueryError) as exc:
                    log.warning("%s", exc.message)
                    yield repo_id, None, exc.message
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
