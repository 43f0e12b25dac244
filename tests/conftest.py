"""Shared fixtures. `kb` builds the knowledge base from the bundled corpus once per test session,
into a temporary data dir (never the developer's var/), so every area's tests can search it."""

from __future__ import annotations

import pytest
from hypothesis import settings

from knowledge_base.config import DEFAULT_CORPUS_DIR, KBSettings
from knowledge_base.models import Clause, SourceLocation

# Property tests check behaviour, not speed (speed lives in benchmarks/): a first example that pays
# for loading a lexicon on a loaded CI machine must not fail on hypothesis' 200 ms deadline.
settings.register_profile("medpolicy", deadline=None)
settings.load_profile("medpolicy")


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory) -> KBSettings:
    """Settings pointing at a fresh session data dir and the bundled corpus only."""
    data_dir = tmp_path_factory.mktemp("medpolicy-data")
    return KBSettings(data_dir=data_dir, corpus_dirs=[DEFAULT_CORPUS_DIR])


@pytest.fixture(scope="session")
def kb(kb_settings):
    """The knowledge base over the bundled corpus (built once, then shared read-only)."""
    from knowledge_base.service import KnowledgeBase

    return KnowledgeBase.open(kb_settings)



def make_clause(cid: str, text: str, heading: list[str] | None = None, **meta) -> Clause:
    heading = heading or []
    return Clause(
        chunk_id=cid,
        doc_id="doc",
        doc_title="测试政策",
        heading_path=heading,
        citation=" › ".join(["测试政策", *heading]),
        text=text,
        sources=[SourceLocation(file="test.txt", line=int(cid[1:]) if cid[1:].isdigit() else 1)],
        **meta,
    )


def _sample_clauses() -> list[Clause]:
    """Eight hand-made clauses (three regions, rules and a report) for pipeline-free search tests."""
    return [
        make_clause("c1", "一级、二级、三级医院住院起付线分别为100元、300元、800元。", ["四、医保待遇", "(三)住院补偿标准"],
               region="重庆", year=2013, scheme="城乡居民", kind="rule"),
        make_clause("c2", "对孕产妇发生的费用,给予每人100元产前检查、400元住院分娩定额补助。", ["四、医保待遇"],
               region="重庆", year=2013, scheme="城乡居民", kind="rule"),
        make_clause("c3", "中小学阶段的学生,每个学生个人缴费10元。", ["二、缴费标准"],
               region="岳池县", year=2009, scheme="城镇居民", kind="rule"),
        make_clause("c4", "统筹基金当年的最高支付限额一般为当地职工年平均工资的4倍。", ["6、支付标准"],
               region="湖北", scheme="职工", kind="rule"),
        make_clause("c5", "我局充分利用宣传周走上街头开展咨询,发放宣传单2000多份。", ["一、宣传工作"], kind="report"),
        make_clause("c6", "住院医疗起付标准为:一级及以下医疗机构150元,二级医疗机构350元。", ["(二)起付标准"],
               region="岳池县", year=2009, scheme="城镇居民", kind="rule"),
        make_clause("c7", "未经同意转外就医的,其住院起付线提高5%,同时报销比例下降5个百分点。", ["五、就医管理"],
               region="重庆", year=2013, scheme="城乡居民", kind="rule"),
        make_clause("c8", "参保人员持医保卡在定点药店购药,按规定结算。", ["购药管理"], kind="rule"),
    ]


@pytest.fixture()
def sample_clauses() -> list[Clause]:
    return _sample_clauses()
