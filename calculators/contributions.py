"""Contribution calculators: flat resident contributions by tier/person group, and employee
contributions as rates of a wage base clamped between multiples of the local average wage."""

from __future__ import annotations

from decimal import Decimal

from calculators.context import Context
from calculators.errors import CalcError
from calculators.models import (
    Assumption,
    ContributionRequest,
    ContributionResult,
    EstimateRequest,
    HouseholdMember,
    MemberShare,
    Person,
)
from calculators.modifiers import base_value
from calculators.inputs import check_present_values
from calculators.money import fmt, fmt_plain, fmt_ratio, parse_cents, q2
from calculators.registry import Policy, policy_for
from calculators.validation import parse_model


GROUP_LABELS = {
    "adult": "成年居民", "adult_low_income": "低保/重残/低收入老人", "student": "中小学生",
    "student_low_income": "低保/重残学生", "child": "学龄前儿童及未成年居民",
    "child_low_income": "低保/重残儿童", "no_support": "“三无人员”",
}


def contribution_group(ctx: Context) -> str:
    """The person group a resident contribution table is keyed by (岳池: 成人/低保成人/学生/…)."""
    if ctx.need("person.no_support", "“三无人员”个人不缴费"):
        return "no_support"
    category = ctx.need("person.category", "缴费标准按人员类别不同")
    low = ctx.need("person.low_income", "低保对象、重度残疾人等缴费标准不同")
    base = "adult" if category in ("adult", "elderly") else category
    return f"{base}_low_income" if low else base


class _ContributionContext(Context):
    """Context over a contribution request (same field access and tracing)."""

    def __init__(self, req: ContributionRequest, policy: Policy) -> None:
        shim = EstimateRequest(policy=req.policy, service="contribution", tier=req.tier, person=req.person,
                               local_avg_wage=req.local_avg_wage)
        super().__init__(shim, policy, "contribution")
        self.wage = req.wage
        self.wage_period = req.wage_period
        self.per_month = req.wage_period == "month" if req.per_month is None else req.per_month
        self.household_size = req.household_size
        self.members = req.members
        if req.members and not req.household_size:
            self.household_size = sum(m.count for m in req.members)
        self.wage_within_bounds = bool(req.wage_within_bounds) and req.local_avg_wage is None

    def raw(self, name: str) -> object:
        if name == "wage":
            return self.wage
        return super().raw(name)


def _lookup_group(ctx: Context, name: str, group: str) -> Decimal:
    param = ctx.policy.params[name]
    cell = param.cells[(group,)]
    if cell.status != "value":
        raise CalcError("person", f"政策“{ctx.policy.title}”原文未规定{cell.missing}，无法测算。请以当地医保经办机构核定为准。")
    ctx.step(f"{param.label}（{GROUP_LABELS.get(group, group)}）", fmt_plain(cell.value), cell.value, cell.source)
    return cell.value


def _group_of(person: Person) -> str:
    """`contribution_group` for a household member given in full (no unstated field to ask for)."""
    if person.no_support:
        return "no_support"
    if person.category is None:
        raise CalcError("person", "家庭成员中有人未说明人员类别（成年人、学生或儿童），无法计算全家合计。")
    base = "adult" if person.category in ("adult", "elderly") else person.category
    return f"{base}_low_income" if person.low_income else base


def _members_total(ctx: Context, members: list[HouseholdMember]) -> ContributionResult:
    """Each kind of member priced by their group, then added up ("我和我婆娘都三十几，娃儿4岁": 成年居民
    170 × 2 + 学龄前儿童 10 × 1 = 350): the figures each cite their clause, the sum is arithmetic."""
    spec = ctx.policy.contributions
    shares: list[MemberShare] = []
    total = Decimal(0)
    for member in members:
        group = _group_of(member.person)
        amount = q2(_lookup_group(ctx, spec.individual, group))
        subtotal = q2(amount * member.count)
        shares.append(MemberShare(label=GROUP_LABELS.get(group, group), individual=fmt(amount), count=member.count,
                                  subtotal=fmt(subtotal)))
        total += subtotal
    size = sum(m.count for m in members)
    formula = " + ".join(f"{s.individual} × {s.count}人" for s in shares)
    ctx.step(f"家庭合计（{size}人，按每人的缴费标准相加）", f"{formula} = {fmt(total)}", total)
    first = shares[0].individual
    return ContributionResult(
        policy=ctx.policy.id, policy_title=ctx.policy.title, individual=first, total=fmt(total),
        household_size=size, household_total=fmt(total), members=shares,
        steps=ctx.steps, assumptions=ctx.assumptions, defaults=ctx.defaults,
    )


