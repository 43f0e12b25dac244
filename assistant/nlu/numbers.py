"""Numbers as people type them: 2万, 两万五, 1.5万元, 12,000元, 一万二, 八千块, 2w, 两千三百五十元.

`parse_number` turns one numeral string (Arabic, Chinese, or mixed like "1万2") into a Decimal;
`find_numbers` locates numeral runs in text with their unit suffix so slots.py can decide which
are money. Decimal only: money never passes through float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8}
APPROX = "多余来"  # 三千多, 两万余, 十来万
POINT = "点"

_CN = "".join(CN_DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A run starts with a digit (or 十/拾 as in 十五, 十万) and continues with digits, units, 点 and
# the approximation marks 多/余 (三千多, 十多万).
_RUN = re.compile(
    rf"(?:{_ARABIC}|[{''.join(CN_DIGITS)}十拾])(?:{_ARABIC}|[{_CN}]|{POINT}(?=[\d{''.join(CN_DIGITS)}])|[多余](?=[{_CN}]|$|[^\d{_CN}])|来(?=[十拾百千万亿块元]))*"
)
# Words around a numeral that make it approximate ("一万出头", "一万八左右"): the lower figure is
# taken and the evidence says so, as for 三千多.
_APPROX_AFTER = re.compile(r"\s*(?:出头|左右|上下|来块|多块)")
# ...and words that make it too vague to take at all: "小两万" (just under 20000), "一千把块"
# (roughly a thousand, either side). They give no value, so the dialogue asks for the amount.
_VAGUE_BEFORE = ("小",)
_VAGUE_AFTER = re.compile(r"把(?:块|元|钱|来)")
_SUFFIX = re.compile(r"\s*(块钱|元钱|块|元|圆|rmb|w|k)(?![a-z])", re.IGNORECASE)
_MULTIPLIER = {"w": Decimal(10000), "k": Decimal(1000)}
# One trailing digit (1w5, 3k5), not a longer number; a comma or point after it ends the amount
# unless a digit follows (1w5,000 is not 1w5), so "1w5,二级" (spaces become commas) still reads 15000.
_MULTIPLIER_TAIL = re.compile(r"\d(?!\d|[.,]\d)")
# Units that make a Chinese digit an ordinal or a grade rather than part of a preceding amount.
_ORDINAL_UNITS = set("级档次甲乙等")
# Counters of time and occasions: a digit after 百/千/万/亿 that one follows starts a new quantity
# ("3.6万一年" is 36,000 a year, "五千一个月" 5,000 a month), not the next lower unit (一万一 = 11,000).
_PERIOD_COUNTERS = set("年个月天周回趟季晚")
_HIGH_UNITS = set("百千万亿")
_ARABIC_THEN_CN_DIGIT = re.compile(rf"[\d,.]+[{''.join(CN_DIGITS)}]")
# A day of the calendar ("3月1号", "十二月二十日"), told as when something happened (`mentions_date`).
_CALENDAR_DATE = re.compile(rf"(?:\d{{1,2}}|[{''.join(CN_DIGITS)}十]{{1,3}})月(?:份)?(?:\d{{1,2}}|[{''.join(CN_DIGITS)}十]{{1,3}})[日号號]")


class NumberParseError(ValueError):
    """The string is not one number (e.g. a range like 七八千, or stray units)."""


def _tokens(s: str) -> list[tuple[str, Decimal | int]]:
    out: list[tuple[str, Decimal | int]] = []
    i = 0
    while i < len(s):
        m = re.match(_ARABIC, s[i:])
        if m:
            out.append(("num", Decimal(m.group(0).replace(",", ""))))
            i += m.end()
            continue
        ch = s[i]
        if ch in CN_DIGITS:
            out.append(("digit", CN_DIGITS[ch]))
        elif ch in SMALL_UNITS:
            out.append(("small", SMALL_UNITS[ch]))
        elif ch in BIG_UNITS:
            out.append(("big", BIG_UNITS[ch]))
        elif ch == POINT:
            out.append(("point", 0))
        elif ch in APPROX:
            pass  # 三千多 -> 3000 (the caller records that it was approximate)
        else:
            raise NumberParseError(f"不是数字: {s!r}")
        i += 1
    return out


def parse_number(s: str) -> Decimal:
    """Parse one numeral string: "两万五" -> 25000, "1万2" -> 12000, "一点五万" -> 15000.

    Chinese abbreviation is honoured: a single trailing digit after a unit takes the next lower
    unit (一万二 = 12000, 两千三 = 2300, 一百五 = 150) unless a 零 intervenes (一万零五 = 10005).
    A bare string of Chinese digits reads digit by digit (二零二三 = 2023).
    """
    s = s.strip()
    if not s:
        raise NumberParseError("空的数字")
    toks = _tokens(s)
    if toks and all(k == "digit" for k, _ in toks) and len(toks) > 1:
        # 二零二三 reads digit by digit; 七八 (a range) has no zero and is rejected below
        if not any(v == 0 for _, v in toks):
            raise NumberParseError(f"范围或不明确的数字: {s!r}")
        return Decimal("".join(str(v) for _, v in toks))

    total = Decimal(0)
    section = Decimal(0)
    pending: Decimal | None = None
    last_unit = 0
    zero = False
    i = 0
    while i < len(toks):
        kind, val = toks[i]
        if kind in ("num", "digit"):
            if pending is not None:
                raise NumberParseError(f"范围或不明确的数字: {s!r}")
            if kind == "digit" and val == 0:
                zero = True
            else:
                pending = Decimal(val)
        elif kind == "point":
            frac = []
            while i + 1 < len(toks) and toks[i + 1][0] == "digit":
                frac.append(str(toks[i + 1][1]))
                i += 1
            if pending is None or not frac:
                raise NumberParseError(f"小数写法不对: {s!r}")
            pending = Decimal(f"{int(pending)}.{''.join(frac)}")
        elif kind == "small":
            if pending is None and last_unit and last_unit <= val:
                raise NumberParseError(f"单位重复: {s!r}")
            section += (pending if pending is not None else Decimal(1)) * val
            pending, last_unit, zero = None, int(val), False
        else:  # big unit
            if pending is None and section == 0:
                raise NumberParseError(f"单位前没有数字: {s!r}")
            section += pending or 0
            if val == 10**8:
                total = (total + section) * val
            else:
                total += section * val
            section, pending, last_unit, zero = Decimal(0), None, int(val), False
        i += 1
    if pending is not None:
        abbreviated = (
            last_unit >= 10 and not zero and pending == pending.to_integral_value() and 0 < pending < 10
        )
        section += pending * (last_unit // 10) if abbreviated else pending
    return clean(total + section)


def clean(value: Decimal) -> Decimal:
    """Drop a meaningless fractional zero (1.5万 -> 15000, not 15000.0) without exponent form."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class NumberSpan:
    """A numeral run found in text, with its unit suffix (if any) and parsed value."""

    text: str  # the numeral as written, including the suffix
    start: int
    end: int  # end of the suffix when present
    value: Decimal | None  # None when the run is a range or otherwise not one number
    unit: str  # "元"/"块"/… ; "w"/"k"; "" when bare
    approx: bool  # 三千多, 两万余
    has_magnitude: bool  # contains 十/百/千/万/亿 or a w/k multiplier


