"""Calculator endpoints: estimate, contribution, and the rule sets with their citations.

Request bodies are the calculators' own models (so /docs shows their schema); the calculators'
`CalcError(field, message)` becomes a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import CalculatorsPort, get_calculators, to_jsonable
from api.errors import ApiError
from calculators import CalcError, ContributionRequest, EstimateRequest

router = APIRouter(tags=["calculators"])


async def _run(fn: Any, request: Any) -> Any:
    try:
        return to_jsonable(await run_in_threadpool(fn, request))
    except CalcError as exc:
        raise ApiError(422, "invalid_input", exc.message, exc.field) from exc


@router.post("/api/estimate", summary="报销测算（每一步附条款出处）")
async def estimate(body: EstimateRequest, calc: CalculatorsPort = Depends(get_calculators)) -> Any:
    return await _run(calc.estimate, body)


@router.post("/api/contribution", summary="个人缴费测算")
async def contribution(body: ContributionRequest, calc: CalculatorsPort = Depends(get_calculators)) -> Any:
    return await _run(calc.contribution, body)


@router.get("/api/policies", summary="已收录的测算规则集")
async def policies(calc: CalculatorsPort = Depends(get_calculators)) -> Any:
    return {"policies": to_jsonable(await run_in_threadpool(calc.policies))}


@router.get("/api/policies/{policy_id}", summary="一个规则集的全部参数及其出处")
async def policy(policy_id: str, calc: CalculatorsPort = Depends(get_calculators)) -> Any:
    found = await run_in_threadpool(calc.policy, policy_id)
    if found is None:
        raise ApiError(404, "policy_not_found", f"未找到编号为“{policy_id}”的规则集。", "policy_id")
    return to_jsonable(found)