def _resident(ctx: Context) -> ContributionResult:
    spec = ctx.policy.contributions
    members = getattr(ctx, "members", None)
    if spec.group_by_person and members:
        return _members_total(ctx, members)
    if spec.group_by_person:
        amount = _lookup_group(ctx, spec.individual, contribution_group(ctx))
    else:
        amount = base_value(ctx, spec.individual)
        if amount is None:
            raise CalcError("policy", f"政策“{ctx.policy.title}”原文未规定个人缴费标准。")
    amount = q2(amount)
    size, household = _household_total(ctx, amount)
    return ContributionResult(
        policy=ctx.policy.id, policy_title=ctx.policy.title, individual=fmt(amount), total=fmt(amount),
        household_size=size, household_total=household,
        steps=ctx.steps, assumptions=ctx.assumptions, defaults=ctx.defaults,
    )


def _household_total(ctx: Context, amount: Decimal) -> tuple[int | None, str | None]:
    """A household of N insured at one tier, where the rule set's clause says the household chooses
    one tier (重庆: 以家庭为单位选择同一档次): N × the premium, citing that clause. Nothing when the
    rule set states no such rule (a household's members may then pay different amounts)."""
    size = getattr(ctx, "household_size", None)
    name = ctx.policy.contributions.household_same_tier
    if not size or size < 2 or name is None:
        return None, None
    cell = ctx.policy.params[name].cells.get(())
    if cell is None or cell.status != "value" or cell.value != 1:
        return None, None
    total = q2(amount * size)
    ctx.step("家庭合计（以家庭为单位选择同一档次）", f"{fmt(amount)} × {size}人 = {fmt(total)}", total, cell.source)
    return size, fmt(total)


def _employee(ctx: Context) -> ContributionResult:
    spec = ctx.policy.contributions
    laid_off = _laid_off(ctx)
    for a in spec.assumptions:
        if laid_off and a.about_wage:
            continue
        ctx.assume(Assumption(id=a.id, text=a.text, quote=a.quote))
    monthly = bool(getattr(ctx, "per_month", False))
    if laid_off:
        base = base_value(ctx, spec.laid_off_base)  # the clause's own base, no wage involved
    elif ctx.wage_within_bounds:
        base = _base_assumed_within(ctx, spec, _yearly_wage(ctx))
    else:
        wage = _yearly_wage(ctx)
        avg = ctx.amount("local_avg_wage")
        if avg == 0:
            raise CalcError("local_avg_wage", "local_avg_wage（当地上年度职工年平均工资）必须大于0。")
        low = base_value(ctx, spec.base_min)
        high = base_value(ctx, spec.base_max)
        base = min(max(wage, low), high)
        ctx.step("缴费基数", f"min(max(工资 {fmt(wage)}, 下限 {fmt(low)}), 上限 {fmt(high)}) = {fmt(base)}", base)
    e_rate = base_value(ctx, spec.employer_rate)
    i_rate = base_value(ctx, spec.individual_rate)
    employer = q2(base * e_rate)
    individual = q2(base * i_rate)
    ctx.step("单位缴费", f"{fmt(base)} × {fmt_ratio(e_rate)} = {fmt(employer)}", employer)
    ctx.step("个人缴费", f"{fmt(base)} × {fmt_ratio(i_rate)} = {fmt(individual)}", individual)
    share = base_value(ctx, spec.account_share_of_employer)
    to_account = q2(employer * share)
    account = individual + to_account
    pooled = employer - to_account
    ctx.step("划入个人帐户", f"个人缴费 {fmt(individual)} + 单位缴费 {fmt(employer)} × {fmt_ratio(share)} = {fmt(account)}", account)
    ctx.step("记入统筹基金", f"{fmt(employer)} − {fmt(to_account)} = {fmt(pooled)}", pooled)
    total = employer + individual
    ctx.step("合计缴费", f"{fmt(employer)} + {fmt(individual)} = {fmt(total)}", total)
    if monthly:
        # Asked per month (or the wage was monthly): each figure per month, traced from the yearly one.
        base, individual, employer, total, account, pooled = (
            _per_month(ctx, label, value) for label, value in (
                ("缴费基数", base), ("个人缴费", individual), ("单位缴费", employer), ("合计缴费", total),
                ("划入个人帐户", account), ("记入统筹基金", pooled)))
    return ContributionResult(
        policy=ctx.policy.id, policy_title=ctx.policy.title, individual=fmt(individual), employer=fmt(employer),
        total=fmt(total), personal_account=fmt(account), pooled_fund=fmt(pooled),
        period="month" if monthly else "year", base=fmt(base),
        steps=ctx.steps, assumptions=ctx.assumptions, defaults=ctx.defaults,
    )


def _yearly_wage(ctx: _ContributionContext) -> Decimal:
    """The wage as the yearly figure the base bounds (shares of the yearly average wage) compare
    with: a monthly wage times 12, traced."""
    wage = ctx.amount("wage")
    if ctx.wage_period != "month":
        return wage
    yearly = q2(wage * 12)
    ctx.step("年缴费工资", f"月工资 {fmt(wage)} × 12 = {fmt(yearly)}", yearly)
    return yearly


