"""Rules that recognise web boilerplate by its *kind*, not by the seeds' exact sentences.

Classes of chrome found on scraped essay/template sites (and on government sites generally):
- site chrome: "add to desktop", download/print/share buttons, "查看全文"/"查看更多", delete prompts;
- attribution/date lines: "来源:…作者:…", "时间:2024-…", "发布日期:…";
- marketing banners: "小编为大家整理…", "欢迎参考", "为您整理了5篇…范文", "前言:想要写出…";
- navigation: breadcrumbs ("某某网 精选范文 …"), "上一篇/下一篇", "推荐访问:…";
- copyright/disclaimer: "…版权所有…" (also glued into a heading), "声明:…本站…", "所有名称都为虚拟";
- article metadata of reprinted papers: "关键词:…", "[中图分类号]…";
- office-template placeholders: "[键入文档副标题]", "[在此处键入文档的摘要…]", "李 A 谢老师制作";
- keyword stuffing: a run of search-bait questions built on one stem ("重庆城乡居民医保怎么报销?重庆
  城乡居民医保报销比例?重庆城乡居民医保报销多少?…") pasted in front of the real text.

Each function is pure: a line in, a verdict or a cleaned line out.
"""

from __future__ import annotations

import re

# --- whole-line classes ---------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(?:来源|出处|作者|时间|日期|发布时间|发布日期|更新时间|发表时间|编辑|责任编辑|审核|浏览|阅读|点击|字号)"
    r"\s*[:：]"
)
_DATE_LINE = re.compile(r"^\s*\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")

# Phrases that only site chrome and marketing use; a line carrying one is not policy text.
_CHROME_PHRASES = (
    "电脑桌面", "快捷访问", "加入收藏", "收藏本站", "设为首页", "点击下载", "下载文档", "文档内容为",
    "下载本文", "打印本页", "关闭窗口", "分享到", "扫一扫", "确认删除", "查看全文", "查看更多", "阅读全文",
    "展开全文", "推荐访问", "相关推荐", "猜你喜欢", "热门推荐", "上一篇", "下一篇", "返回顶部", "回到顶部", "返回首页", "返回列表",
    "小编", "为大家整理", "为您整理", "为你整理", "为你推荐", "为您推荐", "欢迎参考", "欢迎阅读",
    "供大家参考", "供您参考", "仅供参考", "写作思路", "写作带来帮助", "写作灵感", "获取更多", "咨询客服",
    "原创文章", "本站原创", "转载时请", "注明文章出处", "联系本站", "本站删除", "侵犯了原著者",
)
_CHROME_MAX_LEN = 200  # a long paragraph that merely mentions such a phrase is kept

_EXCERPT_END = re.compile(r"(?:查看全文|阅读全文|展开全文|查看更多(?:内容)?)\s*(?:>>|»|›)?\s*$")
_PAGE_MARKER = re.compile(r"^\s*(?:[【\[]\s*\d{1,3}\s*[】\]]|第\s*\d{1,3}\s*页|-\s*\d{1,3}\s*-|\d{1,3})\s*$")
_DISCLAIMER = re.compile(r"^\s*(?:免责)?声明\s*[:：]|(?:名称|人名|地名|单位).{0,4}(?:均|都)为虚[拟构]")
_PAPER_META = re.compile(
    r"^\s*[\[【(（]?\s*(?:关键词|关键字|中图分类号|文献标识码|文献标志码|文章编号|摘\s*要|作者简介)\s*[\]】)）]?\s*[:：]?"
)
_SITE_TOKEN = re.compile(r"(?:网|网站|之家|文库|在线|频道|首页)$")
_NAV_SEPARATORS = re.compile(r"\s*(?:>>|>|»|›|/|\|)\s*")


def is_excerpt_end(line: str) -> bool:
    """"查看全文"-style terminators end one excerpt on listing pages: an article boundary."""
    return bool(_EXCERPT_END.search(line)) and len(line.strip()) <= 40


def is_page_marker(line: str) -> bool:
    """Pager remnants such as "【2】", "- 3 -" or a lone page number."""
    return bool(_PAGE_MARKER.match(line))


def is_breadcrumb(line: str) -> bool:
    """Navigation trail: short tokens separated by spaces or '>' and no sentence punctuation,
    led by a site name ("某某网 精选范文 …") or joined by explicit separators."""
    s = line.strip()
    if not s or len(s) > 60 or re.search(r"[,，。;；!！?？:：]", s):
        return False
    if _NAV_SEPARATORS.search(s) and len(_NAV_SEPARATORS.split(s)) >= 3 and re.search(r"[>»›|]", s):
        return True
    tokens = s.split()
    return len(tokens) >= 3 and bool(_SITE_TOKEN.search(tokens[0])) and all(len(t) <= 16 for t in tokens)


