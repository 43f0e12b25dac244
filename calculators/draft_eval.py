"""Measure the drafter against the bundled, hand-written rule sets, parameter by parameter.

For each period of each bundled rule file the drafter is run on the file's document, region,
scheme and year (the only things taken from the file); its proposals are then compared with the
hand-written values in force at the period's start. A proposal is correct when a hand-written
value has the same parameter, the same breakdown cell, the same number, and a quote that contains
or is contained in the hand-written one (after `normalize_text`). Modifier effects count as kind
"adjustment" (same target, operation and number). Cells the hand-written file marks absent or
delegated are not values and are not counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from knowledge_base.normalize import normalize_text

from calculators.drafter import draft, patterns
from calculators.registry import Policy, load_policies

KIND_OF_PARAM = {"adjustment": "adjustment"}


@dataclass(frozen=True)
class Item:
    kind: str
    param: str
    key: tuple
    value: Decimal
    quote: str


@dataclass
class Tally:
    drafted: int = 0
    correct: int = 0
    expected: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None


@dataclass
class Report:
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_policy: dict[str, Tally] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # drafted items with no hand-written match
    misses: list[str] = field(default_factory=list)  # hand-written values not drafted

    def total(self) -> Tally:
        t = Tally()
        for x in self.by_kind.values():
            t.drafted += x.drafted
            t.correct += x.correct
            t.expected += x.expected
            t.found += x.found
        return t


def kind_of(param: str, unit: str) -> str:
    """Which kind a hand-written parameter is, by its name (the library's naming convention)."""
    for kind, rule in patterns().kinds.items():
        if rule.param == param:
            return rule.group or kind
    name = param.lower()
    if "deductible" in name:
        return "deductible"
    if "cap" in name or "limit" in name:
        return "cap"
    if "quota" in name:
        return "quota"
    if name.startswith("contribution"):
        return "contribution"
    if unit == "ratio":
        return "ratio"
    return "other"


def hand_items(policy: Policy) -> list[Item]:
    items = []
    for name, param in policy.params.items():
        for key, cell in param.cells.items():
            if cell.status == "value":
                items.append(Item(kind_of(name, param.unit), name, tuple(sorted(zip(param.by, key))), cell.value,
                                  cell.source.quote))
    for mods in policy.modifiers.values():
        for m in mods:
            for e in m.effects:
                if e.value is not None:
                    items.append(Item("adjustment", f"{e.target}:{e.op}", (), e.value, m.source.quote))
    return list(dict.fromkeys(items))  # a modifier listed under two services counts once


def _overlap(a: str, b: str) -> bool:
    a, b = normalize_text(a), normalize_text(b)
    return a in b or b in a


def _same(d: Item, h: Item) -> bool:
    return d.param == h.param and d.key == h.key and d.value == h.value and _overlap(d.quote, h.quote)


def drafted_items(policy: Policy) -> list[Item]:
    raw = policy.raw
    d = draft(raw.document, raw.region, raw.scheme, policy.year)
    kinds = patterns().kinds
    items = [Item(kinds[v.kind].group or v.kind, v.param, tuple(sorted(v.key.items())), Decimal(v.value), v.quote) for v in d.values]
    items += [Item("adjustment", f"{e.target}:{e.op}", (), Decimal(e.value), e.quote) for e in d.effects]
    return items


def evaluate() -> Report:
    report = Report()
    for pid, policy in load_policies().items():
        hand = hand_items(policy)
        drafted = drafted_items(policy)
        per = report.by_policy.setdefault(pid, Tally())
        for d in drafted:
            t = report.by_kind.setdefault(d.kind, Tally())
            ok = any(_same(d, h) for h in hand)
            t.drafted += 1
            per.drafted += 1
            t.correct += ok
            per.correct += ok
            if not ok:
                report.errors.append(f"{pid}: {d.param} {dict(d.key)} = {d.value} ← {d.quote}")
        for h in hand:
            t = report.by_kind.setdefault(h.kind, Tally())
            ok = any(_same(d, h) for d in drafted)
            t.expected += 1
            per.expected += 1
            t.found += ok
            per.found += ok
            if not ok:
                report.misses.append(f"{pid}: {h.param} {dict(h.key)} = {h.value}")
    return report


__all__ = ["Report", "Tally", "evaluate", "hand_items", "kind_of"]
