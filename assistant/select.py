"""Extractive selection: which sentences of which retrieved clause answer the question.

The knowledge base ranks whole clauses; a citizen needs the one sentence that states the rule. This
module scores every sentence of every candidate clause against the question's content words (with
the policy-language alternatives of everyday words) and ranks clauses by their best sentence, so a
clause that merely mentions the topic in passing loses to the one that states it with a figure.

Scoring rules, all general (no knowledge of a particular corpus):
- each content word of the question that the sentence contains adds its weight;
- a slot the user stated (level, tier, person) adds weight when the sentence names it;
- a question asking "how much" rewards a sentence that states an amount or a rate;
- a sentence about a narrower case the user did not ask about (门诊 when asking generally, 学生,
  异地…) is penalised, so the general rule wins over its exceptions;
- a figure stated under a special condition (CONDITIONS: 异地, 未经转诊, 第二次住院, 学生, 贫困…, said
  before the figure) is penalised when the question names none of them and favoured when it names it;
- a sentence that is itself a question (web-page boilerplate "…怎么报销?") answers nothing.
`coverage` (how much of the question the best sentence covers) lets the caller refuse to answer
from a clause that only shares a word or two with the question.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from knowledge_base.lexicon import load_resource
from knowledge_base.models import SearchHit
from knowledge_base.normalize import normalize_text

MAX_SENTENCES_PER_CLAUSE = 2
# A sentence naming an asked detail joins the answer only if it is about the question at all (a
# sentence about another figure or a narrower case scores far below the best one).
FOCUS_SENTENCE_FLOOR = 0.4
MAX_SENTENCE_CHARS = 160  # a longer "sentence" is cut at a clause boundary near this length
FOCUS_WEIGHT = 3.0
FIGURE_BONUS = 2.0  # a "how much" question answered by a sentence stating an amount or rate
QUALIFIER_PENALTY = 2.0  # per narrower case the sentence is about and the question is not
QUESTION_SENTENCE_FACTOR = 0.2
HEADING_WEIGHT = 1.0  # per question word the clause's own heading contains
ASIDE_FACTOR = 0.75  # a question word stated only inside a bracketed aside
# A sentence under a heading is about the heading's topic: the heading's question words count for
# each of its sentences that does not repeat them, a little below a word the sentence says itself.
HEADING_SUBJECT_FACTOR = 0.75
# Work reports state what happened (people enrolled, cases settled), not what the rule is; they
# answer only when no rule or publicity text does about as well.
REPORT_FACTOR = 0.6
SCHEME_BONUS = 1.0

Words = tuple[str, ...]


class SelectionWords(BaseModel):
    """assistant/selection.yaml: the vocabulary of sentence selection (one home, validated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    stopwords: dict[str, Words]
    synonyms: dict[str, Words]
    focus_alternatives: dict[str, Words]
    implied: dict[str, Words]
    qualifiers: tuple[Words, ...]
    paying_words: Words
    measure_words: Words
    fact_cues: Words
    who_cues: Words
    person_qualifiers: Words
    quantity_cues: Words
    level_words: dict[int, Words]
    tier_words: dict[int, Words]
    person_words: dict[str, Words]


@lru_cache(maxsize=1)
def selection_words() -> SelectionWords:
    return load_resource(Path(__file__).resolve().parent / "selection.yaml", SelectionWords)


_WORDS = selection_words()

_SENTENCE_END = re.compile(r"(?<=[。；;！!？?\n])")
_STOPWORDS: frozenset[str] = frozenset(w for group in _WORDS.stopwords.values() for w in group)
def _conditions() -> dict[str, tuple[str, ...]]:
    from knowledge_base.search.conditions import conditions

    return {name: tuple(c.policy) for name, c in conditions().items()}


# The policy words of each special case live in knowledge_base/resources/conditions.yaml (shared
# with the learned ranker's condition features); keyed by the NLU slot that names the case.
CONDITIONS: dict[str, tuple[str, ...]] = _conditions()
# Where care happens, in the words policies use: the NLU's out-of-area slot ("没在本县", "出了县",
# "跑到市里") stands for these, and the user's own phrasing is no topic word.
OUT_OF_AREA_WORDS = CONDITIONS["out_of_area"]
CONDITION_PENALTY = 2.0  # per condition framing a sentence's figure that the question does not name
CONDITION_BONUS = 1.0  # per condition framing the figure that the question does name


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """This module's stopwords plus the knowledge base's question/filler words (到底, 那个, 俺…):
    one list of "the form of a question" for search and sentence selection alike."""
    from knowledge_base.search.tokenize import stopwords

    return frozenset(_STOPWORDS) | stopwords()


@lru_cache(maxsize=1)
def _place_of_care_phrases() -> tuple[str, ...]:
    """Every wording of the out-of-area slot (县外, 本县, 没在本县…), longest first."""
    from assistant.nlu.lexicon import lexicon

    conf = lexicon().data["out_of_area"]
    phrases = [*conf["true"], *conf["false"], *conf.get("negations", [])]
    return tuple(sorted(set(phrases), key=len, reverse=True))
# "七十", "八十岁", "65": an age or count the NLU turns into slots; never a topic word.
_NUMERAL_WORD = re.compile(r"[零一二两三四五六七八九十百千万\d]+(?:岁|多岁|来岁)?")
# Everyday words and the words policies use for the same thing (selection.yaml `synonyms`:
# narrower than the search's synonyms.yaml on purpose, see there).
SYNONYMS: dict[str, tuple[str, ...]] = dict(_WORDS.synonyms)
# "要交钱吗", "用不用交", "交不交": whether one must pay. The answer is a sentence that itself says
# paying (or not paying: 个人不缴费, 免缴, 资助); a sentence merely filed under a "…缴费" heading
# (the papers to bring) does not answer it.
_WHETHER_PAY = re.compile(r"(?:要|用|需要|得)(?:交|缴)[^,;。?!]{0,4}?(?:吗|不|么)|(?:交|缴)不(?:交|缴)|(?:要不要|用不用|需不需要)(?:交|缴)|免费吗")
PAYING_WORDS = _WORDS.paying_words
# Words naming the kind of figure a question asks for; see QueryTerms.measures.
MEASURE_WORDS = _WORDS.measure_words
# A report's narrator ("2018年我县…", "全县共有…"; dates alone are not a cue: rules start with them) states what happened; such a sentence answers a
# question about the rule only when nothing states the rule. Questions about facts keep them.
_NARRATOR = re.compile(r"我县|全县|我市|全市|我局|我区|我们|截至|截止")  # 我省: provincial rules say it too
FACT_CUES = _WORDS.fact_cues
NARRATOR_PENALTY = 2.0
MISSING_MEASURE_FACTOR = 0.3
# Narrower cases of a rule: a sentence naming one the question does not is probably an exception.
QUALIFIERS: tuple[tuple[str, ...], ...] = _WORDS.qualifiers
# Asking about one of these is asking about the other (selection.yaml `implied`).
IMPLIED: dict[str, tuple[str, ...]] = dict(_WORDS.implied)
# A "who" question is answered by a list of groups of people: naming them is not a narrower case.
WHO_CUES = _WORDS.who_cues
PERSON_QUALIFIERS = _WORDS.person_qualifiers
QUANTITY_CUES = _WORDS.quantity_cues
_AMOUNT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:万|千)?\s*(?:元|%|％|个百分点)|百分之|[一二两三四五六七八九十百千万]+(?:万?元)"
)
# Template text ("报销比例达到X%", "**年") states no fact; statistics ("93398人次") state what
# happened, not the rule. Neither answers a citizen's question.
_PLACEHOLDER = re.compile(r"X+%|XX|\*\*|××|某某")
_STATISTIC = re.compile(r"\d\s*(?:万?人次|万人|人|户|张|名|例|家)(?![民员])")
_ASIDE = re.compile(r"[(（][^()（）]*[)）]")
_LEVEL_WORDS: dict[Any, Words] = dict(_WORDS.level_words)  # keyed by a slot value
_TIER_WORDS: dict[Any, Words] = dict(_WORDS.tier_words)
_PERSON_WORDS: dict[Any, Words] = dict(_WORDS.person_words)


