"""Find and mask personal numbers in free text: resident ID, mobile/landline phone, bank card.

Lives in the assistant package so its own session store can mask what it persists (the API
imports it too; the data flow stays api → assistant). Matching runs on a normalised view of the
text — NFKC per character (full-width digits, full-width parentheses and hyphens), any Unicode
decimal digit read as its ASCII value — and digit groups may be separated by spaces, hyphens,
dots or parentheses, so "１１０１…", "138 1234 5678", "138-1234-5678" and "(010)1234-5678" are
all found. The placeholder then replaces the matching span of the *original* text, so neither the
typed form nor its normalised ASCII form survives, while the rest of the message is untouched.

What counts, by the digits of a candidate span (separators removed):
- resident ID: 18 characters that python-stdnum accepts (`stdnum.cn.ric`), or that merely have
  the ID's shape (a birth date at positions 7–14) whatever their check digit — a mistyped ID is
  still someone's ID; the 15-digit first-generation form likewise;
- bank card: 16–19 digits passing the Luhn check (`stdnum.luhn`);
- mobile: 1[3-9] + 9 digits, optionally after 86/0086;
- landline: 0 + area code + number, 10–12 digits in all.
Amounts ("12000元", "1,000"), years, hotlines such as 12393 and document numbers have none of
these shapes, so they stay.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from stdnum import luhn
from stdnum.cn import ric

ID_MASK = "[身份证号已隐去]"
PHONE_MASK = "[电话已隐去]"
CARD_MASK = "[银行卡号已隐去]"

# Characters that may sit between two digit groups of one number (after NFKC): spaces, the
# hyphen/dash family, dots and parentheses. At most MAX_GAP of them in a row.
_SEPARATORS = frozenset(" -‐‑‒–—―−.()\t")
_MAX_GAP = 2
_MAX_DIGITS = 19  # the longest shape (a bank card); spans never grow beyond it
_MOBILE = re.compile(r"(?:0086|86)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_PREFIXES = frozenset("+(")  # kept inside the masked span: "+86 138…", "(010)…"


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as the matcher sees it, and for each of its characters the index of the original
    character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = ch if ord(ch) < 0x80 else unicodedata.normalize("NFKC", ch)
        for c in folded:
            if c.isdecimal() and not ("0" <= c <= "9"):
                c = str(unicodedata.decimal(c))
            out.append(c)
            origin.append(i)
    return "".join(out), origin


@dataclass
class _Group:
    digits: str  # ASCII digits, possibly ending in "X"
    start: int  # index in the normalised text
    end: int  # exclusive


def _chains(norm: str) -> list[list[_Group]]:
    """Runs of digit groups joined by short separators; a group is a maximal run of digits (an
    ID's trailing X included)."""
    chains: list[list[_Group]] = []
    current: list[_Group] = []
    i, n = 0, len(norm)
    while i < n:
        if not norm[i].isdigit() or not ("0" <= norm[i] <= "9"):
            i += 1
            continue
        j = i
        while j < n and "0" <= norm[j] <= "9":
            j += 1
        if j < n and norm[j] in "Xx":
            j += 1
        group = _Group(norm[i:j].upper(), i, j)
        gap = norm[current[-1].end : i] if current else None
        if current and len(gap or "") <= _MAX_GAP and all(c in _SEPARATORS for c in gap or ""):
            current.append(group)
        else:
            if current:
                chains.append(current)
            current = [group]
        i = j
    if current:
        chains.append(current)
    return chains


def _birth_date_ok(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= datetime.date.today().year


def id_shaped(digits: str) -> bool:
    """An 18-character (or 15-digit first-generation) resident ID by shape: a region code and a
    real birth date, whatever the check digit."""
    if len(digits) == 18 and digits[:17].isdigit() and digits[0] != "0":
        return _birth_date_ok(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    if len(digits) == 15 and digits.isdigit() and digits[0] != "0":
        return _birth_date_ok(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    return False


def valid_id_number(candidate: str) -> bool:
    """A resident ID number with a correct GB 11643 check digit and a real birth date/place."""
    return ric.is_valid(candidate)


def luhn_valid(digits: str) -> bool:
    return digits.isdigit() and luhn.is_valid(digits)


def classify(digits: str) -> str | None:
    """The placeholder for a candidate's digits, or None when they are not personal data."""
    if id_shaped(digits) or (len(digits) == 18 and valid_id_number(digits)):
        return ID_MASK
    if "X" in digits:
        return None
    if 16 <= len(digits) <= 19 and luhn_valid(digits):
        return CARD_MASK
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return PHONE_MASK
    return None


def _spans(norm: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, placeholder) in the normalised text, leftmost-longest.
    Spans start and end on group boundaries, so a number is never matched in its middle."""
    found: list[tuple[int, int, str]] = []
    for chain in _chains(norm):
        i = 0
        while i < len(chain):
            best: tuple[int, str] | None = None
            digits = ""
            for j in range(i, len(chain)):
                digits += chain[j].digits
                if len(digits) > _MAX_DIGITS:
                    break
                if "X" in digits[:-1]:
                    break
                mask = classify(digits)
                if mask is None and digits.endswith("X"):  # "13812345678x": the x is not part of it
                    mask = classify(digits[:-1])
                if mask is not None:
                    best = (j, mask)
            if best is None:
                i += 1
                continue
            j, mask = best
            start = chain[i].start
            if start > 0 and norm[start - 1] in _PREFIXES:
                start -= 1
            end = chain[j].end
            found.append((start, end, mask))
            i = j + 1
    return found


def mask_pii(text: str) -> str:
    """`text` with every ID, bank-card and phone number replaced by a placeholder."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    norm, origin = _normalised(text)
    spans = _spans(norm)
    if not spans:
        return text
    out: list[str] = []
    cursor = 0
    for start, end, mask in spans:
        first, last = origin[start], origin[end - 1]
        out.append(text[cursor:first])
        out.append(mask)
        cursor = last + 1
    out.append(text[cursor:])
    return "".join(out)


def contains_pii(text: str) -> bool:
    return mask_pii(text) != text


def mask_value(value: Any) -> Any:
    """`mask_pii` applied to every string inside a JSON-like value (dict keys included); an
    integer that is itself a phone, ID or card number becomes the placeholder text."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 10**9:
        masked = mask_pii(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, dict):
        return {mask_value(k) if isinstance(k, str) else k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value
