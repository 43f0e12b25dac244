"""Shape predicates on a single line of Chinese text, shared by cleaning and segmentation."""

from __future__ import annotations

import re

SENTENCE_PUNCT = "。!?;！？；"
CLAUSE_PUNCT = ",，、:：" + SENTENCE_PUNCT
TERMINAL = "。!?;！？；…”」』)）"
_ANY_PUNCT = re.compile(r"[,，。!！?？;；:：]")
TITLE_MIN, TITLE_MAX = 4, 40


def is_title_like(text: str) -> bool:
    """A short line with no punctuation: a title or an unnumbered heading, not a sentence."""
    s = text.strip()
    return TITLE_MIN <= len(s) <= TITLE_MAX and not _ANY_PUNCT.search(s) and not s.endswith(("...", "…"))


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(tuple(TERMINAL))


_PAIRS = {"(": ")", "（": "）", "《": "》", "“": "”", "[": "]", "【": "】", "「": "」"}


def has_unclosed_bracket(text: str) -> bool:
    """True when an opening bracket/quote is left open at the end of the line."""
    depth: dict[str, int] = {}
    for ch in text:
        if ch in _PAIRS:
            depth[ch] = depth.get(ch, 0) + 1
        else:
            for o, c in _PAIRS.items():
                if ch == c and depth.get(o, 0) > 0:
                    depth[o] -= 1
    return any(v > 0 for o, v in depth.items() if o in "(（《[【「")
