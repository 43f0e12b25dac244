"""Boundary models of the calculators: what a caller sends and what it gets back.

These pydantic models are the contract with the assistant, the API and the CLI. Amounts travel as
strings of two decimals (never floats) so that a JSON round trip cannot change a cent. Fields a
policy does not need may be omitted; the result lists every default it applied (`defaults`), and
a field a policy needs but the request lacks is an error, never a silent default.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Service = str  # "inpatient" | "chronic_outpatient" | "major_disease_outpatient" | "general_outpatient" | "maternity" | ...
Category = Literal["adult", "student", "child", "elderly"]


DISCLAIMER = "以上为按政策文本的测算，以当地医保部门核定为准。"


def _reject_bool(value: object) -> object:
    """JSON true/false would pass as 1/0 for an integer field: a level or tier of `true` is a mistake."""
    if isinstance(value, bool):
        raise ValueError("应为整数，不能是 true/false")
    return value


def _as_text(value: object) -> object:
    """Accept JSON numbers for amounts by converting them to their shortest decimal text
    (0.1 -> "0.1"); the engine then parses the text strictly with Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


class Person(BaseModel):
    """Who is treated. `None` means "not stated": a policy that needs the field refuses."""

    model_config = ConfigDict(extra="forbid")

    category: Category | None = None  # adult 成年居民 / student 中小学生 / child 学龄前儿童 / elderly 老年人
    poverty: bool | None = None  # 建档立卡贫困人口
    low_income: bool | None = None  # 低保对象、重度残疾人等（各文件所列特殊参保对象）
    no_support: bool | None = None  # "三无人员"
    retired: bool | None = None  # 退休（职工）
    laid_off: bool | None = None  # 国有企业下岗职工（再就业服务中心代缴医保费）
    major_disease: bool | None = None  # 患重大疾病（儿童重大疾病封顶线等）


# BaseModel's own slot setters, for building models the engine made itself (calculators.trusted)
# without `object.__setattr__`'s lookup through the MRO.
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_UNSTATED = dict.fromkeys(Person.model_fields)


def unstated_person() -> Person:
    """The default `person` of a request that states nothing about the patient: equal to
    `Person()` (every field None, none set) but built without running the validator, because it is
    made for most requests and `Person()` costs more than validating the whole rest of the request
    (docs/BENCHMARKS.md, Calculators). tests/calculators/test_calc_fast_path.py checks the equality."""
    person = _new(Person)
    _set_dict(person, _UNSTATED.copy())
    _set_fields(person, set())
    _set_extra(person, None)
    _set_private(person, None)
    return person


class EstimateRequest(BaseModel):
    """One treatment episode to estimate. Amounts are decimal strings (numbers are accepted and
    converted through `str`, so 0.1 stays 0.1)."""

    model_config = ConfigDict(extra="forbid")

    policy: str
    service: Service
    hospital_level: int | None = None  # 1 | 2 | 3
    covered_cost: str | None = None  # 政策范围内费用
    uncovered_cost: str | None = None  # 政策范围外（自费）费用
    tier: int | None = None  # 参保档次 1 | 2
    person: Person = Field(default_factory=unstated_person)
    admission_index: int | None = None  # 本年度第几次住院, 1-based
    out_of_area: bool | None = None  # 在统筹区（县）外就医
    out_of_city: bool | None = None  # 在市（直辖市）外就医；仅个别政策区分“市内县外”与“市外”
    referral: bool | None = None  # 已办理转诊/外诊登记
    injury: bool | None = None  # 因外伤（意外伤害）就医：原文对外伤病人另有材料要求
    chronic_disease_count: int | None = None  # 同时患有的慢性（特殊）疾病种数
    ytd_reimbursed: str | None = None  # 本年度该服务主封顶线已支付金额
    ytd_by_pool: dict[str, str] | None = None  # 按封顶池的本年度已支付金额（模拟器使用）
    deductible_paid_ytd: str | None = None  # 本年度已计的“一年一次”起付线金额
    local_avg_wage: str | None = None  # 当地上年度职工年平均工资（职工政策）
    local_ratio: str | None = None  # 原文授权统筹地区自定、且原文未给出的支付比例（由当地口径提供）
    carryover: str | None = None  # 普通门诊上年结转余额
    carryover_unused: bool | None = None  # 上年普通门诊定额全部未用（结转额即上年定额）
    continuous_enrollment: bool | None = None  # 是否连续参保（结转规则）
    maternity_stage: Literal["prenatal", "delivery"] | None = None  # 产前检查 / 住院分娩
    prior_reimbursed: str | None = None  # 结算单上基本医保+大病保险已支付金额（再次补助）
    date: dt.date | None = None  # 就诊日期：按当日有效的规定测算（按政策文件 id 请求时默认今天）

    @field_validator("hospital_level", "tier", "admission_index", "chronic_disease_count", mode="before")
    @classmethod
    def _no_bool_as_int(cls, value: object) -> object:
        return _reject_bool(value)

    @field_validator(
        "covered_cost", "uncovered_cost", "ytd_reimbursed", "deductible_paid_ytd", "local_avg_wage",
        "local_ratio", "carryover", "prior_reimbursed", mode="before",
    )
    @classmethod
    def _number_to_text(cls, value: object) -> object:
        return _as_text(value)


