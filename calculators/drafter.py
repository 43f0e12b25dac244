"""Draft a rule set from an ingested document: each value with its quote, the rest listed as missing.

The drafter reads the knowledge base's clauses of one document (calculators/clauses.py), keeps
those whose region metadata is the requested region (or inside it) and whose sentences do not
belong to another scheme, and applies general extraction rules (calculators/draft_patterns.yaml):
a cue word of a parameter kind, breakdown words (一级/二档/退休…) and numbers of the kind's shape.
A value is proposed only when a sentence states it; a cell stated twice with different numbers is
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

import yaml
from pydantic import BaseModel, ConfigDict, Field

from calculators.clauses import ClauseRef, document_clauses

PATTERNS_PATH = Path(__file__).with_name("draft_patterns.yaml")


# ---- the extraction rules, validated ------------------------------------------------------------
class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str | None = None  # the kind it is reported under (an outpatient family's "ratio")
    param: str
    label: str
    unit: str
    number: str  # amount | percent
    cues: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)
    require: list[str] = Field(default_factory=list)


class EffectRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    cues: list[str]
    up: list[str]
    down: list[str]
    number: str  # amount | percent | percent_of_value


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


class Patterns(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: dict[str, KindRule]
    not_rules: list[str]
    schemes: dict[str, SchemeRule]
    levels: dict[str, int]
    tiers: dict[str, int]
    retired: dict[str, bool]
    level_lists: dict[str, list[int]]
    adjustments: list[AdjustmentRule]


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


class DraftEffect(BaseModel):
    adjustment: str
    name: str
    when: dict[str, object]
    target: str
    op: str  # add | multiply
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
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)(万)?元")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)(?:%|％|个百分点)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d|元|%)")
_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]")


def sentences(text: str) -> list[str]:
    return [s.strip(" ,，") for s in _SENTENCE_END.split(text) if s.strip(" ,，")]


def _number(match: re.Match, shape: str) -> Decimal:
    value = Decimal(match.group(1))
    if shape == "amount" and match.group(2):
        value *= 10000
    if shape in ("percent", "percent_of_value"):
        value /= 100
    return value


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
    kind: str  # level | tier | retired | levels | number | year | comma
    value: object
    end: int = 0


def _tokens(sentence: str, shape: str) -> list[_Token]:
    p = patterns()
    found: list[_Token] = []
    taken: set[int] = set()

    def add(start: int, end: int, kind: str, value: object) -> None:
        if not taken.intersection(range(start, end)):
            taken.update(range(start, end))
            found.append(_Token(start, kind, value, end))

    for words, kind, table in ((p.level_lists, "levels", p.level_lists), (p.levels, "level", p.levels),
                               (p.tiers, "tier", p.tiers), (p.retired, "retired", p.retired)):
        for word in sorted(words, key=len, reverse=True):
            for m in re.finditer(re.escape(word), sentence):
                add(m.start(), m.end(), kind, table[word])
    number = _AMOUNT if shape == "amount" else _PERCENT
    for m in number.finditer(sentence):
        add(m.start(), m.end(), "number", _number(m, shape))
    for m in _YEAR.finditer(sentence):
        add(m.start(), m.end(), "year", int(m.group(1)))
    for m in re.finditer(r"[,，]", sentence):
        add(m.start(), m.end(), "comma", None)
    return sorted(found, key=lambda t: t.start)


def _cells(sentence: str, rule: KindRule, cue_at: int, year: int | None, undated_ok: bool = True) -> list[tuple[dict, Decimal]]:
    """(breakdown cell, value) pairs a sentence states after its cue (at `cue_at`; 0 when the cue
    is in the heading). A number after a year token belongs to that year; a number with none
    belongs to the text's base year only (`undated_ok`)."""
    out: list[tuple[dict, Decimal]] = []
    tier = retired = level = None
    pending: list[int] = []
    said_year = None
    for t in _tokens(sentence, rule.number):
        if t.kind == "tier":
            tier, level = t.value, None
        elif t.kind == "retired":
            retired = t.value
        elif t.kind == "levels":
            pending = list(t.value)  # type: ignore[arg-type]
        elif t.kind == "level":
            level = t.value
        elif t.kind == "year":
            said_year = t.value
        elif t.kind == "comma":  # a level (list) binds within its comma-part; a tier runs on
            pending, level = [], None
        elif t.kind == "number" and t.start >= cue_at:
            if year is not None and said_year is not None and said_year != year:
                continue
            if said_year is None and not undated_ok:
                continue
            key: dict = {}
            if tier is not None:
                key["tier"] = tier
            if retired is not None:
                key["retired"] = retired
            if pending:
                key["level"] = pending.pop(0)
            elif level is not None:
                key["level"] = level
                level = None
            out.append((key, t.value))
    return out


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


