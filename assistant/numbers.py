"""Finding the numbers a Chinese text states, in every form people and policies write them.

The grounding check compares the numbers of an answer with the numbers of its sources. Both sides go
through this one extractor, so "7万元" in a clause and "70000元" in an answer, "百分之八十" and "80%",
or "一万二" and "12,000" compare equal by value rather than by spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# A Chinese numeral standing alone is only a quantity when a unit or classifier follows it
# ("一级", "二档", "三次", "八千块"); otherwise "统一", "一是", "万一" would count as numbers.
_CLASSIFIERS = "级档次元块万千百岁个年月日天人种项倍成%"

_ARABIC = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万|亿|千)?\s*(%|％)?")
_CN_PERCENT = re.compile(r"百分之([" + _CN_CHARS + r"点]+)")
_CN_NUMBER = re.compile(r"[" + _CN_CHARS + r"]+")
_POINT_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*个百分点")


@dataclass(frozen=True)
class Number:
    """A number found in text: its value, whether it was a percentage, and the span that said it."""

    value: Decimal
    percent: bool
    text: str


def _norm(value: Decimal) -> Decimal:
    """Canonical Decimal so 5197.50 == 5197.5 == 5.1975E+3 compare and hash alike."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def parse_chinese_numeral(text: str) -> Decimal | None:
    """Value of a Chinese numeral, including colloquial abbreviations: 一万二 = 12000,
    两万五 = 25000, 三百五 = 350, 十二 = 12, 一千零五 = 1005. None if it is not a numeral."""
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    total = 0
    section = 0  # the part below the current 万/亿
    digit: int | None = None
    last_unit = 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            unit = _BIG_UNITS[ch]
            section += digit or 0
            total += (section or 1) * unit
            section, digit, last_unit = 0, None, unit
    if digit is not None:
        # A trailing digit right after a unit abbreviates the next lower unit: 一万二 -> 12000.
        prev_char = text[-2] if len(text) >= 2 else ""
        if prev_char in _SMALL_UNITS or prev_char in _BIG_UNITS:
            section += digit * (last_unit // 10 if last_unit >= 10 else 1)
        else:
            section += digit
    return Decimal(total + section)


def _chinese_numbers(text: str) -> list[Number]:
    found: list[Number] = []
    taken: list[tuple[int, int]] = []
    for m in _CN_PERCENT.finditer(text):
        value = _parse_cn_decimal(m.group(1))
        if value is not None:
            found.append(Number(_norm(value), True, m.group(0)))
            taken.append(m.span())
    for m in _CN_NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        token = m.group(0)
        follower = text[m.end() : m.end() + 1]
        is_quantity = len(token) >= 2 and any(ch in _SMALL_UNITS or ch in _BIG_UNITS for ch in token)
        if not is_quantity and not (follower and follower in _CLASSIFIERS):
            continue
        if token in _BIG_UNITS or token in _SMALL_UNITS:  # a bare "万" after an Arabic number
            continue
        value = parse_chinese_numeral(token)
        if value is not None:
            found.append(Number(_norm(value), False, token))
    return found


def _parse_cn_decimal(text: str) -> Decimal | None:
    whole, _, frac = text.partition("点")
    value = parse_chinese_numeral(whole)
    if value is None:
        return None
    if frac:
        digits = "".join(str(_DIGITS.get(ch, "")) for ch in frac)
        if digits:
            value += Decimal("0." + digits)
    return value


def extract_numbers(text: str) -> list[Number]:
    """Every number in `text`, values normalised (万/亿/千 multiplied out, thousands separators dropped)."""
    found: list[Number] = []
    for m in _ARABIC.finditer(text):
        raw = m.group(1).replace(",", "") + (m.group(2) or "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        multiplier = m.group(3)
        if multiplier == "万":
            value *= 10_000
        elif multiplier == "亿":
            value *= 100_000_000
        elif multiplier == "千":
            value *= 1000
        found.append(Number(_norm(value), bool(m.group(4)), m.group(0).strip()))
    # "5个百分点" is a percentage written out.
    for m in _POINT_PERCENT.finditer(text):
        found.append(Number(_norm(Decimal(m.group(1))), True, m.group(0)))
    found.extend(_chinese_numbers(text))
    return found


def value_set(texts: list[str] | tuple[str, ...]) -> set[Decimal]:
    """All values the texts state, with percentages also as fractions and fractions also as
    percentages, so "80%" in an answer matches a calculator's ratio "0.80" and vice versa."""
    values: set[Decimal] = set()
    for text in texts:
        for number in extract_numbers(text):
            values.add(number.value)
            if number.percent:
                values.add(_norm(number.value / 100))
            elif 0 < number.value < 1:
                values.add(_norm(number.value * 100))
    return values
