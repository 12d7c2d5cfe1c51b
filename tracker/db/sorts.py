"""The one list of model sorts, for `tracker models --sort` and the TUI's models view.

Standard library only: the CLI builds its --sort choices from it at start-up.
"""

from __future__ import annotations

from typing import Literal

ModelSort = Literal["downloads", "likes", "trending", "params", "date", "name"]
MODEL_SORTS: tuple[ModelSort, ...] = ("downloads", "likes", "trending", "params", "date", "name")
