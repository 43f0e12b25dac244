"""Small stand-ins for the knowledge base, the calculators and the NLU, for unit tests only."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.estimate_bridge import CalculatorPort, PolicyInfo
from assistant.nlu.models import Slots, Understanding
from knowledge_base.models import SearchHit, SearchResponse

YUECHI = ("起付标准。城镇居民基本医疗保险住院医疗起付标准为:一级及以下医疗机构150元,二级医疗机构350元,"
          "三级医疗机构550元。")
CHONGQING = "一、二、三级医院住院起付线分别为100元/次、300元/次、800元/次。全年每人累计补偿最高限额:一档为7万元,二档为11万元。"


def hit(chunk_id: str, text: str, region: str | None, year: int | None, score: float) -> SearchHit:
    return SearchHit(chunk_id=chunk_id, doc_title="测试文件", citation=f"测试文件 › {chunk_id}", text=text,
                     region=region, year=year, scheme=None, kind="rule", score=score, sources=[])


class FakeKB:
    """Returns the clauses whose text shares a keyword with the query; filters by region."""

    def __init__(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        self.calls: list[tuple] = []

    def search(self, query, top_k=5, filters=None):
        self.calls.append((query, filters))
        words = [w for w in ("起付", "门槛", "限额", "封顶") if w in query]
        found = [h for h in self.hits if any(w in h.text or (w == "门槛" and "起付" in h.text) for w in words)]
        if filters is not None and filters.region:
            found = [h for h in found if h.region == filters.region]
        return SearchResponse(results=found[:top_k], no_basis=not found)

    def facets(self):
        return {"regions": sorted({h.region for h in self.hits if h.region})}


def default_kb() -> FakeKB:
    return FakeKB([hit("yc-1", YUECHI, "岳池县", 2009, 9.0), hit("cq-1", CHONGQING, "重庆", 2013, 8.0)])


POLICY = PolicyInfo(id="yc-2009", title="岳池县城镇居民医保", region="岳池县", year=2009, scheme="城镇居民",
                    services=["inpatient"])


class CalcError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def fake_estimate(request: dict) -> dict:
    """Deductible by level and a flat 60% ratio; names the first missing field like the real engine."""
    for name in ("hospital_level", "covered_cost"):
        if name not in request:
            raise CalcError(name, f"缺少{name}")
    deductible = {1: Decimal(150), 2: Decimal(350), 3: Decimal(550)}[request["hospital_level"]]
    cost = Decimal(request["covered_cost"])
    paid = ((cost - deductible) * Decimal("0.6")).quantize(Decimal("0.01"))
    step = {"label": "起付线", "formula": f"{deductible}", "amount": f"{deductible:.2f}",
            "source": {"document": "004", "citation": "岳池 › 起付标准", "chunk_id": "yc-1", "quote": YUECHI}}
    ratio = {"label": "统筹支付", "formula": f"({cost} - {deductible}) × 60%", "amount": f"{paid:.2f}",
             "source": {"document": "004", "citation": "岳池 › 报销比例", "chunk_id": "yc-2",
                        "quote": "二级医疗机构60%"}}
    return {"policy": request["policy"], "policy_title": POLICY.title, "service": request["service"],
            "reimbursed": f"{paid:.2f}", "out_of_pocket": f"{cost - paid:.2f}",
            "breakdown": {"total_cost": f"{cost:.2f}", "covered_cost": f"{cost:.2f}", "uncovered": "0.00",
                          "deductible": f"{deductible:.2f}", "copay": f"{cost - deductible - paid:.2f}",
                          "above_cap": "0.00", "payers": []},
            "steps": [step, ratio], "assumptions": [], "defaults": {}}


def fake_contribution(request: dict) -> dict:
    raise CalcError("policy", "不支持")


def fake_port(policies: list[PolicyInfo] | None = None) -> CalculatorPort:
    return CalculatorPort(estimate=fake_estimate, contribution=fake_contribution, policies=policies or [POLICY])


_LEVELS = {"一级": 1, "二级": 2, "三级": 3}


def fake_parse(text: str, known_regions=()) -> Understanding:
    """Keyword NLU: enough to drive the dialogue logic in tests."""
    slots = Slots()
    evidence = {}
    for word, level in _LEVELS.items():
        if word in text:
            slots.hospital_level = level
            evidence["hospital_level"] = word + ("医院" if word + "医院" in text else "")
    for region in known_regions:
        if region in text:
            slots.region = region
            evidence["region"] = region
    if "学生" in text:
        slots.person_category = "student"
        evidence["person_category"] = "学生"
    m = re.search(r"(\d+)(万)?", text.replace("一级", "").replace("二级", "").replace("三级", ""))
    if m:
        slots.amount = Decimal(m.group(1)) * (10000 if m.group(2) else 1)
    if "重新开始" in text:
        intent = "reset"
    elif text in {"你好", "您好"}:
        intent = "greeting"
    elif "谢谢" in text:
        intent = "thanks"
    elif "人工" in text:
        intent = "human"
    elif "天气" in text:
        intent = "out_of_scope"
    elif "报销多少" in text or "能报" in text:
        intent = "estimate"
    else:
        intent = "policy_question"
    return Understanding(intent=intent, slots=slots, query=text, evidence=evidence)
