"""The estimate engine: one pure function per service kind, all sharing the trace machinery.

Rounding points (ROUND_HALF_UP to 0.01 yuan): every resolved yuan parameter (after modifiers),
every payer's payment (ratio × base), and nothing else; ratios stay exact. Sums and differences
of rounded amounts are exact, so `reimbursed + out_of_pocket == total` to the cent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from calculators.context import Context
from calculators.errors import CalcError
from calculators.inputs import check_present_values
from calculators.modifiers import (
    applicable_modifiers,
    condition_holds,
    refuse_if_absent,
    resolve,
    resolve_optional_cap,
)
from calculators.models import Assumption, Breakdown, EstimateRequest, EstimateResult, Notice
from calculators.money import ZERO_CENTS, fmt, fmt_plain, fmt_ratio, parse_cents, q2
from calculators.payers import PayerLedger
from calculators.registry import Policy, policy_for, to_source
from calculators.schema import AssumptionSpec, DeductibleRatioCap, FixedSubsidy, Quota, SettledRelief
from calculators.trusted import construct, plain_step
from calculators.validation import parse_model


@dataclass
class Outcome:
    deductible: Decimal | None = ZERO_CENTS
    copay: Decimal | None = ZERO_CENTS
    above_cap: Decimal | None = ZERO_CENTS
    caps_used: dict[str, Decimal] = field(default_factory=dict)
    deductible_counted: Decimal = ZERO_CENTS
    deductible_text: str | None = None  # `deductible` already formatted, when the handler has it
    caps_text: dict[str, str] | None = None  # `caps_used` already formatted, when the handler has it


def _ytd(ctx: Context, pool: str, first: bool) -> Decimal:
    """Year-to-date payments already counted against a cap pool."""
    by_pool = ctx.req.ytd_by_pool
    if by_pool is not None and pool in by_pool:
        return parse_cents(f"ytd_by_pool.{pool}", by_pool[pool])
    if first:
        return ctx.amount("ytd_reimbursed")
    ctx.defaults[f"ytd_by_pool.{pool}"] = "0"
    return ZERO_CENTS


def _chronic_count(ctx: Context) -> int:
    n = ctx.need("chronic_disease_count")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 30:
        raise CalcError("chronic_disease_count", f"chronic_disease_count 应为1到30之间的整数，收到 {n!r}。")
    return n


def grown_with_diseases(ctx: Context, cap: Any, limit: Decimal, mods: Any) -> Decimal:
    """A cap that grows per extra disease ("每增加一种,年报销限额增加200元"): the base limit plus
    the per-disease amount for each disease after the first, stated as a step; other caps as given."""
    if not cap.grows_with_diseases:
        return limit
    n = _chronic_count(ctx)
    extra = resolve(ctx, cap.grows_with_diseases, mods)
    grown = limit + extra * (n - 1)
    label = ctx.policy.params[cap.param].label
    ctx.step(f"{label}（按病种数）", f"{fmt_plain(limit)} + {fmt_plain(extra)} × ({n} − 1) = {fmt(grown)}",
             grown, ctx.policy.params[cap.grows_with_diseases].cells[()].source)
    return grown


class Money(NamedTuple):
    """An amount and its trace text, formatted once and carried together (the text of a value
    read from the request keeps the request's wire form)."""

    value: Decimal
    text: str


def money(value: Decimal) -> Money:
    return Money(value, fmt(value))


@dataclass(frozen=True)
class CapTerms:
    """One cap the fund's payment is held to: the pool it counts in and its limit."""

    pool: str
    label: str
    limit: Money


@dataclass(frozen=True)
class MajorIllnessTerms:
    deductible: Money
    ratio: Decimal
    ratio_text: str


@dataclass(frozen=True)
class ReliefTerms:
    """A later payer (medical assistance, poverty relief) on what the earlier ones left."""

    payer: str
    label: str
    ratio: Decimal
    ratio_text: str
    cap: Money | None  # yearly limit, None when the text sets none
    pool: str


@dataclass(frozen=True)
class Plan:
    """Everything a deductible/ratio/cap estimate needs that does not depend on amounts: resolved
    parameters with their trace lines, assumptions and applied defaults, and the parameters as
    trace text (formatted once per plan, not once per estimate)."""

    deductible: Money
    ratio: Decimal
    ratio_text: str
    caps: tuple[CapTerms, ...]  # absent caps are left out
    major_illness: MajorIllnessTerms | None
    steps: tuple
    assumptions: tuple
    defaults: tuple[tuple[str, str], ...]
    once_source: object = None  # Source of the once-a-year deductible rule, if the service has one
    relief: tuple[ReliefTerms, ...] = ()  # the later payers whose conditions hold


def _cents(value: Decimal) -> Decimal:
    """The same value with two decimals when that loses nothing (amounts derived from it then
    format without rounding); a finer value is kept as it is."""
    cents = q2(value)
    return cents if cents == value else value


# Request fields planning may read. Planning reads nothing else, so equal values give an equal plan.
_PLAN_FIELDS = ("service", "tier", "hospital_level", "admission_index", "out_of_area", "out_of_city", "referral",
                "chronic_disease_count", "local_avg_wage", "local_ratio")
_PLAN_PERSON_FIELDS = ("category", "poverty", "low_income", "retired", "major_disease", "no_support")
_PLAN_CACHE_MAX = 4096


_plan_fields = attrgetter(*_PLAN_FIELDS)
_plan_person_fields = attrgetter(*_PLAN_PERSON_FIELDS)


def _plan_key(req: EstimateRequest) -> tuple:
    return (_plan_fields(req), _plan_person_fields(req.person))


def _make_plan(ctx: Context, spec: DeductibleRatioCap) -> Plan:
    n_steps, n_assumptions, known_defaults = len(ctx.steps), len(ctx.assumptions), set(ctx.defaults)
    needed = [spec.deductible, spec.ratio] + ([spec.major_illness.deductible, spec.major_illness.ratio] if spec.major_illness else [])
    refuse_if_absent(ctx, needed)
    mods = applicable_modifiers(ctx)
    deductible = resolve(ctx, spec.deductible, mods)
    if spec.deductible_assumption:
        a = spec.deductible_assumption
        ctx.assume(Assumption(id=a.id, text=a.text, quote=a.quote))
    ratio = resolve(ctx, spec.ratio, mods)
    if spec.ratio_source:
        src = to_source(spec.ratio_source, ctx.policy.document)
        ctx.assume(Assumption(id=f"ratio_rule:{ctx.service}", text="本项执行原文所述的同一报销比例与起付线。", quote=src.quote, source=src))
    caps = []
    for cap in spec.caps:
        limit = resolve_optional_cap(ctx, cap.param, mods)
        if limit is None:
            continue
        label = ctx.policy.params[cap.param].label
        limit = grown_with_diseases(ctx, cap, limit, mods)
        caps.append(CapTerms(cap.pool, label, Money(_cents(limit), fmt(limit))))
    major = None
    if spec.major_illness:
        mi_deductible, mi_ratio = resolve(ctx, spec.major_illness.deductible, mods), resolve(ctx, spec.major_illness.ratio, mods)
        major = MajorIllnessTerms(Money(_cents(mi_deductible), fmt(mi_deductible)), mi_ratio, fmt_ratio(mi_ratio))
    relief = []
    for stage in spec.relief:
        if all(condition_holds(ctx, k, v) for k, v in stage.when.items()):
            stage_ratio = resolve(ctx, stage.ratio, mods)
            stage_cap = resolve_optional_cap(ctx, stage.cap, mods) if stage.cap else None
            relief.append(ReliefTerms(stage.payer, stage.label, stage_ratio, fmt_ratio(stage_ratio),
                                      None if stage_cap is None else Money(_cents(stage_cap), fmt(stage_cap)), stage.pool))
    once_source = None
    if spec.deductible_once_a_year:
        once = spec.deductible_once_a_year
        once_source = to_source(once.source, ctx.policy.document)
        ctx.assume(Assumption(id=f"once_a_year:{once.pool}", text=once.assumption, quote=once.source.quote, source=once_source))
    return Plan(
        Money(_cents(deductible), fmt(deductible)), ratio, fmt_ratio(ratio), tuple(caps), major,
        tuple(ctx.steps[n_steps:]), tuple(ctx.assumptions[n_assumptions:]),
        tuple((k, v) for k, v in ctx.defaults.items() if k not in known_defaults), once_source, tuple(relief),
    )


def _plan(ctx: Context, spec: DeductibleRatioCap) -> Plan:
    """The plan for this request, memoised per policy on the request fields planning reads
    (a precompiled rule table filled on demand; errors are never memoised)."""
    cache = ctx.policy.plan_cache
    key = _plan_key(ctx.req)
    plan = cache.get(key)
    if plan is None:
        plan = _make_plan(ctx, spec)
        if len(cache) >= _PLAN_CACHE_MAX:
            cache.clear()
        cache[key] = plan
        return plan
    ctx.steps.extend(plan.steps)
    for a in plan.assumptions:
        ctx.assume(a)
    ctx.defaults.update(plan.defaults)
    return plan


def _deductible_ratio_cap(ctx: Context, spec: DeductibleRatioCap, covered_value: Decimal, ledger: PayerLedger) -> Outcome:
    out = Outcome()
    plan = _plan(ctx, spec)
    f = fmt
    add = ctx.steps.append  # trace lines built directly (calculators.trusted): the hot path of an estimate
    covered = Money(covered_value, ctx.texts.get("covered_cost") or f(covered_value))
    due = plan.deductible
    if plan.once_source is not None:
        paid = ctx.amount("deductible_paid_ytd")
        due = money(max(ZERO_CENTS, plan.deductible.value - paid))
        ctx.step("本次应计起付线（一年计一次）", f"max(0, {plan.deductible.text} − 本年度已计 {f(paid)}) = {due.text}",
                 due.text, plan.once_source)
    applied = covered if covered.value <= due.value else due  # min(covered, due), keeping its text
    add(plain_step("起付线自付", f"min(政策范围内费用 {covered.text}, 起付线 {due.text}) = {applied.text}", applied.text))
    eligible = money(covered.value - applied.value)
    add(plain_step("起付线以上费用", f"{covered.text} − {applied.text} = {eligible.text}", eligible.text))
    computed = money(q2(eligible.value * plan.ratio))
    add(plain_step("按比例计算的统筹支付", f"{eligible.text} × {plan.ratio_text} = {computed.text}", computed.text))
    fund = computed
    first = True
    for cap in plan.caps:
        used = _ytd(ctx, cap.pool, first)
        first = False
        remaining = money(max(ZERO_CENTS, cap.limit.value - used))
        add(plain_step(f"{cap.label}剩余额度", f"{cap.limit.text} − 本年度已支付 {f(used)} = {remaining.text}", remaining.text))
        if remaining.value < fund.value:
            fund = remaining
    for cap in spec.caps:
        out.caps_used[cap.pool] = fund.value
    out.caps_text = {pool: fund.text for pool in out.caps_used}
    if fund.value < computed.value:
        excess = f(computed.value - fund.value)
        add(plain_step("超过封顶线（限额）部分，由个人负担", f"{computed.text} − {fund.text} = {excess}", excess))
    ledger.pay("basic_fund", fund.value, fund.text)
    add(plain_step("基本医保统筹基金支付", f"min({computed.text}, 剩余额度) = {fund.text}" if plan.caps else fund.text,
                   fund.text, "basic_fund"))
    if plan.major_illness:
        mi = plan.major_illness
        remainder = ledger.covered_remainder
        paid = money(q2(max(ZERO_CENTS, remainder - mi.deductible.value) * mi.ratio))
        ledger.pay("major_illness", paid.value, paid.text)
        add(plain_step("大病保险支付", f"max(0, {f(remainder)} − {mi.deductible.text}) × {mi.ratio_text} = {paid.text}",
                       paid.text, "major_illness"))
    for stage in plan.relief:
        base = ledger.covered_remainder
        raw = q2(base * stage.ratio)
        paid_value = raw
        formula = f"{f(base)} × {stage.ratio_text} = {f(raw)}"
        if stage.cap is not None:
            used = _ytd(ctx, stage.pool, False)
            remaining = max(ZERO_CENTS, stage.cap.value - used)
            paid_value = min(raw, remaining)
            formula = f"min({formula}, 限额 {stage.cap.text} − 已支付 {f(used)} = {f(remaining)}) = {f(paid_value)}"
        paid = money(paid_value)
        ledger.pay(stage.payer, paid.value, paid.text)
        add(plain_step(stage.label, formula, paid.text, stage.payer))
        out.caps_used[stage.pool] = paid.value
        out.caps_text[stage.pool] = paid.text
    out.deductible = applied.value
    out.deductible_text = applied.text
    out.copay = eligible.value - computed.value
    out.above_cap = computed.value - fund.value
    if spec.deductible_once_a_year:
        out.deductible_counted = applied.value
    return out


def _assume_spec(ctx: Context, spec: AssumptionSpec | None) -> None:
    """State an interpretation the rule file writes next to a service (its own words, its own
    quote): built once per policy and shared (models in a result are never mutated)."""
    if spec is None:
        return
    key = ("assumption", spec.id)
    assumption = ctx.policy.plan_cache.get(key)
    if assumption is None:
        assumption = Assumption(id=spec.id, text=spec.text, quote=spec.quote)
        ctx.policy.plan_cache[key] = assumption
    ctx.assume(assumption)


def carried_over(ctx: Context, spec: Quota, quota: Decimal) -> Decimal:
    """Last year's unused quota this year adds: the balance told, or the whole quota when none of
    it was used (`carryover_unused`, the same quota, as the rule sets hold one per year); nothing
    when enrolment broke off (the rule's condition, cited) — asked when not told."""
    if ctx.req.carryover is None and ctx.req.carryover_unused:
        carry = quota
        ctx.step("上年定额全部未用：结转额即上年定额", f"{fmt(quota)}", carry, ctx.policy.params[spec.quota].cells[()].source)
    else:
        carry = ctx.amount("carryover")
    if carry > 0:
        continuous = ctx.need("continuous_enrollment", "上年余额能否结转取决于是否连续参保")
        rule = ctx.policy.params[spec.carryover_rule].cells[()]
        if not continuous:
            ctx.step("未连续参保：上年定额余额归零", f"结转 {fmt(carry)} → 0.00", ZERO_CENTS, rule.source)
            carry = ZERO_CENTS
        else:
            ctx.step("上年定额余额结转", f"{fmt(carry)}", carry, ctx.policy.params[spec.quota].cells[()].source)
    return carry


def _quota(ctx: Context, spec: Quota, covered: Decimal, ledger: PayerLedger) -> Outcome:
    mods = applicable_modifiers(ctx)
    quota = resolve(ctx, spec.quota, mods)
    carry = carried_over(ctx, spec, quota)
    total = quota + carry
    used = _ytd(ctx, spec.pool, True)
    remaining = max(ZERO_CENTS, total - used)
    ctx.step("普通门诊定额剩余", f"{fmt(quota)} + 结转 {fmt(carry)} − 本年度已用 {fmt(used)} = {fmt(remaining)}", remaining)
    ratio = resolve(ctx, spec.ratio, mods)
    _assume_spec(ctx, spec.ratio_assumption)
    payable = q2(covered * ratio)
    fund = min(payable, remaining)
    ctx.step("普通门诊定额支付", f"min({fmt(payable)}, 定额剩余 {fmt(remaining)}) = {fmt(fund)}", ledger.pay("basic_fund", fund), payer="basic_fund")
    return Outcome(deductible=ZERO_CENTS, copay=covered - payable, above_cap=payable - fund, caps_used={spec.pool: fund})


def _fixed_subsidy(ctx: Context, spec: FixedSubsidy, covered: Decimal, ledger: PayerLedger) -> Outcome:
    stage = ctx.need("maternity_stage")
    if stage not in spec.subsidies:
        raise CalcError("maternity_stage", f"maternity_stage 只能是：{'、'.join(spec.subsidies)}。")
    mods = applicable_modifiers(ctx)
    subsidy = resolve(ctx, spec.subsidies[stage], mods)
    pool = f"maternity_{stage}"
    used = _ytd(ctx, pool, True)
    remaining = max(ZERO_CENTS, subsidy - used)
    fund = min(covered, remaining)
    _assume_spec(ctx, spec.assumption)
    ctx.step("定额补助支付", f"min(费用 {fmt(covered)}, 定额 {fmt(subsidy)} − 已领 {fmt(used)}) = {fmt(fund)}",
             ledger.pay("basic_fund", fund), payer="basic_fund")
    return Outcome(deductible=ZERO_CENTS, copay=ZERO_CENTS, above_cap=covered - fund, caps_used={pool: fund})


def _settled_relief(ctx: Context, spec: SettledRelief, covered: Decimal, ledger: PayerLedger) -> Outcome:
    prior = ctx.amount("prior_reimbursed")
    if prior > covered:
        raise CalcError("prior_reimbursed", f"prior_reimbursed（{fmt(prior)}）不能超过政策范围内费用 covered_cost（{fmt(covered)}）。")
    ctx.step("基本医保及大病保险已支付（结算单）", f"{fmt(prior)}", ledger.pay("settled", prior), payer="settled")
    remainder = ledger.covered_remainder
    ctx.step("补偿后自付部分", f"{fmt(covered)} − {fmt(prior)} = {fmt(remainder)}", remainder)
    _assume_spec(ctx, spec.base_assumption)
    if not all(condition_holds(ctx, k, v) for k, v in spec.when.items()):
        ctx.step("再次补助不适用", spec.not_applicable, ZERO_CENTS,
                 ctx.policy.params[spec.relief_ratio].cells[()].source)
        return Outcome(deductible=None, copay=remainder, above_cap=ZERO_CENTS, caps_used={spec.pool: ZERO_CENTS})
    mods = applicable_modifiers(ctx)
    ratio = resolve(ctx, spec.relief_ratio, mods)
    cap = resolve(ctx, spec.relief_cap, mods)
    used = _ytd(ctx, spec.pool, True)
    remaining = max(ZERO_CENTS, cap - used)
    raw = q2(remainder * ratio)
    relief = min(raw, remaining)
    ctx.step("再次补助", f"min({fmt(remainder)} × {fmt_ratio(ratio)} = {fmt(raw)}, 剩余限额 {fmt(cap)} − {fmt(used)} = {fmt(remaining)}) = {fmt(relief)}",
             ledger.pay("poverty_relief", relief), payer="poverty_relief")
    return Outcome(deductible=None, copay=remainder - raw, above_cap=raw - relief, caps_used={spec.pool: relief})

_DISCLAIMER = EstimateResult.model_fields["disclaimer"].default
_ZERO_TEXT = fmt(ZERO_CENTS)

HANDLERS = {
    "deductible_ratio_cap": _deductible_ratio_cap,
    "quota": _quota,
    "fixed_subsidy": _fixed_subsidy,
    "settled_relief": _settled_relief,
}


def _service_spec(policy, service: str):
    spec = policy.services.get(service)
    if spec is None:
        known = "、".join(policy.services) or "（无，该政策只含缴费标准）"
        gaps = "；".join(f"{g.what}：原文未规定{g.missing}" for g in policy.gaps)
        extra = f" 说明：{gaps}。" if gaps else ""
        raise CalcError("service", f"政策“{policy.title}”没有可测算的“{service}”项目。可用项目：{known}。{extra}")
    return spec


def estimate(request: EstimateRequest | dict) -> EstimateResult:
    """Estimate one episode. Raises CalcError (field + Chinese message) and returns nothing partial."""
    req = request if isinstance(request, EstimateRequest) else parse_model(EstimateRequest, request)
    policy, today = policy_for(req.policy, req.date)  # the rules in force on the date of care
    return estimate_under(policy, req, date_default=today)


def estimate_under(policy: Policy, request: EstimateRequest | dict, date_default=None) -> EstimateResult:
    """Estimate under a given compiled policy (a draft rule file outside the registry, or tests).
    `date_default`: the date of care the caller filled in (recorded in `defaults`)."""
    req = request if isinstance(request, EstimateRequest) else parse_model(EstimateRequest, request)
    spec = _service_spec(policy, req.service)
    ctx = Context(req, policy, req.service)
    if date_default is not None:
        ctx.defaults["date"] = date_default.isoformat()
    check_present_values(ctx)  # invalid values given are reported before fields that are missing
    given, person = req.__dict__, req.person.__dict__
    for name in spec.requires:  # a field given needs no check here (its value was checked above)
        if (person[name[7:]] if name[:7] == "person." else given[name]) is None:
            ctx.need(name)  # default or "missing" error
    covered = ctx.amount("covered_cost")
    uncovered = ctx.amount("uncovered_cost")
    f = fmt
    texts = ctx.texts
    s_covered = texts.get("covered_cost") or f(covered)
    if uncovered:
        total = covered + uncovered
        s_uncovered = texts.get("uncovered_cost") or f(uncovered)
        s_total = f(total)
        ctx.step("政策范围外费用（全部自付）", s_uncovered, s_uncovered)
    else:  # no uncovered cost: the total is the covered cost, already formatted
        total, s_uncovered, s_total = covered, _ZERO_TEXT, s_covered
    ledger = PayerLedger(total, covered)
    out = HANDLERS[spec.kind](ctx, spec, covered, ledger)
    reimbursed = ledger.reimbursed
    oop = total - reimbursed
    paid = ledger.paid
    s_reimbursed = paid[0][2] if len(paid) == 1 and paid[0][2] is not None else f(reimbursed)
    s_oop = f(oop)
    shares = ledger.shares()
    payers = " + ".join([f"{p.name} {p.amount}" for p in shares])
    steps = ctx.steps
    steps.append(plain_step("合计报销", f"{payers} = {s_reimbursed}", s_reimbursed))
    steps.append(plain_step("个人负担", f"总费用 {s_total} − 报销 {s_reimbursed} = {s_oop}", s_oop))
    # Built without re-validation (calculators.trusted): every value is the engine's own.
    breakdown = construct(Breakdown, {
        "total_cost": s_total, "covered_cost": s_covered, "uncovered": s_uncovered,
        "deductible": out.deductible_text or (None if out.deductible is None else f(out.deductible)),
        "copay": None if out.copay is None else f(out.copay),
        "above_cap": None if out.above_cap is None else f(out.above_cap) if out.above_cap else _ZERO_TEXT,
        "payers": shares,
    }, {"total_cost", "covered_cost", "uncovered", "deductible", "copay", "above_cap", "payers"})
    return construct(EstimateResult, {
        "policy": policy.id, "policy_title": policy.title, "service": req.service,
        "reimbursed": s_reimbursed, "out_of_pocket": s_oop, "breakdown": breakdown,
        "steps": steps, "assumptions": ctx.assumptions, "defaults": ctx.defaults,
        "caps_used": out.caps_text if out.caps_text is not None else {k: f(v) for k, v in out.caps_used.items()}, "deductible_counted": _ZERO_TEXT if out.deductible_counted is ZERO_CENTS else f(out.deductible_counted),
        "disclaimer": _DISCLAIMER, "requirements": requirements_told(policy, req),
    }, {"policy", "policy_title", "service", "reimbursed", "out_of_pocket", "breakdown", "steps", "assumptions",
        "defaults", "caps_used", "deductible_counted", "requirements"})


def requirements_told(policy: Policy, req: EstimateRequest) -> list[Notice]:
    """The text's requirements whose circumstance the request states (a told value, never a default:
    nobody is told to bring a 外伤证明 for an injury they did not mention)."""
    told = req.__dict__
    return [Notice(id=r.id, text=r.text, source=to_source(r.source, policy.document))
            for r in (policy.raw.requirements if policy.raw is not None else [])
            if (not r.services or req.service in r.services)
            and all(told.get(k) is v for k, v in r.when.items())]