def tier_words() -> tuple[str, ...]:
    """Every word naming a contribution tier (一档, 二档), as selection.yaml holds them."""
    return tuple(w for words in _TIER_WORDS.values() for w in words)


# A named detail and the words policies use for it: a 低保户 asks about 贫困/低保/特困 alike.
FOCUS_ALTERNATIVES: dict[str, tuple[str, ...]] = dict(_WORDS.focus_alternatives)


def names(word: str, text: str) -> bool:
    """Does `text` name the detail `word` (or a policy word for it)?"""
    return any(alt in text for alt in FOCUS_ALTERNATIVES.get(word, (word,)))


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@dataclass
class QueryTerms:
    """The question as the selector sees it."""

    topic: list[tuple[tuple[str, ...], float]] = field(default_factory=list)  # (alternatives, weight)
    # Words that restate a slot (scheme, tier, level, person): they steer the choice but a clause
    # need not repeat them to answer, so coverage is measured without them when anything else is asked.
    slot_words: set[str] = field(default_factory=set)
    focus: list[str] = field(default_factory=list)  # slot words the answer should single out ("二级")
    asks_figure: bool = False
    # The kind of figure asked for (起付线, 封顶线, 比例…), as its alternatives: a sentence that
    # states another kind of figure ("起付标准350元" for "限额多少") does not answer the question.
    measures: list[tuple[str, ...]] = field(default_factory=list)
    asks_facts: bool = False  # about what happened in a year (人数, 情况), not about the rule
    scheme: str | None = None  # the scheme the user named (职工…): a clause tagged with it is about it
    mentioned: str = ""  # the question plus every alternative: what counts as "asked about"
    search_words: list[str] = field(default_factory=list)  # policy words a slot stands for (县外)
    # Alternatives the answering sentence itself must say (not just its heading): see _WHETHER_PAY.
    must_say: list[tuple[str, ...]] = field(default_factory=list)
    # The special cases (CONDITIONS keys) the question names, by slot or by word: see asked_conditions.
    conditions: set[str] = field(default_factory=set)

    @property
    def core(self) -> list[tuple[tuple[str, ...], float]]:
        core = [(alts, w) for alts, w in self.topic if not (set(alts) & self.slot_words)]
        return core or self.topic


