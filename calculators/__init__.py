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

# Imported eagerly: a function-level import runs the import machinery on every call, a measurable
# share of a single estimate (docs/BENCHMARKS.md, Calculators).
from calculators.contributions import contribution
from calculators.engine import estimate
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
from calculators.registry import list_policies
from calculators.simulator import simulate_year


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
