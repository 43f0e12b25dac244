"""Schema of a policy rule file (YAML under calculators/policies/): one file per region and scheme.

Like OpenFisca / PolicyEngine parameter files, every value carries the date it takes effect
(`from`, optionally `until`) and its reference — here the verbatim quote and the document — so
one file holds a region's rules over the years and the engine picks the values in force on the
date of care. Unlike them, values are broken down by declared enumerations whose product is
checked cell by cell at load, a value the text does not give is written down as `absent` (or
`delegated` to a local figure) instead of being left out, and the knowledge base's chunk id and
citation path are never stored: they are derived from the quote when the file is loaded
(calculators/clauses.py), so they cannot go stale when a document is re-segmented."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["CNY", "ratio", "share_of_avg_wage", "flag", "CNY/person-year"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleSource(_Strict):
    quote: str = Field(min_length=2)
    document: str | None = None  # defaults to the policy's document


class Cell(BaseModel):
    """One value of a parameter for one combination of enumerations (extra keys = the combination)."""

    model_config = ConfigDict(extra="allow")

    value: str | None = None
    absent: bool = False  # the text sets no value: the engine refuses with `missing`
    delegated: str | None = None  # the text leaves it to the region: the request field that supplies it
    missing: str | None = None  # what is missing, in Chinese, for the refusal message
    interpretation: str | None = None  # set when the value is read from words, not digits ("不设比例" → 1)
    source: RuleSource
    # In force from this date (default: the start of the file's first period) until the next value
    # of the same cell takes effect, or until `until` (inclusive) — OpenFisca's value history.
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None


class Period(_Strict):
    """A named span the file's values cover (a policy year): it keeps the id callers already use
    ("yuechi-urban-resident-2009") and tells the engine which dates the file speaks for at all."""

    id: str
    title: str
    year: int
    start: date
    end: date


class Parameter(_Strict):
    label: str
    unit: Unit
    by: list[str] = Field(default_factory=list)
    values: list[Cell]


class CapRef(_Strict):
    param: str
    pool: str
    grows_with_diseases: str | None = None  # parameter added per extra disease


class OnceAYear(_Strict):
    pool: str
    source: RuleSource
    assumption: str


class AssumptionSpec(_Strict):
    id: str
    text: str
    quote: str | None = None
    # Said only of a contribution computed from the wage given (not of a laid-off worker's base).
    about_wage: bool = False


class MajorIllnessStage(_Strict):
    deductible: str
    ratio: str


class ReliefStage(_Strict):
    """A later payer on what the earlier ones left: medical assistance or poverty relief paying
    `ratio` of the covered remainder, up to an optional yearly `cap` tracked in `pool`."""

    payer: Literal["assistance", "poverty_relief"]
    label: str
    ratio: str
    cap: str | None = None
    pool: str
    when: dict[str, object] = Field(default_factory=dict)


class _ServiceBase(_Strict):
    label: str
    requires: list[str] = Field(default_factory=list)


class DeductibleRatioCap(_ServiceBase):
    kind: Literal["deductible_ratio_cap"]
    deductible: str
    deductible_once_a_year: OnceAYear | None = None
    deductible_assumption: AssumptionSpec | None = None
    ratio: str
    ratio_source: RuleSource | None = None  # clause that applies the ratio to this service
    caps: list[CapRef] = Field(default_factory=list)
    major_illness: MajorIllnessStage | None = None
    relief: list[ReliefStage] = Field(default_factory=list)  # after major illness, in this order


class Quota(_ServiceBase):
    kind: Literal["quota"]
    quota: str
    ratio: str
    ratio_assumption: AssumptionSpec | None = None  # how the text's words about the ratio are read
    carryover_rule: str
    pool: str


class FixedSubsidy(_ServiceBase):
    kind: Literal["fixed_subsidy"]
    subsidies: dict[str, str]  # maternity_stage -> parameter
    assumption: AssumptionSpec | None = None


class SettledRelief(_ServiceBase):
    kind: Literal["settled_relief"]
    relief_ratio: str
    relief_cap: str
    pool: str
    when: dict[str, object] = Field(default_factory=dict)
    not_applicable: str  # the text's own words for who is left out, shown when `when` fails
    base_assumption: AssumptionSpec | None = None  # how the text's "自付部分" base is read


ServiceSpec = Annotated[Union[DeductibleRatioCap, Quota, FixedSubsidy, SettledRelief], Field(discriminator="kind")]

Op = Literal["add", "multiply", "set", "set_param"]


class Effect(_Strict):
    target: str
    op: Op
    value: str | None = None
    param: str | None = None  # for set_param


class ModifierSpec(_Strict):
    id: str
    name: str
    order: int
    services: list[str]
    when: dict[str, object]
    effects: list[Effect]
    source: RuleSource
    assumptions: list[AssumptionSpec] = Field(default_factory=list)
    conflicts_with: list[str] = Field(default_factory=list)


class ContributionSpec(_Strict):
    kind: Literal["resident_flat", "employee_rates"]
    requires: list[str] = Field(default_factory=list)
    individual: str | None = None
    group_by_person: bool = False
    employer_rate: str | None = None
    individual_rate: str | None = None
    base_min: str | None = None
    base_max: str | None = None
    account_share_of_employer: str | None = None
    # The base of a laid-off worker's contribution as a share of the local average wage, where the
    # rule set states one (湖北: 再就业服务中心按当地上年度职工平均工资的60%为基数缴纳).
    laid_off_base: str | None = None
    # A flag parameter citing the clause that makes a household insure every member at one tier
    # (重庆: 以家庭为单位选择同一档次): the household's total is the premium × its size.
    household_same_tier: str | None = None
    assumptions: list[AssumptionSpec] = Field(default_factory=list)


class Requirement(_Strict):
    """What the text asks of a patient in one circumstance of the care (外伤 → 村委会出具的外伤证明):
    no part of the arithmetic, but what a front desk must tell beside the figure, with its clause.
    `when` names yes/no request fields and the value that triggers it (only a told value does)."""

    id: str
    when: dict[str, bool] = Field(min_length=1)
    services: list[str] = Field(default_factory=list)  # empty: every service
    text: str
    source: RuleSource


class Gap(_Strict):
    what: str
    missing: str
    source: RuleSource
    from_: date | None = Field(default=None, alias="from")  # the gap holds in these dates (default: always)
    until: date | None = None


class RuleFile(_Strict):
    id: str  # the series: region + scheme ("yuechi-urban-resident")
    title: str
    region: str  # a name of knowledge_base/resources/gazetteer.yaml; stored canonical at load
    scheme: str
    document: str
    periods: list[Period] = Field(min_length=1)
    dimensions: dict[str, list[int | bool | str]] = Field(default_factory=dict)
    sources: dict[str, RuleSource] = Field(default_factory=dict)  # anchors; informational
    parameters: dict[str, Parameter]
    services: dict[str, ServiceSpec] = Field(default_factory=dict)
    modifiers: list[ModifierSpec] = Field(default_factory=list)
    contributions: ContributionSpec | None = None
    gaps: list[Gap] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
