"""Numbers as policy texts write them, for the rule-set drafter: amounts, percentages and shares of
the average wage, in Arabic or Chinese numerals.

Kept apart from the drafter because reading "一千五百元", "百分之七十" or "平均工资的4倍" is one job
with its own tests, and the drafter only needs (start, end, value) for each number of a shape.
Values are exact `Decimal`s in the rule files' units: yuan, ratios in [0, 1] (70% → 0.7) and
multiples of the average wage (10% → 0.1, 4倍 → 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千万"
_NUM = rf"(\d+(?:\.\d+)?|[{_CN}]+)"

# 800元 · 1.5万元 · 三百元 · 七万元; a written-out computation's first factor ("起付线10000×50%")
_AMOUNT = re.compile(rf"{_NUM}(万)?元|(\d+(?:\.\d+)?)(?=\s*[×*])")
# 70% · 70％ · 5个百分点 · 百分之七十 · 五个百分点
_PERCENT = re.compile(rf"(\d+(?:\.\d+)?)(?:%|％|个百分点)|百分之{_NUM}|([{_CN}]+)个百分点")
# 平均工资的10% · 平均工资300% · 平均工资的4倍 · 平均工资的四倍 (a multiple of the average wage)
_WAGE_SHARE = re.compile(rf"平均工资(?:收入)?的?{_NUM}(%|％|倍)|平均工资(?:收入)?的?百分之{_NUM}")


def chinese_int(text: str) -> int | None:
    """"一千五百" → 1500, "十二" → 12, "一万五千" → 15000, "三" → 3; None when the text is not a
    well-formed number ("三五百"), so a stray character is never read as one."""
    if "万" in text:
        high, _, low = text.partition("万")
        h = chinese_int(high) if high else 1
        lo = chinese_int(low) if low else 0
        return None if h is None or lo is None or "万" in low else h * 10000 + lo
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if all(c in _DIGITS for c in text):  # digit by digit: "二〇二四"
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit, last_unit = 0, None, 10_000
    for c in text:
        if c in _DIGITS:
            if digit and _DIGITS[c]:
                return None  # two digits without a unit between them ("三五百")
            digit = _DIGITS[c]
        else:
            unit = _UNITS[c]
            if unit >= last_unit:
                return None  # units must fall: 千 … 百 … 十
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def _value(text: str) -> Decimal | None:
    if text[0].isdigit():
        return Decimal(text)
    n = chinese_int(text)
    return None if n is None else Decimal(n)


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    value: Decimal  # in the shape's unit: yuan, ratio, multiple of the average wage


def _amounts(text: str) -> Iterator[Number]:
    for m in _AMOUNT.finditer(text):
        if m.group(3) is not None:
            yield Number(m.start(), m.end(), Decimal(m.group(3)))
            continue
        value = _value(m.group(1))
        if value is None:
            continue
        yield Number(m.start(), m.end(), value * 10000 if m.group(2) else value)


def _percents(text: str) -> Iterator[Number]:
    shares = [(n.start, n.end) for n in _wage_shares(text)]
    for m in _PERCENT.finditer(text):
        if any(s <= m.start() < e for s, e in shares):
            continue  # a share of the wage is not a ratio of the cost
        raw = m.group(1) or m.group(2) or m.group(3)
        value = _value(raw)
        if value is not None:
            yield Number(m.start(), m.end(), value / 100)


def _wage_shares(text: str) -> Iterator[Number]:
    for m in _WAGE_SHARE.finditer(text):
        raw = m.group(1) or m.group(3)
        value = _value(raw)
        if value is None:
            continue
        yield Number(m.start(), m.end(), value if m.group(2) == "倍" else value / 100)


SHAPES = {"amount": _amounts, "percent": _percents, "wage_share": _wage_shares}


def numbers(text: str, shape: str) -> list[Number]:
    """Every number of `shape` (amount | percent | wage_share) in `text`, in order."""
    return list(SHAPES[shape](text))


__all__ = ["Number", "SHAPES", "chinese_int", "numbers"]