def _extract_values(clauses: list[ClauseRef], scheme: str, year: int | None) -> tuple[list[DraftValue], list[Missing]]:
    p = patterns()
    base = base_year(clauses)
    undated_ok = year is None or base is None or year == base
    by_cell: dict[tuple[str, tuple], list[DraftValue]] = {}
    for clause in clauses:
        heading = _heading(clause)
        for quote in sentences(clause.raw_text):
            if _not_for(quote, clause.raw_text, scheme):
                continue
            sentence = _PARENTHETICAL.sub("", quote)  # asides ("(含…门诊限额5000元)") state other things
            for kind, rule in p.kinds.items():
                if any(w in sentence for w in rule.exclude) or (rule.require and not any(w in sentence for w in rule.require)):
                    continue
                cue_at = _first(sentence, rule.cues)
                if cue_at < 0:
                    if _first(heading, rule.cues) < 0 or any(w in heading for w in rule.exclude):
                        continue
                    cue_at = 0
                for key, value in _cells(sentence, rule, cue_at, year, undated_ok):
                    if rule.unit == "ratio" and not (0 < value <= 1):
                        continue
                    item = DraftValue(kind=kind, param=rule.param, key=key, value=_plain(value), quote=quote,
                                      chunk_id=clause.chunk_id, citation=clause.citation)
                    by_cell.setdefault((kind, tuple(sorted(key.items()))), []).append(item)
    values: list[DraftValue] = []
    missing: list[Missing] = []
    for (kind, key), items in by_cell.items():
        distinct = {i.value for i in items}
        if len(distinct) == 1:
            values.append(items[0])
        else:
            rule = p.kinds[kind]
            shown = "、".join(sorted(distinct))
            missing.append(Missing(kind=kind, param=rule.param,
                                   what=f"{rule.label}{_describe(dict(key))}：原文有不同数值（{shown}），需人工确定"))
    # A kind's cells must share one breakdown: keep the most common shape, report the others.
    for kind in {v.kind for v in values}:
        shapes: dict[tuple, int] = {}
        for v in values:
            if v.kind == kind:
                shapes[tuple(sorted(v.key))] = shapes.get(tuple(sorted(v.key)), 0) + 1
        best = max(shapes, key=lambda s: (shapes[s], len(s)))
        for v in [v for v in values if v.kind == kind and tuple(sorted(v.key)) != best]:
            values.remove(v)
            missing.append(Missing(kind=kind, param=v.param, what=f"{p.kinds[kind].label}：“{v.quote}”的分档与其他数值不一致，需人工确定"))
    for kind, rule in p.kinds.items():
        if not any(v.kind == kind for v in values) and not any(m.kind == kind for m in missing):
            why = "文中未找到" if undated_ok else f"文中未找到标明{year}年度的数值（未标年度的数值按{base}年度理解）"
            missing.append(Missing(kind=kind, param=rule.param, what=f"{rule.label}：{why}"))
    return values, missing


