"""Extractive answers: pick the sentences of the retrieved clauses that answer the question.

Extractive on purpose: a sentence lifted from a clause cannot misstate the clause, and the grounding
check then only has to confirm it. The composer leads with the sentence (or the fragment of it) that
carries the asked-for detail, keeps the answer phone-sized and numbers each cited clause [n].
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.models import Citation
from knowledge_base.models import SearchHit
from knowledge_base.normalize import normalize_text

MAX_SENTENCES_PER_CLAUSE = 2
MAX_SENTENCE_CHARS = 160  # a longer "sentence" is cut at a clause boundary near this length

_SENTENCE_END = re.compile(r"(?<=[。；;！!？?\n])")
_FRAGMENT_SPLIT = re.compile(r"[,，;；]")
_STOPWORDS = {
    "是", "的", "了", "吗", "呢", "吧", "啊", "多少", "怎么", "怎样", "如何", "什么", "哪些", "能", "可以", "我",
    "我们", "你", "请问", "一下", "有", "没有", "要", "在", "和", "或", "及", "与", "那", "如果", "还", "就", "都",
    "医保", "规定", "政策", "个", "几", "多", "报", "少",
}
# Everyday words and the words policies use for the same thing. General insurance vocabulary, so
# that a citizen's "门槛费" finds the clause's "起付标准" sentence.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "起付线": ("起付标准", "起付线", "门槛费", "起付"),
    "门槛费": ("起付标准", "起付线", "门槛费", "起付"),
    "起付标准": ("起付标准", "起付线", "起付"),
    "封顶线": ("封顶线", "最高限额", "最高支付限额", "限额", "封顶"),
    "封顶": ("封顶线", "最高限额", "最高支付限额", "限额", "封顶"),
    "限额": ("限额", "封顶线", "最高限额"),
    "最高": ("最高限额", "封顶线", "最高"),
    "报销比例": ("报销比例", "补偿比例", "支付比例", "比例"),
    "比例": ("报销比例", "补偿比例", "支付比例", "比例"),
    "报销": ("报销", "补偿", "支付"),
    "补偿": ("报销", "补偿", "支付"),
    "交": ("缴费", "筹资", "缴纳"),
    "缴费": ("缴费", "筹资", "缴纳"),
    "交钱": ("缴费", "筹资", "缴纳"),
    "生孩子": ("分娩", "孕产妇", "生育"),
    "县外": ("县外", "境外", "异地", "市外"),
    "异地": ("异地", "县外", "市外", "境外"),
    "慢性病": ("慢性疾病", "慢性病", "特殊疾病", "特病"),
    "门诊": ("门诊",),
    "住院": ("住院",),
}
_LEVEL_WORDS = {1: ("一级",), 2: ("二级",), 3: ("三级",)}
_TIER_WORDS = {1: ("一档",), 2: ("二档",)}
_PERSON_WORDS = {"student": ("学生",), "child": ("儿童", "幼儿"), "elderly": ("老人", "老年"), "retired": ("退休",)}


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@dataclass
class Selection:
    """The sentences chosen from one clause, and the fragment to lead with (if any)."""

    hit: SearchHit
    sentences: list[str]
    score: float
    lead: str | None = None


@dataclass
class QueryTerms:
    topic: list[tuple[str, ...]] = field(default_factory=list)  # each entry: alternatives for one word
    focus: list[str] = field(default_factory=list)  # slot words the answer should single out ("二级")


def query_terms(query: str, slots: dict | None = None) -> QueryTerms:
    """Content words of the question (with policy-language alternatives) plus slot focus words."""
    slots = slots or {}
    terms = QueryTerms()
    rest = normalize_text(query)
    # Known policy words first (longest first), so the tokenizer cannot split "封顶线" apart.
    for word in sorted(SYNONYMS, key=len, reverse=True):
        if word in rest:
            terms.topic.append(SYNONYMS[word])
            rest = rest.replace(word, " ")
    for word in _jieba().lcut(rest):
        word = word.strip()
        if len(word) < 2 or word in _STOPWORDS or re.fullmatch(r"[\W_]+", word):
            continue
        terms.topic.append((word,))
    terms.focus.extend(_LEVEL_WORDS.get(slots.get("hospital_level"), ()))
    terms.focus.extend(_TIER_WORDS.get(slots.get("tier"), ()))
    terms.focus.extend(_PERSON_WORDS.get(slots.get("person_category"), ()))
    return terms


def split_sentences(text: str) -> list[str]:
    """Sentences of a clause; over-long ones are cut at the last comma before the limit."""
    out: list[str] = []
    for raw in _SENTENCE_END.split(text):
        sentence = raw.strip()
        while len(sentence) > MAX_SENTENCE_CHARS:
            cut = max(sentence.rfind(mark, 0, MAX_SENTENCE_CHARS) for mark in ",，、")
            cut = cut + 1 if cut > 20 else MAX_SENTENCE_CHARS
            out.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


def _score(sentence: str, terms: QueryTerms) -> float:
    score = 0.0
    for alternatives in terms.topic:
        hit = next((alt for alt in alternatives if alt in sentence), None)
        if hit:
            score += min(len(hit), 4)
    score += sum(3 for word in terms.focus if word in sentence)
    if re.search(r"\d|[一二三四五六七八九十百千万]+[元%]", sentence):
        score += 0.5  # questions about policy are mostly about figures
    return score


def select_sentences(hit: SearchHit, terms: QueryTerms) -> Selection:
    """The best one or two sentences of a clause for these terms, in text order."""
    sentences = split_sentences(hit.text)
    if not sentences:
        return Selection(hit, [], 0.0)
    scored = sorted(((_score(s, terms), i) for i, s in enumerate(sentences)), key=lambda p: (-p[0], p[1]))
    best_score = scored[0][0]
    chosen = [i for score, i in scored[:MAX_SENTENCES_PER_CLAUSE] if score > 0 and score >= best_score * 0.75]
    if not chosen:
        chosen = [0]
    picked = [sentences[i] for i in sorted(chosen)]
    return Selection(hit, picked, best_score, _lead_fragment(picked, terms))


def _lead_fragment(sentences: list[str], terms: QueryTerms) -> str | None:
    """A fragment naming the asked-for level/tier/person with its figure ("二级医疗机构350元")."""
    if not terms.focus:
        return None
    for sentence in sentences:
        for fragment in _FRAGMENT_SPLIT.split(sentence):
            fragment = fragment.strip(" 。:：")
            if any(word in fragment for word in terms.focus) and re.search(r"\d", fragment) and len(fragment) < 60:
                return fragment
    return None


def citation_for(n: int, selection: Selection) -> Citation:
    hit = selection.hit
    return Citation(
        n=n,
        chunk_id=hit.chunk_id,
        citation=hit.citation,
        text="".join(selection.sentences) or hit.text,
        region=hit.region,
        year=hit.year,
    )


def place_label(region: str | None, year: int | None) -> str:
    """"岳池县（2009年）" — how an answer names whose rule a sentence is."""
    if region and year:
        return f"{region}（{year}年）"
    return region or (f"{year}年" if year else "未注明地区")


def compose_single(selection: Selection, n: int = 1) -> str:
    """One clause's answer: the lead fragment first when there is one, then the sentences."""
    body = "".join(selection.sentences)
    label = place_label(selection.hit.region, selection.hit.year)
    if selection.lead and selection.lead not in body[: len(selection.lead) + 2]:
        return f"{selection.lead}[{n}]。\n{label}规定：{body}"
    return f"{label}规定：{body}[{n}]"


def compose_per_region(selections: list[Selection]) -> str:
    """Several regions' rules side by side, each with its own citation: never one merged answer."""
    lines = ["不同地区（或年份）的规定不同，请按您参保的地区看："]
    for n, selection in enumerate(selections, start=1):
        lead = selection.lead or "".join(selection.sentences)
        lines.append(f"· {place_label(selection.hit.region, selection.hit.year)}：{lead}[{n}]")
    return "\n".join(lines)


def quote_fallback(selection: Selection, n: int = 1) -> str:
    """The answer of last resort: the clause quoted verbatim, nothing added."""
    return f"相关条款原文：「{''.join(selection.sentences) or selection.hit.text}」[{n}]"
