"""The tokens a clause is indexed under, one home for the full build and the incremental one.

Body = normalised headings + text; heading = normalised heading path. The incremental library
keeps these lists in each generation, so adding a document re-tokenises only that document
(jieba is the slowest step of an index build).
"""

from __future__ import annotations

from knowledge_base.models import Clause
from knowledge_base.normalize import normalize_text
from knowledge_base.search.tokenize import analyze


def body_tokens(clause: Clause, fine: bool) -> list[str]:
    return analyze(normalize_text(clause.index_text), fine=fine, normalized=True)


def heading_tokens(clause: Clause, fine: bool) -> list[str]:
    return analyze(normalize_text(" ".join(clause.heading_path)), fine=fine, normalized=True)