def _describe(key: dict) -> str:
    parts = [f"{k}={v}" for k, v in key.items()]
    return f"（{'，'.join(parts)}）" if parts else ""


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
                        if not any(c in part for c in eff.cues) or "门诊" in part and "住院" not in part:
                            continue
                        direction = None
                        for word in eff.up + eff.down:
                            at = part.find(word)
                            if at >= 0 and (direction is None or at < direction[1]):
                                direction = (1 if word in eff.up else -1, at)
                        if direction is None:
                            continue
                        shape = "amount" if eff.number == "amount" else "percent"
                        regex = _AMOUNT if shape == "amount" else _PERCENT
                        m = regex.search(part, direction[1])
                        if m is None:
                            continue
                        if eff.number == "percent_of_value" and "百分点" in m.group(0):
                            continue
                        if eff.number == "percent" and p.kinds[eff.kind].unit != "ratio":
                            continue
                        number = _number(m, eff.number)
                        if eff.number == "percent_of_value":
                            op, value = "multiply", 1 + direction[0] * number
                        else:
                            op, value = "add", direction[0] * number
                        target = p.kinds[eff.kind].param
                        mark = (rule.id, target, op, value)
                        if mark in seen:
                            continue
                        seen.add(mark)
                        out.append(DraftEffect(adjustment=rule.id, name=rule.name, when=rule.when, target=target, op=op,
                                               value=_plain(value), quote=sentence, chunk_id=clause.chunk_id,
                                               citation=clause.citation))
    return out


def _related(region: str | None, wanted: str) -> bool:
    from knowledge_base.regions import ancestors

    return region is not None and (region == wanted or wanted in ancestors(region))


def draft(document: str, region: str, scheme: str, year: int, policy_id: str | None = None) -> Draft:
    """Propose a rule set for `region`/`scheme`/`year` from the clauses of an ingested document."""
    from knowledge_base.regions import gazetteer

    canonical = gazetteer().aliases.get(region)
    if canonical is None:
        raise ValueError(f"地区“{region}”不在知识库地名表中（knowledge_base/resources/regions.txt），请先添加。")
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
    for rule in p.kinds.values():
        vs = by_param.get(rule.param)
        if not vs:
            continue
        by = sorted({k for v in vs for k in v.key})
        lines += [f"  {rule.param}:", f"    label: {rule.label}", f"    unit: {rule.unit}", f"    by: [{', '.join(by)}]", "    values:"]
        have = {tuple(v.key.get(b) for b in by): v for v in vs}
        for combo in itertools.product(*(dims[b] for b in by)):
            cell = ", ".join(f"{b}: {_scalar(x)}" for b, x in zip(by, combo))
            cell = cell + ", " if cell else ""
            v = have.get(combo)
            if v is not None:
                lines.append(f"      - {{{cell}from: {start}, value: {_q(v.value)}, source: {{quote: {_q(v.quote)}}}}}")
            else:
                quote = vs[0].quote
                lines.append(f"      - {{{cell}from: {start}, absent: true, missing: {_q(rule.label + '（原文未给出此档）')}, source: {{quote: {_q(quote)}}}}}")
        defined.add(rule.param)
    services = []
    if {"inpatient.deductible", "inpatient.ratio"} <= defined:
        requires = ["covered_cost"] + (["hospital_level"] if "level" in dims else []) + (["tier"] if "tier" in dims else []) \
            + (["person.retired"] if "retired" in dims else [])
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
    if "contribution.individual" in defined:
        lines += ["contributions:", "  kind: resident_flat", "  individual: contribution.individual"]
        by = sorted({k for v in by_param["contribution.individual"] for k in v.key})
        if by:
            lines.append(f"  requires: [{', '.join(by)}]")
    return "\n".join(lines) + "\n"


def _flow(v: object) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return _scalar(v)


__all__ = ["Draft", "DraftEffect", "DraftValue", "Missing", "draft", "patterns", "sentences", "to_yaml"]
