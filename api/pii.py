"""Mask personal data in text before it reaches logs or the database.

Masks Chinese resident ID numbers (18 characters, GB 11643 check digit), mainland mobile and
landline phone numbers, and bank-card numbers (16–19 digits passing the Luhn check). Only numbers
that validate are masked, so amounts ("12000元"), years and clause numbers stay intact.
"""

from __future__ import annotations

import logging
import re

ID_MASK = "[身份证号已隐去]"
PHONE_MASK = "[电话已隐去]"
CARD_MASK = "[银行卡号已隐去]"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Digit runs are bounded by non-digits so a longer number is never partly matched.
_ID_RE = re.compile(r"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9Xx])")
_CARD_RE = re.compile(r"(?<![0-9])(?:\d[ -]?){15,18}\d(?![0-9])")
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])")
_LANDLINE_RE = re.compile(r"(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])")


def valid_id_number(candidate: str) -> bool:
    """GB 11643-1999 check digit of an 18-character resident ID number."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == candidate[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _mask_ids(text: str) -> str:
    return _ID_RE.sub(lambda m: ID_MASK if valid_id_number(m.group(0)) else m.group(0), text)


def _mask_cards(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", m.group(0))
        return CARD_MASK if 16 <= len(digits) <= 19 and luhn_valid(digits) else m.group(0)

    return _CARD_RE.sub(repl, text)


def mask_pii(text: str) -> str:
    """Return `text` with ID, bank-card and phone numbers replaced by a placeholder."""
    if not text:
        return text
    text = _mask_ids(text)
    text = _mask_cards(text)
    text = _MOBILE_RE.sub(PHONE_MASK, text)
    return _LANDLINE_RE.sub(PHONE_MASK, text)


def contains_pii(text: str) -> bool:
    return mask_pii(text) != text


_OPENID_PARAM = re.compile(r"(?i)\b(openid|FromUserName)=[^&\s\"']+")


def _mask_log_text(text: str) -> str:
    return _OPENID_PARAM.sub(lambda m: f"{m.group(1)}=***", mask_pii(text))


class PIIMaskingFilter(logging.Filter):
    """Logging filter that masks personal data in every record's message and arguments, including
    the WeChat OpenID that access logs would otherwise show in the webhook's query string.

    Arguments are masked one by one rather than pre-rendering the message, because formatters
    such as uvicorn's access formatter read `record.args` themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _mask_log_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_log_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _mask_log_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_masking() -> None:
    """Attach the filter to every handler of the root and uvicorn loggers."""
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "medpolicy"):
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if not any(isinstance(f, PIIMaskingFilter) for f in handler.filters):
                handler.addFilter(PIIMaskingFilter())
