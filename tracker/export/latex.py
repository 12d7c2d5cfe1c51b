"""Text -> LaTeX for BibTeX fields: specials escaped, math kept, capitals protected.

arXiv titles and abstracts are TeX source: a pair of $ around text is math and is
kept as written (`$x^2$` prints as x²; in titles it is braced, so styles leave its case). Everywhere else the ten special characters
& % $ # _ { } ~ ^ \\ are escaped, so that they print as written and never unbalance
a field. Non-ASCII text stays UTF-8 (biber, and BibTeX with inputenc, read it).
"""

from __future__ import annotations

import re

from tracker.export.record import one_line

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
# A math span as pandoc reads one: no space just inside either $, no digit just after
# the closing one ("from $5 to $10" is not math), and (checked below) balanced braces.
_MATH = re.compile(r"\$(?=[^\s$])[^$\n]*?(?<=[^\s$])\$(?!\d)")


def escape(text: str) -> str:
    """Every LaTeX special character escaped (no math kept)."""
    return _SPECIAL.sub(lambda m: _SPECIALS[m.group()], text)


def _balanced(math: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", math):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _segments(text: str) -> list[tuple[str, bool]]:
    """(piece, is_math) in order; math is only a $...$ span with balanced braces."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _MATH.finditer(text):
        if not _balanced(match.group()):
            continue
        pieces.append((text[start : match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    pieces.append((text[start:], False))
    return [(piece, math) for piece, math in pieces if piece]


def _needs_protection(word: str) -> bool:
    """A capital after the first letter of a word or of a hyphenated part (BERT, ImageNet,
    GPT-3, IO-Awareness; not Memory-Efficient): styles must not lower it."""
    for part in re.split(r"[-/]", word):
        letters = [c for c in part if c.isalpha()]
        if any(c.isupper() for c in letters[1:]):
            return True
    return False


def _protect_words(text: str) -> str:
    return "".join(
        "{" + escape(word) + "}" if _needs_protection(word) else escape(word)
        for word in re.split(r"(\s+)", text)
    )


def to_latex(text: str | None, *, protect_capitals: bool = False) -> str:
    """One line of LaTeX for a BibTeX field (without the outer braces)."""
    out = []
    for piece, math in _segments(one_line(text)):
        if math:
            # BibTeX styles change the case of letters outside braces, math included.
            out.append("{" + piece + "}" if protect_capitals else piece)
        elif protect_capitals:
            out.append(_protect_words(piece))
        else:
            out.append(escape(piece))
    return "".join(out)
