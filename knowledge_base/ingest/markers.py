"""Numbering markers of Chinese policy texts, shared by cleaning (line rejoining) and segmentation.

A marker is recognised only at the start of a line; what it is worth (a heading or an inline
item) is decided by the segmenter. Families, from the outermost in an official document:
第X章 > 第X节 > 第X条 and 一、 > (一) > 1. / 1、 > 1.1 > (1) > ① > a、
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二三四五六七八九十百两"
_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_to_int(s: str) -> int | None:
    """'三' -> 3, '十二' -> 12, '二十一' -> 21, '一百零五' -> 105, '12' -> 12."""
    if s.isdigit():
        return int(s)
    total, section = 0, 0
    num = 0
    for ch in s:
        if ch in _CN_VALUE:
            num = _CN_VALUE[ch]
        elif ch == "十":
            section += (num or 1) * 10
            num = 0
        elif ch == "百":
            section += (num or 1) * 100
            num = 0
        else:
            return None
    return total + section + num


# Units that follow a bare number in running text ("6 月", "2021 年", "3 人") — not enumerators.
_UNIT = "年月日号时分秒岁个人元角万亿千百%次家名张份天周项条篇页倍户所座辆台"

# (family, regex); the first group is the number.  Order matters: the more specific first.
_FAMILY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ZHANG", re.compile(rf"^第([{CN_DIGITS}\d]+)章")),
    ("JIE", re.compile(rf"^第([{CN_DIGITS}\d]+)节")),
    ("TIAO", re.compile(rf"^第([{CN_DIGITS}\d]+)条")),
    ("CN", re.compile(rf"^([{CN_DIGITS}]+)[、.．](?![{CN_DIGITS}]+[、.．])")),
    ("PCN", re.compile(rf"^[(（]([{CN_DIGITS}]+)[)）]")),
    ("DEC", re.compile(rf"^\d{{1,2}}[.．](\d{{1,2}})(?![\d.．%{_UNIT}])")),
    ("AR", re.compile(rf"^(\d{{1,2}})(?:[、]|[.．](?![\d%])|\s+(?=[\u4e00-\u9fff])(?![{_UNIT}]))")),
    ("PAR", re.compile(r"^[(（](\d{1,2})[)）]")),
    ("CIRCLED", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])")),
    ("LAT", re.compile(r"^([a-hA-H])[、.．](?![a-zA-Z])")),
]

# Canonical nesting rank (smaller = outer).  Unnumbered headings sit between 节 and 条.
RANK = {"ZHANG": 0.0, "JIE": 0.3, "UNNUM": 0.5, "TIAO": 0.7, "CN": 1.0, "PCN": 2.0, "AR": 3.0,
        "DEC": 4.0, "PAR": 5.0, "CIRCLED": 6.0, "LAT": 7.0}


@dataclass(frozen=True)
class Marker:
    family: str
    value: int
    label: str  # the marker text as written, e.g. "(三)" or "第十二条"
    rest: str  # the line after the marker


def _value(family: str, raw: str) -> int | None:
    if family == "CIRCLED":
        return ord(raw) - ord("①") + 1 if raw <= "⑳" else None
    if family == "LAT":
        return ord(raw.lower()) - ord("a") + 1
    return cn_to_int(raw)


def match_marker(line: str) -> Marker | None:
    """The numbering marker a line starts with, if any.

    "一、二、三级医院…" is an enumeration of numbers, not the heading "一、": the CN pattern refuses a
    numeral followed by another numeral-and-comma.
    """
    for family, pattern in _FAMILY_PATTERNS:
        m = pattern.match(line)
        if m:
            value = _value(family, m.group(1))
            if value is None or value == 0:
                return None
            label = m.group(0).strip()
            return Marker(family, value, label, line[m.end():].strip())
    return None


# A line that is nothing but an enumerator ("一、", "二", "(三)"): scrapers split it from its text.
BARE_ENUMERATOR = re.compile(rf"^\s*(?:[{CN_DIGITS}]+[、.．]?|[(（][{CN_DIGITS}\d]+[)）]|\d{{1,2}}[、.．])\s*$")
