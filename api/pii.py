"""Mask personal data in text before it reaches logs or the database.

The matching itself lives in `assistant.pii` (the assistant's session store masks with it too):
it runs on a normalised view of the text — NFKC, full-width and other Unicode digits, digit groups
split by spaces, hyphens or parentheses — and masks resident ID numbers whatever their check
digit, mobile and landline numbers and Luhn-valid bank cards. Amounts ("12000元"), years and
clause numbers have none of these shapes and stay intact.

This module adds the logging side: a filter that masks every record, including the WeChat
webhook's query string (OpenID, signatures, timestamp, nonce) that access logs would show.
"""

from __future__ import annotations

import logging
import re

from assistant.pii import CARD_MASK, ID_MASK, PHONE_MASK, contains_pii, luhn_valid, mask_pii, mask_value, valid_id_number

__all__ = [
    "CARD_MASK", "ID_MASK", "PHONE_MASK", "PIIMaskingFilter", "contains_pii", "install_log_masking",
    "luhn_valid", "mask_pii", "mask_value", "redact_query", "valid_id_number",
]

# Query parameters never worth logging: who sent it (OpenID) and the webhook's authenticators
# (a logged signature + timestamp + nonce is a replayable request within the timestamp window).
_SECRET_PARAM = re.compile(
    r"(?i)\b(openid|FromUserName|signature|msg_signature|timestamp|nonce|echostr)=[^&\s\"']*"
)


def redact_query(text: str) -> str:
    """`…?signature=…&nonce=…` → `…?signature=***&nonce=***` (any text containing a query)."""
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)


def _mask_log_text(text: str) -> str:
    return redact_query(mask_pii(text))


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