@dataclass
class Selection:
    """The sentences chosen from one clause, how well they answer, and the fragment to lead with."""

    hit: SearchHit
    sentences: list[str]
    score: float
    lead: str | None = None
    coverage: float = 0.0  # share of the question's topic weight the best sentence matches
    rank: int = 0  # the knowledge base's rank of the clause (tie-breaker)
    focus_hits: int = 0  # how many of the user's named details (二级, 学生, 贫困) the sentences state


def _weight(word: str) -> float:
    return float(min(len(word), 3))


def _strip_filters(text: str, slots: dict) -> str:
    """Region and scheme are search filters, not topic words: "重庆" in every 重庆 clause, or
    "城镇居民医保" in every 城镇居民 clause, proves nothing about the sentence."""
    names: set[str] = set()
    region = slots.get("region")
    if region:
        names |= {region, re.sub(r"(省|市|县|区)$", "", region)}
    scheme = slots.get("scheme")
    if scheme:
        names |= {scheme + suffix for suffix in ("基本医疗保险", "医疗保险", "医保", "")}
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, " ")
    return text


def query_terms(query: str, slots: dict | None = None) -> QueryTerms:
    """Content words of the question (with policy-language alternatives) plus slot focus words."""
    slots = slots or {}
    normal = normalize_text(query)
    terms = QueryTerms(asks_figure=any(cue in normal for cue in QUANTITY_CUES), scheme=slots.get("scheme"))
    rest = _strip_filters(normal, slots)
    if slots.get("out_of_area") is not None:
        # The user's wording of where care happened is the slot's, not a topic word; when care was
        # elsewhere the policy words for it are what a clause must say.
        for phrase in _place_of_care_phrases():
            rest = rest.replace(phrase, " ")
        if slots["out_of_area"]:
            terms.topic.append((OUT_OF_AREA_WORDS, 2.0))
            terms.search_words.extend(OUT_OF_AREA_WORDS[:4])
    # Known policy words first (longest first), so the tokenizer cannot split "封顶线" apart.
    focus = [*_LEVEL_WORDS.get(slots.get("hospital_level"), ()), *_TIER_WORDS.get(slots.get("tier"), ()),
             *_PERSON_WORDS.get(slots.get("person_category"), ())]
    terms.asks_facts = bool(re.search(r"\d{4}", normal)) or any(cue in normal for cue in FACT_CUES)
    if _WHETHER_PAY.search(normal):
        terms.must_say.append(PAYING_WORDS)
    for word in sorted(SYNONYMS, key=len, reverse=True):
        if word in rest:
            if word in MEASURE_WORDS:
                terms.measures.append(SYNONYMS[word])
            if word not in focus:
                # A policy concept weighs at least 2 even when the everyday word is one character (交).
                terms.topic.append((SYNONYMS[word], max(_weight(word), 2.0)))
            rest = rest.replace(word, " ")
    for word in _jieba().lcut(rest):
        word = word.strip()
        if len(word) < 2 or word in _stopwords() or word in focus or re.fullmatch(r"[\W_\d]+", word) \
                or _NUMERAL_WORD.fullmatch(word):
            continue  # a slot word ("二档") is scored as focus, not twice
        terms.topic.append(((word,), _weight(word)))
    terms.focus.extend(focus)
    if slots.get("poverty"):
        terms.focus.append("贫困")
    terms.slot_words.update(terms.focus)
    mentioned = [normal, *terms.focus, *(alt for alts, _ in terms.topic for alt in alts)]
    mentioned += [implied for word, words in IMPLIED.items() if word in normal for implied in words]
    if any(cue in normal for cue in WHO_CUES):
        mentioned += PERSON_QUALIFIERS
    terms.mentioned = " ".join(mentioned)
    terms.conditions = asked_conditions(slots, terms.mentioned)
    return terms