def _per_month(ctx: _ContributionContext, label: str, yearly: Decimal) -> Decimal:
    monthly = q2(yearly / 12)
    ctx.step(f"{label}（每月）", f"{fmt(yearly)} ÷ 12 = {fmt(monthly)}", monthly)
    return monthly


def _laid_off(ctx: Context) -> bool:
    """A laid-off worker under a rule set that states their base (湖北: 再就业服务中心按当地上年度职工
    平均工资的60%为基数缴纳): the base is that share of the average wage, whatever the wage."""
    return ctx.policy.contributions.laid_off_base is not None and ctx.raw("person.laid_off") is True


def _retired_without_wage(ctx: _ContributionContext) -> ContributionResult | None:
    """A retiree's own contribution when the rule sets the retired individual rate to 0 (湖北:
    "退休人员个人不缴费"): 0 whatever the wage, so no wage is needed. The employer part depends on
    a wage and is not computed (said as an assumption)."""
    if ctx.raw("wage") is not None or ctx.raw("person.retired") is not True:
        return None
    spec = ctx.policy.contributions
    i_rate = base_value(ctx, spec.individual_rate)
    if i_rate is None or i_rate != 0:
        return None
    individual = q2(Decimal(0))
    ctx.step("个人缴费", f"退休人员个人缴费比例 {fmt_ratio(i_rate)}，个人缴费 {fmt(individual)}", individual)
    ctx.assume(Assumption(id="retired_no_wage",
                          text="退休人员个人不缴费，与工资无关；单位缴费需按工资测算，未提供工资，未计"))
    return ContributionResult(
        policy=ctx.policy.id, policy_title=ctx.policy.title, individual=fmt(individual), total=fmt(individual),
        steps=ctx.steps, assumptions=ctx.assumptions, defaults=ctx.defaults,
    )


def _base_assumed_within(ctx: _ContributionContext, spec, wage: Decimal) -> Decimal:
    """The wage as the base when the caller does not know the local average wage: correct whenever
    the wage lies between the floor and ceiling multiples, which the trace states with both clauses
    (the multiples themselves are quoted, no average wage is invented)."""
    bounds = []
    for name in (spec.base_min, spec.base_max):
        param = ctx.policy.params[name]
        cell = param.cells.get(())
        if cell is None or cell.status != "value":  # bounds not fixed multiples: the average is needed
            ctx.need("local_avg_wage", "缴费基数上下限按当地平均工资确定")
        bounds.append((param, cell))
    (low_p, low_c), (high_p, high_c) = bounds
    low_pct, high_pct = (f"{fmt_plain(c.value * 100)}%" for c in (low_c, high_c))
    ctx.step("缴费基数下限", f"当地上年度职工平均工资的{low_pct}", fmt_plain(low_c.value), low_c.source)
    ctx.step("缴费基数上限", f"当地上年度职工平均工资的{high_pct}", fmt_plain(high_c.value), high_c.source)
    ctx.step("缴费基数", f"工资 {fmt(wage)}（假定在下限与上限之间）", wage)
    ctx.assume(Assumption(
        id="base_within_bounds", quote=low_c.source.quote if low_c.source else None,
        text=(f"未提供当地上年度职工平均工资，按工资在其{low_pct}至{high_pct}之间计，缴费基数即工资本身；"
              f"工资低于{low_pct}的按{low_pct}、高于{high_pct}的按{high_pct}作为缴费基数"),
    ))
    return wage


def contribution(request: ContributionRequest | dict) -> ContributionResult:
    """Yearly contribution for one person under one policy; CalcError on bad input."""
    req = request if isinstance(request, ContributionRequest) else parse_model(ContributionRequest, request)
    policy, today = policy_for(req.policy, req.date)  # the rules in force on that date
    if policy.contributions is None:
        raise CalcError("policy", f"政策“{policy.title}”原文未给出缴费标准，无法测算缴费。")
    if policy.contributions.laid_off_base is not None and req.person.laid_off is True and req.person.retired is None:
        # a laid-off worker is of working age, not retired: the in-work rates apply
        req = req.model_copy(update={"person": req.person.model_copy(update={"retired": False})})
    ctx = _ContributionContext(req, policy)
    if today is not None:
        ctx.defaults["date"] = today.isoformat()
    check_present_values(ctx)  # invalid values given are reported before fields that are missing
    if req.wage is not None:
        ctx._amounts["wage"] = parse_cents("wage", req.wage)
    if policy.contributions.kind == "employee_rates":
        retired = _retired_without_wage(ctx)
        if retired is not None:
            return retired
    laid_off = policy.contributions.kind == "employee_rates" and _laid_off(ctx)
    for name in policy.contributions.requires:
        if name == "local_avg_wage" and ctx.wage_within_bounds and not laid_off:
            continue  # the wage itself is the base, stated as an assumption (_base_assumed_within)
        if laid_off and name == "wage":
            continue  # the base is the clause's share of the average wage
        ctx.need(name)
    if policy.contributions.kind == "employee_rates":
        return _employee(ctx)
    return _resident(ctx)


__all__ = ["contribution", "contribution_group"]
