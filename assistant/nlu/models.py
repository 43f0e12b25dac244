"""What the NLU hands to the dialogue manager."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from assistant.models import Intent


class HouseholdMember(BaseModel):
    """One kind of person of a household described together: the contribution calculator prices each
    by their group (成年居民 / 中小学生 / 学龄前儿童, 低保 or not)."""

    category: Literal["adult", "student", "child"]
    low_income: bool = False
    count: int = Field(ge=1, le=20)


class Slots(BaseModel):
    """Everything a message can tell us. None = not mentioned in this message."""

    amount: Decimal | None = None  # total / covered cost of the event, yuan
    uncovered_amount: Decimal | None = None  # 自费 / 目录外 part, yuan
    hospital_level: Literal[1, 2, 3] | None = None
    region: str | None = None  # canonical region name as the knowledge base tags it (重庆, 岳池县…)
    scheme: str | None = None  # 职工 / 城镇居民 / 城乡居民 / 新农合 / 大病保险 / 医疗救助
    year: int | None = None
    tier: Literal[1, 2] | None = None  # contribution tier 一档/二档
    person_category: str | None = None  # adult / student / child / elderly / …
    poverty: bool | None = None  # 建档立卡贫困户 / 低保 / 特困
    # 低保对象 in particular (the resident rule sets' contribution groups and the calculators'
    # person.low_income); also sets poverty.
    low_income: bool | None = None
    retired: bool | None = None  # True 退休, False 在职
    household_size: int | None = None  # people of one household insured together (一家四口 → 4)
    # The household's members as the message describes them ("我和我婆娘都三十几，娃儿4岁"): two or
    # more people, each kind with its count (`assistant.nlu.household`).
    household_members: list[HouseholdMember] | None = None
    laid_off: bool | None = None  # True 国企下岗职工 (再就业服务中心); the calculators' person.laid_off
    admission_index: int | None = None  # 第几次住院
    out_of_area: bool | None = None  # 县外/市外/异地
    referral: bool | None = None  # 转诊/登记: True done, False not done
    chronic_disease_count: int | None = None
    ytd_reimbursed: Decimal | None = None  # 今年已报销
    service: str | None = None  # inpatient / chronic_outpatient / major_disease_outpatient / general_outpatient / maternity
    topic: str | None = None  # a policy topic keyword when recognised (起付线, 封顶线…)
    # Added by the NLU (optional, backwards compatible):
    amount_scope: Literal["total", "covered"] | None = None  # "total": amount includes the 自费 part
    wage: Decimal | None = None  # 月工资 / 缴费基数 stated for an employee contribution question
    # The wage's period: "year" only when said (年薪, 一年工资); people state a wage per month otherwise.
    wage_period: Literal["month", "year"] | None = None
    # What the patient still paid after basic insurance (and 大病保险) reimbursed ("报完了自己还掏了
    # 8000"): the base of a second-round subsidy (再次补助), yuan.
    self_paid_remainder: Decimal | None = None
    # Care out of area and also outside the city/municipality (市外, 省外: True) or inside it (市内县外:
    # False); None when the words do not say (县外, 外地). Only read when out_of_area is True.
    out_of_city: bool | None = None
    # Facts of context (issue 10) the dialogue turns into calculator slots with the rule sets' data:
    contribution_amount: Decimal | None = None  # yearly premium stated ("每年交150元") -> tier
    age: int | None = None  # stated age; person_category already carries the age convention
    major_disease: bool | None = None  # a major disease named or stated ("医生说是重大疾病")
    disease: str | None = None  # the disease's words, when named
    local_avg_wage: Decimal | None = None  # 当地职工年平均工资 / 社平工资 stated, yuan per year
    # The region above was named only as the place of care ("在成都住的院"): when the conversation
    # already knows another insured region, the dialogue keeps that one and takes care as out of area.
    care_place: str | None = None
    # Last year's unused 普通门诊 quota: the balance told ("还剩20块"), or all of it ("去年一次都没看过");
    # and whether the person paid every year (连续参保), on which the rule sets carry it over.
    carryover: Decimal | None = None
    carryover_unused: bool | None = None
    continuous_enrollment: bool | None = None
    injury: bool | None = None  # care because of an injury (摔伤, 车祸): a rule set may ask for papers


class Understanding(BaseModel):
    intent: Intent
    confidence: float = 1.0
    slots: Slots = Field(default_factory=Slots)
    query: str = ""  # the message normalised, for retrieval
    evidence: dict[str, str] = Field(default_factory=dict)  # slot -> the text span it came from
    # Added by the NLU (optional): the message refers back to the previous turn ("那二级医院呢？",
    # "换成二档"); the dialogue manager keeps the previous intent and merges these slots into it.
    is_followup: bool = False
