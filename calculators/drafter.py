"""Draft a rule set from an ingested document: each value with its quote, the rest listed as missing.

The drafter reads the knowledge base's clauses of one document (calculators/clauses.py), keeps
those whose region metadata is the requested region (or inside it) and whose sentences do not
belong to another scheme, and applies general extraction rules (calculators/draft_patterns.yaml):
a cue word of a parameter kind, breakdown words (一级/二档/退休/person groups…) and numbers of the
kind's shape (calculators/draft_numbers.py: 元/万元, %, shares of the average wage, Arabic or
Chinese numerals). Values may also be written before a word that names them ("100元产前检查"), in
words with a stated reading ("不设起付线" → 0), in an aside ("(含…最高支付限额5000元)") or in a
table line ("三级医院 · 起付线 · 800元"). A value is proposed only when a sentence states it; a cell stated twice with different numbers is
not chosen between — both go to `missing`, like every cell no sentence states. It never reads the
bundled rule files: its measurement against them (benchmarks/bench_drafter.py) would otherwise
mean nothing. The result renders as a rule file (`to_yaml`) that compiles; an operator reviews it
(admin page /rules) and `medpolicy policies --check` validates its quotes."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from calculators.clauses import ClauseRef, document_clauses
from calculators.draft_numbers import numbers

PATTERNS_PATH = Path(__file__).with_name("draft_patterns.yaml")


# ---- the extraction rules, validated ------------------------------------------------------------
Shape = Literal["amount", "percent", "wage_share"]
DIMS = ("level", "tier", "retired", "contribution_group")


class WordValue(BaseModel):
    """A value stated in words ("不设起付线" → 0), with how it was read (rule files' `interpretation`)."""

    model_config = ConfigDict(extra="forbid")
    value: str
    interpretation: str


class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str | None = None  # the kind it is reported under (an outpatient family's "ratio")
    param: str
    label: str
    unit: str
    number: Shape
    cues: list[str] = Field(default_factory=list)  # before the number (anywhere in the sentence with `anywhere`)
    after: list[str] = Field(default_factory=list)  # directly after the number ("100元产前检查")
    anywhere: bool = False
    words: dict[str, WordValue] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    require: list[str] = Field(default_factory=list)  # one of these in the sentence
    require_also: list[str] = Field(default_factory=list)  # and one of these
    dims: list[str] = Field(default_factory=lambda: ["level", "tier", "retired"])
    schemes: list[str] = Field(default_factory=list)  # only in drafts whose scheme names one of these
    change: bool = False  # the kind is itself an increment (numbers next to 增加/上浮 are its values)

    @model_validator(mode="after")
    def _stated_somehow(self) -> KindRule:
        if not (self.cues or self.after or self.words):
            raise ValueError(f"{self.param}: a kind needs cues, after-words or words")
        if unknown := set(self.dims) - set(DIMS):
            raise ValueError(f"{self.param}: unknown dimensions {sorted(unknown)}")
        return self


class EffectRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    cues: list[str]
    up: list[str] = Field(default_factory=list)
    down: list[str] = Field(default_factory=list)
    number: Literal["amount", "percent", "percent_of_value", "words"]
    words: dict[str, str] = Field(default_factory=dict)  # number "words": phrase → the value it sets
    require: list[str] = Field(default_factory=list)  # the comma-part must name one (else: inpatient only)


class AdjustmentRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    when: dict[str, object]
    who: list[str]
    effects: list[EffectRule]


class SchemeRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skip: list[str] = Field(default_factory=list)
    require: list[str] = Field(default_factory=list)


class Groups(BaseModel):
    """Person groups of a contribution table: base groups by their words, and the low-income words
    that make "<base>_low_income" (the engine's `contributions.contribution_group`)."""

    model_config = ConfigDict(extra="forbid")
    base: dict[str, list[str]]
    low_income: list[str]
    no_low_income: list[str] = Field(default_factory=list)  # groups with no low-income variant


class Patterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, KindRule]
    not_rules: list[str]
    schemes: dict[str, SchemeRule]
    levels: dict[str, int]
    tiers: dict[str, int]
    retired: dict[str, bool]
    level_lists: dict[str, list[int]]
    changes: list[str]
    change_to: list[str]
    statistics: list[str]
    each: list[str]
    continuations: list[str]
    groups: Groups
    adjustments: list[AdjustmentRule]

    @model_validator(mode="after")
    def _effects_name_kinds(self) -> Patterns:
        for rule in self.adjustments:
            for eff in rule.effects:
                if eff.kind not in self.kinds:
                    raise ValueError(f"adjustment {rule.id}: unknown kind {eff.kind}")
        return self


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    return Patterns.model_validate(yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8")))


# ---- what a draft is ----------------------------------------------------------------------------
class DraftValue(BaseModel):
    kind: str
    param: str
    key: dict[str, object]  # breakdown cell: {"level": 2, "tier": 1}
    value: str
    quote: str
    chunk_id: str
    citation: str
    interpretation: str | None = None  # set when the value is read from words ("不设起付线" → 0)


class DraftEffect(BaseModel):
    adjustment: str
    name: str
    when: dict[str, object]
    target: str
    op: str  # add | multiply | set
    value: str
    quote: str
    chunk_id: str
    citation: str


class Missing(BaseModel):
    kind: str
    param: str
    what: str  # in Chinese, for the operator


class Draft(BaseModel):
    id: str
    region: str
    scheme: str
    year: int
    document: str
    values: list[DraftValue]
    effects: list[DraftEffect]
    missing: list[Missing]
    clauses: list[dict[str, str]]  # the clauses read: chunk_id, citation, text (for review)


# ---- reading sentences --------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"[。；;\n]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d|元|%)")
_PARENTHETICAL = re.compile(r"[(（]([^()（）]*)[)）]")
_JOIN = re.compile(r"^\s*(?:医院|医疗机构|定点医院|定点医疗机构)?\s*[、和及与]\s*$")  # 一级、二级 / 一级医院和二级


def sentences(text: str) -> list[str]:
    return [s.strip(" ,，") for s in _SENTENCE_END.split(text) if s.strip(" ,，")]


_TABLE_UNIT = re.compile(r"[(（](万元|元|%|％)[)）]")
_BARE_CELL = re.compile(r" · (\d+(?:\.\d+)?)$")


def table_cell(sentence: str) -> str:
    """A table line as the knowledge base renders it ("三级医院 · 起付线(元) · 900") with the unit
    of a header moved to its bare number ("三级医院 · 起付线 · 900元"), so it reads like prose; other
    sentences are returned unchanged. Only the text read changes — the quote stays verbatim."""
    if " · " not in sentence:
        return sentence
    unit = _TABLE_UNIT.search(sentence)
    cell = _BARE_CELL.search(sentence)
    if unit is None or cell is None or unit.start() > cell.start():
        return sentence
    return (sentence[:unit.start()] + sentence[unit.end():cell.start()] + " · " + cell.group(1) + unit.group(1))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _not_for(sentence: str, clause_text: str, scheme: str) -> bool:
    """True when the sentence is about another scheme, or is an example rather than a rule."""
    p = patterns()
    if any(w in sentence for w in p.not_rules):
        return True
    for own, rule in p.schemes.items():
        if own in scheme:
            if any(w in sentence for w in rule.skip):
                return True
            if rule.require and not any(w in clause_text for w in rule.require):
                return True
    return False


@dataclass
class _Token:
    start: int
    kind: str  # level | tier | retired | levels | group | low | number | year | comma
    value: object
    end: int = 0
    interpretation: str | None = None


def _base_group(text: str) -> str | None:
    """The last person group `text` names (岳池: 学生 / 学龄前儿童 / 非从业居民 / 三无人员)."""
    best: tuple[int, str] | None = None
    for group, words in patterns().groups.base.items():
        for w in words:
            at = text.rfind(w)
            if at >= 0 and (best is None or at > best[0]):
                best = (at, group)
    return best[1] if best else None


def _tokens(sentence: str, rule: KindRule) -> list[_Token]:
    p = patterns()
    found: list[_Token] = []
    taken: set[int] = set()

    def add(start: int, end: int, kind: str, value: object, interpretation: str | None = None) -> None:
        if not taken.intersection(range(start, end)):
            taken.update(range(start, end))
            found.append(_Token(start, kind, value, end, interpretation))

    for phrase, wv in rule.words.items():  # words first: "不设起付线" is not a cue followed by a number
        for m in re.finditer(re.escape(phrase), sentence):
            add(m.start(), m.end(), "number", Decimal(wv.value), wv.interpretation)
    vocab: list[tuple[dict, str]] = []
    if "level" in rule.dims:
        vocab += [(p.level_lists, "levels"), (p.levels, "level")]
    if "tier" in rule.dims:
        vocab.append((p.tiers, "tier"))
    if "retired" in rule.dims:
        vocab.append((p.retired, "retired"))
    for table, kind in vocab:
        for word in sorted(table, key=len, reverse=True):
            for m in re.finditer(re.escape(word), sentence):
                add(m.start(), m.end(), kind, table[word])
    if "contribution_group" in rule.dims:
        for group, words in p.groups.base.items():
            for w in words:
                for m in re.finditer(re.escape(w), sentence):
                    add(m.start(), m.end(), "group", group)
        for w in p.groups.low_income:
            for m in re.finditer(re.escape(w), sentence):
                add(m.start(), m.end(), "low", True)
    for n in numbers(sentence, rule.number):
        add(n.start, n.end, "number", n.value)
    for m in _YEAR.finditer(sentence):
        add(m.start(), m.end(), "year", int(m.group(1)))
    for m in re.finditer(r"[,，]", sentence):
        add(m.start(), m.end(), "comma", None)
    out = sorted(found, key=lambda t: t.start)
    return _joined_levels(sentence, out)


def _joined_levels(sentence: str, tokens: list[_Token]) -> list[_Token]:
    """"一级、二级、三级医院" / "一级医院和二级医院": single levels joined by 、/和 are one list."""
    out: list[_Token] = []
    for t in tokens:
        prev = out[-1] if out else None
        if t.kind == "level" and prev is not None and prev.kind in ("level", "levels") \
                and _JOIN.match(sentence[prev.end:t.start]):
            values = [prev.value] if prev.kind == "level" else list(prev.value)  # type: ignore[call-overload]
            out[-1] = _Token(prev.start, "levels", values + [t.value], t.end)
        else:
            out.append(t)
    return out


@dataclass
class _Context:
    """What a sentence inherits from its clause: the years the clause last named when it qualifies
    the sentence before it ("属于低保对象的，个人不缴费", `continuations`) and the person group."""

    year: int | None  # the draft's year
    undated_ok: bool  # the draft's year is the text's base year
    years: frozenset[int] = frozenset()
    group: str | None = None


def _is_change(part: str) -> bool:
    """A comma-part that states a change (增加/上浮/下降…), not a level — unless it says what the
    value changes *to* (提高到80%)."""
    p = patterns()
    for w in p.changes:
        at = part.find(w)
        if at >= 0 and not any(part.startswith(t, at + len(w)) for t in p.change_to):
            return True
    return False


def _foreign_cues(rule: KindRule) -> list[str]:
    """Cue words of the other parameters (a number after one of them is theirs)."""
    return sorted({c for r in patterns().kinds.values() if r.param != rule.param for c in r.cues} - set(rule.cues))


def _claimed(sentence: str, rule: KindRule, at: int) -> bool:
    """True when another parameter's cue stands between the kind's last cue before `at` and `at`
    ("不设起付线,…,年报销限额为1000元": 1000 is the limit's, not the deductible's)."""
    own = [m.end() for c in rule.cues for m in re.finditer(re.escape(c), sentence[:at])]
    since = max(own, default=0)
    covered = {i for c in rule.cues for m in re.finditer(re.escape(c), sentence) for i in range(m.start(), m.end())}
    for c in _foreign_cues(rule):
        for m in re.finditer(re.escape(c), sentence[since:at]):
            if not covered.intersection(range(since + m.start(), since + m.end())):
                return True
    return False


def _cells(sentence: str, rule: KindRule, cue_at: int, ctx: _Context) -> list[tuple[dict, Decimal, str | None]]:
    """(breakdown cell, value, interpretation) triples a sentence states. A number counts after
    the kind's cue (at `cue_at`; 0 when the cue is in the heading; anywhere with `rule.anywhere`),
    or when one of the kind's after-words follows it — not after another parameter's cue, nor in a
    comma-part stating a change or a statistic; a value in words names its parameter itself and
    always counts. A number after a year token belongs to that
    year (a list "2009、2010" to each); an undated one that qualifies the sentence before it to the
    years its clause last named, else to the text's base year only (`ctx.undated_ok`)."""
    out: list[tuple[dict, Decimal, str | None]] = []
    tier = retired = level = None
    group, low = None, False
    pending: list[int] = []
    list_end = 0
    respectively = sentence.find("分别")
    said: set[int] = set()
    last_kind = ""
    tokens = _tokens(sentence, rule)
    commas = [t.start for t in tokens if t.kind == "comma"]
    for t in tokens:
        if t.kind == "tier":
            tier, level = t.value, None
        elif t.kind == "retired":
            retired = t.value
        elif t.kind == "levels":
            pending, list_end = list(t.value), t.end  # type: ignore[call-overload]
        elif t.kind == "level":
            level = t.value
        elif t.kind == "group":
            group = t.value
        elif t.kind == "low":
            low = True
        elif t.kind == "year":
            said = (said | {t.value}) if last_kind == "year" else {t.value}  # type: ignore[arg-type]
        elif t.kind == "comma":  # a level binds within its comma-part (a list "…分别…" runs on); a tier runs on
            level = None
            if not (len(pending) > 1 and respectively > t.start):
                pending = []
        elif t.kind == "number":
            if t.interpretation is not None:  # a phrase in words names its parameter itself
                ok = True
            else:
                ok = (cue_at >= 0 and (t.start >= cue_at or rule.anywhere) and (rule.change or not _claimed(sentence, rule, t.start))) \
                    or any(sentence.startswith(w, t.end) for w in rule.after)
            if ok and t.interpretation is None:
                lo = max((c for c in commas if c < t.start), default=-1) + 1
                hi = min((c for c in commas if c > t.start), default=len(sentence))
                part = sentence[lo:hi]
                ok = not (not rule.change and _is_change(part)) and not any(w in part for w in patterns().statistics)
            years = said or set(ctx.years)
            if ok and ctx.year is not None and years and ctx.year not in years:
                ok = False
            if ok and not years and not ctx.undated_ok:
                ok = False
            if ok:
                key: dict = {}
                if tier is not None:
                    key["tier"] = tier
                if retired is not None:
                    key["retired"] = retired
                if pending and not any(w in sentence[list_end:t.start] for w in patterns().each):
                    key["level"] = pending.pop(0)
                elif level is not None:
                    key["level"] = level
                    level = None
                base = group or ctx.group
                if "contribution_group" in rule.dims and base is not None:
                    low_ok = low and base not in patterns().groups.no_low_income
                    key["contribution_group"] = f"{base}_low_income" if low_ok else base
                # "一、二级医院…均为80%": one number for every level of the list
                every = pending if pending and any(w in sentence[list_end:t.start] for w in patterns().each) else []
                for lv in every:
                    out.append(({**key, "level": lv}, t.value, t.interpretation))  # type: ignore[arg-type]
                pending = [] if every else pending
                if not every:
                    out.append((key, t.value, t.interpretation))  # type: ignore[arg-type]
        last_kind = t.kind
    return _complement_retired(out)


def _complement_retired(cells: list[tuple[dict, Decimal, str | None]]) -> list[tuple[dict, Decimal, str | None]]:
    """"职工…缴费比例为2%，退休人员个人不缴费": where one sentence states a value for exactly one
    of 退休/在职 and others without either word, those are the other one's."""
    said = {c[0]["retired"] for c in cells if "retired" in c[0]}
    if len(said) != 1:
        return cells
    other = not next(iter(said))
    return [(c[0] if "retired" in c[0] else {**c[0], "retired": other}, c[1], c[2]) for c in cells]


def _first(text: str, words: list[str]) -> int:
    hits = [text.find(w) for w in words if w in text]
    return min(hits) if hits else -1


def _heading(clause: ClauseRef) -> str:
    return clause.citation.rsplit(" › ", 1)[-1] if " › " in clause.citation else ""


def base_year(clauses: list[ClauseRef]) -> int | None:
    """The year the text speaks for: the one it names most often (ties: the earliest)."""
    counts: dict[int, int] = {}
    for c in clauses:
        for m in _YEAR.finditer(c.raw_text):
            counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return min(counts, key=lambda y: (-counts[y], y)) if counts else None


def _applies(rule: KindRule, scheme: str) -> bool:
    return not rule.schemes or any(s in scheme for s in rule.schemes)


def _wanted(rule: KindRule, text: str) -> bool:
    if any(w in text for w in rule.exclude):
        return False
    if rule.require and not any(w in text for w in rule.require):
        return False
    return not (rule.require_also and not any(w in text for w in rule.require_also))


def _extract_values(clauses: list[ClauseRef], scheme: str, year: int | None) -> tuple[list[DraftValue], list[Missing]]:
    p = patterns()
    base = base_year(clauses)
    undated_ok = year is None or base is None or year == base
    kinds = {k: r for k, r in p.kinds.items() if _applies(r, scheme)}
    by_cell: dict[tuple[str, tuple], list[DraftValue]] = {}
    for clause in clauses:
        heading = _heading(clause)
        years: frozenset[int] = frozenset()
        group = _base_group(heading)
        for quote in sentences(clause.raw_text):
            read = table_cell(quote)
            main = _PARENTHETICAL.sub("", read)  # asides ("(含…门诊限额5000元)") are read on their own
            asides = [m.group(1) for m in _PARENTHETICAL.finditer(read)]
            if not _not_for(quote, clause.raw_text, scheme):
                for kind, rule in kinds.items():
                    ctx = _Context(year, undated_ok, years if main.startswith(tuple(p.continuations)) else frozenset(), group)
                    for text, aside in [(main, False)] + [(a, True) for a in asides]:
                        if not _wanted(rule, quote if aside else main):
                            continue
                        cue_at = _first(text, rule.cues)
                        if cue_at < 0 and not aside and _first(heading, rule.cues) >= 0 \
                                and not any(w in heading for w in rule.exclude):
                            cue_at = 0
                        if aside:  # an aside speaks for the years its sentence names
                            named = frozenset(int(m.group(1)) for m in _YEAR.finditer(main))
                            ctx = _Context(year, undated_ok, named or years, group)
                        for key, value, how in _cells(text, rule, cue_at, ctx):
                            if rule.unit == "ratio" and not (0 <= value <= 1) or rule.unit != "ratio" and value < 0:
                                continue
                            if rule.unit == "ratio" and value == 0 and how is None:
                                continue
                            item = DraftValue(kind=kind, param=rule.param, key=key, value=_plain(value), quote=quote,
                                              chunk_id=clause.chunk_id, citation=clause.citation, interpretation=how)
                            by_cell.setdefault((rule.param, tuple(sorted(key.items()))), []).append(item)
            named = frozenset(int(m.group(1)) for m in _YEAR.finditer(main))
            years = named or years
            group = _base_group(main) or group
    values: list[DraftValue] = []
    missing: list[Missing] = []
    for (param, cell), items in by_cell.items():
        distinct = {i.value for i in items}
        if len(distinct) == 1:
            values.append(items[0])
        else:
            rule = p.kinds[items[0].kind]
            shown = "、".join(sorted(distinct))
            missing.append(Missing(kind=items[0].kind, param=param,
                                   what=f"{rule.label}{_describe(dict(cell))}：原文有不同数值（{shown}），需人工确定"))
    # A parameter's cells must share one breakdown: keep the most common shape, report the others.
    for param in {v.param for v in values}:
        shapes: dict[tuple, int] = {}
        for v in values:
            if v.param == param:
                shapes[tuple(sorted(v.key))] = shapes.get(tuple(sorted(v.key)), 0) + 1
        best = max(shapes, key=lambda s: (shapes[s], len(s)))
        for v in [v for v in values if v.param == param and tuple(sorted(v.key)) != best]:
            values.remove(v)
            missing.append(Missing(kind=v.kind, param=v.param, what=f"{p.kinds[v.kind].label}：“{v.quote}”的分档与其他数值不一致，需人工确定"))
    for kind, rule in kinds.items():
        if not any(v.param == rule.param for v in values) and not any(m.param == rule.param for m in missing):
            why = "文中未找到" if undated_ok else f"文中未找到标明{year}年度的数值（未标年度的数值按{base}年度理解）"
            missing.append(Missing(kind=kind, param=rule.param, what=f"{rule.label}：{why}"))
    return values, missing


def _describe(key: dict) -> str:
    parts = [f"{k}={v}" for k, v in key.items()]
    return f"（{'，'.join(parts)}）" if parts else ""


def _effect_in(part: str, eff: EffectRule, unit: str) -> tuple[str, Decimal] | None:
    """(op, value) an effect rule reads in one comma-part, or None. A part naming 门诊 but not 住院
    is about outpatient care unless the effect names its own service (`require`)."""
    if not any(c in part for c in eff.cues):
        return None
    if eff.require:
        if not any(w in part for w in eff.require):
            return None
    elif "门诊" in part and "住院" not in part:
        return None
    if eff.number == "words":
        for phrase, value in eff.words.items():
            if phrase in part:
                return "set", Decimal(value)
        return None
    direction = None
    for word in eff.up + eff.down:
        at = part.find(word)
        if at >= 0 and (direction is None or at < direction[1]):
            direction = (1 if word in eff.up else -1, at)
    if direction is None:
        return None
    shape = "amount" if eff.number == "amount" else "percent"
    found = [n for n in numbers(part, shape) if n.start >= direction[1]]
    if not found:
        return None
    n = found[0]
    if eff.number == "percent_of_value" and "百分点" in part[n.start:n.end]:
        return None
    if eff.number == "percent" and unit != "ratio":
        return None
    if eff.number == "percent_of_value":
        return "multiply", 1 + direction[0] * n.value
    return "add", direction[0] * n.value


def _extract_effects(clauses: list[ClauseRef], scheme: str) -> list[DraftEffect]:
    p = patterns()
    out: list[DraftEffect] = []
    seen: set[tuple] = set()
    for clause in clauses:
        whole = _heading(clause) + clause.raw_text
        for rule in p.adjustments:
            if not any(w in whole for w in rule.who):
                continue
            for sentence in sentences(clause.raw_text):
                if _not_for(sentence, clause.raw_text, scheme):
                    continue
                for part in re.split(r"[,，]", sentence):
                    for eff in rule.effects:
                        kind = p.kinds[eff.kind]
                        read = _effect_in(part, eff, kind.unit)
                        if read is None:
                            continue
                        op, value = read
                        mark = (rule.id, kind.param, op, value)
                        if mark in seen:
                            continue
                        seen.add(mark)
                        out.append(DraftEffect(adjustment=rule.id, name=rule.name, when=rule.when, target=kind.param, op=op,
                                               value=_plain(value), quote=sentence, chunk_id=clause.chunk_id,
                                               citation=clause.citation))
    return out


def _related(region: str | None, wanted: str) -> bool:
    from knowledge_base.ingest.regions import ancestors

    return region is not None and (region == wanted or wanted in ancestors(region))


def draft(document: str, region: str, scheme: str, year: int, policy_id: str | None = None) -> Draft:
    """Propose a rule set for `region`/`scheme`/`year` from the clauses of an ingested document."""
    from knowledge_base.ingest.regions import gazetteer

    canonical = gazetteer().aliases.get(region)
    if canonical is None:
        raise ValueError(f"地区“{region}”不在知识库地名表中（knowledge_base/resources/gazetteer.yaml），请先添加。")
    all_clauses = document_clauses(document)
    if not all_clauses:
        raise ValueError(f"找不到已导入的文档“{document}”，请先上传并导入。")
    clauses = [c for c in all_clauses if _related(c.region, canonical)]
    values, missing = _extract_values(clauses, scheme, year)
    base = base_year(clauses)
    effects = _extract_effects(clauses, scheme) if base is None or year == base else []
    ident = policy_id or "draft-" + hashlib.sha1(f"{canonical}/{scheme}".encode()).hexdigest()[:8]
    return Draft(id=ident, region=canonical, scheme=scheme, year=year, document=Path(str(document)).name,
                 values=values, effects=effects, missing=missing,
                 clauses=[{"chunk_id": c.chunk_id, "citation": c.citation, "text": c.raw_text} for c in clauses])


# ---- rendering as a rule file -------------------------------------------------------------------
def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(v: object) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def to_yaml(d: Draft, title: str | None = None) -> str:
    """The draft as a rule file in the library's format (it compiles; absent cells say what is
    missing). Services are proposed only from the values found."""
    p = patterns()
    by_param: dict[str, list[DraftValue]] = {}
    for v in d.values:
        by_param.setdefault(v.param, []).append(v)
    dims: dict[str, list] = {}
    for vs in by_param.values():
        for v in vs:
            for k, x in v.key.items():
                dims.setdefault(k, [])
                if x not in dims[k]:
                    dims[k].append(x)
    dims = {"level" if k == "level" else k: sorted(v, key=lambda x: (not x) if isinstance(x, bool) else x) for k, v in dims.items()}
    if "level" in dims:
        dims["level"] = sorted(set(dims["level"]) | {1, 2, 3})
    if "contribution_group" in dims:  # every group the engine may ask for (absent where not found)
        g = p.groups
        dims["contribution_group"] = [x for b in g.base for x in ([b] if b in g.no_low_income else [b, f"{b}_low_income"])]
    title = title or f"{d.region}{d.scheme}医保（草稿）"
    start = f"{d.year}-01-01"
    lines = [f"# 草稿：由 medpolicy rules draft 从 {d.document} 生成，须人工核对后再用于测算。",
             f"id: {d.id}", f"title: {title}", f"region: {d.region}", f"scheme: {d.scheme}", f"document: {d.document}",
             "periods:", f"  - {{id: {d.id}-{d.year}, title: {_q(title + f'（{d.year}年度）')}, year: {d.year}, start: {start}, end: {d.year}-12-31}}"]
    lines.append("dimensions:" + ("" if dims else " {}"))
    for k, vals in dims.items():
        lines.append(f"  {k}: [{', '.join(_scalar(x) for x in vals)}]")
    if d.missing:
        lines.append("# 未找到（需人工补充或标注 absent）：")
        lines += [f"#   - {m.what}" for m in d.missing]
    lines.append("parameters:")
    defined: set[str] = set()
    for param, vs in by_param.items():
        rule = p.kinds[vs[0].kind]
        by = sorted({k for v in vs for k in v.key})
        lines += [f"  {param}:", f"    label: {rule.label}", f"    unit: {rule.unit}", f"    by: [{', '.join(by)}]", "    values:"]
        have = {tuple(v.key.get(b) for b in by): v for v in vs}
        for combo in itertools.product(*(dims[b] for b in by)):
            cell = ", ".join(f"{b}: {_scalar(x)}" for b, x in zip(by, combo))
            cell = cell + ", " if cell else ""
            hit = have.get(combo)
            if hit is not None:
                how = f", interpretation: {_q(hit.interpretation)}" if hit.interpretation else ""
                lines.append(f"      - {{{cell}from: {start}, value: {_q(hit.value)}{how}, source: {{quote: {_q(hit.quote)}}}}}")
            else:
                quote = vs[0].quote
                lines.append(f"      - {{{cell}from: {start}, absent: true, missing: {_q(rule.label + '（原文未给出此档）')}, source: {{quote: {_q(quote)}}}}}")
        defined.add(param)
    services = []
    if {"inpatient.deductible", "inpatient.ratio"} <= defined:
        wage = any(p.kinds[v.kind].unit == "share_of_avg_wage" for v in d.values if v.param in ("inpatient.deductible", "annual_cap"))
        requires = ["covered_cost"] + (["hospital_level"] if "level" in dims else []) + (["tier"] if "tier" in dims else []) \
            + (["person.retired"] if "retired" in dims else []) + (["local_avg_wage"] if wage else [])
        services += ["  inpatient:", "    kind: deductible_ratio_cap", "    label: 住院", f"    requires: [{', '.join(requires)}]",
                     "    deductible: inpatient.deductible", "    ratio: inpatient.ratio"]
        services.append("    caps: [{param: annual_cap, pool: annual}]" if "annual_cap" in defined else "    caps: []")
    if services:
        lines.append("services:")
        lines += services
    mods = []
    order = 10
    for e in d.effects:
        if e.target not in defined or "inpatient.deductible" not in defined:
            continue
        when = "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in e.when.items()) + "}"
        mods += [f"  - id: {e.adjustment}-{order}", f"    name: {e.name}", f"    order: {order}", "    services: [inpatient]",
                 f"    when: {when}", f"    effects: [{{target: {e.target}, op: {e.op}, value: {_q(e.value)}}}]",
                 f"    source: {{quote: {_q(e.quote)}}}"]
        order += 10
    if mods and services:
        lines.append("modifiers:")
        lines += mods
    employee = ("contribution.employer_rate", "contribution.individual_rate", "contribution.base_min",
                "contribution.base_max", "contribution.account_share_of_employer")
    if "contribution.individual" in defined:
        lines += ["contributions:", "  kind: resident_flat", "  individual: contribution.individual"]
        by = sorted({k for v in by_param["contribution.individual"] for k in v.key})
        if "contribution_group" in by:
            lines.append("  group_by_person: true")
        elif by:
            lines.append(f"  requires: [{', '.join(by)}]")
    elif set(employee) <= defined:
        lines += ["contributions:", "  kind: employee_rates", "  requires: [wage, local_avg_wage, person.retired]"]
        lines += [f"  {name.split('.', 1)[1]}: {name}" for name in employee]
    return "\n".join(lines) + "\n"


def _flow(v: object) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return _scalar(v)


__all__ = ["Draft", "DraftEffect", "DraftValue", "Missing", "draft", "patterns", "sentences", "to_yaml"]
