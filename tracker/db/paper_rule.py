"""What a paper is, for every read: a row of papers that is not a stub.

Stubs are rows that Hub links and imports create for arXiv ids we have not fetched
(no title, no abstract). They carry links, never count as papers and are never
accepted where a command or view asks for one. The condition is plain SQL so that
the standard-library fast path (tracker.db.paper_list) and SQLAlchemy queries
(tracker.db.tables.IS_PAPER) share the one text; `false` is understood by SQLite
(3.23+) and PostgreSQL alike.
"""

from __future__ import annotations


def is_paper_sql(alias: str = "papers") -> str:
    """The condition on a papers row named alias in the query."""
    return f"{alias}.is_stub = false"


IS_PAPER_SQL = is_paper_sql()