def asked_conditions(slots: dict, mentioned: str) -> set[str]:
    """The special cases the question names: a slot stating one (care out of area, a referral done
    or not, a second admission, a student/child/elderly patient, a poor household) or one of the
    case's policy words among the question's words and their alternatives."""
    by_slot = {
        "out_of_area": bool(slots.get("out_of_area")),
        "referral": slots.get("referral") is not None,
        "admission_index": (slots.get("admission_index") or 1) > 1,
        "person_category": slots.get("person_category") not in (None, "adult"),
        "poverty": bool(slots.get("poverty")),
    }
    return {name for name, cues in CONDITIONS.items()
            if by_slot.get(name) or any(cue in mentioned for cue in cues)}


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


def trim_statistics(sentence: str) -> str:
    """The rule part of a sentence that goes on to report results ("…起付线降低50%,1-12月共补偿
    822人次,补偿金额424.27万元"): cut at the first later fragment stating a head count."""
    fragments = re.split(r"(?<=[,，])", sentence)
    for i, fragment in enumerate(fragments[1:], start=1):
        if _STATISTIC.search(fragment):
            return "".join(fragments[:i]).rstrip(",， ") + "。"
    return sentence


def _matched_weight(text: str, terms: QueryTerms, core_only: bool = False) -> float:
    topic = terms.core if core_only else terms.topic
    return sum(weight for alternatives, weight in topic if any(alt in text for alt in alternatives))


def _unasked_qualifiers(sentence: str, terms: QueryTerms) -> int:
    sentence = _ASIDE.sub("", sentence)
    return sum(
        1 for group in QUALIFIERS
        if any(w in sentence for w in group) and not any(w in terms.mentioned for w in group)
    )


def framing_conditions(sentence: str) -> set[str]:
    """The CONDITIONS a sentence states its figure under: cue words said before its first amount
    (asides left out). A sentence with no figure frames none."""
    bare = _ASIDE.sub("", sentence)
    first = _AMOUNT.search(bare)
    if not first:
        return set()
    before = bare[:first.start()]
    return {name for name, cues in CONDITIONS.items() if any(cue in before for cue in cues)}


def condition_adjustment(sentence: str, terms: QueryTerms) -> float:
    """Penalty for a figure stated under a special case the question does not name, bonus for one
    it does: the base rule answers a general question, the conditional rule the asked case."""
    framing = framing_conditions(sentence)
    return CONDITION_BONUS * len(framing & terms.conditions) - CONDITION_PENALTY * len(framing - terms.conditions)


def _heading_only_weight(sentence: str, heading: str, terms: QueryTerms) -> float:
    """Question words the clause's heading names and the sentence does not: under "(四)最高支付限额"
    the body "2009为30000元" is the cap although it never says so."""
    return sum(weight for alternatives, weight in terms.topic
               if any(alt in heading for alt in alternatives) and not any(alt in sentence for alt in alternatives))