def _parses(raw: str) -> bool:
    try:
        parse_number(raw)
    except (NumberParseError, InvalidOperation):
        return False
    return True


def find_numbers(text: str) -> list[NumberSpan]:
    """All numeral runs in `text`, left to right, each parsed (value None if unparseable)."""
    spans: list[NumberSpan] = []
    for m in _RUN.finditer(text):
        if spans and m.start() < spans[-1].end:
            continue  # the tail digit of "1w2", already read
        raw = m.group(0).rstrip(",.")
        start, end = m.start(), m.start() + len(raw)
        if len(raw) > 1 and raw[-1] in CN_DIGITS and text[end : end + 1] in _ORDINAL_UNITS:
            # "1万三级医院": the 三 belongs to 三级, not to the amount
            raw, end = raw[:-1], end - 1
        elif (len(raw) > 2 and raw[-1] in CN_DIGITS and text[end : end + 1] in _PERIOD_COUNTERS
              and (raw[-2] in _HIGH_UNITS or not _parses(raw) and _parses(raw[:-1]))):
            # "三万六一年": 三万六 (36,000), then 一年
            raw, end = raw[:-1], end - 1
        elif _ARABIC_THEN_CN_DIGIT.fullmatch(raw):
            # "工资8000一个月", "花了3000两次": Arabic digits never go on in a Chinese digit without a
            # unit between them (1万2 has one), so that digit begins the next quantity
            raw, end = raw[:-1], end - 1
        suffix = _SUFFIX.match(text, end)
        suffix_end = suffix.end() if suffix else end
        unit = suffix.group(1).lower() if suffix else ""
        try:
            value: Decimal | None = parse_number(raw)
        except (NumberParseError, InvalidOperation):
            value = None
        if value is not None and unit in _MULTIPLIER:
            value = clean(value * _MULTIPLIER[unit])
            tail = _MULTIPLIER_TAIL.match(text, suffix.end())
            if tail:  # "1w2" = 1万2 = 12000: one trailing digit takes the next lower unit
                value += int(tail.group(0)) * _MULTIPLIER[unit] / 10
                suffix_end = tail.end()
        end_all = suffix_end
        magnitude = any(c in SMALL_UNITS or c in BIG_UNITS for c in raw) or unit in _MULTIPLIER
        if magnitude and (text[:start].endswith(_VAGUE_BEFORE) or _VAGUE_AFTER.match(text, end)):
            value = None
        spans.append(
            NumberSpan(
                text=text[start:suffix_end],
                start=start,
                end=suffix_end,
                value=value,
                unit=unit,
                approx=any(c in APPROX for c in raw) or bool(_APPROX_AFTER.match(text, end_all)),
                has_magnitude=magnitude,
            )
        )
    return spans


def mentions_date(text: str) -> bool:
    """The text names a day of the calendar ("3月1号", "十二月二十日"): a fact of when something
    happened, which no slot holds but which a telling carries ("今年3月1号才补交齐")."""
    return _CALENDAR_DATE.search(text) is not None