class Source(BaseModel):
    """Where a number comes from: corpus document, the knowledge base's chunk and citation, and
    the verbatim quote that contains the number."""

    document: str
    citation: str | None = None
    chunk_id: str | None = None
    quote: str


class Step(BaseModel):
    """One line of the trace: what was computed, with the actual numbers, and why."""

    label: str
    formula: str
    amount: str
    payer: str | None = None  # which payer this step pays for, if it is a payment
    source: Source | None = None  # None only for pure arithmetic (sums/differences of earlier steps)
    # Backwards-compatible flat copies of source fields for renderers.
    chunk_id: str | None = None
    citation: str | None = None
    quote: str | None = None


class Assumption(BaseModel):
    """An interpretation the engine made, with the words it interprets."""

    id: str
    text: str
    quote: str | None = None
    source: Source | None = None


class Notice(BaseModel):
    """What the text requires of the patient in a circumstance told (外伤证明), with its clause."""

    id: str
    text: str
    source: Source


class PayerShare(BaseModel):
    payer: str  # basic_fund | major_illness | assistance | poverty_relief | settled
    name: str  # 中文名称
    amount: str


class Breakdown(BaseModel):
    total_cost: str
    covered_cost: str
    uncovered: str  # 政策范围外费用（全部自付）
    deductible: str | None  # 起付线自付; None when not determinable (settled by another payer)
    copay: str | None  # 起付线以上按比例个人负担
    above_cap: str | None  # 超过封顶线/限额部分
    payers: list[PayerShare]


class EstimateResult(BaseModel):
    policy: str
    policy_title: str
    service: str
    reimbursed: str
    out_of_pocket: str
    breakdown: Breakdown
    steps: list[Step]
    assumptions: list[Assumption]
    defaults: dict[str, str] = Field(default_factory=dict)  # field -> value applied because omitted
    caps_used: dict[str, str] = Field(default_factory=dict)  # pool -> amount this result adds
    deductible_counted: str = "0.00"  # amount added to the once-a-year deductible
    disclaimer: str = DISCLAIMER
    requirements: list[Notice] = Field(default_factory=list)  # papers the text asks for in the case told


class HouseholdMember(BaseModel):
    """People of one household of the same kind, insured together (`ContributionRequest.members`)."""

    model_config = ConfigDict(extra="forbid")

    person: Person
    count: int = Field(default=1, ge=1, le=20)


class MemberShare(BaseModel):
    """One kind of member's premium in a household total: the group, the premium each, how many."""

    label: str
    individual: str
    count: int
    subtotal: str


class ContributionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str
    tier: int | None = None
    person: Person = Field(default_factory=unstated_person)
    wage: str | None = None  # 本人（或单位职工平均）缴费工资，年（`wage_period` "month": 月）
    local_avg_wage: str | None = None  # 统筹地区上年度职工年平均工资
    # The period of `wage` (optional): "month" = a monthly wage, as people state it ("月工资6000"). The
    # calculation runs on the yearly wage (× 12, traced), since the base floor and ceiling are shares of
    # the yearly average wage, and the result's figures are then monthly (÷ 12, traced).
    wage_period: Literal["month", "year"] = "year"
    # Figures per month (optional): True/False as asked ("每月交多少", "一年交多少"); None = per month
    # exactly when the wage is monthly. A laid-off worker's yearly base is turned monthly the same way.
    per_month: bool | None = None
    # Added for callers that know the wage but not the local average (optional): True = take the wage
    # itself as the base, assuming it lies within the base floor/ceiling; the result states that
    # assumption and the clamp rule instead of refusing. Ignored when local_avg_wage is given.
    wage_within_bounds: bool | None = None
    # People of one household insured together (optional): where the rule set's clause makes the
    # household choose one tier, the result adds the household's total (premium × size).
    household_size: int | None = Field(default=None, ge=1, le=20)
    # The household's members by kind (optional; "我和我婆娘都三十几，娃儿4岁"): where the premium
    # depends on the person (岳池: 成年居民 / 中小学生 / 学龄前儿童, 低保), each kind is priced by its group
    # and the result adds them up (`household_total`, `members`); where the household chooses one tier, their
    # number is the household's size. `person` is then not needed.
    members: list[HouseholdMember] | None = Field(default=None, min_length=1, max_length=20)
    date: dt.date | None = None  # 缴费所属日期：按当日有效的规定（按政策文件 id 请求时默认今天）

    @field_validator("tier", mode="before")
    @classmethod
    def _no_bool_as_int(cls, value: object) -> object:
        return _reject_bool(value)

    @field_validator("wage", "local_avg_wage", mode="before")
    @classmethod
    def _number_to_text(cls, value: object) -> object:
        return _as_text(value)


class ContributionResult(BaseModel):
    policy: str
    policy_title: str
    individual: str
    employer: str | None = None
    total: str
    personal_account: str | None = None
    pooled_fund: str | None = None
    household_size: int | None = None
    household_total: str | None = None  # premium × household size, where a clause makes it one tier
    members: list[MemberShare] | None = None  # each kind of member's premium, when members were given
    period: Literal["month", "year"] = "year"  # the period of the figures above (the trace holds both)
    base: str | None = None  # the premium base the rates apply to, in `period` (wage-rate rule sets)
    steps: list[Step]
    assumptions: list[Assumption]
    defaults: dict[str, str] = Field(default_factory=dict)
    disclaimer: str = DISCLAIMER


class YearRequest(BaseModel):
    """A year of events for one person, in order; shared fields are given once."""

    model_config = ConfigDict(extra="forbid")

    policy: str
    tier: int | None = None
    person: Person = Field(default_factory=unstated_person)
    date: dt.date | None = None  # one date for the year's rules (the events share the rule set)
    events: list[dict]  # each an EstimateRequest without policy/tier/person/date (those are shared)


class YearEventResult(BaseModel):
    index: int
    result: EstimateResult
    ytd_by_pool: dict[str, str]  # running totals after this event
    deductible_paid_ytd: dict[str, str]


class YearResult(BaseModel):
    policy: str
    events: list[YearEventResult]
    reimbursed: str
    out_of_pocket: str


class PolicySummary(BaseModel):
    id: str
    title: str
    region: str
    year: int
    scheme: str
    services: list[str]
    contributions: bool = False
    contribution_kind: str | None = None  # resident_flat / employee_rates: whose premium it computes
    series: str | None = None  # the rule file (region + scheme) this period belongs to
    valid_from: dt.date | None = None  # the dates these values are in force
    valid_until: dt.date | None = None


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail
