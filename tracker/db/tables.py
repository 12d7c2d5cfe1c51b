"""Short handles on the Core tables, for the query modules (one place, not one per module)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, literal_column

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
from tracker.db.paper_rule import IS_PAPER_SQL

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

# The one definition of "a paper" (tracker.db.paper_rule) as a SQLAlchemy condition.
IS_PAPER: Any = literal_column(IS_PAPER_SQL, Boolean)
