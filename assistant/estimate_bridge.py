"""Between the conversation and the calculators: pick the policy, build the request, word the result.

The calculators own every figure; this module only maps slots to request fields, turns a missing
field into the one question that fills it, and renders the result (amounts, breakdown, assumptions,
the clause behind each rule) without computing anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from assistant.clarify import SERVICE_LABELS, SlotQuestion, question_for
from assistant.models import Citation
from assistant.nlu.regions import rule_region_applies
from calculators.context import FIELD_NAMES
from calculators.models import PolicySummary

_CATEGORIES = {"adult", "student", "child", "elderly"}
# Resident schemes were merged from these over the years; a rule of one is relevant to the others.
RESIDENT_SCHEMES = {"城乡居民", "城镇居民", "新农合"}

# Calculator request field (as CalcError names it) -> the dialogue slot that fills it.
FIELD_TO_SLOT = {
    "covered_cost": "amount",
    "uncovered_cost": "uncovered_amount",
    "hospital_level": "hospital_level",
    "tier": "tier",
    "person.category": "person_category",
    "person": "person_category",
    "person.poverty": "poverty",
    "person.retired": "retired",
    "person.laid_off": "laid_off",
    "person.low_income": "low_income",
    "person.no_support": "no_support",
    "person.major_disease": "major_disease",
    "admission_index": "admission_index",
    "out_of_area": "out_of_area",
    "referral": "referral",
    "chronic_disease_count": "chronic_disease_count",
    "continuous_enrollment": "continuous_enrollment",
    "carryover": "carryover",
    "ytd_reimbursed": "ytd_reimbursed",
    "local_avg_wage": "local_avg_wage",
    "wage": "wage",
    "service": "service",
    "policy": "policy",
    "maternity_stage": "maternity_stage",
    "prior_reimbursed": "prior_reimbursed",
    "out_of_city": "out_of_city",
}

# Calculator defaults the message can make doubtful: field -> (when the slots make the default
# doubtful, the alternative value). "常年住在外地，在那边住院" with out_of_area True must not be
# computed as "市内" silently; the assistant asks when the answer depends on it.
DOUBTFUL_DEFAULTS: dict[str, tuple[Callable[[dict[str, Any]], bool], Any]] = {
    "out_of_city": (lambda slots: slots.get("out_of_area") is True, True),
}


# A field the calculator needs that the user left unsaid, where one value is the ordinary case
# and the others are exceptions the user would have mentioned (a pupil, a child): the estimate is
# made for the ordinary case, saying so and inviting the exception, rather than asking first.
# field -> (slot, value, the note shown).
COMMON_CASES: dict[str, tuple[str, Any, str]] = {
    "person.category": ("person_category", "adult",
                        "未说明患者类别，按成年居民测算；如是中小学生、儿童或老年人，请告诉我，报销比例可能不同"),
    "person.no_support": ("no_support", False, "未说明是否属于“三无人员”，按不属于测算；如属于请告诉我"),
    "person.low_income": ("low_income", False, "未说明是否属于低保对象，按不属于测算；如属于请告诉我"),
}


def common_case_request(request: dict[str, Any], field_name: str,
                        slots: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The request with the ordinary value of an unsaid person field filled in, and the note saying so."""
    name = "person.category" if field_name == "person" else field_name
    case = COMMON_CASES.get(name)
    if case is None or slots.get(case[0]) is not None:
        return None
    _slot, value, note = case
    return {**request, "person": {**(request.get("person") or {}), name.removeprefix("person."): value}}, note


# Said of a premium computed from a told wage with 在职/退休 unsaid: a wage is earned in work.
IN_WORK_NOTE = "按在职职工计（退休人员个人不缴费）"


def in_work_request(request: dict[str, Any], field_name: str, slots: dict[str, Any]) -> dict[str, Any] | None:
    """The premium request taken as 在职 when the calculators ask 在职/退休 of someone who told their
    wage ("我月薪8000，每月交多少"): a wage means someone in work, as `conditional_contribution_request`
    reads it when the average wage is also missing. None when the status was said or no wage told."""
    if field_name != "person.retired" or slots.get("retired") is not None or slots.get("wage") is None:
        return None
    return {**request, "person": {**(request.get("person") or {}), "retired": False}}


