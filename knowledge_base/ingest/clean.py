"""Cleaning: raw text -> clean lines, each keeping the 1-based line number it came from.

Every step is a small pure function over `list[CleanLine]`; `clean_document` chains them:

  split lines -> script normalisation (pinyin out, 繁->简, width; spaces kept) -> boilerplate removal
  -> split headings glued to their text -> space collapsing (= `normalize_text`, the project's one
  normaliser) -> citation marks out -> rejoin lines broken mid-sentence -> drop title repeats and
  trailing teasers.

Sources cite file + line, so a line produced by joining keeps the number of its first part and a
line produced by splitting keeps the number of the line it was split from. `boundary` marks the
first line after a removed excerpt terminator ("查看全文") or paper header ("关键词:…"): listing
pages concatenate several articles and those are the only traces of where one ends.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge_base.ingest import boilerplate as bp
from knowledge_base.ingest.linejoin import rejoin_broken_lines, split_glued_headings
from knowledge_base.models import CleanLine
from knowledge_base.normalize import normalize_text, normalize_width, strip_pinyin, to_simplified
from knowledge_base.ingest.textshape import is_title_like


def split_lines(raw_text: str) -> list[CleanLine]:
    """One CleanLine per non-blank raw line, numbered from 1."""
    return [
        CleanLine(text, i)
        for i, text in enumerate(raw_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1)
        if text.strip()
    ]


def normalize_script(lines: list[CleanLine]) -> list[CleanLine]:
    """Pinyin annotations out, Traditional -> Simplified, full -> half width; spaces are kept
    because the following steps read them as layout (breadcrumbs, glued headings)."""
    out = []
    for cl in lines:
        text = strip_pinyin(normalize_width(to_simplified(strip_pinyin(cl.text))))
        out.append(replace(cl, text=text))
    return out


def remove_boilerplate(lines: list[CleanLine]) -> list[CleanLine]:
    """Drop chrome lines, strip inline chrome; remember article boundaries they revealed."""
    out: list[CleanLine] = []
    pending_boundary = ""
    for cl in lines:
        text = cl.text
        if bp.is_paper_meta(text):
            pending_boundary = "paper"
            continue
        if bp.is_excerpt_end(text):
            pending_boundary = pending_boundary or "excerpt"
            continue
        if bp.is_chrome_line(text) or bp.is_page_marker(text):
            continue
        text = bp.strip_credit(bp.strip_inline_chrome(text))
        if not text.strip():
            continue
        out.append(CleanLine(text, cl.line, cl.boundary or pending_boundary))
        pending_boundary = ""
    return out


# PDF text spaces numbers and placeholders off their words ("于2022 年3 月1 日", "副主任 XX 同志",
# "“ 五同管机制 ”"); normalize_text keeps digit-space-Han, which would stop "2022年" from matching.
_NUMBER_SPACE = re.compile(r"(?<=[\dXx%])\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=[\dXx])")
_LEADING_ENUMERATOR = re.compile(r"^\d{1,2}\s+")
_QUOTE_SPACE = re.compile(r"(?<=[“‘(（《\[【])\s+|\s+(?=[”’)）》\]】])")


def collapse_spaces(lines: list[CleanLine]) -> list[CleanLine]:
    """Bring each line to the canonical form (`normalize_text`, idempotent), close the spaces
    PDF extraction leaves around numbers and inside quotes, and drop empty lines."""
    out = []
    for cl in lines:
        text = normalize_text(cl.text)
        lead = _LEADING_ENUMERATOR.match(text)  # "1 为全院提供…": the space is the enumerator
        cut = lead.end() if lead else 0
        text = text[:cut] + _QUOTE_SPACE.sub("", _NUMBER_SPACE.sub("", text[cut:]))
        if text:
            out.append(replace(cl, text=text))
    return out


def page_title(lines: list[CleanLine]) -> str | None:
    """The page title: the first title-like line before the body starts."""
    for cl in lines[:6]:
        if is_title_like(cl.text):
            return cl.text
        if len(cl.text) > 40:
            return None
    return None


def drop_title_repeats(lines: list[CleanLine]) -> list[CleanLine]:
    """Pages repeat their title (above the body, in footers): keep the first occurrence only."""
    title = page_title(lines)
    if title is None:
        return lines
    seen = False
    out = []
    for cl in lines:
        if cl.text == title:
            if seen:
                continue
            seen = True
        out.append(cl)
    return out


_TEASER = re.compile(r"(?:\.{3,}|…+)\s*$")


def drop_trailing_teasers(lines: list[CleanLine]) -> list[CleanLine]:
    """Footers end with teasers of the page ("第1篇一、主要工作成效…(一)提升…2018年...")."""
    end = len(lines)
    while end > 0 and _TEASER.search(lines[end - 1].text):
        end -= 1
    return lines[:end]


# Pinyin left behind where the scraper garbled the character it annotated ("┽t(yī)疗", "当?shù)").
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_RESIDUE = re.compile(rf"(?:[(（]|\?)[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*[)）]")


def drop_pinyin_residue(lines: list[CleanLine]) -> list[CleanLine]:
    """Tone-marked pinyin in brackets is never policy content, whatever precedes it."""
    return [replace(cl, text=_PINYIN_RESIDUE.sub("", cl.text)) for cl in lines]


_EMPTY_BRACKETS = re.compile(r"[\[【(（]\s*[\]】)）]")


def drop_empty_brackets(lines: list[CleanLine]) -> list[CleanLine]:
    """Brackets emptied by placeholder/pinyin removal carry nothing."""
    out = []
    for cl in lines:
        text = _EMPTY_BRACKETS.sub("", cl.text).strip()
        if text:
            out.append(replace(cl, text=text))
    return out


# "…占全省的79.81%。[2] 同年,…", "…重点内容[3]。": a paper's citation marks.  In an answer they
# would read as figures ("2", "3") that no rule states.  A line opening with one ("[1]许海茹:…")
# is an entry of the reference list and keeps it.
_REFERENCE_MARK = re.compile(r"(?<=\S)\s*\[\d{1,3}(?:\s*[-–,，]\s*\d{1,3})*\]\s*")


def drop_reference_marks(lines: list[CleanLine]) -> list[CleanLine]:
    """Citation marks inside running text carry no content (see _REFERENCE_MARK)."""
    return [replace(cl, text=_REFERENCE_MARK.sub("", cl.text)) for cl in lines]


def clean_document(raw_text: str) -> list[CleanLine]:
    """The full cleaning chain (see the module docstring)."""
    lines = split_lines(raw_text)
    lines = normalize_script(lines)
    lines = remove_boilerplate(lines)
    lines = split_glued_headings(lines)
    lines = collapse_spaces(drop_pinyin_residue(lines))
    lines = drop_reference_marks(drop_empty_brackets(lines))
    lines = rejoin_broken_lines(lines)
    lines = drop_title_repeats(lines)
    return drop_trailing_teasers(lines)


def cleaned_text(lines: list[CleanLine]) -> str:
    """The cleaned document as one string, lines joined with newlines."""
    return "\n".join(cl.text for cl in lines)
