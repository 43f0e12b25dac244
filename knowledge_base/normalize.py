"""Text normalisation shared by documents, queries and the calculators' quote validator.

One function, applied identically everywhere, is what lets a rule file's verbatim quote be
checked against the cleaned corpus and lets a query match the text it was typed about.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone-marked pinyin (and the plain letters that appear between tone marks) inside ASCII or
# full-width parentheses, directly after a Han character: "醫(yī)療" -> "醫療".
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_ANNOTATION = re.compile(
    rf"(?<=[\u3400-\u9fff])[(（]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]"
)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200b\ufeff]+")
# Full-width digits/latin/punctuation go to half width via NFKC; these CJK marks are kept as is.
_KEEP = {"。", "、", "《", "》", "“", "”", "‘", "’", "【", "】", "〔", "〕", "…"}


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, no native build needed

    return opencc.OpenCC("t2s")


def strip_pinyin(text: str) -> str:
    """Remove inline pinyin annotations that scraped Traditional texts carry after characters."""
    return _PINYIN_ANNOTATION.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s)."""
    if not text:
        return text
    return _t2s().convert(text)


def normalize_width(text: str) -> str:
    """NFKC-fold full-width ASCII (digits, letters, punctuation, parentheses) to half width."""
    out = []
    for ch in text:
        if ch in _KEEP or ord(ch) < 0x80:
            out.append(ch)
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    return "".join(out)


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces; drop spaces between two CJK characters (scraper artefacts)."""
    text = _SPACES.sub(" ", text)
    text = re.sub(r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef,.:;()%])\s+(?=[\u3400-\u9fff])", "", text)
    text = re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff\u3000-\u303f,.:;()%\d])", "", text)
    return text.strip()


def normalize_text(text: str) -> str:
    """The canonical form of any text the project compares: pinyin out, simplified, half width,
    spaces collapsed. Idempotent: normalize_text(normalize_text(x)) == normalize_text(x)."""
    text = strip_pinyin(text)
    text = to_simplified(text)
    text = normalize_width(text)
    text = strip_pinyin(text)  # annotations written with full-width parentheses
    return collapse_spaces(text)
