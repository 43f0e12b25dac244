"""Deterministic reimbursement and contribution calculators whose every step cites its clause.

Python API (see docs/ARCHITECTURE.md, "Calculators"):
    calculators.estimate(request) -> EstimateResult
    calculators.contribution(request) -> ContributionResult
    calculators.simulate_year(request) -> YearResult
    calculators.registry.load_policies() -> dict[str, Policy]
    calculators.list_policies() -> list[PolicySummary]
Requests may be the pydantic models of calculators.models or plain dicts (JSON shape).
"""

from __future__ import annotations

from calculators.errors import CalcError
from calculators.models import (
    ContributionRequest,
    ContributionResult,
    EstimateRequest,
    EstimateResult,
    Step,
    YearRequest,
    YearResult,
)


def estimate(request):  # noqa: ANN001 - dict or EstimateRequest
    from calculators.engine import estimate as _estimate

    return _estimate(request)


def contribution(request):  # noqa: ANN001
    from calculators.contributions import contribution as _contribution

    return _contribution(request)


def simulate_year(request):  # noqa: ANN001
    from calculators.simulator import simulate_year as _simulate

    return _simulate(request)


def list_policies():
    from calculators.registry import list_policies as _list

    return _list()


__all__ = [
    "CalcError",
    "ContributionRequest",
    "ContributionResult",
    "EstimateRequest",
    "EstimateResult",
    "Step",
    "YearRequest",
    "YearResult",
    "contribution",
    "estimate",
    "list_policies",
    "simulate_year",
]