def is_chrome_line(line: str) -> bool:
    """Site chrome, marketing banner, attribution, disclaimer or paper metadata."""
    s = line.strip()
    if not s:
        return False
    if _ATTRIBUTION.match(s) and len(s) <= 120:
        return True
    if _DATE_LINE.match(s) or (_DISCLAIMER.search(s) and len(s) <= _CHROME_MAX_LEN):
        return True
    if _PAPER_META.match(s) and len(s) <= _CHROME_MAX_LEN:
        return True
    if len(s) <= _CHROME_MAX_LEN and any(p in s for p in _CHROME_PHRASES):
        return True
    return is_breadcrumb(s)


def is_paper_meta(line: str) -> bool:
    """"关键词:…" opens a reprinted paper: also an article boundary on compilation pages."""
    return bool(_PAPER_META.match(line)) and not re.match(r"^\s*摘\s*要", line)


# --- inline removals --------------------------------------------------------------------------

# "…进一步加大版权所有!" / "公务员之家版权所有,全国公务员共同的天地!" / "版权所有 © 2024 某某网"
_COPYRIGHT = re.compile(
    r"(?:[\u4e00-\u9fff]{1,8}(?:网|网站|之家|文库|本站))?"
    r"(?:版权所有|版权归.{1,10}所有)"
    r"(?:\s*[©(（]?\s*[cC©]?[)）]?\s*\d{4}(?:\s*[-—]\s*\d{4})?)?"
    r"(?:[,，][^,，。!！;；]{0,16}[!！])?[!！]?"
)
_PLACEHOLDER = re.compile(r"[\[【]\s*(?:[^\]】]{0,40}?(?:键入|选取|输入|单击|点击此处|在此处)[^\]】]{0,80})[\]】]")
_CREDIT_LINE = re.compile(r"^(?:\S{1,8}\s+){0,4}\S{0,8}(?:制作|供稿)$")
_CREDIT_TAIL = re.compile(r"\s+(?:\S{1,8}\s+){0,3}\S{0,8}(?:制作|供稿)$")
_TRAILING_PAGE_NO = re.compile(r"(?<=[。!！?？;；”」)）])\s+\d{1,3}\s*$")
_MOJIBAKE = re.compile(r"\?{2,}[A-Za-z]?|\ufffd+|`+")


def strip_inline_chrome(line: str) -> str:
    """Remove copyright slogans, template placeholders, trailing page numbers, mojibake and
    keyword stuffing."""
    line = _COPYRIGHT.sub("", line)
    line = _PLACEHOLDER.sub("", line)
    line = _TRAILING_PAGE_NO.sub("", line)
    return strip_keyword_stuffing(_MOJIBAKE.sub("", line))


_QUESTION = re.compile(r"[^。!！?？;；:：]{4,60}[?？]")
STUFFING_MIN_QUESTIONS = 3
STUFFING_MIN_STEM = 4


def _common_prefix(texts: list[str]) -> int:
    n = 0
    for chars in zip(*texts):
        if len(set(chars)) > 1:
            break
        n += 1
    return n


def strip_keyword_stuffing(line: str) -> str:
    """Remove runs of at least three back-to-back questions sharing a stem of four or more
    characters: SEO bait, not a FAQ (a real FAQ answers each question before the next)."""
    runs: list[list[re.Match[str]]] = []
    for m in _QUESTION.finditer(line):
        if runs and not line[runs[-1][-1].end():m.start()].strip():
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in reversed(runs):
        texts = [m.group(0).strip() for m in run]
        if len(run) >= STUFFING_MIN_QUESTIONS and _common_prefix(texts) >= STUFFING_MIN_STEM:
            line = line[:run[0].start()] + " " + line[run[-1].end():]
    return line.strip()


def strip_credit(line: str) -> str:
    """Drop an author credit ("李 A 谢老师制作"): the whole line, or its tail after a title."""
    stripped = line.strip()
    if len(stripped) <= 20 and _CREDIT_LINE.match(stripped):
        return ""
    return _CREDIT_TAIL.sub("", stripped) if _CREDIT_TAIL.search(stripped) else line


# --- titles hidden in banners ------------------------------------------------------------------

_BANNER_TITLE = [
    re.compile(r"整理了\s*[\d一二三四五六七八九十]+\s*篇\s*([^,，。!！?？]{2,30}?)\s*[,，。!！]"),
    re.compile(r"推荐的\s*[\d一二三四五六七八九十]+\s*篇\s*([^,，。!！?？]{2,30}?)\s*[,，。!！]"),
    re.compile(r"整理的\s*([^,，。!！?？]{2,30}?)\s*[\d一二三四五六七八九十]+\s*篇"),
]


def title_from_banner(line: str) -> str | None:
    """Marketing banners name the page: "为您整理了5篇医保协议管理要求范文" -> "医保协议管理要求范文"."""
    for pattern in _BANNER_TITLE:
        m = pattern.search(line)
        if m:
            return m.group(1).strip()
    return None
