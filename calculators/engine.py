"""The estimate engine: one pure function per service kind, all sharing the trace machinery.

Rounding points (ROUND_HALF_UP to 0.01 yuan): every resolved yuan parameter (after modifiers),
every payer's payment (ratio × base), and nothing else; ratios stay exact. Sums and differences
of rounded amounts are exact, so `reimbursed + out_of_pocket == total` to the cent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

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
from calculators.models import Assumption, Breakdown, EstimateRequest, EstimateResult
from calculators.money import ZERO_CENTS, fmt, fmt_plain, fmt_ratio, parse_cents, q2
from calculators.payers import PayerLedger
from calculators.registry import Policy, get_policy, to_source
from calculators.schema import DeductibleRatioCap, FixedSubsidy, Quota, SettledRelief
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


@dataclass(frozen=True)
class Plan:
    """Everything a deductible/ratio/cap estimate needs that does not depend on amounts: resolved
    parameters with their trace lines, assumptions and applied defaults, and the parameters as
    trace text (formatted once per plan, not once per estimate)."""

    deductible: Decimal
    ratio: Decimal
    caps: tuple[tuple[str, str, Decimal, str], ...]  # (pool, label, limit, limit text) — absent caps are left out
    major_illness: tuple[Decimal, Decimal, str, str] | None  # (deductible, ratio, their texts)
    steps: tuple
    assumptions: tuple
    defaults: tuple[tuple[str, str], ...]
    once_source: object = None  # Source of the once-a-year deductible rule, if the service has one
    relief: tuple = ()  # (payer, label, ratio, cap or None, pool, ratio text, cap text or None) of the later payers that apply
    deductible_text: str = ""
    ratio_text: str = ""


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
        if cap.grows_with_diseases:
            n = _chronic_count(ctx)
            extra = resolve(ctx, cap.grows_with_diseases, mods)
            grown = limit + extra * (n - 1)
            ctx.step(f"{label}（按病种数）", f"{fmt_plain(limit)} + {fmt_plain(extra)} × ({n} − 1) = {fmt(grown)}",
                     grown, ctx.policy.params[cap.grows_with_diseases].cells[()].source)
            limit = grown
        caps.append((cap.pool, label, _cents(limit), fmt(limit)))
    major = None
    if spec.major_illness:
        mi_deductible, mi_ratio = resolve(ctx, spec.major_illness.deductible, mods), resolve(ctx, spec.major_illness.ratio, mods)
        major = (_cents(mi_deductible), mi_ratio, fmt(mi_deductible), fmt_ratio(mi_ratio))
    relief = []
    for stage in spec.relief:
        if all(condition_holds(ctx, k, v) for k, v in stage.when.items()):
            stage_ratio = resolve(ctx, stage.ratio, mods)
            stage_cap = resolve_optional_cap(ctx, stage.cap, mods) if stage.cap else None
            relief.append((stage.payer, stage.label, stage_ratio, None if stage_cap is None else _cents(stage_cap), stage.pool,
                           fmt_ratio(stage_ratio), None if stage_cap is None else fmt(stage_cap)))
    once_source = None
    if spec.deductible_once_a_year:
        once = spec.deductible_once_a_year
        once_source = to_source(once.source, ctx.policy.document)
        ctx.assume(Assumption(id=f"once_a_year:{once.pool}", text=once.assumption, quote=once.source.quote, source=once_source))
    return Plan(
        _cents(deductible), ratio, tuple(caps), major, tuple(ctx.steps[n_steps:]), tuple(ctx.assumptions[n_assumptions:]),
        tuple((k, v) for k, v in ctx.defaults.items() if k not in known_defaults), once_source, tuple(relief),
        fmt(deductible), fmt_ratio(ratio),
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


def _deductible_ratio_cap(ctx: Context, spec: DeductibleRatioCap, covered: Decimal, ledger: PayerLedger) -> Outcome:
    out = Outcome()
    plan = _plan(ctx, spec)
    f = fmt
    add = ctx.steps.append  # trace lines built directly (calculators.trusted): the hot path of an estimate
    deductible = due = plan.deductible
    s_due = plan.deductible_text
    if plan.once_source is not None:
        paid = ctx.amount("deductible_paid_ytd")
        due = max(ZERO_CENTS, deductible - paid)
        s_due = f(due)
        ctx.step("本次应计起付线（一年计一次）", f"max(0, {plan.deductible_text} − 本年度已计 {f(paid)}) = {s_due}", s_due, plan.once_source)
    applied = min(covered, due)
    s_covered = ctx.texts.get("covered_cost") or f(covered)
    s_applied = s_covered if applied is covered else s_due if applied is due else f(applied)
    add(plain_step("起付线自付", f"min(政策范围内费用 {s_covered}, 起付线 {s_due}) = {s_applied}", s_applied))
    eligible = covered - applied
    s_eligible = f(eligible)
    add(plain_step("起付线以上费用", f"{s_covered} − {s_applied} = {s_eligible}", s_eligible))
    fund_raw = q2(eligible * plan.ratio)
    s_raw = f(fund_raw)
    add(plain_step("按比例计算的统筹支付", f"{s_eligible} × {plan.ratio_text} = {s_raw}", s_raw))
    fund, s_fund = fund_raw, s_raw
    first = True
    for pool, label, limit, s_limit in plan.caps:
        used = _ytd(ctx, pool, first)
        first = False
        remaining = max(ZERO_CENTS, limit - used)
        s_remaining = f(remaining)
        add(plain_step(f"{label}剩余额度", f"{s_limit} − 本年度已支付 {f(used)} = {s_remaining}", s_remaining))
        if remaining < fund:
            fund, s_fund = remaining, s_remaining
    for cap in spec.caps:
        out.caps_used[cap.pool] = fund
    out.caps_text = {pool: s_fund for pool in out.caps_used}
    if fund < fund_raw:
        excess = fund_raw - fund
        s_excess = f(excess)
        add(plain_step("超过封顶线（限额）部分，由个人负担", f"{s_raw} − {s_fund} = {s_excess}", s_excess))
    ledger.pay("basic_fund", fund, s_fund)
    add(plain_step("基本医保统筹基金支付", f"min({s_raw}, 剩余额度) = {s_fund}" if plan.caps else s_fund, s_fund, "basic_fund"))
    if plan.major_illness:
        mi_deductible, mi_ratio, s_mi_deductible, s_mi_ratio = plan.major_illness
        remainder = ledger.covered_remainder
        base = max(ZERO_CENTS, remainder - mi_deductible)
        paid = q2(base * mi_ratio)
        s_paid = f(paid)
        ledger.pay("major_illness", paid, s_paid)
        add(plain_step("大病保险支付", f"max(0, {f(remainder)} − {s_mi_deductible}) × {s_mi_ratio} = {s_paid}", s_paid, "major_illness"))
    for payer, label, stage_ratio, stage_cap, pool, s_stage_ratio, s_stage_cap in plan.relief:
        base = ledger.covered_remainder
        raw = q2(base * stage_ratio)
        paid = raw
        formula = f"{f(base)} × {s_stage_ratio} = {f(raw)}"
        if stage_cap is not None:
            used = _ytd(ctx, pool, False)
            remaining = max(ZERO_CENTS, stage_cap - used)
            paid = min(raw, remaining)
            formula = f"min({formula}, 限额 {s_stage_cap} − 已支付 {f(used)} = {f(remaining)}) = {f(paid)}"
        s_paid = f(paid)
        ledger.pay(payer, paid, s_paid)
        add(plain_step(label, formula, s_paid, payer))
        out.caps_used[pool] = paid
        out.caps_text[pool] = s_paid
    out.deductible = applied
    out.deductible_text = s_applied
    out.copay = eligible - fund_raw
    out.above_cap = fund_raw - fund
    if spec.deductible_once_a_year:
        out.deductible_counted = applied
    return out


def _assume_static(ctx: Context, assumption_id: str, text: str, param: str) -> None:
    """An interpretation quoting a parameter's clause: it depends only on the rule file, so it is
    built once per policy and shared (models in a result are never mutated)."""
    key = ("assumption", assumption_id, param)
    assumption = ctx.policy.plan_cache.get(key)
    if assumption is None:
        assumption = Assumption(id=assumption_id, text=text, quote=ctx.policy.params[param].cells[()].source.quote)
        ctx.policy.plan_cache[key] = assumption
    ctx.assume(assumption)


_RELIEF_BASE = Assumption(
    id="relief_base",
    text="“补偿后自付部分”按政策范围内费用减去基本医保和大病保险已支付金额计算，政策范围外费用不计入；最高限额按每人每年累计理解。",
)


def _quota(ctx: Context, spec: Quota, covered: Decimal, ledger: PayerLedger) -> Outcome:
    mods = applicable_modifiers(ctx)
    quota = resolve(ctx, spec.quota, mods)
    carry = ctx.amount("carryover")
    if carry > 0:
        continuous = ctx.need("continuous_enrollment", "上年余额能否结转取决于是否连续参保")
        rule = ctx.policy.params[spec.carryover_rule].cells[()]
        if not continuous:
            ctx.step("未连续参保：上年定额余额归零", f"结转 {fmt(carry)} → 0.00", ZERO_CENTS, rule.source)
            carry = ZERO_CENTS
        else:
            ctx.step("上年定额余额结转", f"{fmt(carry)}", carry, ctx.policy.params[spec.quota].cells[()].source)
    total = quota + carry
    used = _ytd(ctx, spec.pool, True)
    remaining = max(ZERO_CENTS, total - used)
    ctx.step("普通门诊定额剩余", f"{fmt(quota)} + 结转 {fmt(carry)} − 本年度已用 {fmt(used)} = {fmt(remaining)}", remaining)
    ratio = resolve(ctx, spec.ratio, mods)
    _assume_static(ctx, "quota_no_ratio", "“定额报销额度内不设报销比例”理解为：定额以内的费用全额报销，超出定额的部分自付。", spec.ratio)
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
    _assume_static(ctx, "fixed_subsidy_le_cost", "定额补助每人一次，且不超过实际发生的费用。", spec.subsidies[stage])
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
    ctx.assume(_RELIEF_BASE)
    if not all(condition_holds(ctx, k, v) for k, v in spec.when.items()):
        ctx.step("再次补助不适用", "仅建档立卡贫困人口享受", ZERO_CENTS,
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
    return estimate_under(get_policy(req.policy), req)


def estimate_under(policy: Policy, request: EstimateRequest | dict) -> EstimateResult:
    """Estimate under a given compiled policy (a draft rule file outside the registry, or tests)."""
    req = request if isinstance(request, EstimateRequest) else parse_model(EstimateRequest, request)
    spec = _service_spec(policy, req.service)
    ctx = Context(req, policy, req.service)
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
        "disclaimer": _DISCLAIMER,
    }, {"policy", "policy_title", "service", "reimbursed", "out_of_pocket", "breakdown", "steps", "assumptions",
        "defaults", "caps_used", "deductible_counted"})
