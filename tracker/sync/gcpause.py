"""Pause Python's cyclic garbage collector while the snapshot import moves records.

An import batch is tens of thousands of small objects (records, their lists, row
tuples) that live until the batch is stored. Every 700 allocations start a young
collection, and the survivors soon set off full ones that walk every object the
process holds, SQLAlchemy's included: about 15% of an import's time here. These
objects form no cycles, so reference counting frees them; the collector resumes
when the import ends. (Storing a batch leaves ~200 cyclic objects, SQLAlchemy's:
a 2.7M-line import collects ~100k at the end.) A sync does not pause it: its
pages are fewer, the collector cost it nothing measurable, and a long sync with
retries would pile up the HTTP client's cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