def score_sentence(sentence: str, terms: QueryTerms, heading: str = "") -> float:
    # A word inside an aside ("(含特殊大病门诊…)") is not what the sentence is about.
    bare = _ASIDE.sub("", sentence)
    # ...but it is said there: an asked word found only in the aside counts, a little below one the
    # sentence states ("(含特殊大病门诊最高支付限额5000元)" answers "特殊大病门诊限额").
    aside_only = _matched_weight(sentence, terms) - _matched_weight(bare, terms)
    score = _matched_weight(bare, terms) + ASIDE_FACTOR * aside_only \
        + HEADING_SUBJECT_FACTOR * _heading_only_weight(sentence, heading, terms)
    score += FOCUS_WEIGHT * sum(1 for word in terms.focus if names(word, sentence) or enumerated_value(sentence, word))
    if _AMOUNT.search(sentence):
        score += FIGURE_BONUS if terms.asks_figure else 0.5
    # One penalty at most: a list of who is covered names many groups and is still the answer.
    score -= QUALIFIER_PENALTY * min(1, _unasked_qualifiers(sentence, terms))
    score += condition_adjustment(sentence, terms)
    if _STATISTIC.search(sentence):
        score -= QUALIFIER_PENALTY
    if not terms.asks_facts and _NARRATOR.search(sentence):
        score -= NARRATOR_PENALTY
    said = f"{heading} {sentence}"  # the figure may sit in an aside: "(含特殊大病门诊最高支付限额5000元)"
    if any(not any(alt in said for alt in alts) for alts in terms.measures):
        score *= MISSING_MEASURE_FACTOR
    if any(not any(alt in sentence for alt in alts) for alts in terms.must_say):
        score *= MISSING_MEASURE_FACTOR
    if sentence.rstrip().endswith(("?", "？")) or _PLACEHOLDER.search(sentence):
        score *= QUESTION_SENTENCE_FACTOR
    return max(score, 0.0)


def _heading(hit: SearchHit) -> str:
    return hit.citation.split("›")[-1] if "›" in hit.citation else ""


def select_sentences(hit: SearchHit, terms: QueryTerms, rank: int = 0) -> Selection:
    """The best one or two sentences of a clause for these terms, in text order. A clause none of
    whose sentences matches a question word yields an empty selection (score 0): it is no answer."""
    sentences = split_sentences(hit.text)
    heading = _heading(hit)
    scored = sorted(((score_sentence(s, terms, heading), i) for i, s in enumerate(sentences)),
                    key=lambda p: (-p[0], p[1]))
    if not scored or scored[0][0] <= 0 or (
            terms.topic and not _matched_weight(f"{heading} {sentences[scored[0][1]]}", terms)):
        return Selection(hit, [], 0.0, rank=rank)
    best_score = scored[0][0]
    chosen = [i for score, i in scored[:MAX_SENTENCES_PER_CLAUSE] if score > 0 and score >= best_score * 0.75]
    # A detail the user named (学生, 二档) stated in a weaker sentence of the same clause is part of
    # the answer: "住院比例…" alone would drop the "学生…上浮10%" the user asked about.
    for word in terms.focus:
        if not any(names(word, sentences[i]) for i in chosen):
            extra = next((i for score, i in scored
                          if score >= best_score * FOCUS_SENTENCE_FLOOR and names(word, sentences[i])), None)
            if extra is not None and len(chosen) < MAX_SENTENCES_PER_CLAUSE + 1:
                chosen.append(extra)
    picked = [trim_statistics(sentences[i]) for i in sorted(chosen)]
    total = sum(weight for _, weight in terms.core)
    # The clause's own heading names its topic ("(五)待遇期限"), so it counts towards coverage.
    said = " ".join([_heading(hit), *picked])
    coverage = min(1.0, _matched_weight(said, terms, core_only=True) / total) if total else 1.0
    score = best_score + HEADING_WEIGHT * sum(
        1 for alternatives, _ in terms.topic if any(alt in heading for alt in alternatives))
    if _unasked_qualifiers(heading, terms):
        score -= HEADING_WEIGHT  # the whole clause is about a narrower case ("(二)在市内县外…住院")
    schemes = hit.about_schemes
    if terms.scheme and terms.scheme in schemes:
        score += SCHEME_BONUS  # "职工…" asked: a clause about 职工 beats an untagged one saying the same
    if hit.kind == "report":
        score *= REPORT_FACTOR
    best_first = [sentences[i] for _, i in scored if i in chosen]
    focus_hits = sum(1 for word in dict.fromkeys(terms.focus) if any(names(word, p) for p in picked))
    return Selection(hit, picked, score, lead_fragment(best_first, terms), coverage, rank, focus_hits)


