"""Small stand-ins for the assistant, knowledge base and calculators, injected into create_app.

They follow the published contracts (assistant/models.py, knowledge_base/models.py,
calculators/models.py) so the service is tested on its own; integration tests use the real stack.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from assistant.models import AssistantReply, Citation, Clarification, RememberedFact
from calculators import CalcError
from api.settings import ServiceSettings
from knowledge_base.models import Clause, SearchFilters, SearchHit, SearchResponse, SourceLocation

CLAUSES = [
    Clause(
        chunk_id="c-deductible",
        doc_id="d1",
        doc_title="甲县城乡居民医保实施办法",
        heading_path=["四、医保待遇", "(三)住院补偿"],
        citation="甲县城乡居民医保实施办法 › 四、医保待遇 › (三)住院补偿",
        text="一级医院起付线200元，二级医院起付线500元，三级医院起付线1000元。",
        region="甲县",
        year=2023,
        scheme="城乡居民",
        kind="rule",
        sources=[SourceLocation(file="a.txt", line=12), SourceLocation(file="b.txt", line=40)],
    ),
    Clause(
        chunk_id="c-maternity",
        doc_id="d2",
        doc_title="乙市生育医疗费用补助办法",
        heading_path=["第三条"],
        citation="乙市生育医疗费用补助办法 › 第三条",
        text="住院分娩定额补助800元，剖宫产补助1200元。",
        region="乙市",
        year=2022,
        scheme="城乡居民",
        kind="rule",
        sources=[SourceLocation(file="c.txt", line=3)],
    ),
]


def _citation(n: int, clause: Clause) -> Citation:
    return Citation(n=n, chunk_id=clause.chunk_id, citation=clause.citation, text=clause.text,
                    region=clause.region, year=clause.year)


class FakeAssistant:
    """Answers a few message shapes; records every call so tests can count them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str]] = []
        self.gate: threading.Event | None = None  # when set, ask() waits for it (late answers)
        self._lock = threading.Lock()

    def ask(self, message: str, session_id: str | None = None, channel: str = "web") -> AssistantReply:
        with self._lock:
            self.calls.append((message, session_id, channel))
        if self.gate is not None:
            self.gate.wait(10)
        sid = session_id or uuid.uuid4().hex
        if "住院报销" in message:
            return AssistantReply(
                session_id=sid, answer="请问您在哪一级医院住院？", wechat_text="请问您在哪一级医院住院？回复：一级/二级/三级",
                intent="estimate",
                clarification=Clarification(question="请问您在哪一级医院住院？", options=["一级医院", "二级医院", "三级医院"],
                                            slot="hospital_level"),
            )
        if message in ("一级医院", "二级医院", "三级医院"):
            return AssistantReply(
                session_id=sid, answer=f"{message}住院起付线见条款[1]。", wechat_text=f"{message}住院起付线见条款[1]",
                citations=[_citation(1, CLAUSES[0])], intent="estimate",
            )
        if "起付线" in message:
            return AssistantReply(
                session_id=sid, answer="二级医院起付线500元[1]。", wechat_text="二级医院起付线500元[1]\n[1]甲县城乡居民医保实施办法",
                citations=[_citation(1, CLAUSES[0])], intent="policy_question",
            )
        if message.startswith("不对"):  # a correction of a remembered fact ("不对，甲县改为乙市")
            return AssistantReply(
                session_id=sid, answer="好的，已更正。现在记住的是：乙市 · 城乡居民。", intent="correction",
                remembered=[RememberedFact(slot="region", value="乙市", label="乙市", origin="said"),
                            RememberedFact(slot="scheme", value="城乡居民", label="城乡居民", origin="said")],
            )
        if "甲县" in message and "城乡居民" in message:  # a statement of context
            return AssistantReply(
                session_id=sid, answer="好的，已记住：甲县 · 城乡居民。想了解什么？", intent="statement",
                remembered=[RememberedFact(slot="region", value="甲县", label="甲县", origin="said"),
                            RememberedFact(slot="scheme", value="城乡居民", label="城乡居民", origin="said")],
            )
        if "cdata" in message:
            return AssistantReply(session_id=sid, answer="a]]>b", wechat_text="a]]><b>&amp;", intent="policy_question")
        if "long" in message:
            return AssistantReply(session_id=sid, answer="长" * 2000, wechat_text="长" * 2000, intent="policy_question")
        if "<script>" in message:
            return AssistantReply(session_id=sid, answer="<img src=x onerror=alert(1)>不是HTML", intent="out_of_scope")
        return AssistantReply(
            session_id=sid, answer="政策库中没有相关条款，请咨询12393。", wechat_text="政策库中没有相关条款，请咨询12393。",
            intent="out_of_scope",
        )


