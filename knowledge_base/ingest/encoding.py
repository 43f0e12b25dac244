"""Decode the bytes of a Chinese text file: UTF-8 (BOM or not), GB18030/GBK, Big5.

Statistical detectors (charset-normalizer included) are unreliable on short Chinese texts, where
GB18030 and Big5 byte ranges overlap and both codecs often decode the same bytes without error.
So the order is strict: BOM, then UTF-8, then GB18030 and Big5 decoded strictly and compared by
how "ordinary" the resulting Han characters are (the wrong codec yields rare characters), and
charset-normalizer only as a last resort for other encodings.
"""

from __future__ import annotations

import codecs
from functools import lru_cache

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


@lru_cache(maxsize=65536)
def _is_common_han(ch: str) -> bool:
    """True for the ~3,755 level-1 GB2312 characters or the ~5,401 frequent Big5 characters.

    Together they cover everyday Simplified and Traditional Chinese; text decoded with the wrong
    codec lands mostly outside both sets.
    """
    try:
        b = ch.encode("gb2312")
        if len(b) == 2 and 0xB0 <= b[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
        if len(b) == 2 and 0xA440 <= int.from_bytes(b, "big") <= 0xC67E:
            return True
    except UnicodeEncodeError:
        pass
    return False


def han_commonness(text: str) -> float:
    """Share of Han characters that are common ones (1.0 when there are none)."""
    han = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if not han:
        return 1.0
    return sum(_is_common_han(c) for c in han) / len(han)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Return (text, encoding name) or None when no candidate decodes the bytes sensibly."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is not None and (not text or printable_ratio(text) >= MIN_PRINTABLE):
                return text, codec
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    candidates = [(t, c) for c in ("gb18030", "big5") if (t := _strict(data, c)) is not None]
    if candidates:
        # Higher commonness wins; on a tie GB18030 (listed first) is kept, being the superset
        # of GBK that mainland sites use.
        best = max(candidates, key=lambda tc: han_commonness(tc[0]))
        return best[0], best[1]
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None or match.encoding is None:
        return None
    text = str(match)
    # Single-byte codecs decode any bytes; binary junk must be reported, not ingested as text.
    if not text or printable_ratio(text) < MIN_PRINTABLE:
        return None
    return text, match.encoding


MIN_PRINTABLE = 0.95


def printable_ratio(text: str) -> float:
    ok = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return ok / len(text)
