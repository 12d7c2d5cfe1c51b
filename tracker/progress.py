"""The progress callbacks that long jobs take, each named by what its numbers count.

They differ in signature, so they stay apart; each is defined only here.
"""

from __future__ import annotations

from collections.abc import Callable

# (source key such as arxiv:cat:cs.CL or hub:models, papers or models fetched so far)
SourceProgress = Callable[[str, int], None]

# (bytes read, total bytes, papers stored): the arXiv snapshot import
ImportProgress = Callable[[int, int, int], None]

# (papers embedded so far, papers to embed): semantic recommendations
EmbeddingProgress = Callable[[int, int], None]