class FakeKB:
    def __init__(self) -> None:
        self.ingested: list[list[Any]] = []
        self.fail_ingest: Exception | None = None  # raised by ingest(): a rebuild that fails

    @property
    def clauses(self) -> list[Clause]:
        return list(CLAUSES)

    def search(self, query: str, top_k: int = 5, filters: SearchFilters | None = None) -> SearchResponse:
        filters = filters or SearchFilters()
        hits = []
        for clause in CLAUSES:
            if filters.region and clause.region != filters.region:
                continue
            if filters.year and clause.year != filters.year:
                continue
            if filters.scheme and clause.scheme != filters.scheme:
                continue
            if query not in clause.text + clause.citation:
                continue
            hits.append(SearchHit(chunk_id=clause.chunk_id, doc_title=clause.doc_title, citation=clause.citation,
                                  text=clause.text, region=clause.region, year=clause.year, scheme=clause.scheme,
                                  kind=clause.kind, score=1.0, sources=clause.sources))
        return SearchResponse(results=hits[:top_k], no_basis=not hits)

    def get(self, chunk_id: str) -> Clause | None:
        return next((c for c in CLAUSES if c.chunk_id == chunk_id), None)

    @property
    def facets(self) -> dict[str, list[Any]]:
        return {"regions": ["甲县", "乙市"], "years": [2023, 2022], "schemes": ["城乡居民"], "kinds": ["rule"]}

    def ingest(self, paths: Any = None, isolated: bool = False) -> dict[str, Any]:
        if self.fail_ingest is not None:
            raise self.fail_ingest
        self.ingested.append(list(paths or []))
        return {"n_files": len(paths or []), "errors": []}


POLICY = {
    "id": "jia-2023",
    "title": "甲县城乡居民医保实施办法",
    "region": "甲县",
    "year": 2023,
    "scheme": "城乡居民",
    "services": ["inpatient"],
    "contributions": True,
}


class FakeCalculators:
    """Fixed arithmetic for one made-up policy: 500 deductible at level 2, then 70 % paid."""

    def estimate(self, request: Any) -> dict[str, Any]:
        if request.policy != "jia-2023":
            raise CalcError("policy", f"未知的政策：{request.policy}")
        if request.covered_cost is None:
            raise CalcError("covered_cost", "请填写政策范围内费用")
        return {
            "policy": "jia-2023", "policy_title": POLICY["title"], "service": request.service,
            "reimbursed": "6650.00", "out_of_pocket": "3350.00",
            "breakdown": {"total_cost": "10000.00", "covered_cost": "10000.00", "uncovered": "0.00",
                          "deductible": "500.00", "copay": "2850.00", "above_cap": "0.00",
                          "payers": [{"payer": "basic_fund", "name": "基本医保统筹基金", "amount": "6650.00"}]},
            "steps": [
                {"label": "起付线", "formula": "二级医院", "amount": "500.00", "chunk_id": "c-deductible",
                 "citation": CLAUSES[0].citation, "quote": "二级医院起付线500元"},
                {"label": "统筹基金支付", "formula": "(10000 − 500) × 70%", "amount": "6650.00", "payer": "basic_fund",
                 "chunk_id": "c-deductible", "citation": CLAUSES[0].citation, "quote": "二级医院起付线500元"},
            ],
            "assumptions": [], "defaults": {}, "disclaimer": "以上为按政策文本的测算，以当地医保部门核定为准。",
        }

    def contribution(self, request: Any) -> dict[str, Any]:
        if request.policy != "jia-2023":
            raise CalcError("policy", f"未知的政策：{request.policy}")
        return {"policy": "jia-2023", "policy_title": POLICY["title"], "individual": "380.00", "total": "380.00",
                "steps": [], "assumptions": []}

    def policies(self) -> list[dict[str, Any]]:
        return [POLICY]

    def policy(self, policy_id: str) -> dict[str, Any] | None:
        return {**POLICY, "parameters": [{"name": "deductible_level2", "value": "500", "chunk_id": "c-deductible"}]} \
            if policy_id == "jia-2023" else None


WECHAT_TOKEN = "medpolicytoken"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
WECHAT_APP_ID = "wx1234567890abcdef"


def make_settings(tmp_path: Path, **overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "db_path": tmp_path / "service.sqlite3",
        "wechat_token": WECHAT_TOKEN,
        "wechat_encoding_aes_key": WECHAT_AES_KEY,
        "wechat_app_id": WECHAT_APP_ID,
        # Most webhook tests drive plain messages; strict safe mode has its own tests (test_security).
        "wechat_compatible_mode": True,
        "_env_file": None,
    }
    values.update(overrides)
    return ServiceSettings(**values)  # type: ignore[arg-type]
