"""Per-request state of one estimate: the validated request, the policy, and the growing trace.

Every read of a request field goes through `Context`, so a field a policy needs but the request
lacks is reported (in Chinese, naming the field) and every default the engine applies is recorded
in the result — nothing is filled in silently."""

from __future__ import annotations

from decimal import Decimal

from calculators.errors import CalcError
from calculators.models import Assumption, EstimateRequest, Source, Step
from calculators.money import fmt, parse_amount, parse_cents, parse_ratio
from calculators.registry import Policy
from calculators.trusted import plain_step, sourced_step

# Fields that have a neutral, stated default when omitted. Everything else is required when needed.
DEFAULTS: dict[str, object] = {
    "uncovered_cost": "0",
    "admission_index": 1,
    "out_of_area": False,
    "ytd_reimbursed": "0",
    "deductible_paid_ytd": "0",
    "chronic_disease_count": 1,
    "carryover": "0",
    "person.major_disease": False,
    "out_of_city": False,
}

# The stated default amounts ("0"), parsed once at import rather than on every estimate.
_PARSED_DEFAULTS = {name: parse_cents(name, value) for name, value in DEFAULTS.items() if isinstance(value, str)}

FIELD_NAMES = {
    "covered_cost": "政策范围内费用",
    "uncovered_cost": "政策范围外费用",
    "hospital_level": "医院等级",
    "tier": "参保档次",
    "person.category": "人员类别",
    "person.poverty": "是否建档立卡贫困人口",
    "person.low_income": "是否低保对象/重度残疾人",
    "person.retired": "是否退休",
    "person.laid_off": "是否国有企业下岗职工",
    "person.major_disease": "是否患重大疾病",
    "person.no_support": "是否“三无人员”",
    "referral": "是否已办理转诊或外诊登记",
    "out_of_area": "是否在统筹区（县）外就医",
    "out_of_city": "是否在地级市/直辖市以外就医",
    "admission_index": "本年度第几次住院",
    "local_avg_wage": "当地上年度职工年平均工资",
    "local_ratio": "当地统筹基金支付比例",
    "prior_reimbursed": "结算单上基本医保和大病保险已支付金额",
    "maternity_stage": "孕产妇补助类别（prenatal 产前检查 / delivery 住院分娩）",
    "continuous_enrollment": "是否连续参保",
    "chronic_disease_count": "同时患有的特殊疾病种数",
    "wage": "缴费工资",
    "ytd_reimbursed": "本年度已报销金额",
    "deductible_paid_ytd": "本年度已计起付线",
    "carryover": "上年结转余额",
    "carryover_unused": "上年定额是否全部未用",
}


class Context:
    """Request accessor plus trace builder for one estimate."""

    __slots__ = ("req", "policy", "service", "defaults", "steps", "assumptions", "_assumption_ids", "_amounts", "texts")

    def __init__(self, req: EstimateRequest, policy: Policy, service: str) -> None:
        self.req = req
        self.policy = policy
        self.service = service
        self.defaults: dict[str, str] = {}
        self.steps: list[Step] = []
        self.assumptions: list[Assumption] = []
        self._assumption_ids: set[str] = set()
        self._amounts: dict[str, Decimal] = {}
        self.texts: dict[str, str] = {}  # request amounts already in wire format ("10000" -> "10000.00")

    @property
    def service_label(self) -> str:
        """The service's Chinese name from the rule file (缴费 for contributions)."""
        spec = self.policy.services.get(self.service)
        return spec.label if spec is not None else ("缴费" if self.service == "contribution" else self.service)

    # ---- request fields -------------------------------------------------
    def raw(self, name: str) -> object:
        if name[:7] == "person.":
            return getattr(self.req.person, name[7:])
        return getattr(self.req, name)

    def need(self, name: str, why: str | None = None) -> object:
        """A field the computation needs: its value, its stated default, or a CalcError."""
        value = self.raw(name)
        if value is not None:
            return value
        if name in DEFAULTS:
            default = DEFAULTS[name]
            self.defaults[name] = str(default).lower() if isinstance(default, bool) else str(default)
            return default
        label = FIELD_NAMES.get(name, name)
        reason = f"（{why}）" if why else ""
        # Named in Chinese for the front desk (the page and the CLI show this text); the field's
        # code stays in CalcError.field for programs.
        raise CalcError(name, f"缺少“{label}”：政策“{self.policy.title}”的“{self.service_label}”测算需要它{reason}，请填写。")

    def amount(self, name: str) -> Decimal:
        """A request amount, parsed strictly once, with exactly two decimals (see `parse_cents`)."""
        cached = self._amounts.get(name)
        if cached is None:
            raw = self.need(name)
            default = DEFAULTS.get(name)
            cached = _PARSED_DEFAULTS[name] if raw is default else parse_cents(name, raw)
            self._amounts[name] = cached
        return cached

    def amount_as_given(self, name: str) -> Decimal:
        """The amount exactly as the request wrote it ("20000", not "20000.00"), for formulas that
        quote the request."""
        return parse_amount(name, self.need(name))

    def ratio_field(self, name: str, why: str) -> Decimal:
        return parse_ratio(name, self.need(name, why))

    # ---- trace ------------------------------------------------------------
    def step(self, label: str, formula: str, amount: Decimal | str, source: Source | None = None, payer: str | None = None) -> None:
        """Append a trace line. Every value is the engine's own, so the `Step` is built without a
        second validation (calculators.trusted)."""
        if amount.__class__ is not str:
            amount = fmt(amount)
        if source is None:
            self.steps.append(plain_step(label, formula, amount, payer))
        else:
            self.steps.append(sourced_step(label, formula, amount, payer, source))

    def assume(self, assumption: Assumption) -> None:
        if assumption.id not in self._assumption_ids:
            self._assumption_ids.add(assumption.id)
            self.assumptions.append(assumption)
