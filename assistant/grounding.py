"""The grounding check: an answer may only state numbers its cited clauses or the calculator trace state.

This is the project's core trust rule, so it is enforced in code on every outgoing answer (extractive,
templated or LLM-rewritten) rather than trusted to the composer. Numbers are compared by value after
normalisation (see `assistant.numbers`), so a faithful reformatting passes and an invented or
mistyped figure fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from assistant.numbers import extract_numbers, value_set

# Numbers the assistant's own fixed texts may carry without a source: the national 医保 hotline and
# the 人社 hotline some regions still route 医保 questions to.
HOTLINES = ("12393", "12333")

# "[1]", "[2][3]" citation markers are references, not claims.
_CITATION_MARKER = re.compile(r"\[\d+\]")


class GroundingResult(BaseModel):
    ok: bool
    unsupported: list[str] = Field(default_factory=list)  # the spans whose value no source states


def strip_citation_markers(text: str) -> str:
    return _CITATION_MARKER.sub("", text)


def check_grounding(answer: str, sources: Iterable[str], allowed: Iterable[str] = HOTLINES) -> GroundingResult:
    """Does every number in `answer` appear (by value) in one of `sources` or in `allowed`?

    `sources` are the cited clauses' texts (with their citation paths and year tags) and the
    calculator trace rendered as text; `allowed` are fixed numbers of the assistant's own templates.
    """
    known = value_set([*sources, *allowed])
    unsupported = []
    for number in extract_numbers(strip_citation_markers(answer)):
        if number.value not in known:
            unsupported.append(number.text)
    return GroundingResult(ok=not unsupported, unsupported=unsupported)
