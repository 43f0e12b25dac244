"""Versions over time: effective dates from the text or the upload, supersession within one
region and scheme, and search answering "now" with the current rule and "2013年" with the old."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge_base.ingest.versions import effective_date, parse_date, read_sidecar_date, write_sidecar_date

OLD = """重庆市城乡居民合作医疗保险实施办法
一、参保对象
本市行政区域内未参加职工基本医疗保险的城乡居民。
二、住院待遇
城乡居民合作医疗保险参保人员在三级医院住院,起付线为800元,报销比例为40%。
三、附则
本办法自2013年1月1日起施行。
"""
NEW = """重庆市城乡居民合作医疗保险实施办法(修订)
一、参保对象
本市行政区域内未参加职工基本医疗保险的城乡居民。
二、住院待遇
城乡居民合作医疗保险参保人员在三级医院住院,起付线为600元,报销比例为55%。
三、附则
本办法自2016年1月1日起施行,原办法同时废止。
"""


@pytest.mark.parametrize(
    ("text", "title", "expected"),
    [
        ("本办法自2016年1月1日起施行。", "", date(2016, 1, 1)),
        ("本通知自 2019 年 7 月 1 日起执行。", "", date(2019, 7, 1)),
        ("自2020年10月1日零时起实施", "", date(2020, 10, 1)),
        ("城乡居民医保待遇标准如下。", "重庆市2013年度城乡居民医保待遇通知", date(2013, 1, 1)),
        ("2005年度管理考核办法已印发。", "工作总结", None),  # 年度 in running text is not a date
        ("本办法自2月30日起施行", "", None),
        ("本办法自发布之日起施行。", "", None),
    ],
)
def test_effective_date_from_text(text, title, expected):
    assert effective_date(text, title) == expected


def test_upload_date_sidecar_and_parsing(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("x", "utf-8")
    assert read_sidecar_date(doc) is None
    write_sidecar_date(doc, parse_date("2015年3月1日"))
    assert read_sidecar_date(doc) == date(2015, 3, 1)
    assert parse_date("2015-03-01") == parse_date("2015/3/1") == date(2015, 3, 1)
    with pytest.raises(ValueError, match="生效日期格式不正确"):
        parse_date("明年")
    with pytest.raises(ValueError, match="生效日期"):
        parse_date("2015-02-30")


@pytest.fixture()
def library(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cq_2013.txt").write_text(OLD, "utf-8")
    (corpus / "cq_2016.txt").write_text(NEW, "utf-8")
    return corpus


def test_newer_document_supersedes_older_of_same_region_and_scheme(library):
    from knowledge_base.ingest.pipeline import build_clauses

    clauses = build_clauses([library]).clauses
    old = next(c for c in clauses if "800元" in c.text)
    new = next(c for c in clauses if "600元" in c.text)
    assert (old.region, old.scheme) == (new.region, new.scheme) and old.region
    assert old.effective_from == "2013-01-01" and old.effective_to == "2015-12-31"
    assert old.superseded_by == new.doc_title
    assert new.effective_from == "2016-01-01" and new.effective_to is None and new.superseded_by is None


def test_other_region_is_not_superseded(library):
    from knowledge_base.ingest.pipeline import build_clauses

    (library / "yc_2017.txt").write_text(NEW.replace("重庆市", "岳池县").replace("2016年", "2017年"), "utf-8")
    clauses = build_clauses([library]).clauses
    new_cq = next(c for c in clauses if "600元" in c.text and c.region == "重庆")
    assert new_cq.superseded_by is None  # 岳池县's 2017 rule does not replace 重庆's


def test_search_now_gives_current_rule_and_a_year_gives_the_old(library, tmp_path):
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase

    kb = KnowledgeBase.open(KBSettings(data_dir=tmp_path / "data", corpus_dirs=[library], dense_weight=0, learned=False))
    now = kb.search("重庆三级医院住院起付线多少", top_k=3).results
    assert "600元" in now[0].text
    assert now[0].period == "2016年1月1日起施行" and "2016年1月1日起施行" in now[0].citation
    then = kb.search("2013年重庆三级医院住院起付线多少", top_k=3).results
    assert "800元" in then[0].text
    assert "2013年1月1日至2015年12月31日有效" in then[0].period and "修订" in then[0].period
    # the older version stays citable: it is still in the library and found by id
    assert kb.get(then[0].chunk_id) is not None
