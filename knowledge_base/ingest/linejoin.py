"""Undo the line damage scrapers and PDF extractors do, keeping source line numbers.

Two directions:
- `split_glued_headings`: PDF extraction runs a heading and its paragraph into one line separated
  only by a space (" 一、基本情况 截止XX年底…", "(二)抽查科室病历 (三)重点检查…"). Run on text whose
  spaces are still intact; both parts keep the original line number.
- `rejoin_broken_lines`: a bare enumerator line ("一、" then "二、三级医院…"), a line ending on a
  comma, an open bracket or mid-word (page breaks: "农" / "村居民…") is continued by the next
  line. The joined line keeps the number of its first part.
"""

from __future__ import annotations

import re
from dataclasses import replace
from knowledge_base.ingest.markers import BARE_ENUMERATOR, CN_DIGITS, match_marker
from knowledge_base.models import CleanLine
from knowledge_base.ingest.textshape import ends_sentence, has_unclosed_bracket, is_title_like

# A marker preceded by whitespace inside a line starts a new heading ("… 三、自查结果 …").
_INLINE_MARKER = re.compile(
    rf"\s+(?=(?:[{CN_DIGITS}]+、(?![{CN_DIGITS}]+、)|[(（][{CN_DIGITS}]+[)）]|\d{{1,2}}、|第[{CN_DIGITS}\d]+条))"
)
# Heading title (no sentence punctuation, ends on a Han character) + space + a sentence.
_TITLE_THEN_BODY = re.compile(r"^(\S[^。!?;！？；:：\s]{1,30}[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _split_one(text: str) -> list[str]:
    parts = [p for p in _INLINE_MARKER.split(text.strip()) if p.strip()]
    out: list[str] = []
    for part in parts:
        m = match_marker(part)
        if m is not None:
            tb = _TITLE_THEN_BODY.match(part)
            if tb and len(part) - tb.end() >= 10:
                out.extend([tb.group(1), part[tb.end():]])
                continue
        out.append(part)
    return out


def split_glued_headings(lines: list[CleanLine]) -> list[CleanLine]:
    """Split space-glued headings off their text (see module docstring)."""
    out: list[CleanLine] = []
    for cl in lines:
        pieces = _split_one(cl.text) if re.search(r"\S\s+\S", cl.text.strip()) else [cl.text]
        for i, piece in enumerate(pieces):
            out.append(replace(cl, text=piece, boundary=cl.boundary if i == 0 else ""))
    return out


def _is_bare_enumerator(text: str) -> bool:
    return bool(BARE_ENUMERATOR.match(text))


def _starts_enumeration(text: str) -> bool:
    """"一、二、三级医院…": numbers listed with 、, which is text, not a heading."""
    return bool(re.match(rf"^[{CN_DIGITS}]+、[{CN_DIGITS}]+、", text))


def _is_heading_line(text: str) -> bool:
    return match_marker(text) is not None and len(text) <= 40 and not re.search(r"[。!?;！？；]", text[:-1])


def join_bare_enumerators(lines: list[CleanLine]) -> list[CleanLine]:
    """"一、" + "二、三级医院…" -> "一、二、三级医院…"; "一" + "广东省…现状" -> "一、广东省…现状"."""
    out: list[CleanLine] = []
    i = 0
    while i < len(lines):
        cl = lines[i]
        if _is_bare_enumerator(cl.text) and i + 1 < len(lines):
            nxt = lines[i + 1]
            head = cl.text.strip()
            if re.fullmatch(rf"[{CN_DIGITS}]+", head) and not _starts_enumeration(nxt.text):
                head += "、"  # a PDF split "一" from its heading text; restore the enumerator
            lines = lines[: i + 1] + [replace(cl, text=head + nxt.text.strip())] + lines[i + 2:]
            i += 1
            continue
        out.append(cl)
        i += 1
    return out


def _continues(prev: str, nxt: str) -> bool:
    """Does `nxt` continue the sentence `prev` was cut in?"""
    if match_marker(nxt) is not None or is_title_like(nxt) or _is_bare_enumerator(nxt):
        return False
    if prev.endswith((":", "：")):
        return _starts_enumeration(nxt)  # "一档:" + "一、二、三级医院…"
    if has_unclosed_bracket(prev):
        return True
    if ends_sentence(prev) or _is_heading_line(prev) or is_title_like(prev):
        return False
    if prev.endswith((",", "，", "、")):
        return True
    # Mid-word break: the line stops on a character, the next one goes on with text.
    return len(prev) >= 15 and bool(re.match(r"[\u4e00-\u9fffA-Za-z0-9)）”]", nxt)) and bool(
        re.search(r"[\u4e00-\u9fffA-Za-z0-9]$", prev)
    )


def rejoin_broken_lines(lines: list[CleanLine]) -> list[CleanLine]:
    """Join enumerator lines, then sentences broken across lines (see module docstring)."""
    lines = join_bare_enumerators(lines)
    out: list[CleanLine] = []
    for cl in lines:
        if out and not cl.boundary and _continues(out[-1].text, cl.text):
            out[-1] = replace(out[-1], text=out[-1].text + cl.text)
        else:
            out.append(cl)
    return out
