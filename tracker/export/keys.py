"""Citation keys such as vaswani2017attention: stable across runs, unique in one export.

A key is the first author's family name, the year and the first word of the title
that is not a stop word, in ASCII letters and digits. Papers whose keys collide are
ordered by arXiv id: the oldest keeps the plain key, the next get a, b, c, … So a
paper's key does not change when newer papers join the export. BibTeX and CSL-JSON
(pandoc's `@key`) use the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import count, product
from string import ascii_lowercase

from tracker.export.record import ExportPaper

# Letters NFKD does not decompose into an ASCII base letter.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)
_STOP_WORDS = frozenset(
    "a an the on of in for and or to with from by at as is are be do does can how what why "
    "when towards toward via using into over under your our we".split()
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le"}
)
_MATH = re.compile(r"\$[^$]*\$")


def ascii_fold(text: str) -> str:
    """'Łukasz Kaiser' -> 'Lukasz Kaiser': accents dropped, other non-ASCII removed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii())


def split_name(name: str) -> tuple[str, str]:
    """(given, family) of a display name: 'Ludwig van Beethoven' -> ('Ludwig', 'van Beethoven').

    'Family, Given' is read as written; a one-word name is all family.
    """
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip()
    words = name.split()
    suffix: list[str] = []
    while len(words) > 1 and words[-1].lower() in _NAME_SUFFIXES:
        suffix.insert(0, words.pop())
    if not words:
        return "", name.strip()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    given = " ".join(words[:start] + suffix)
    return given, " ".join(words[start:])


def _surname(authors: Sequence[str]) -> str:
    for name in authors[:1]:
        family = split_name(name)[1].split()
        letters = re.sub(r"[^A-Za-z]", "", ascii_fold(family[-1] if family else name))
        if letters:
            return letters.lower()
    return "anon"


def _title_word(title: str) -> str:
    words: list[str] = re.findall(r"[A-Za-z0-9]+", ascii_fold(_MATH.sub(" ", title)))
    for word in words:
        if word.lower() not in _STOP_WORDS and not word.isdigit():
            return word.lower()
    return words[0].lower() if words else ""


def base_key(paper: ExportPaper) -> str:
    """The key before collisions are resolved: vaswani2017attention."""
    year = str(paper.year) if paper.year else ""
    return f"{_surname(paper.authors)}{year}{_title_word(paper.title)}"


def _suffixes() -> Iterator[str]:
    """a … z, aa, ab, …"""
    for size in count(1):
        for letters in product(ascii_lowercase, repeat=size):
            yield "".join(letters)


def citation_keys(papers: Sequence[ExportPaper]) -> list[str]:
    """One unique key per paper, in the order of papers."""
    bases = [base_key(p) for p in papers]
    taken = set(bases)
    keys = list(bases)
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(bases):
        groups.setdefault(key, []).append(index)
    for base in sorted(groups):
        indices = sorted(groups[base], key=lambda i: (papers[i].arxiv_id, i))
        suffixes = _suffixes()
        for index in indices[1:]:
            key = base + next(suffixes)
            while key in taken:
                key = base + next(suffixes)
            taken.add(key)
            keys[index] = key
    return keys
