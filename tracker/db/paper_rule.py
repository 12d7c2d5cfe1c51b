"""What a paper is, for every read: a row of papers that is not a stub.

Stubs are rows that Hub links and imports create for arXiv ids we have not fetched
(no title, no abstract). They carry links, never count as papers and are never
accepted where a command or view asks for one. The condition is plain SQL so that
the standard-library fast path (tracker.db.paper_list) and SQLAlchemy queries
(tracker.db.tables.IS_PAPER) share the one text; `false` is understood by SQLite
(3.23+) and PostgreSQL alike.
"""

from __future__ import annotations

IS_PAPER_SQL = "papers.is_stub = false"
