"""Facts the user told us, where each came from, and the slots they imply.

A fact is a slot value with its origin: `said` (the user's words), `inferred` (derived from another
fact with the calculators' own rule data) or `default`. Identity facts (who and where: region,
scheme, tier, person…) last the whole conversation; topic facts (the bill, out of area, service…)
belong to one question and are dropped when a new one starts.

Inference uses the rule sets, never a table of its own: a stated yearly premium is the tier whose
`contribution.individual` value it equals in the matching rule set; an age is the category the NLU's
age convention gives (≥ 60 老年人, < 18 儿童, else 成年居民); a named major disease sets the
major-disease flag the rule sets' modifiers read.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from assistant.models import RememberedFact
from assistant.nlu.regions import rule_region_applies

Origin = Literal["said", "inferred", "default"]

# Facts about the question at hand; everything else is about the person and stays.
TOPIC_SLOTS = frozenset({
    "amount", "uncovered_amount", "amount_scope", "self_paid_remainder", "prior_reimbursed",
    "out_of_area", "out_of_city", "referral", "service", "admission_index", "maternity_stage", "topic", "injury",
})
# Facts about the patient's year, not one question's case: what was already reimbursed this year
# counts against the annual cap of every stay that follows ("今年已报销6万5" then "二级医院又住院 总费用2万"),
# so a new question keeps it; a question about another patient does not.
PATIENT_YEAR_SLOTS = frozenset({"ytd_reimbursed"})


class Fact(BaseModel):
    value: Any
    origin: Origin = "said"
    turn: int = 0  # the turn it was told on (topic facts older than the current question are dropped)
    source: str | None = None  # for an inferred fact: the fact it came from ("contribution_amount")
    answered: bool = False  # given as the answer to a clarifying question: kept across topics


# How a remembered fact reads to the user, in the order shown ("重庆 · 城乡居民 · 二档 · 三级医院").
_ORDER = ("region", "scheme", "tier", "person_category", "age", "retired", "laid_off", "household_size", "household_members", "poverty", "low_income", "major_disease",
          "continuous_enrollment", "carryover", "carryover_unused",
          "hospital_level", "out_of_area", "referral", "local_avg_wage", "wage")
_LABELS: dict[str, dict[Any, str]] = {
    "tier": {1: "一档", 2: "二档"},
    "hospital_level": {1: "一级医院", 2: "二级医院", 3: "三级医院"},
    "person_category": {"adult": "成年居民", "student": "学生", "child": "儿童", "elderly": "老年人"},
    "retired": {True: "退休", False: "在职"},
    "laid_off": {True: "下岗职工"},
    "poverty": {True: "贫困人口"},
    "low_income": {True: "低保对象"},
    "major_disease": {True: "重大疾病"},
    "out_of_area": {True: "县外就医", False: "县内就医"},
    "referral": {True: "已转诊", False: "未转诊"},
    "continuous_enrollment": {True: "连续参保", False: "未连续参保"},
    "carryover_unused": {True: "上年门诊定额未用"},
}


def label(slot: str, value: Any) -> str | None:
    """"二档", "三级医院", "72岁"… or None for a fact not shown."""
    if slot in _LABELS:
        return _LABELS[slot].get(value)
    if slot == "age":
        return f"{value}岁"
    if slot == "household_size":
        return f"家庭{value}人"
    if slot == "household_members":
        names = {"adult": "成年人", "student": "学生", "child": "儿童"}
        return "家庭成员：" + "、".join(f"{names.get(m['category'], m['category'])}{'（低保）' if m.get('low_income') else ''}"
                                      f"{m['count']}人" for m in value)
    if slot == "carryover":
        return f"上年门诊定额结余{value}元"
    if slot == "local_avg_wage":
        return f"社平工资{value}元"
    if slot == "wage":
        return f"工资{value}元"
    if slot in {"region", "scheme"}:
        return str(value)
    return None


def remembered(facts: dict[str, Fact]) -> list[RememberedFact]:
    out = []
    low_income = facts.get("low_income")
    for slot in _ORDER:
        fact = facts.get(slot)
        if fact is None or fact.value is None:
            continue
        if slot == "poverty" and low_income is not None and low_income.value:
            continue  # "低保对象" says it
        text = label(slot, fact.value)
        if text:
            out.append(RememberedFact(slot=slot, value=fact.value, label=text, origin=fact.origin))
    return out


def summary(facts: dict[str, Fact]) -> str:
    return " · ".join(r.label for r in remembered(facts))


# ---- inference from the rule sets ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _contribution_tables() -> tuple[tuple[str, str, str, tuple[tuple[int, Decimal], ...]], ...]:
    """(region, scheme, policy id, ((tier, yearly premium), …)) for every rule set with tiers."""
    from calculators.registry import load_policies

    out = []
    for policy in load_policies().values():
        contributions = policy.contributions
        if contributions is None or not contributions.individual:
            continue
        param = policy.params.get(contributions.individual)
        if param is None or param.by != ("tier",):
            continue
        cells = tuple((int(key[0]), cell.value) for key, cell in param.cells.items() if cell.value is not None)
        out.append((policy.region, policy.scheme, policy.id, cells))
    return tuple(out)


def premium_tiers(amount: Any, region: str | None = None) -> set[int]:
    """Every tier whose yearly premium equals `amount` in the rule sets of `region` (any region when
    none is known)."""
    try:
        wanted = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return set()
    return {tier for policy_region, _scheme, _pid, cells in _contribution_tables()
            if not region or rule_region_applies(policy_region, region)
            for tier, value in cells if value == wanted}


def tier_for_contribution(amount: Any, region: str | None = None) -> int | None:
    """The tier whose yearly premium equals `amount` in the rule sets of `region` (any region when
    none is known); None when no table or more than one tier matches."""
    tiers = premium_tiers(amount, region)
    return tiers.pop() if len(tiers) == 1 else None


ELDERLY_AGE = 60
ADULT_AGE = 18


def category_for_age(age: int) -> str:
    if age >= ELDERLY_AGE:
        return "elderly"
    return "child" if age < ADULT_AGE else "adult"


def infer(facts: dict[str, Fact], turn: int) -> None:
    """Add the slots the facts imply, unless the user said that slot themselves."""

    def put(slot: str, value: Any, source: str) -> None:
        current = facts.get(slot)
        if value is None or (current is not None and current.origin == "said"):
            return
        facts[slot] = Fact(value=value, origin="inferred", turn=turn, source=source)

    amount = facts.get("contribution_amount")
    if amount is not None:
        region = facts["region"].value if "region" in facts else None
        put("tier", tier_for_contribution(amount.value, region), "contribution_amount")
    laid_off = facts.get("laid_off")
    if laid_off is not None and laid_off.value is True:
        # 下岗职工 are workers of the employee scheme (their 再就业服务中心 pays its premium).
        put("scheme", "职工", "laid_off")
    age = facts.get("age")
    if age is not None and isinstance(age.value, int):
        put("person_category", category_for_age(age.value), "age")
