"""A service's yearly caps for one person, without a bill ("统筹基金一年最多付多少").

The caps are resolved exactly as an estimate resolves them (breakdown cell, then the modifiers
that apply to the person and the care), with the same cited trace; no cost is needed. A cap written
as a multiple of the local average wage (湖北: 4 × 当地职工年平均工资) needs `local_avg_wage`, and
says so (`relative_to`), since that figure is the user's, not the text's.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from calculators.context import Context
from calculators.engine import _assume_spec, _service_spec, _ytd, carried_over, grown_with_diseases
from calculators.errors import CalcError
from calculators.inputs import check_present_values
from calculators.modifiers import applicable_modifiers, condition_holds, resolve, resolve_optional_cap
from calculators.models import Assumption, EstimateRequest, Step
from calculators.money import ZERO_CENTS, fmt
from calculators.registry import policy_for
from calculators.schema import DeductibleRatioCap, FixedSubsidy, Quota
from calculators.validation import parse_model


FIXED_SUBSIDIES_POOL = "fixed_subsidies"  # the sum of a fixed-subsidy service's subsidies (`_fixed_subsidies`)


class Cap(BaseModel):
    pool: str
    label: str
    amount: str  # yuan, two decimals
    relative_to: str | None = None  # the request field the cap is a multiple of ("local_avg_wage")
    quota: bool = False  # a fixed yearly amount paid in full within it (普通门诊定额 60元/人年), no ratio
    remaining: str | None = None  # what is left of the cap after the year-to-date payments told (yuan)
    carried: str | None = None  # last year's unused quota carried over (a quota told one, yuan)
    available: str | None = None  # the quota and what was carried over: this year's to use (yuan)


class CapsResult(BaseModel):
    policy: str
    policy_title: str
    service: str
    caps: list[Cap]
    steps: list[Step] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    defaults: dict[str, str] = Field(default_factory=dict)
    modified: bool = False  # a modifier of the rule set changed the figure (`deductible`, `major_illness_deductible`)


def caps(request: EstimateRequest | dict) -> CapsResult:
    """The yearly caps of `request.service` under `request.policy` for the person and care the
    request describes (amounts are not needed and ignored); for a fixed-subsidy service, each
    subsidy and, with several, their sum (`_fixed_subsidies`). Raises CalcError like `estimate`:
    a cap relative to the average wage without `local_avg_wage` names that field."""
    req = request if isinstance(request, EstimateRequest) else parse_model(EstimateRequest, request)
    policy, _today = policy_for(req.policy, req.date)
    spec = _service_spec(policy, req.service)
    ctx = Context(req, policy, req.service)
    check_present_values(ctx)
    mods = applicable_modifiers(ctx)
    found = []
    if isinstance(spec, FixedSubsidy):
        found = _fixed_subsidies(ctx, spec, mods)
    if isinstance(spec, Quota):
        # The yearly quota is all the service pays; last year's unused balance is added when the
        # user told one ("去年还剩20块"), under the rule's condition (连续参保), as the estimate does.
        quota = resolve(ctx, spec.quota, mods)
        _assume_spec(ctx, spec.ratio_assumption)
        cap = Cap(pool=spec.pool, label=policy.params[spec.quota].label, amount=fmt(quota), quota=True)
        if req.carryover is not None or req.carryover_unused:
            carry = carried_over(ctx, spec, quota)
            if carry > 0:
                ctx.step("今年可用定额", f"{fmt(quota)} + 结转 {fmt(carry)} = {fmt(quota + carry)}", quota + carry)
                cap = cap.model_copy(update={"carried": fmt(carry), "available": fmt(quota + carry)})
        found.append(cap)
    first = True
    for cap in getattr(spec, "caps", ()):
        param = policy.params[cap.param]
        if param.unit == "share_of_avg_wage" and req.local_avg_wage is None:
            raise CalcError("local_avg_wage", f"“{param.label}”按当地职工年平均工资计算，请提供当地上年度职工年平均工资。")
        limit = resolve_optional_cap(ctx, cap.param, mods)
        if limit is None:
            continue
        limit = grown_with_diseases(ctx, cap, limit, mods)  # as the estimate grows it (慢性病 per disease)
        found.append(Cap(pool=cap.pool, label=param.label, amount=fmt(limit),
                         relative_to="local_avg_wage" if param.unit == "share_of_avg_wage" else None,
                         remaining=_remaining(ctx, cap.pool, param.label, limit, first)))
        first = False
    return CapsResult(policy=policy.id, policy_title=policy.title, service=req.service, caps=found,
                      steps=list(ctx.steps), assumptions=list(ctx.assumptions), defaults=dict(ctx.defaults))


def _remaining(ctx: Context, pool: str, label: str, limit: Decimal, first: bool) -> str | None:
    """What is left of a cap after the payments of this year the user told ("今年已经报了6万5，还能报
    多少"), as the estimate counts them (`ytd_reimbursed` against the service's first cap, `ytd_by_pool`
    by pool), with its trace line; None when nothing was told (no default: the cap itself is then the
    answer)."""
    by_pool = ctx.req.ytd_by_pool or {}
    if pool not in by_pool and not (first and ctx.req.ytd_reimbursed is not None):
        return None
    used = _ytd(ctx, pool, first)
    left = max(ZERO_CENTS, limit - used)
    ctx.step(f"{label}剩余额度", f"{fmt(limit)} − 本年度已支付 {fmt(used)} = {fmt(left)}", left)
    return fmt(left)


def _fixed_subsidies(ctx: Context, spec: FixedSubsidy, mods: list) -> list[Cap]:
    """A fixed-subsidy service's amounts, each the most it pays (the subsidy, never more than the
    cost — `_fixed_subsidy`), each with its cited trace line; with several (产前检查, 住院分娩) their
    sum is what the service pays at most in all, one more trace line ("100.00 + 400.00 = 500.00")."""
    found, amounts = [], []
    for stage, name in spec.subsidies.items():
        amounts.append(resolve(ctx, name, mods))
        found.append(Cap(pool=f"maternity_{stage}", label=ctx.policy.params[name].label, amount=fmt(amounts[-1])))
    _assume_spec(ctx, spec.assumption)
    if len(found) > 1:
        total = sum(amounts, ZERO_CENTS)
        ctx.step(f"{spec.label}合计", " + ".join(c.amount for c in found) + f" = {fmt(total)}", total)
        found.append(Cap(pool=FIXED_SUBSIDIES_POOL, label=f"{spec.label}合计", amount=fmt(total)))
    return found


def _ratio_service_context(request: EstimateRequest | dict, lacks: str) -> tuple[Context, DeductibleRatioCap]:
    """The checked context of a deductible/ratio/cap service, shared by the bill-less readings below
    (`deductible`, `major_illness_deductible`, `terms`); `lacks` names what the service would lack
    when it is of another kind ("起付线", "起付线和报销比例")."""
    req = request if isinstance(request, EstimateRequest) else parse_model(EstimateRequest, request)
    policy, _today = policy_for(req.policy, req.date)
    spec = _service_spec(policy, req.service)
    if not isinstance(spec, DeductibleRatioCap):
        raise CalcError("service", f"“{req.service}”没有{lacks}。")
    ctx = Context(req, policy, req.service)
    check_present_values(ctx)
    return ctx, spec


DEDUCTIBLE_POOL = "deductible"  # the deductible given by `deductible` (a CapsResult of one entry)


def deductible(request: EstimateRequest | dict) -> CapsResult:
    """A deductible/ratio/cap service's deductible alone, without a bill and without the ratio (which
    a rule set may leave to the local fund: 湖北 "具体标准由各统筹地区自行确定"): "社平工资4.8万，
    起付线多少" under a deductible written as a share of the local average wage (湖北: 10%左右) is that
    share of the wage told, with the rule set's assumption and the cited trace. Raises CalcError like
    `caps`: a wage-relative deductible without `local_avg_wage` names that field."""
    ctx, spec = _ratio_service_context(request, "起付线")
    req, policy = ctx.req, ctx.policy
    param = policy.params[spec.deductible]
    if param.unit == "share_of_avg_wage" and req.local_avg_wage is None:
        raise CalcError("local_avg_wage", f"“{param.label}”按当地职工年平均工资计算，请提供当地上年度职工年平均工资。")
    mods = applicable_modifiers(ctx)
    value = resolve(ctx, spec.deductible, mods)
    modified = any(e.target == spec.deductible for m in mods for e in m.effects)
    if spec.deductible_assumption:
        a = spec.deductible_assumption
        ctx.assume(Assumption(id=a.id, text=a.text, quote=a.quote))
    found = [Cap(pool=DEDUCTIBLE_POOL, label=param.label, amount=fmt(value),
                 relative_to="local_avg_wage" if param.unit == "share_of_avg_wage" else None)]
    return CapsResult(policy=policy.id, policy_title=policy.title, service=req.service, caps=found,
                      steps=list(ctx.steps), assumptions=list(ctx.assumptions), defaults=dict(ctx.defaults),
                      modified=modified)


MAJOR_ILLNESS_DEDUCTIBLE_POOL = "major_illness_deductible"  # `major_illness_deductible`'s one entry


def major_illness_deductible(request: EstimateRequest | dict) -> CapsResult:
    """The deductible of a service's major-illness layer (大病保险) for one person, without a bill and
    without the layer's ratio or the base scheme's figures (which a rule set may not hold: 桂阳 states
    only 大病保险起付线10000元 and that 建档立卡贫困人员、低保户 pay half of it). Resolved like an estimate
    resolves it (the cell, then the modifiers that apply to the person), with the cited trace; `modified`
    is told by a trace line of a modifier. Raises CalcError when the service has no such layer or the
    rule set states no deductible for it."""
    ctx, spec = _ratio_service_context(request, "大病保险起付线")
    req, policy = ctx.req, ctx.policy
    if spec.major_illness is None:
        raise CalcError("service", f"“{req.service}”没有大病保险起付线。")
    name = spec.major_illness.deductible
    # Only the modifiers acting on this figure are read: the base scheme's (比例提高…) ask about facts
    # the layer's deductible does not depend on.
    mods = [m for m in ctx.policy.modifiers.get(ctx.service, ())
            if any(e.target == name for e in m.effects) and all(condition_holds(ctx, k, v) for k, v in m.when)]
    value = resolve(ctx, name, mods)
    found = [Cap(pool=MAJOR_ILLNESS_DEDUCTIBLE_POOL, label=policy.params[name].label, amount=fmt(value))]
    return CapsResult(policy=policy.id, policy_title=policy.title, service=req.service, caps=found,
                      steps=list(ctx.steps), assumptions=list(ctx.assumptions), defaults=dict(ctx.defaults),
                      modified=bool(mods))


class Terms(BaseModel):
    """A service's deductible, ratio and caps for one person and care, without a bill."""

    policy: str
    policy_title: str
    service: str
    deductible: str  # yuan, two decimals
    ratio: str  # "40%"
    caps: list[Cap]
    modified: bool  # a modifier of the rule set (县外未经同意, 第二次住院…) changed a figure
    steps: list[Step] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    defaults: dict[str, str] = Field(default_factory=dict)


def terms(request: EstimateRequest | dict) -> Terms:
    """The deductible, ratio and caps of a deductible/ratio/cap service as an estimate resolves them
    (breakdown cells, then the modifiers that apply to the person and the care), with the same cited
    trace and no cost: "市内县外三级未经同意，起付线和比例各是多少". Raises CalcError like `estimate`
    (a field the cells need and the request lacks is named); other service kinds are refused."""
    from calculators.engine import _make_plan

    ctx, spec = _ratio_service_context(request, "起付线和报销比例")
    req, policy = ctx.req, ctx.policy
    modified = bool(applicable_modifiers(ctx))
    plan = _make_plan(ctx, spec)
    return Terms(policy=policy.id, policy_title=policy.title, service=req.service, deductible=fmt(plan.deductible.value),
                 ratio=plan.ratio_text, modified=modified,
                 caps=[Cap(pool=c.pool, label=c.label, amount=c.limit.text) for c in plan.caps],
                 steps=list(plan.steps), assumptions=list(plan.assumptions), defaults=dict(plan.defaults))
