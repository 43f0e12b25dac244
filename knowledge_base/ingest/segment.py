"""Segmentation: clean lines -> document -> article -> section -> clause drafts.

Articles: explicit markers ("第2篇", "篇三:", "…范文第3篇"), or implicit boundaries left by cleaning
("查看全文" on listing pages, "关键词:" heading a reprinted paper).  An article's own title is the
title-like line that opens it.

Sections: a line-initial numbering marker (markers.py) is a heading only when it fits the
numbering seen so far in its article — a family already open must continue its sequence
(gaps of one tolerated, restarts at 1 allowed), a new family must start low — so a number inside
a sentence, a cross-reference ("根据第三条…") or "一、二、三级医院…" never opens a section.  Nesting
follows the canonical order of Chinese official documents (一、 > (一) > 1. > (1) > ①), and a
family once used at the top level of an article stays there.  第X条 is the atomic unit of a
regulation: items inside it stay in its text.

A heading line may carry its text: "(三)住院补偿标准。一档:…" is the heading "(三)住院补偿标准" and a
body.  A heading line that is one long sentence with no title of its own gets a short label for the
citation path (`short_title`), and the whole sentence stays its body.  Section text becomes clauses of at most `max_chars` characters (chunking.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from knowledge_base.ingest.chunking import DEFAULT_MAX_CHARS, chunk_paragraphs
from knowledge_base.ingest.markers import CN_DIGITS, RANK, Marker, cn_to_int, match_marker
from knowledge_base.models import CleanLine
from knowledge_base.ingest.textshape import is_title_like

HEADING_TITLE_MAX = 30  # a heading title cut from its text at "。"/":"
HEADING_LINE_MAX = 60  # a whole line without sentence punctuation that is a heading
SHORT_TITLE_MIN, SHORT_TITLE_MAX = 6, 20  # label cut from a heading line that is a whole sentence
MIN_CLAUSE_CHARS = 5
CITATION_SEP = " › "

_ARTICLE_PATTERNS = [
    re.compile(rf"^第\s*([\d{CN_DIGITS}]+)\s*篇(?:\s*[:：]\s*(.{{0,40}}))?$"),
    re.compile(rf"^篇\s*([\d{CN_DIGITS}]+)\s*(?:[:：]\s*(.{{0,40}}))?$"),
    re.compile(rf"^(?:.{{1,40}}?)第\s*([\d{CN_DIGITS}]+)\s*篇$"),
]
_CAPTION = re.compile(r"^(?:图|表|附图|附表)\s*\d+")
# Genre section names: headings that never take numbered children.
GENERIC_SECTIONS = frozenset("前言 引言 摘要 结语 结束语 参考文献 附件 附录 注释 后记 致谢".split())


@dataclass
class ClauseDraft:
    """A clause before deduplication and metadata: text, where it sits, where it came from."""

    doc_id: str
    doc_title: str
    heading_path: list[str]
    text: str
    line: int
    article: int  # index of the article in the document (0 = before the first marker)

    @property
    def citation(self) -> str:
        return CITATION_SEP.join([self.doc_title, *self.heading_path])


@dataclass
class Article:
    index: int
    label: str | None  # "第2篇"
    title: str | None
    line: int

    @property
    def path(self) -> list[str]:
        return [p for p in (self.label, self.title) if p]


@dataclass
class SegmentedDocument:
    doc_id: str
    title: str
    articles: list[Article]
    clauses: list[ClauseDraft]


@dataclass
class _Frame:
    family: str
    value: int
    heading: str


@dataclass
class _Block:
    path: list[str]
    line: int
    heading_line: str | None = None
    paragraphs: list[tuple[str, int]] = field(default_factory=list)
    family: str | None = None  # numbering family of the heading that opened the block
    inline: bool = False  # the heading line carried its own body ("(五)待遇期限。一般…")


def match_article(text: str) -> int | None:
    """The article number when the line is an article marker ("第2篇", "篇三:…", "…范文第3篇")."""
    if len(text) > 50 or re.search(r"[,，。;；!！?？]", text):
        return None
    for pattern in _ARTICLE_PATTERNS:
        m = pattern.match(text)
        if m:
            return cn_to_int(m.group(1))
    return None


def split_heading(marker: Marker, text: str) -> tuple[str, str]:
    """(heading, body) of a heading line; the heading keeps its marker."""
    rest = marker.rest.lstrip(":：,， ")
    if marker.family in ("ZHANG", "JIE"):
        return (text, "") if len(text) <= 40 else (marker.label, rest)
    if marker.family == "TIAO":
        return marker.label, rest
    if (len(rest) <= HEADING_LINE_MAX and not re.search(r"[。;；:：!！?？]", rest)
            and rest.count(",") + rest.count("，") <= 2):
        return text, ""
    m = re.search(r"[。:：!！?？]", rest)
    if m and m.start() <= HEADING_TITLE_MAX:
        title = rest[: m.start()]
        # a sentence stating an amount ("成年居民每人每年缴费180元。") is content, not a title
        stated = m.group(0) in "。!！" and re.search(r"\d", title)
        if title and not stated and title.count(",") + title.count("，") <= 1 and not re.search(r"[;；]", title):
            return marker.label + title, rest[m.end():].strip()
    return marker.label + short_title(rest), rest


_TITLE_STOP = re.compile(r"[,，。;；:：!！?？、(（]")


def short_title(sentence: str, cap: int = SHORT_TITLE_MAX) -> str:
    """A citation label for a section whose line is a whole sentence ("(一)进一步搞好城镇职工和城镇
    居民基本医疗保险扩覆…"): its first clause, up to the first punctuation, at most `cap`
    characters, marked "…" because the label is not the whole text.  A first clause too short to
    say anything ("加强领导,") takes the next one along.  The sentence itself stays in the text."""
    if not sentence:
        return ""
    end = 0
    while end < len(sentence):
        m = _TITLE_STOP.search(sentence, end + 1)
        end = m.start() if m else len(sentence)
        if end >= SHORT_TITLE_MIN:
            break
    title = sentence[:min(end, cap)].rstrip(",，、:：")
    return title if not sentence[len(title):].strip(",，、:：。;；!！?？") else title + "…"


_INLINE_HEADING = re.compile(
    rf"(?<=[。;；:：!！?？])(?=(?:[{CN_DIGITS}]+、(?![{CN_DIGITS}]+、)|[(（][{CN_DIGITS}]+[)）]|\d{{1,2}}[、.．](?!\d)"
    rf"|[(（]\d{{1,2}}[)）]|第[{CN_DIGITS}\d]+条))"
)


def explode_long_lines(lines: list[CleanLine], max_chars: int) -> list[CleanLine]:
    """A whole document squeezed onto one line ("…如下意见:一、…(一)指导思想:…(二)…") is split
    before its inline markers, so that the heading logic can see them. Short lines are left alone."""
    out: list[CleanLine] = []
    for cl in lines:
        if len(cl.text) <= max_chars:
            out.append(cl)
            continue
        parts = [p for p in _INLINE_HEADING.split(cl.text) if p]
        out.extend(CleanLine(p, cl.line, cl.boundary if i == 0 else "") for i, p in enumerate(parts))
    return out


# "一、试点的指导思想、总体目标和基本原则(一)指导思想:…": a title run straight into its first
# sub-heading, with no punctuation between them.
_GLUED_FIRST_CHILD = re.compile(rf"^([{CN_DIGITS}]+、[^。;；:：!！?？,，(（]{{2,40}})(?=[(（]一[)）])")


def split_glued_subheadings(lines: list[CleanLine]) -> list[CleanLine]:
    """Split a section title from a "(一)" glued to its end; both keep the source line."""
    out: list[CleanLine] = []
    for cl in lines:
        m = _GLUED_FIRST_CHILD.match(cl.text)
        if m is None:
            out.append(cl)
            continue
        out.append(CleanLine(m.group(1), cl.line, cl.boundary))
        out.append(CleanLine(cl.text[m.end():], cl.line, ""))
    return out


class _ArticleSegmenter:
    """Heading stack of one article; turns its lines into blocks of (path, paragraphs)."""

    def __init__(self, article: Article):
        self.article = article
        self.stack: list[_Frame] = []
        self.top_families: set[str] = set()
        self.last_value: dict[str, int] = {}
        self.blocks: list[_Block] = [_Block(list(article.path), article.line)]
        self.body_started = False

    # -- headings -------------------------------------------------------------------------
    def accepts(self, m: Marker) -> bool:
        if self.stack and self.stack[-1].family == "TIAO" and RANK[m.family] > RANK["TIAO"]:
            return False  # items of a 条 belong to its text
        for frame in self.stack:
            if frame.family == m.family:
                return frame.value < m.value <= frame.value + 2 or m.value == 1
        if m.family in self.top_families:
            last = self.last_value.get(m.family, 0)
            return m.value <= 1 or last < m.value <= last + 2
        if not self.stack and not self.top_families:
            return m.value <= 20  # an excerpt may open at any section ("四、医保待遇")
        return m.value <= 3

    def opens_new_part(self, m: Marker) -> bool:
        """In an unlabelled article, the top-level numbering restarting ("一、" after "三、") or an
        outer family taking over the top ("一、" after "1"/"2"…) means a new text begins —
        compilations glue several essays together without any other marker."""
        if self.article.label is not None or not self.stack or not self.body_started:
            return False
        top = self.stack[0]
        if top.family == "UNNUM":
            return False
        if m.family == top.family:
            return m.value == 1 and top.value >= 2
        return all(f.family != m.family for f in self.stack) and RANK[m.family] < RANK[top.family]

    def push(self, family: str, value: int, heading: str, line: int, heading_line: str,
             inline: bool = False) -> None:
        idx = next((i for i, f in enumerate(self.stack) if f.family == family), None)
        if idx is not None:
            del self.stack[idx:]
        elif family in self.top_families and self.stack and self.stack[0].family == "UNNUM":
            self.stack.clear()  # "八、" after the unnumbered "2007年工作思路" is its sibling
        else:
            while self.stack and RANK[self.stack[-1].family] >= RANK[family]:
                self.stack.pop()
        if not self.stack:
            self.top_families.add(family)
        self.stack.append(_Frame(family, value, heading))
        self.last_value[family] = value
        path = [*self.article.path, *(f.heading for f in self.stack)]
        self.blocks.append(_Block(path, line, heading_line, family=family, inline=inline))

    def add_heading(self, m: Marker, cl: CleanLine) -> None:
        heading, body = split_heading(m, cl.text)
        self.push(m.family, m.value, heading, cl.line, cl.text if not body else heading, inline=bool(body))
        if body:
            self.add_body(body, cl.line)

    def add_unnumbered(self, cl: CleanLine) -> None:
        if cl.text in GENERIC_SECTIONS:
            self.top_families.discard("UNNUM")
        self.push("UNNUM", 0, cl.text, cl.line, cl.text)

    def add_body(self, text: str, line: int) -> None:
        self.blocks[-1].paragraphs.append((text, line))
        if len(text) >= 4:
            self.body_started = True


def _next_text(lines: list[CleanLine], i: int) -> CleanLine | None:
    return lines[i + 1] if i + 1 < len(lines) else None


def _is_tail(lines: list[CleanLine], i: int) -> bool:
    """A title-like line with nothing after it in its article (a signature such as "某某劳动保障站")."""
    nxt = _next_text(lines, i)
    return nxt is None or bool(nxt.boundary) or match_article(nxt.text) is not None


# A paragraph opening like this leans on what came before: it continues the item above it.
_CONTINUES = re.compile(
    r"^(?:其中|但|如|例如|比如|即|并|且|或|同时|此外|以上|上述|前款|该|此|这|其|注|备注|说明|对此|为此|因此|所以"
    r"|从而|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[,，、])"
)


def _is_uniform_item(block: _Block) -> bool:
    """A list item that is one line: its heading carried its body, and nothing followed."""
    return block.inline and len(block.paragraphs) == 1


def detach_trailing_paragraphs(blocks: list[_Block]) -> list[_Block]:
    """Give a paragraph that follows the last item of a one-line-per-item list its own clause
    under the enclosing section.

    "(四)最高支付限额。…" / "(五)待遇期限。…" / "对在县境外异地定点医院住院的…,起付标准上浮300元…":
    the scraped page has no marker between the last item and the next rule, so the heading stack
    glues the rule to "(五)待遇期限" and a citation names the wrong item.  When every earlier item
    of the list is a single line (heading with its body inline), a further paragraph of the last
    item breaks the list's shape; unless it opens with a word that leans on the item ("其中",
    "但", "一是"…) or the item ends by announcing it (":"), it is a new topic of the enclosing
    section.  It gets a short label from its first sentence (`short_title`) like other
    sentence headings, and its text stays whole."""
    out: list[_Block] = []
    for i, block in enumerate(blocks):
        out.append(block)
        if block.family in (None, "UNNUM", "TIAO") or not block.inline or len(block.paragraphs) < 2:
            continue
        parent, depth = block.path[:-1], len(block.path)
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is not None and len(nxt.path) >= depth and nxt.path[:depth - 1] == parent:
            continue  # a child or a further sibling follows: not the last item of its list
        siblings = 0
        for prev in reversed(blocks[:i]):
            if prev.path[:depth - 1] != parent or len(prev.path) < depth:
                break  # reached the enclosing section (or left it)
            if len(prev.path) > depth or prev.family != block.family or not _is_uniform_item(prev):
                siblings = 0  # items with sub-items or several paragraphs: shape unknown
                break
            siblings += 1
        first_text = block.paragraphs[0][0].rstrip()
        trailing = block.paragraphs[1:]
        if siblings == 0 or first_text.endswith((":", "：")) or _CONTINUES.match(trailing[0][0]):
            continue
        block.paragraphs = block.paragraphs[:1]
        out.append(_Block([*parent, short_title(trailing[0][0])], trailing[0][1], None, trailing, "UNNUM"))
    return out


def _blocks_to_drafts(doc_id: str, title: str, article: Article, blocks: list[_Block], max_chars: int) -> list[ClauseDraft]:
    drafts: list[ClauseDraft] = []
    for i, block in enumerate(blocks):
        paragraphs = block.paragraphs
        if not paragraphs:
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            has_children = nxt is not None and nxt.path[: len(block.path)] == block.path and len(nxt.path) > len(block.path)
            if block.heading_line is None or has_children or not is_substantive(block.heading_line):
                continue
            paragraphs = [(block.heading_line, block.line)]  # a heading that is its own content
        for text, line in chunk_paragraphs(paragraphs, max_chars):
            if len(text) >= MIN_CLAUSE_CHARS or re.search(r"\d", text):
                drafts.append(ClauseDraft(doc_id, title, list(block.path), text, line, article.index))
    return drafts


def is_substantive(heading_line: str) -> bool:
    """A leaf heading worth a clause of its own: more than a bare label or a genre name."""
    m = match_marker(heading_line)
    if m is not None and m.family in ("ZHANG", "JIE"):
        return False  # "第二章范围和对象" with nothing under it is a truncated page, not a rule
    rest = m.rest if m else heading_line
    return len(rest) >= 4 and heading_line not in GENERIC_SECTIONS


def segment_document(
    doc_id: str, lines: list[CleanLine], title: str, max_chars: int = DEFAULT_MAX_CHARS
) -> SegmentedDocument:
    """Segment one cleaned document whose title is already known (it is skipped in the text)."""
    lines = split_glued_subheadings(explode_long_lines([cl for cl in lines if cl.text != title], max_chars))
    articles: list[Article] = [Article(0, None, None, lines[0].line if lines else 1)]
    seg = _ArticleSegmenter(articles[0])
    finished: list[tuple[Article, list[_Block]]] = []

    def start_article(label: str | None, line: int) -> None:
        nonlocal seg
        finished.append((seg.article, seg.blocks))
        art = Article(len(articles), label, None, line)
        articles.append(art)
        seg = _ArticleSegmenter(art)

    for i, cl in enumerate(lines):
        number = match_article(cl.text)
        if number is not None:
            start_article(f"第{number}篇", cl.line)
            continue
        if cl.boundary and (seg.body_started or seg.stack) and (
            cl.boundary == "paper" or is_title_like(cl.text)
        ):
            # a reprinted paper starts, or an excerpt ended and the next one opens with its
            # title; "查看更多" paging inside one article continues it
            start_article(None, cl.line)
        marker = match_marker(cl.text)
        if marker is not None and seg.accepts(marker):
            if seg.opens_new_part(marker):
                start_article(None, cl.line)
            seg.add_heading(marker, cl)
        elif is_title_like(cl.text) and not _CAPTION.match(cl.text):
            if _is_tail(lines, i):
                continue
            if not seg.body_started and not seg.stack and cl.text not in GENERIC_SECTIONS:
                seg.article.title = cl.text  # the last title line before the body wins
                seg.blocks[0].path = list(seg.article.path)
            else:
                seg.add_unnumbered(cl)
        else:
            seg.add_body(cl.text, cl.line)
    finished.append((seg.article, seg.blocks))

    drafts: list[ClauseDraft] = []
    for article, blocks in finished:
        drafts.extend(_blocks_to_drafts(doc_id, title, article, detach_trailing_paragraphs(blocks), max_chars))
    return SegmentedDocument(doc_id, title, articles, drafts)


def chunk_ids(drafts: list[ClauseDraft]) -> list[str]:
    """Stable ids: file stem + short hash of heading path and text; collisions (the same text
    under the same path twice in one document) get "-2", "-3"… in document order."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for d in drafts:
        digest = hashlib.sha1(("\u241f".join(d.heading_path) + "\n" + d.text).encode("utf-8")).hexdigest()[:10]
        base = f"{d.doc_id}-{digest}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids
