"""Bounding clause size: split an over-long paragraph at its items, then at sentences.

A clause is what a citizen is shown and what the index scores, so it must stay readable: no chunk
grows beyond `max_chars`. The split prefers the document's own structure — enumerated items
(①, 一是…二是…, (1), 1、, 第一,…) — then sentence ends, then commas, and only as a last resort a
hard cut. Pieces are packed back together greedily so that chunks are not needlessly tiny.
"""

from __future__ import annotations

import re

DEFAULT_MAX_CHARS = 400

_ITEM_START = re.compile(
    r"(?<=[。;；:：!！?？,，])(?=(?:[①-⑳]|[一二三四五六七八九十]+是|[(（]\d{1,2}[)）]|\d{1,2}[、.．](?!\d)"
    r"|第[一二三四五六七八九十]+[,，、]|[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、(?![一二三四五六七八九十]+、)))"
)
_SENTENCE_END = re.compile(r"(?<=[。;；!！?？])")
_COMMA = re.compile(r"(?<=[,，、])")
_LEVELS = (_ITEM_START, _SENTENCE_END, _COMMA)


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [p for p in pattern.split(text) if p]


def pack(units: list[str], max_chars: int, sep: str = "") -> list[str]:
    """Greedily concatenate consecutive units while the result stays within `max_chars`."""
    out: list[str] = []
    for unit in units:
        if out and len(out[-1]) + len(sep) + len(unit) <= max_chars:
            out[-1] = out[-1] + sep + unit
        else:
            out.append(unit)
    return out


def split_long(text: str, max_chars: int = DEFAULT_MAX_CHARS, level: int = 0) -> list[str]:
    """Split `text` into pieces of at most `max_chars` characters, preferring item boundaries."""
    if len(text) <= max_chars:
        return [text]
    if level >= len(_LEVELS):
        return [text[i:i + max_chars] for i in range(0, len(text), max_chars)]
    pieces = _pieces(text, _LEVELS[level])
    if len(pieces) <= 1:
        return split_long(text, max_chars, level + 1)
    out: list[str] = []
    for piece in pack(pieces, max_chars):
        out.extend(split_long(piece, max_chars, level + 1) if len(piece) > max_chars else [piece])
    return out


def chunk_paragraphs(paragraphs: list[tuple[str, int]], max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[str, int]]:
    """Paragraphs (text, line) of one section -> chunks (text, first line), each <= max_chars.

    Consecutive short paragraphs share a chunk (joined by a newline); long ones are split.
    """
    units: list[tuple[str, int]] = []
    for text, line in paragraphs:
        units.extend((piece, line) for piece in split_long(text, max_chars))
    out: list[tuple[str, int]] = []
    for text, line in units:
        if out and len(out[-1][0]) + 1 + len(text) <= max_chars:
            out[-1] = (out[-1][0] + "\n" + text, out[-1][1])
        else:
            out.append((text, line))
    return out
