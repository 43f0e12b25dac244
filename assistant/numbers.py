"""The numbers a text states, by value, for the grounding check.

Parsing numerals is the NLU's job (`assistant.nlu.numbers`: 2万, 两万五, 12,000元, 一万二…); this
module reuses its `find_numbers` and adds only what comparing an answer with its sources needs:
percentages ("80%", "百分之八十", "5个百分点"), and the rule that a bare Chinese numeral is a
quantity only when a unit or classifier follows it ("一级", "二档", "三次"), so words such as
"统一", "一是", "万一" are not read as numbers. Both sides of the check go through this one
extractor, so "7万元" in a clause and "70000元" in an answer compare equal by value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from assistant.nlu.numbers import find_numbers

# What may follow a bare Chinese numeral for it to count as a quantity.
_CLASSIFIERS = "级档次元块万千百岁个年月日天人种项倍成%％"
_PERCENT_AFTER = ("%", "％", "个百分点")
_PERCENT_BEFORE = "百分之"
# "一、二、三级": the classifier after the last numeral of an enumeration classifies every one of them.
_ENUMERATED = re.compile(r"(?:、[零一二两三四五六七八九十]+)+[" + _CLASSIFIERS + "]")


@dataclass(frozen=True)
class Number:
    """A number found in text: its value, whether it was a percentage, and the span that said it."""

    value: Decimal
    percent: bool
    text: str


def _norm(value: Decimal) -> Decimal:
    """Canonical Decimal so 5197.50 == 5197.5 compare and hash alike."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _is_bare_word(raw: str, after: str) -> bool:
    """A Chinese-only numeral with no magnitude and no classifier after it (directly, or at the end
    of the enumeration it starts) is part of a word."""
    if any(ch.isdigit() for ch in raw) or _ENUMERATED.match(after):
        return False
    follower = after[:1]
    has_magnitude = any(ch in "十拾百佰千仟万萬亿点" for ch in raw)
    return not (len(raw) >= 2 and has_magnitude) and not (follower and follower in _CLASSIFIERS)


def extract_numbers(text: str) -> list[Number]:
    """Every number in `text`, values normalised (万/亿/千 multiplied out, separators dropped)."""
    return list(_numbers(text))


# The cited clauses' texts come back turn after turn (every answer is checked against them), so a
# text's numbers are read once, not once per turn: both results are pure functions of the text.
_MEMO_TEXTS = 4096


@lru_cache(maxsize=_MEMO_TEXTS)
def _numbers(text: str) -> tuple[Number, ...]:
    found: list[Number] = []
    for span in find_numbers(text):
        if span.value is None:
            continue  # a range such as 七八千 states no single figure
        raw = span.text[: len(span.text) - len(span.unit)].rstrip() if span.unit else span.text
        tail = text[span.end : span.end + 4].lstrip()
        percent = tail.startswith(_PERCENT_AFTER) or text[max(0, span.start - 3) : span.start] == _PERCENT_BEFORE
        if not (span.unit or percent) and _is_bare_word(raw, text[span.end : span.end + 12]):
            continue
        found.append(Number(_norm(span.value), percent, span.text))
    return tuple(found)


def value_set(texts: list[str] | tuple[str, ...]) -> set[Decimal]:
    """All values the texts state, with percentages also as fractions and fractions also as
    percentages, so "80%" in an answer matches a calculator's ratio "0.80" and vice versa."""
    values: set[Decimal] = set()
    for text in texts:
        values |= _values(text)
    return values


@lru_cache(maxsize=_MEMO_TEXTS)
def _values(text: str) -> frozenset[Decimal]:
    values: set[Decimal] = set()
    for number in _numbers(text):
        values.add(number.value)
        if number.percent:
            values.add(_norm(number.value / 100))
        elif 0 < number.value < 1:
            values.add(_norm(number.value * 100))
    return frozenset(values)