def doubtful_default(result: dict[str, Any], slots: dict[str, Any]) -> tuple[str, Any] | None:
    """The first default the calculator applied that the user's words leave open (care was out of
    area but not said whether outside the city too): (field, the value to try instead)."""
    for name in (result.get("defaults") or {}):
        rule = DOUBTFUL_DEFAULTS.get(name)
        if rule and rule[0](slots) and slots.get(FIELD_TO_SLOT.get(name, name)) is None:
            return name, rule[1]
    return None


# What the assistant needs to know about a rule set to choose it is exactly the calculators' own
# summary of it; one model, owned by the calculators.
PolicyInfo = PolicySummary


@dataclass
class Choice:
    """Either the chosen policy, or the question that narrows the candidates down."""

    policy: PolicyInfo | None = None
    question: SlotQuestion | None = None
    candidates: list[PolicyInfo] = field(default_factory=list)


def choose_policy(policies: Sequence[PolicyInfo], slots: dict[str, Any], purpose: str) -> Choice:
    """Filter by service (or contribution support), region, scheme and year; ask about the first
    dimension on which the remaining candidates still differ. `purpose` is a service name or
    "contribution"."""
    if slots.get("policy"):
        fixed = [p for p in policies if p.id == slots["policy"]]
        if fixed:
            return Choice(policy=fixed[0])
    fits = [p for p in policies if (p.contributions if purpose == "contribution" else purpose in p.services)]
    if not fits:
        return Choice()
    narrowed = fits
    if slots.get("region"):
        narrowed = [p for p in narrowed if rule_region_applies(p.region, slots["region"])]
        if not narrowed:
            return Choice(candidates=fits)  # the library has no rule set for this region
    if slots.get("tier") is not None or slots.get("person_category") in {"student", "child"}:
        # Contribution tiers, pupils and pre-school children exist only in resident schemes.
        residents = [p for p in narrowed if p.scheme in RESIDENT_SCHEMES]
        narrowed = residents or narrowed
    for slot, attr in (("scheme", "scheme"), ("year", "year")):
        if slots.get(slot) is not None:
            subset = [p for p in narrowed if getattr(p, attr) == slots[slot]]
            if not subset and slot == "scheme" and slots[slot] in RESIDENT_SCHEMES:
                # 新农合 and 城镇居民 were merged into 城乡居民: any resident rule set is the one meant.
                subset = [p for p in narrowed if p.scheme in RESIDENT_SCHEMES]
            narrowed = subset or narrowed
    if len(narrowed) == 1:
        return Choice(policy=narrowed[0], candidates=narrowed)
    for slot, attr in (("region", "region"), ("scheme", "scheme"), ("year", "year")):
        values = list(dict.fromkeys(getattr(p, attr) for p in narrowed))
        if len(values) > 1:
            label = (lambda v: f"{v}年") if slot == "year" else str
            return Choice(question=question_for(slot, [(label(v), v) for v in values]), candidates=narrowed)
    options = [(p.title, p.id) for p in narrowed]
    return Choice(question=question_for("policy", options), candidates=narrowed)


