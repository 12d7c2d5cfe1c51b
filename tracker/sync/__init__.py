"""Sync: the arXiv pass, the Hub pass, their state, the lock and the child-process
prefetch. `from tracker.sync import run_sync` is the way in.

The public names load on first use (PEP 562), so that importing one module of the
package (tracker.sync.lock, say) loads only what that module needs, and no module
here imports the package that imports it back.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SOURCES": "tracker.sync.run",
    "run_sync": "tracker.sync.run",
    "FetchReport": "tracker.sync.arxiv_pass",
    "fetch_papers": "tracker.sync.arxiv_pass",
    "SyncReport": "tracker.sync.state",
    "utcnow": "tracker.sync.state",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker.sync' has no attribute {name!r}")
    return getattr(import_module(module), name)
