"""Money and ratio arithmetic: Decimal only, one rounding rule, strict parsing of user amounts.

Rounding is to 0.01 yuan, ROUND_HALF_UP, and happens only at the documented points of the engine
(each payment and each resolved yuan parameter), so the trace's numbers add up to the cent."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from calculators.errors import CalcError

CENT = Decimal("0.01")
ZERO = Decimal("0")
ZERO_CENTS = Decimal("0.00")  # the same zero with two decimals: formats without rounding
ONE = Decimal("1")
MAX_AMOUNT = Decimal("100000000")  # 1亿元: any single-episode amount above this is a typo, not a bill


def q2(value: Decimal) -> Decimal:
    """Round to the cent, half up (the usual settlement rule)."""
    return value.quantize(CENT, ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Two-decimal string, the wire format of every amount (explicitly half up, whatever the
    caller's decimal context; the engine only formats amounts already at cent precision).

    Most amounts already have exactly two decimals (exponent -2: every payment is `q2`-rounded and
    sums of such amounts keep the exponent), and then `str` alone is the answer: a plain-notation
    string with "." third from the end has exactly two decimals, and scientific notation never
    has (it ends in E±digits). Only the others are quantized — a third of the cost on the hot path."""
    text = str(value)
    if text[-3:-2] == ".":
        return text
    return str(value.quantize(CENT, ROUND_HALF_UP))


def fmt_ratio(value: Decimal) -> str:
    """A ratio as a percentage for formulas: 0.85 -> '85%', 0.625 -> '62.5%'."""
    pct = (value * 100).normalize()
    text = format(pct, "f")
    return f"{text}%"


def fmt_plain(value: Decimal) -> str:
    """A parameter value without trailing zeros: 800 -> '800', 1.05 -> '1.05'."""
    text = format(value.normalize(), "f")
    return text


def parse_amount(field: str, raw: object, *, allow_zero: bool = True) -> Decimal:
    """Parse a user amount strictly; every failure names the field in Chinese."""
    return _parse(field, raw, allow_zero)[0]


def parse_cents(field: str, raw: object) -> Decimal:
    """`parse_amount`, returned with exactly two decimals (same value: more precision is refused),
    so everything computed from it keeps two decimals and `fmt` takes its fast path.

    Whole yuan written as 1–8 ASCII digits (most requests) are finite, non-negative and at most
    99,999,999 < MAX_AMOUNT by construction, so they skip the checks: one Decimal construction
    instead of five Decimal operations."""
    if raw.__class__ is str and len(raw) <= 8 and raw.isdigit() and raw.isascii():
        return Decimal(raw + ".00")
    return _parse(field, raw, True)[1]


_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．－", "0123456789,.-")
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")  # also what a JSON number becomes
_GROUPED = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_NON_FINITE = {"nan", "snan", "inf", "infinity"}
_WAN = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?)万元?")


def written_amount(field: str, text: str, raw: object) -> str:
    """The decimal text of an amount written the way people write it: ASCII or full-width digits,
    thousands commas ("12,000"), "万" ("1.2万"), an optional "元". Anything else — other scripts'
    digits ("٣٠٠٠"), Python's underscores ("1_000") — is refused naming the field, although
    `Decimal` itself would accept it."""
    t = text.strip().translate(_FULL_WIDTH)
    if t.endswith("元") and not t.endswith("万元"):
        t = t[:-1].rstrip()
    if _PLAIN.fullmatch(t) or t.lower().lstrip("+-") in _NON_FINITE:  # the latter refused below as not finite
        return t
    if _GROUPED.fullmatch(t):
        return t.replace(",", "")
    wan = _WAN.fullmatch(t)
    if wan:
        return str(Decimal(wan.group(1)) * 10000)
    raise CalcError(
        field, f"{field} 不是有效的金额：{raw!r}。请用数字填写（可带千分位逗号或“万”），如 \"12000\"、\"12,000\"、\"1.2万\"。"
    )


def _parse(field: str, raw: object, allow_zero: bool) -> tuple[Decimal, Decimal]:
    if raw.__class__ is str:  # the common case, already text: no str() round trip
        text = raw
    elif isinstance(raw, bool):
        raise CalcError(field, f"{field} 应为金额（如 \"1000.00\"），收到的是布尔值。")
    else:
        text = str(raw)
    decimal_text = written_amount(field, text, raw)  # refuses, naming the field, forms nobody writes
    try:
        value = Decimal(decimal_text)
    except (InvalidOperation, ValueError):
        raise CalcError(field, f"{field} 不是有效的金额：{raw!r}。请填写如 \"1000.00\" 的数字。") from None
    if not value.is_finite():
        raise CalcError(field, f"{field} 必须是有限的数字，收到 {raw!r}。")
    if value < 0:
        raise CalcError(field, f"{field} 不能为负数（收到 {raw}）。")
    if value > MAX_AMOUNT:
        raise CalcError(field, f"{field} 金额过大（{raw}），超过 100000000 元，请核对。")
    cents = value.quantize(CENT, ROUND_HALF_UP)
    if value != cents:
        raise CalcError(field, f"{field} 最多保留两位小数（收到 {raw}）。")
    if not allow_zero and value == 0:
        raise CalcError(field, f"{field} 必须大于0。")
    return value, cents


def parse_ratio(field: str, raw: object) -> Decimal:
    """Parse a ratio in [0, 1] (e.g. a local ratio the text delegates to the region)."""
    if isinstance(raw, bool):
        raise CalcError(field, f"{field} 应为0到1之间的比例（如 \"0.85\"）。")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise CalcError(field, f"{field} 不是有效的比例：{raw!r}。请填写0到1之间的数，如 \"0.85\"。") from None
    if not value.is_finite() or value < 0 or value > 1:
        raise CalcError(field, f"{field} 必须在0到1之间（如 \"0.85\" 表示85%），收到 {raw}。")
    return value
