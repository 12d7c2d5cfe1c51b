"""Fetch and parse in a child process while this one stores.

Parsing arXiv's Atom into records is Python work, and so is most of storing them;
threads would take turns on the GIL. A child process fetches and parses page N+1
while we store page N, so the two use both cores. Pages cross over pickled,
which costs far less than parsing them.

The child stops when the consumer stops early, and exits by itself when its
parent dies (a SIGKILLed sync leaves no orphan fetching on).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

from tracker.errors import SourceUnavailableError
from tracker.sync.gcpause import collector_paused

log = logging.getLogger(__name__)

_PAGE, _DONE, _ERROR = "page", "done", "error"
POLL_SECONDS = 0.5


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL us when the parent dies, even mid-request."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the getppid() checks below remain
        pass


def _child(
    produce: Callable[..., Iterator[Any]],
    args: tuple[Any, ...],
    out: Any,
    stop: Any,
    parent: int,
    pause_collector: bool,
) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        return

    def put(message: tuple[str, Any]) -> bool:
        while not stop.is_set():
            if os.getppid() != parent:
                return False
            try:
                out.put(message, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    try:
        generator = produce(*args)
        with collector_paused() if pause_collector else nullcontext():
            for item in generator:
                if not put((_PAGE, item)):
                    return
        put((_DONE, getattr(generator, "summary", None)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent
        put((_ERROR, exc))


def in_child_process(
    produce: Callable[..., Iterator[Any]],
    *args: Any,
    depth: int = 2,
    pause_collector: bool = False,
) -> Iterator[Any]:
    """Yield what produce(*args) yields, produced ahead in a forked child process.

    An exception in the child is raised here at the same point of the sequence.
    pause_collector: the child runs without the cyclic garbage collector
    (tracker.sync.gcpause), for producers whose objects form no cycles.
    """
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=depth)
    stop = context.Event()
    child = context.Process(
        target=_child,
        args=(produce, args, out, stop, os.getpid(), pause_collector),
        daemon=True,
    )
    child.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive() and out.empty():
                    raise SourceUnavailableError(
                        f"the fetching process died (exit code {child.exitcode})."
                    ) from None
                continue
            if kind == _PAGE:
                yield payload
            elif kind == _ERROR:
                raise payload
            else:
                return
    finally:
        stop.set()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()
        out.close()
        out.join_thread()
