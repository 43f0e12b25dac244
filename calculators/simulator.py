"""Year simulator: a person's events in order, each estimated against the running totals.

The simulator owns the year's state — payments per cap pool and the once-a-year deductibles
already counted — and passes it into each estimate through `ytd_by_pool` / `deductible_paid_ytd`,
so caps shrink and a yearly deductible is charged once exactly as in a single estimate. Events
may not set those state fields themselves (that would fork the year)."""

from __future__ import annotations

from decimal import Decimal

from calculators.engine import estimate
from calculators.errors import CalcError
from calculators.models import EstimateRequest, YearEventResult, YearRequest, YearResult
from calculators.money import ZERO, fmt
from calculators.registry import policy_for
from calculators.validation import parse_model

_STATE_FIELDS = ("ytd_reimbursed", "ytd_by_pool", "deductible_paid_ytd", "policy", "tier", "person", "date")
MAX_EVENTS = 366


def simulate_year(request: YearRequest | dict) -> YearResult:
    """Estimate each event in order against the running totals; CalcError names the event."""
    req = request if isinstance(request, YearRequest) else parse_model(YearRequest, request)
    policy, today = policy_for(req.policy, req.date)  # one rule set for the whole year
    day = (req.date or today).isoformat() if (req.date or today) else None
    if not req.events:
        raise CalcError("events", "events 不能为空：请按时间顺序列出本年度的就医事件。")
    if len(req.events) > MAX_EVENTS:
        raise CalcError("events", f"events 最多 {MAX_EVENTS} 个。")
    pools: dict[str, Decimal] = {}
    deductibles: dict[str, Decimal] = {}
    admissions = 0
    results: list[YearEventResult] = []
    total_reimbursed = ZERO
    total_oop = ZERO
    for i, event in enumerate(req.events):
        if not isinstance(event, dict):
            raise CalcError(f"events.{i}", f"events 第{i + 1}项应为 JSON 对象。")
        clash = [f for f in _STATE_FIELDS if f in event]
        if clash:
            raise CalcError(f"events.{i}.{clash[0]}", f"events 第{i + 1}项不能自行设置 {clash[0]}：该值由年度模拟统一维护。")
        data = dict(event, policy=req.policy, person=req.person.model_dump(), tier=req.tier)
        if day is not None:
            data["date"] = day
        service = data.get("service")
        spec = policy.services.get(service) if isinstance(service, str) else None
        if service == "inpatient" and "admission_index" not in data:
            data["admission_index"] = admissions + 1
        once = getattr(spec, "deductible_once_a_year", None)
        if once is not None:
            data["deductible_paid_ytd"] = fmt(deductibles.get(once.pool, ZERO))
        data["ytd_by_pool"] = {k: fmt(v) for k, v in pools.items()}
        try:
            ereq = parse_model(EstimateRequest, data)
            result = estimate(ereq)
        except CalcError as exc:
            raise CalcError(f"events.{i}.{exc.field}", f"第{i + 1}个事件：{exc.message}") from None
        if service == "inpatient":
            admissions += 1
        for pool, amount in result.caps_used.items():
            pools[pool] = pools.get(pool, ZERO) + Decimal(amount)
        if once is not None:
            deductibles[once.pool] = deductibles.get(once.pool, ZERO) + Decimal(result.deductible_counted)
        total_reimbursed += Decimal(result.reimbursed)
        total_oop += Decimal(result.out_of_pocket)
        results.append(YearEventResult(
            index=i, result=result, ytd_by_pool={k: fmt(v) for k, v in pools.items()},
            deductible_paid_ytd={k: fmt(v) for k, v in deductibles.items()},
        ))
    return YearResult(policy=policy.id, events=results, reimbursed=fmt(total_reimbursed), out_of_pocket=fmt(total_oop))
