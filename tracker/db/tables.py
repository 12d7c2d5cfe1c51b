"""Short handles on the Core tables, for the query modules (one place, not one per module)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Table, literal_column
from sqlmodel import SQLModel

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


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel class. SQLModel sets `__table__` when the class is
    made, but its type stubs do not declare it: this is the one place that says so."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


P: Any = table_of(Paper)
A: Any = table_of(Author)
PA: Any = table_of(PaperAuthor)
PC: Any = table_of(PaperCategory)
CL: Any = table_of(CodeLink)
M: Any = table_of(Model)
PM: Any = table_of(PaperModel)
T: Any = table_of(Task)
D: Any = table_of(Dataset)
MD: Any = table_of(ModelDataset)
R: Any = table_of(Result)
PU: Any = table_of(PaperUser)
PT: Any = table_of(PaperTag)

# The one definition of "a paper" (tracker.db.paper_rule) as a SQLAlchemy condition.
IS_PAPER: Any = literal_column(IS_PAPER_SQL, Boolean)
