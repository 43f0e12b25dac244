"""Check the values of the fields a request *does* give before asking for the ones it lacks.

A front desk that types a negative cost or a hospital level of 7 must be told about that field,
not first about an unrelated field the policy also needs: fixing the missing field would only
lead to a second error. So, after the policy and the service are known, every amount, ratio,
level, tier and count present in the request is checked here (and amounts are parsed once,
into the context, so the engine does not parse them again); "required but missing" errors come
only afterwards, from `Context.need`."""

from __future__ import annotations

from decimal import Decimal

from calculators.context import Context
from calculators.errors import CalcError
from calculators.money import parse_cents, parse_ratio

# Request amounts, in the order of the request model (the first invalid one is reported).
AMOUNT_FIELDS = ("covered_cost", "uncovered_cost", "ytd_reimbursed", "deductible_paid_ytd", "local_avg_wage",
                 "carryover", "prior_reimbursed")
HOSPITAL_LEVELS = (1, 2, 3)
MAX_ADMISSIONS = 366  # at most one admission a day: anything above is a typo
MAX_DISEASES = 30


def check_present_values(ctx: Context) -> None:
    """Raise CalcError for the first invalid value among the fields present in the request."""
    req = ctx.req
    level = req.hospital_level
    if level is not None:
        allowed = ctx.policy.dimensions.get("level", HOSPITAL_LEVELS)
        if level not in allowed or level not in HOSPITAL_LEVELS:
            shown = "、".join(str(v) for v in allowed)
            raise CalcError("hospital_level", f"hospital_level 的取值 {level!r} 无效：医院等级只能是 {shown}（一级、二级、三级）。")
    tier = req.tier
    if tier is not None:
        tiers = ctx.policy.dimensions.get("tier")
        if tiers is not None and tier not in tiers:
            shown = "、".join(str(v) for v in tiers)
            raise CalcError("tier", f"tier 的取值 {tier!r} 无效：政策“{ctx.policy.title}”只有 {shown} 档。")
        if tier < 1:
            raise CalcError("tier", f"tier 的取值 {tier!r} 无效：参保档次应为从1开始的整数。")
    index = req.admission_index
    if index is not None and not 1 <= index <= MAX_ADMISSIONS:
        raise CalcError("admission_index", f"admission_index 应为从1开始的整数（本年度第几次住院，最多{MAX_ADMISSIONS}），收到 {index!r}。")
    count = req.chronic_disease_count
    if count is not None and not 1 <= count <= MAX_DISEASES:
        raise CalcError("chronic_disease_count", f"chronic_disease_count 应为1到{MAX_DISEASES}之间的整数，收到 {count!r}。")
    amounts, texts = ctx._amounts, ctx.texts
    given = req.__dict__  # the validated fields, read without attribute lookups
    for name in AMOUNT_FIELDS:
        raw = given[name]
        if raw is not None:
            if raw.__class__ is str and len(raw) <= 8 and raw.isdigit() and raw.isascii() and (raw[0] != "0" or len(raw) == 1):
                # whole yuan without leading zeros (most requests): the wire format is the text
                # plus ".00", so the engine need not format it again (see money.parse_cents)
                text = raw + ".00"
                amounts[name] = Decimal(text)
                texts[name] = text
            else:
                amounts[name] = parse_cents(name, raw)
    by_pool = req.ytd_by_pool
    if by_pool:
        for pool, raw in by_pool.items():
            parse_cents(f"ytd_by_pool.{pool}", raw)
    if req.local_ratio is not None:
        parse_ratio("local_ratio", req.local_ratio)