def build_request(policy: PolicyInfo, service: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The calculator request in its JSON shape; only the fields the user actually told us."""
    request: dict[str, Any] = {"policy": policy.id, "service": service}
    person: dict[str, Any] = {}
    category = slots.get("person_category")
    if category in _CATEGORIES:
        person["category"] = category
    elif category in {"low_income", "低保"}:
        person["low_income"] = True
    if slots.get("poverty") is not None:
        person["poverty"] = slots["poverty"]
    for flag in ("retired", "laid_off", "low_income", "no_support", "major_disease"):
        if slots.get(flag) is not None:
            person[flag] = slots[flag]
    if person:
        request["person"] = person
    simple = {
        "maternity_stage": "maternity_stage",
        "hospital_level": "hospital_level",
        "tier": "tier",
        "admission_index": "admission_index",
        "out_of_area": "out_of_area",
        "referral": "referral",
        "chronic_disease_count": "chronic_disease_count",
        "continuous_enrollment": "continuous_enrollment",
        "carryover_unused": "carryover_unused",
        "injury": "injury",
    }
    if slots.get("out_of_area") is True:
        simple["out_of_city"] = "out_of_city"  # only meaningful for care out of area
    for slot, name in simple.items():
        if slots.get(slot) is not None:
            request[name] = slots[slot]
    money = {"amount": "covered_cost", "uncovered_amount": "uncovered_cost", "ytd_reimbursed": "ytd_reimbursed",
             "local_avg_wage": "local_avg_wage", "prior_reimbursed": "prior_reimbursed", "carryover": "carryover"}
    for slot, name in money.items():
        if slots.get(slot) is not None:
            request[name] = str(slots[slot])
    covered = covered_part(slots)
    if covered is not None:
        request["covered_cost"] = covered
    return request


def covered_part(slots: dict[str, Any]) -> str | None:
    """"花了5000元，其中自费的2000": the amount is the total bill (`amount_scope` "total"), so the part
    the policy covers is the total less the 自费 part. None when the amount is already the covered
    part, or the 自费 part is not a part of it (larger than the total)."""
    if slots.get("amount_scope") != "total" or slots.get("amount") is None or slots.get("uncovered_amount") is None:
        return None
    total, uncovered = Decimal(str(slots["amount"])), Decimal(str(slots["uncovered_amount"]))
    return str(total - uncovered) if uncovered <= total else None


# 门诊特殊疾病 (特殊病门诊, 门特) covers chronic and major diseases alike, and rule sets file it under
# either service (桂阳: major_disease_outpatient_poverty_relief, labelled 特殊疾病门诊再次补助), so a
# special-outpatient subsidy is looked up under both.
SPECIAL_OUTPATIENT = ("chronic_outpatient", "major_disease_outpatient")


def relief_services(policies: Sequence[PolicyInfo], service: str) -> list[str]:
    """The second-round subsidy services (再次补助) that sit on top of `service` in any rule set:
    by the calculators' naming, "<service>_…_relief" (inpatient_poverty_relief, major_disease_
    outpatient_poverty_relief). The service's own first, then its special-outpatient sibling."""
    family = [service]
    if service in SPECIAL_OUTPATIENT:
        family += [s for s in SPECIAL_OUTPATIENT if s != service]
    ordered: list[str] = []
    for base in family:
        names = {s for p in policies for s in p.services if s.startswith(f"{base}_") and s.endswith("_relief")}
        ordered += sorted(names)
    return ordered


def build_relief_request(policy: PolicyInfo, relief: str, slots: dict[str, Any]) -> dict[str, Any]:
    """A second-round subsidy request from what the patient still paid after reimbursement: the
    subsidy is a share of (covered cost − already reimbursed), so that remainder is passed as the
    covered cost with nothing reimbursed — the same base, without inventing the bill's figures."""
    base = {k: v for k, v in slots.items() if k not in {"amount", "uncovered_amount", "ytd_reimbursed"}}
    request = build_request(policy, relief, base)
    request["covered_cost"] = str(slots["self_paid_remainder"])
    request["prior_reimbursed"] = "0"
    return request


def render_relief(result: dict[str, Any], policy: PolicyInfo, remainder: Any) -> tuple[str, list[Citation]]:
    """The subsidy first ("可再次补助 4000.00 元"), then the cited rule and how the base was taken."""
    citations, index = step_citations(result, policy)
    lines = [
        f"按《{result.get('policy_title', policy.title)}》测算：",
        f"报销后个人自付 {remainder} 元，可再次补助 {result['reimbursed']} 元，补助后个人负担 {result['out_of_pocket']} 元。",
    ]
    rule_lines = _cited_step_lines(result.get("steps", []), index)
    if rule_lines:
        lines.append("依据：")
        lines.extend(rule_lines)
    notes = _sentences(a.get("text") for a in result.get("assumptions", []))
    notes.insert(0, "按您所说的报销后自付金额作为再次补助的计算基数（其中医保目录外费用不计入）")
    lines.append("说明：" + "；".join(notes) + "。")
    lines.append(_disclaimer(result))
    return "\n".join(lines), citations


