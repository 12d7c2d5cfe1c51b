"""Turn whatever a user types into a safe full-text query.

Any string is a valid query: it never reaches the FTS engine as raw syntax. We read
a small, forgiving language and emit well-formed FTS5 (and, for PostgreSQL,
tsquery) text:

    word          must appear (all words must appear)
    "a phrase"    the words in order (an unclosed quote runs to the end)
    word*         prefix match
    -word         must not appear (also: NOT word)
    a OR b        either (binds tighter than the implicit AND)
    title:word    in the title only (also ti:, abstract:/abs:, author:/au:)

Everything else (parentheses, colons, punctuation) separates words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_WORD = re.compile(r"\w+", re.UNICODE)
_FIELDS = {
    "title": "title",
    "ti": "title",
    "abstract": "abstract",
    "abs": "abstract",
    "author": "authors",
    "authors": "authors",
    "au": "authors",
}


# The tsvector weights tracker.db.fulltext gives each column on PostgreSQL.
_WEIGHTS = {"title": "A", "authors": "B", "abstract": "C"}


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False
    column: str | None = None

    def fts5(self) -> str:
        # Words are \w+ runs, so they hold no quote; the tokenizer splits a
        # quoted run of several words into a phrase.
        expr = '"' + " ".join(self.words) + '"'
        if self.prefix:
            expr += "*"
        if self.column:
            expr = f"{{{self.column}}} : {expr}"
        return expr

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery text: the same meaning, the column as a weight."""
        weight = _WEIGHTS.get(self.column or "", "")
        lexemes = []
        for i, word in enumerate(self.words):
            marks = ("*" if self.prefix and i == len(self.words) - 1 else "") + weight
            lexemes.append(f"'{word}'" + (f":{marks}" if marks else ""))
        return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


@dataclass
class Query:
    # A conjunction of disjunctions: every group must match; a group matches when
    # any of its terms does.
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    def fts5(self) -> str | None:
        """The FTS5 MATCH expression, or None when nothing positive was asked."""
        return self._render(Term.fts5, " OR ", " AND ", "({}) NOT {}")

    def tsquery(self) -> str | None:
        """The to_tsquery expression, or None when nothing positive was asked."""
        return self._render(Term.tsquery, " | ", " & ", "({}) & !{}")

    def _render(
        self, term: Callable[[Term], str], any_of: str, all_of: str, excluding: str
    ) -> str | None:
        if not self.groups:
            return None
        parts = []
        for group in self.groups:
            text = any_of.join(term(t) for t in group)
            parts.append(f"({text})" if len(group) > 1 else text)
        expr = all_of.join(parts)
        for excluded in self.excluded:
            expr = excluding.format(expr, term(excluded))
        return expr

    def words(self) -> list[str]:
        return [w for group in self.groups for t in group for w in t.words]


def _split(raw: str) -> list[tuple[str, bool]]:
    """Split into (chunk, quoted) pieces; an unclosed quote runs to the end."""
    pieces: list[tuple[str, bool]] = []
    i = 0
    buf: list[str] = []
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            if buf:
                pieces.extend((p, False) for p in "".join(buf).split())
                buf = []
            end = raw.find('"', i + 1)
            if end == -1:
                end = len(raw)
            pieces.append((raw[i + 1 : end], True))
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    if buf:
        pieces.extend((p, False) for p in "".join(buf).split())
    return pieces


def parse(raw: str) -> Query:
    query = Query()
    negate_next = False
    or_next = False
    for chunk, quoted in _split(raw or ""):
        if not quoted and chunk in ("OR", "|"):
            or_next = bool(query.groups)
            continue
        if not quoted and chunk in ("AND", "&", "&&"):
            continue
        if not quoted and chunk == "NOT":
            negate_next = True
            continue
        negate = negate_next
        negate_next = False
        column = None
        prefix = False
        text = chunk
        if not quoted:
            if text.startswith("-") and len(text) > 1:
                negate = True
                text = text.lstrip("-")
            name, sep, rest = text.partition(":")
            if sep and name.lower() in _FIELDS:
                column = _FIELDS[name.lower()]
                text = rest
            prefix = text.endswith("*")
        words = tuple(w.lower() for w in _WORD.findall(text))
        if not words:
            continue
        term = Term(words=words, prefix=prefix and not quoted, column=column)
        if negate:
            query.excluded.append(term)
            or_next = False
        elif or_next and query.groups:
            query.groups[-1].append(term)
            or_next = False
        else:
            query.groups.append([term])
    return query
