"""Numbers as people write them. Expected values are written by hand; the round-trip tests use a
separate int -> Chinese numeral writer defined here, not the parser's own tables."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.nlu import parse
from assistant.nlu.numbers import NumberParseError, find_numbers, parse_number

DIG = "零一二三四五六七八九"


def to_chinese(n: int, two: str = "二") -> str:
    """Formal Chinese numeral for 0 <= n < 10**12 (零 for internal zeros, 一十 only inside)."""
    if n == 0:
        return "零"

    def section(v: int) -> str:
        out, zero = "", False
        for unit, p in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = v // p % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            digit = two if d == 2 and unit in ("千", "百") else DIG[d]
            out += digit + unit
        return out

    parts, out, pending_zero = [(n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")], "", False
    for value, unit in parts:
        if value == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or value < 1000):
            out += "零"
        out += section(value) + unit
        pending_zero = False
    return out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2万", "20000"), ("两万五", "25000"), ("1.5万", "15000"), ("12,000", "12000"), ("一万二", "12000"),
        ("八千", "8000"), ("3千", "3000"), ("五百", "500"), ("1.2万", "12000"), ("20000", "20000"),
        ("两千三百五十", "2350"), ("一万三千四百五", "13450"), ("十万", "100000"), ("一万零五百", "10500"),
        ("一万零五", "10005"), ("1万2", "12000"), ("2万5千", "25000"), ("壹万", "10000"), ("三万二", "32000"),
        ("23456.78", "23456.78"), ("一点五万", "15000"), ("二零二三", "2023"), ("十五", "15"), ("二十", "20"),
        ("一百五", "150"), ("两千三", "2300"), ("三千多", "3000"), ("十多万", "100000"), ("一亿二千万", "120000000"),
        ("九千五百", "9500"), ("四万5", "45000"), ("1万2000", "12000"),
    ],
)
def test_parse_number_forms(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["七八千", "五六", "万", "一点", "百千"])
def test_ranges_and_malformed_are_rejected(text):
    with pytest.raises(NumberParseError):
        parse_number(text)


@pytest.mark.parametrize(
    "text, value, unit",
    [("8000块", "8000", "块"), ("2w", "20000", "w"), ("8k", "8000", "k"), ("1.2万块钱", "12000", "块钱"),
     ("12,000元", "12000", "元"), ("两千三百五十元", "2350", "元")],
)
def test_find_numbers_units(text, value, unit):
    (span,) = find_numbers(text)
    assert span.value == Decimal(value) and span.unit == unit and span.end == len(text)


def test_find_numbers_does_not_eat_a_following_grade():
    spans = find_numbers("住院1万三级医院")
    assert spans[0].value == Decimal(10000)


@pytest.mark.parametrize(
    "text, value",
    [("社平工资3.6万一年", "36000"), ("月工资五千一个月", "5000"), ("花了两万一回", "20000"),
     ("平均工资三万六一年", "36000"), ("一万二一个月", "12000"),
     # no counter after it, or a ten before it: the digit stays in the number
     ("花了一万一", "11000"), ("两万一千", "21000"), ("三十一天", "31"), ("二〇一三年", "2013")],
)
def test_a_digit_before_a_period_counter_starts_the_next_quantity(text, value):
    assert find_numbers(text)[0].value == Decimal(value)


@given(st.integers(min_value=0, max_value=10**11))
def test_roundtrip_formal_chinese(n):
    assert parse_number(to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=99999))
def test_roundtrip_liang(n):
    assert parse_number(to_chinese(n, two="两")) == n


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9),
       st.sampled_from([("万", 10**4), ("千", 1000), ("百", 100)]))
def test_roundtrip_colloquial_abbreviation(a, b, unit):
    """一万二 = 12000: the trailing digit takes the next lower unit."""
    word, p = unit
    assert parse_number(f"{DIG[a]}{word}{DIG[b]}") == a * p + b * p // 10


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_roundtrip_arabic_with_grouping_and_cents(n, cents):
    value = Decimal(f"{n}.{cents:02d}")
    assert parse_number(f"{n:,}.{cents:02d}") == value


@given(st.integers(min_value=1, max_value=9999))
def test_roundtrip_decimal_wan(k):
    """k thousand written as 0.k万 / 1.2万 style."""
    text = f"{Decimal(k) / 10}万"
    assert parse_number(text) == k * 1000


@settings(max_examples=60)
@given(st.integers(min_value=100, max_value=999999), st.sampled_from(["元", "块", "块钱", ""]),
       st.sampled_from(["formal", "arabic", "grouped"]))
def test_amount_in_a_sentence(n, unit, form):
    written = {"formal": to_chinese(n), "arabic": str(n), "grouped": f"{n:,}"}[form]
    u = parse(f"住院花了{written}{unit}能报多少")
    assert u.slots.amount == n
    assert u.intent == "estimate"


# --- approximate and vague amounts (probe round before heldout_4) ------------------------------


@pytest.mark.parametrize("text, value", [("十来万", "100000"), ("二十来块", "20"), ("一万出头", "10000"),
                                         ("一万八左右", "18000")])
def test_approximate_amounts_take_the_lower_figure_and_say_so(text, value):
    (span,) = find_numbers(text)
    assert span.value == Decimal(value)
    assert span.approx


@pytest.mark.parametrize("text", ["小两万", "一千把块"])
def test_vague_amounts_give_no_value(text):
    spans = [s for s in find_numbers(text) if s.has_magnitude]
    assert spans and all(s.value is None for s in spans)


@pytest.mark.parametrize("text", ["住院花了万把块能报多少", "住院花了好几万", "住院花了小两万"])
def test_a_vague_amount_is_asked_for_not_guessed(text):
    # No figure is guessed from a vague sum. Whether the message is a policy question or an estimate
    # (which then asks for the figure) is the learned intent's call: release 4's model put 好几万 at
    # 0.54 estimate, release 23's (more dialogue data) all three — either way it is asked, not told.
    u = parse(text)
    assert u.slots.amount is None
    assert "amount_unparsed" in u.evidence
    assert u.intent in ("policy_question", "estimate")


def test_ordinary_words_with_lai_are_not_amounts():
    assert [s.value for s in find_numbers("三个月来")] == [Decimal(3)]


@pytest.mark.parametrize("text, value", [("1w2", "12000"), ("3k5", "3500"), ("1.5w", "15000")])
def test_multiplier_suffix_with_a_trailing_digit(text, value):
    assert [s.value for s in find_numbers(text)] == [Decimal(value)]