def build_contribution_request(policy: PolicyInfo, slots: dict[str, Any]) -> dict[str, Any]:
    request = {k: v for k, v in build_request(policy, "contribution", slots).items()
               if k in {"policy", "tier", "person", "local_avg_wage"}}
    if slots.get("wage") is not None:
        request["wage"] = str(slots["wage"])
        request["wage_period"] = slots.get("wage_period") or "month"  # a wage is monthly unless said yearly
    return request



def conditional_contribution_request(request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The employee contribution for the common case when the local average wage is unknown: the
    wage itself as the base (the calculators state the 60 %–300 % assumption and the clamp rule).
    A wage means someone in work, so an unstated retirement status is taken as 在职 — said in the
    notes returned with the request."""
    conditional = {**request, "wage_within_bounds": True}
    notes = []
    person = dict(conditional.get("person") or {})
    if person.get("retired") is None:
        person["retired"] = False
        notes.append(IN_WORK_NOTE)
    conditional["person"] = person
    return conditional, notes


def render_conditional_contribution(result: dict[str, Any], policy: PolicyInfo, notes: list[str]) -> tuple[str, list[Citation]]:
    """The common-case answer first, then the condition it rests on and how to get the exact one."""
    answer, citations = render_contribution(result, policy)
    lead = "未提供当地上年度职工平均工资，以下按常见情形（工资在缴费基数上下限之间，缴费基数即工资）测算："
    lines = answer.split("\n")
    if notes:
        at = next((i for i, line in enumerate(lines) if line.startswith("说明：")), None)
        if at is None:
            lines.insert(len(lines) - 1, f"说明：{'；'.join(notes)}。")
        else:
            lines[at] = f"说明：{'；'.join(notes)}；{lines[at][3:]}"
    tail = "如告知当地上年度职工年平均工资，可按封顶保底规则精确测算。"
    return "\n".join([lead, *lines[:-1], tail, lines[-1]]), citations


def missing_slot_question(field_name: str) -> SlotQuestion | None:
    """The clarifying question for a request field the calculator says is missing."""
    slot = FIELD_TO_SLOT.get(field_name)
    return question_for(slot) if slot else None


def _dump(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json") if isinstance(result, BaseModel) else dict(result)


def trace_text(result: dict[str, Any]) -> str:
    """Everything the calculator said, flattened: the grounding check's source for an estimate."""
    import json

    return json.dumps(result, ensure_ascii=False)


def _step_source(step: dict[str, Any]) -> tuple[str, str, str]:
    """(chunk id, citation path, quote) of the clause behind a step."""
    source = step.get("source") or {}
    return (
        source.get("chunk_id") or step.get("chunk_id") or "",
        source.get("citation") or step.get("citation") or source.get("document", ""),
        source.get("quote") or step.get("quote") or "",
    )


def _step_key(step: dict[str, Any]) -> str | None:
    """Steps quoting the same clause share one citation: by chunk id when known, else by path+quote."""
    chunk_id, citation, quote = _step_source(step)
    if not quote:
        return None
    return chunk_id or f"{citation}|{quote}"


step_key = _step_key  # the key `step_citations`' index maps a step by


def step_citations(result: dict[str, Any], policy: PolicyInfo, start: int = 1) -> tuple[list[Citation], dict[str, int]]:
    """One citation per distinct clause behind the steps (its quotes joined); maps step key -> [n]."""
    citations: list[Citation] = []
    index: dict[str, int] = {}
    for step in result.get("steps", []):
        key = _step_key(step)
        if key is None:
            continue
        chunk_id, citation, quote = _step_source(step)
        if key in index:
            cited = citations[index[key] - start]
            if quote not in cited.text:
                cited.text = f"{cited.text}……{quote}"
            continue
        index[key] = start + len(citations)
        citations.append(Citation(n=index[key], chunk_id=chunk_id, citation=citation, text=quote,
                                  region=policy.region, year=policy.year))
    return citations, index


# How a default the calculator applied reads to a citizen: field -> (what, {value: wording}).
_DEFAULT_WORDING: dict[str, tuple[str, dict[str, str]]] = {
    "uncovered_cost": ("目录外自费费用", {"0": "0元"}),
    "ytd_reimbursed": ("今年已报销金额", {"0": "0元"}),
    "prior_reimbursed": ("已报销金额", {"0": "0元"}),
    "out_of_area": ("就医地点", {"false": "本县（统筹区）内", "true": "县外"}),
    "out_of_city": ("就医地点", {"false": "市（直辖市）内", "true": "市（直辖市）外"}),
    "referral": ("转诊登记", {"false": "未办理", "true": "已办理"}),
    "admission_index": ("住院次数", {"1": "今年第一次"}),
    "chronic_disease_count": ("慢性病种数", {"1": "1种"}),
    "person.major_disease": ("重大疾病", {"false": "不属于", "true": "属于"}),
    "person.poverty": ("贫困人口", {"false": "不属于", "true": "属于"}),
    "person.low_income": ("低保对象", {"false": "不属于", "true": "属于"}),
    "person.no_support": ("三无人员", {"false": "不属于", "true": "属于"}),
    "person.retired": ("在职/退休", {"false": "在职", "true": "退休"}),
    "person.category": ("人员类别", {"adult": "成年居民", "student": "中小学生", "child": "学龄前儿童",
                                     "elderly": "老年人"}),
    "tier": ("参保档次", {"1": "一档", "2": "二档"}),
    "hospital_level": ("医院等级", {"1": "一级", "2": "二级", "3": "三级"}),
}


def default_note(field_name: str, value: Any) -> str:
    """"就医地点按本县（统筹区）内计" — a default stated in the citizen's words."""
    what, wording = _DEFAULT_WORDING.get(field_name, (_field_name(field_name), {"0": "0元"}))
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{what}按{wording.get(text, text)}计"


def _field_name(field_name: str) -> str:
    """The calculators' own Chinese name of a request field (a pool's year-to-date amount by the
    pool), so no English identifier reaches a citizen."""
    if field_name.startswith("ytd_by_pool."):
        return "本年度该类费用已报销金额"
    return FIELD_NAMES.get(field_name, field_name)


MAX_STEP_LINES = 6


def _sentences(texts: Any) -> list[str]:
    """Assumption texts without their own closing stop, so joining them with "；" and ending with
    "。" never yields "。；" on a phone screen."""
    return [t.rstrip("。；;. ") for t in texts if t and t.rstrip("。；;. ")]


def _cited_step_lines(steps: Sequence[dict[str, Any]], index: dict) -> list[str]:
    """"· label：formula[n]" for the first MAX_STEP_LINES steps that cite a clause, n being the
    step's citation number: a phone screen shows the rules, the full trace stays in the estimate."""
    lines = [f"· {step['label']}：{step['formula']}[{index[key]}]" for step in steps if (key := _step_key(step))]
    return lines[:MAX_STEP_LINES]


def _disclaimer(result: dict[str, Any]) -> str:
    return result.get("disclaimer") or "以当地医保部门核定为准。"


def render_estimate(result: dict[str, Any], policy: PolicyInfo, service: str) -> tuple[str, list[Citation]]:
    """Fund pays / patient pays first, then a compact breakdown, the cited rules and assumptions."""
    citations, index = step_citations(result, policy)
    breakdown = result.get("breakdown", {})
    lines = [
        f"按《{result.get('policy_title', policy.title)}》测算（{SERVICE_LABELS.get(service, service)}）：",
        f"医保支付 {result['reimbursed']} 元，个人自付 {result['out_of_pocket']} 元。",
    ]
    parts = [(label, breakdown.get(key)) for key, label in (
        ("deductible", "起付线"), ("copay", "按比例自付"), ("above_cap", "超限额"), ("uncovered", "目录外自费"))]
    shown = [f"{label}{value}元" for label, value in parts if value and value not in {"0", "0.00"}]
    if shown:
        lines.append("个人自付含：" + "，".join(shown) + "。")
    payers = [p for p in breakdown.get("payers", []) if p.get("amount") not in {None, "0", "0.00"}]
    if len(payers) > 1:
        lines.append("分项支付：" + "，".join(f"{p['name']}{p['amount']}元" for p in payers) + "。")
    rule_lines = _cited_step_lines(result.get("steps", []), index)
    if rule_lines:
        lines.append("依据：")
        lines.extend(rule_lines)
    assumptions = _sentences(a.get("text") for a in result.get("assumptions", []))
    defaults = result.get("defaults") or {}
    if assumptions or defaults:
        notes = assumptions + [default_note(k, v) for k, v in defaults.items()]
        lines.append("说明：" + ("未说明的" if defaults and not assumptions else "") + "；".join(notes) + "。")
    lines.extend(_requirement_lines(result, policy, citations))
    lines.append(_disclaimer(result))
    return "\n".join(lines), citations


def _requirement_lines(result: dict[str, Any], policy: PolicyInfo, citations: list[Citation]) -> list[str]:
    """"另需：…外伤证明[n]": what the text asks of the patient in the case told, cited — the papers
    decide whether the figure is paid at all, so the front desk says them beside it."""
    lines = []
    for notice in result.get("requirements") or []:
        source = notice.get("source") or {}
        if not source.get("chunk_id"):
            continue  # its quote is in no clause (`medpolicy policies --check` reports it): nothing to cite
        n = len(citations) + 1
        citations.append(Citation(n=n, chunk_id=source.get("chunk_id"), citation=source.get("citation"),
                                  text=source.get("quote", ""), region=policy.region, year=policy.year))
        lines.append(f"另需：{notice['text'].rstrip('。')}[{n}]。")
    return lines


def caps_request(policy: PolicyInfo, service: str, slots: dict[str, Any], keep_ytd: bool = False) -> dict[str, Any]:
    """The estimate request's person and care fields, without a bill (a cap needs none).
    `keep_ytd`: with the year's payments told, so the calculators also give what is left of the cap."""
    request = build_request(policy, service, slots)
    for name in ("covered_cost", "uncovered_cost", "prior_reimbursed") + (() if keep_ytd else ("ytd_reimbursed",)):
        request.pop(name, None)
    return request


def _cap_text(cap: dict[str, Any]) -> str:
    """"全年累计最高限额 70000.00 元"; with last year's balance told, what this year adds up to; with
    the year's payments told, what is left of it."""
    text = f"{cap['label']} {cap['amount']} 元"
    if cap.get("carried") is not None:
        text += f"，加上年结转 {cap['carried']} 元，今年共可用 {cap['available']} 元"
    if cap.get("remaining") is not None:
        text += f"，扣除本年度已报销部分，剩余额度 {cap['remaining']} 元"
    return text


def render_caps(result: dict[str, Any], policy: PolicyInfo) -> tuple[str, list[Citation]]:
    """"按《…》：统筹基金年度最高支付限额 240000.00 元。" with the cited rule and the figure's make-up."""
    citations, index = step_citations(result, policy)
    title = result.get("policy_title", policy.title)
    lines = [f"按《{title}》：" + "；".join(_cap_text(c) for c in result["caps"]) + "。"]
    rule_lines = _cited_step_lines(result.get("steps", []), index)
    if rule_lines:
        lines.append("依据：")
        lines.extend(rule_lines)
    assumptions = _sentences(a.get("text") for a in result.get("assumptions", []))
    if assumptions:
        lines.append("说明：" + "；".join(assumptions) + "。")
    lines.append("以上为按政策文本的测算，以当地医保部门核定为准。")
    return "\n".join(lines), citations


def render_terms(result: dict[str, Any], policy: PolicyInfo, notes: Sequence[str] = ()) -> tuple[str, list[Citation]]:
    """"按《…》（住院）：起付线 840.00 元，报销比例 40%。" — the figures of this case after the rule
    set's modifiers, then the cited rules (the base figure and the modifier), assumptions and notes."""
    citations, index = step_citations(result, policy)
    service = SERVICE_LABELS.get(result["service"], result["service"])
    lines = [f"按《{result.get('policy_title', policy.title)}》（{service}）：起付线 {result['deductible']} 元，"
             f"报销比例 {result['ratio']}。"]
    rule_lines = _cited_step_lines(result.get("steps", []), index)
    if rule_lines:
        lines.append("依据：")
        lines.extend(rule_lines)
    said = [*notes, *_sentences(a.get("text") for a in result.get("assumptions", []))]
    said += [default_note(k, v) for k, v in (result.get("defaults") or {}).items()]
    if said:
        lines.append("说明：" + "；".join(said) + "。")
    lines.append("以上为按政策文本的测算，以当地医保部门核定为准。")
    return "\n".join(lines), citations


def render_contribution(result: dict[str, Any], policy: PolicyInfo) -> tuple[str, list[Citation]]:
    citations, index = step_citations(result, policy)
    month = "每月" if result.get("period") == "month" else ""
    lines = [f"按《{result.get('policy_title', policy.title)}》：个人{month}缴费 {result['individual']} 元。"]
    if result.get("members"):
        shares = "，".join(f"{m['label']} {m['individual']} 元 × {m['count']}人" for m in result["members"])
        lines[0] = (f"按《{result.get('policy_title', policy.title)}》：全家{result['household_size']}人合计 "
                    f"{result['household_total']} 元（{shares}）。")
    elif result.get("household_total"):
        lines[0] = (f"按《{result.get('policy_title', policy.title)}》：以家庭为单位选择同一档次，"
                    f"全家{result['household_size']}人合计 {result['household_total']} 元（每人 {result['individual']} 元）。")
    if result.get("employer"):
        base = f"（缴费基数{month} {result['base']} 元）" if result.get("base") else ""
        lines.append(f"单位{month}缴费 {result['employer']} 元，合计 {result['total']} 元{base}。")
    if result.get("personal_account"):
        lines.append(f"{month}划入个人帐户 {result['personal_account']} 元（个人缴费全部计入，单位缴费按规定比例划入），"
                     f"其余 {result['pooled_fund']} 元记入统筹基金。")
    lines.extend(_cited_step_lines(result.get("steps", [])[:MAX_STEP_LINES], index))
    assumptions = _sentences(a.get("text") for a in result.get("assumptions", []))
    if assumptions:
        lines.append("说明：" + "；".join(assumptions) + "。")
    lines.append(_disclaimer(result))
    return "\n".join(lines), citations


@dataclass
class CalculatorPort:
    """The calculator functions the assistant calls, injectable so tests can use fakes."""

    estimate: Callable[[dict[str, Any]], Any]
    contribution: Callable[[dict[str, Any]], Any]
    policies: list[PolicyInfo]
    caps: Callable[[dict[str, Any]], Any] | None = None  # a service's yearly caps without a bill
    terms: Callable[[dict[str, Any]], Any] | None = None  # its deductible and ratio without a bill
    deductible: Callable[[dict[str, Any]], Any] | None = None  # its deductible alone (ratio left local)
    major_illness_deductible: Callable[[dict[str, Any]], Any] | None = None  # its 大病保险 layer's deductible

    @classmethod
    def default(cls) -> "CalculatorPort":
        import calculators
        from calculators.caps import caps as calculator_caps
        from calculators.caps import terms as calculator_terms
        from calculators.caps import deductible as calculator_deductible
        from calculators.caps import major_illness_deductible as calculator_major_illness_deductible

        return cls(
            estimate=lambda req: _dump(calculators.estimate(req)),
            contribution=lambda req: _dump(calculators.contribution(req)),
            caps=lambda req: _dump(calculator_caps(req)),
            terms=lambda req: _dump(calculator_terms(req)),
            deductible=lambda req: _dump(calculator_deductible(req)),
            major_illness_deductible=lambda req: _dump(calculator_major_illness_deductible(req)),
            policies=[PolicyInfo.model_validate(_dump(p)) for p in calculators.list_policies()],
        )
