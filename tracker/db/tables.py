"""Short handles on the Core tables, for the query modules (one place, not one per module)."""

from __future__ import annotations

from typing import Any

from tracker.db.models import (
    Author,
    CodeLink,
    Dataset,
    Model,
    ModelDataset,
    Paper,
    PaperAuthor,
    PaperCategory,
    PaperModel,
    PaperTag,
    PaperUser,
    Result,
    Task,
)

P: Any = Paper.__table__
A: Any = Author.__table__
PA: Any = PaperAuthor.__table__
PC: Any = PaperCategory.__table__
CL: Any = CodeLink.__table__
M: Any = Model.__table__
PM: Any = PaperModel.__table__
T: Any = Task.__table__
D: Any = Dataset.__table__
MD: Any = ModelDataset.__table__
R: Any = Result.__table__
PU: Any = PaperUser.__table__
PT: Any = PaperTag.__table__