_FRAGMENT_SPLIT = re.compile(r"[,，;；]")
# "一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次": a list of grades, what they
# govern, and one value per grade, the most common way policies state level-dependent figures.
_ENUMERATION = re.compile(
    r"(?:(?P<prefix>[一二三四五]档)[:：])?[^,，;；。:：]*?(?P<ordinals>(?:[一二三四五]、)+[一二三四五])(?P<unit>级|档)"
    r"(?P<what>[^,，;；。]*?)分别为[:：]?(?P<values>[^,，;；。]+)"
)


def enumerated_value(sentence: str, focus: str, prefixes: tuple[str, ...] = ()) -> str | None:
    """The one grade's figure out of a "一、二、三级…分别为a、b、c" list, worded with the
    sentence's own words ("二级医院住院起付线300元/次"); None when the list does not parse.
    A sentence with one list per tier ("一档:…;二档:…") gives the grade's figure of each tier, or
    only of the tiers in `prefixes` when the user named one."""
    found = []
    for m in _ENUMERATION.finditer(sentence):
        if prefixes and m.group("prefix") and m.group("prefix") not in prefixes:
            continue
        ordinals = m.group("ordinals").split("、")
        values = [v.strip() for v in re.split(r"、|和|及", m.group("values")) if v.strip()]
        if len(values) != len(ordinals):
            continue
        for ordinal, value in zip(ordinals, values):
            if f"{ordinal}{m.group('unit')}" == focus:
                prefix = m.group("prefix") or ""
                found.append(f"{prefix}{'，' if prefix else ''}{focus}{m.group('what')}{value}")
    return "；".join(found) or None


def lead_fragment(sentences: list[str], terms: QueryTerms) -> str | None:
    """What to lead with when the user named a level/tier/person: for each named one, that grade's
    figure out of an enumeration, or else the fragment naming it with its figure ("二级医疗机构350元");
    several named ones ("二级" and "学生") each get theirs, so no asked detail is dropped."""
    parts: list[str] = []
    for word in terms.focus:
        if any(word in part for part in parts):
            continue  # already said ("一档，二级医院…" covers 一档)
        part = _lead_for(word, sentences, terms)
        if part and not any(part in p for p in parts):
            parts.append(part)
    return "；".join(parts) or None


def _lead_for(word: str, sentences: list[str], terms: QueryTerms) -> str | None:
    others = [w for w in terms.focus if w != word]
    # The lead answers the question: a sentence saying none of its words ("…最高限额:一档为7万元,
    # 二档为11万元" quoted beside a childbirth subsidy) gives no lead for the remembered 二档.
    about = [s for s in sentences if not terms.topic or _matched_weight(s, terms) > 0]
    # A sentence naming the other asked details too ("一档:…" for 一档 + 二级) is the better source.
    ordered = sorted(about, key=lambda s: -sum(1 for w in others if w in s))
    tiers = tuple(w for w in others if w.endswith("档"))
    values = [v for v in (enumerated_value(s, word, tiers) for s in ordered) if v]
    if values:
        # One list per tier, each its own sentence ("一档:…;" "二档:…"): with no tier named, the
        # grade's figure of every tier is the answer; otherwise the first (best-matching) list.
        per_tier = [v for v in values if v[:2].endswith("档")]
        return "；".join(dict.fromkeys(per_tier)) if len(per_tier) > 1 and not tiers else values[0]
    for sentence in ordered:
        for fragment in _FRAGMENT_SPLIT.split(sentence):
            fragment = fragment.strip(" 。:：")
            if names(word, fragment) and re.search(r"\d", fragment) and len(fragment) < 60 \
                    and not _STATISTIC.search(fragment):  # "贫困户补偿93398人次" is no answer to lead with
                return fragment
    return None


def rank_selections(hits: list[SearchHit], terms: QueryTerms) -> list[Selection]:
    """Every hit's selection, best answer first (sentence score, then coverage, then the search's
    own order);
    clauses with nothing to say on the question are dropped."""
    selections = [select_sentences(hit, terms, rank) for rank, hit in enumerate(hits)]
    return sorted((s for s in selections if s.sentences), key=lambda s: (-s.score, -s.coverage, s.rank))
