"""Clarifying questions: one per missing slot, with quick-reply options that map back to slot values.

The options' values are kept with the labels so that a tap on "二级医院" (or typing it) fills the
slot even when the NLU would not have recognised the bare label on its own.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from assistant.models import Clarification


class SlotQuestion(BaseModel):
    slot: str
    question: str
    options: list[str] = Field(default_factory=list)
    values: list[Any] = Field(default_factory=list)  # values[i] is what options[i] means

    def clarification(self) -> Clarification:
        return Clarification(question=self.question, options=self.options, slot=self.slot)

    def value_for(self, text: str) -> Any | None:
        """The value of the option the user picked (exact label, or a label inside the message)."""
        text = text.strip().rstrip("。.!！?？")
        for label, value in zip(self.options, self.values):
            if text == label:
                return value
        for label, value in sorted(zip(self.options, self.values), key=lambda p: -len(p[0])):
            if label and label in text:
                return value
        return None


# Fixed questions for slots whose possible values the calculators' enumerations define.
_FIXED: dict[str, tuple[str, list[tuple[str, Any]]]] = {
    "hospital_level": ("请问在哪一级医院就诊？", [("一级医院", 1), ("二级医院", 2), ("三级医院", 3)]),
    "tier": ("请问参保时选的是哪一档？", [("一档", 1), ("二档", 2)]),
    "person_category": (
        "请问患者属于哪类人员？",
        [("成年居民", "adult"), ("中小学生", "student"), ("学龄前儿童", "child"), ("老年人", "elderly")],
    ),
    "admission_index": ("请问这是今年第几次住院？", [("第一次", 1), ("第二次及以上", 2)]),
    "out_of_area": ("请问是在本县（统筹区）内还是县外就医？", [("县内", False), ("县外", True)]),
    "out_of_city": ("请问是在本市（直辖市）内的外县就医，还是在市外就医？", [("市内外县", False), ("市外", True)]),
    "referral": ("请问是否办理了转诊或外诊登记？", [("已办理", True), ("未办理", False)]),
    "poverty": ("请问是否为建档立卡贫困人口？", [("是", True), ("不是", False)]),
    "low_income": ("请问是否属于低保对象或重度残疾人？", [("是", True), ("不是", False)]),
    "no_support": ("请问是否属于“三无人员”（无劳动能力、无经济收入、无法定抚养人）？", [("是", True), ("不是", False)]),
    "major_disease": ("请问是否患有重大疾病？", [("是", True), ("不是", False)]),
    "continuous_enrollment": ("请问是否每年连续参保缴费、没有断过？", [("连续参保", True), ("中间断过", False)]),
    "retired": ("请问是在职还是退休？", [("在职", False), ("退休", True)]),
    "chronic_disease_count": ("请问同时患有几种慢性（特殊）疾病？", [("1种", 1), ("2种", 2), ("3种", 3), ("4种", 4)]),
    "service": (
        "请问要测算哪类费用？",
        [("住院", "inpatient"), ("慢性病门诊", "chronic_outpatient"), ("重大疾病门诊", "major_disease_outpatient"),
         ("普通门诊", "general_outpatient"), ("生育", "maternity")],
    ),
    "amount": ("请问医疗费用（医保政策范围内）大约多少元？", []),
    "uncovered_amount": ("请问其中医保目录外（自费）的费用有多少元？", [("没有", "0")]),
    "ytd_reimbursed": ("请问今年已经报销过多少元？", [("没有", "0")]),
    "maternity_stage": ("请问是产前检查还是住院分娩？", [("产前检查", "prenatal"), ("住院分娩", "delivery")]),
    "prior_reimbursed": ("请问结算单上基本医保和大病保险已经支付了多少元？", []),
    "local_avg_wage": ("请问当地上年度职工年平均工资是多少元？", []),
    "wage": ("请问您的月工资（缴费工资）是多少元？", []),  # a wage told is read as monthly unless said yearly
}

SERVICE_LABELS = {value: label for label, value in _FIXED["service"][1]}


def question_for(slot: str, options: list[tuple[str, Any]] | None = None) -> SlotQuestion:
    """The question for `slot`; `options` overrides the fixed ones (regions, schemes, policies
    come from the library, not from this table)."""
    text, fixed = _FIXED.get(slot, (f"请补充：{slot}", []))
    if slot == "region":
        text = "请问您在哪个地区参保？"
    elif slot == "scheme":
        text = "请问参加的是哪种医保？"
    elif slot == "year":
        text = "请问按哪一年的政策？"
    elif slot == "policy":
        text = "有几份政策都适用，请问按哪一份测算？"
    pairs = options if options is not None else fixed
    return SlotQuestion(slot=slot, question=text, options=[p[0] for p in pairs], values=[p[1] for p in pairs])
