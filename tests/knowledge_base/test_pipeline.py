"""Pipeline: a small corpus in several encodings and formats end to end; errors don't stop it."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.ingest.pipeline import build_clauses, cleaned_corpus_texts

RULE_DOC = """电脑桌面
添加某某文库到电脑桌面

岳池县城镇居民医疗保险办法

来源:某某文库作者:某人2025-09-17

一、缴费标准

(一)成年居民每人每年缴费180元。

二、保险待遇

(一)起付标准。一级医疗机构150元,二级医疗机构350元。

查看全文
"""
REPRINT = """重庆城乡居民医保宣传材料

一、参保对象:户籍在本市的城乡居民均应参加城乡居民合作医疗保险。

二、保险待遇

(一)起付标准。一级医疗机构150元,二级医疗机构350元。
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a_rule.txt").write_bytes(RULE_DOC.encode("gb18030"))
    (tmp_path / "b_leaflet.txt").write_text(REPRINT, encoding="utf-8")
    (tmp_path / "c_bad.txt").write_bytes(bytes(range(128, 256)) * 4)
    return tmp_path


def test_build_clauses_end_to_end(corpus):
    result = build_clauses([corpus])
    assert [e.file for e in result.errors] == ["c_bad.txt"]
    assert [d.title for d in result.documents] == ["岳池县城镇居民医疗保险办法", "重庆城乡居民医保宣传材料"]
    assert result.documents[0].encoding == "gb18030"
    by_text = {c.text: c for c in result.clauses}
    fee = by_text["成年居民每人每年缴费180元。"]  # a sentence stating an amount is text, not a title
    # a section line that is one sentence gets that sentence as its label (no "…": it is all of it)
    assert fee.citation == "岳池县城镇居民医疗保险办法 › 一、缴费标准 › (一)成年居民每人每年缴费180元"
    assert fee.region == "岳池县" and fee.sources[0].file == "a_rule.txt" and fee.sources[0].line == 10
    # the threshold clause appears in both files: one canonical clause, both locations
    threshold = by_text["一级医疗机构150元,二级医疗机构350元。"]
    assert [(s.file, s.line) for s in threshold.sources] == [("a_rule.txt", 14), ("b_leaflet.txt", 7)]
    assert len([c for c in result.clauses if "150元" in c.text]) == 1
    leaflet = by_text["户籍在本市的城乡居民均应参加城乡居民合作医疗保险。"]
    assert (leaflet.region, leaflet.scheme) == ("重庆", "城乡居民")
    assert all("电脑桌面" not in c.text and "来源" not in c.text for c in result.clauses)


def test_build_is_deterministic(corpus):
    a = build_clauses([corpus])
    b = build_clauses([corpus])
    assert a.model_dump() == b.model_dump()


def test_adding_a_document_keeps_the_ids_of_the_others(corpus, tmp_path_factory):
    before = {c.chunk_id for c in build_clauses([corpus / "a_rule.txt"]).clauses}
    after = {c.chunk_id for c in build_clauses([corpus]).clauses}
    assert before <= after


def test_cleaned_corpus_texts_for_quote_validation(corpus):
    texts = cleaned_corpus_texts([corpus])
    assert set(texts) == {"a_rule.txt", "b_leaflet.txt"}
    assert "(一)成年居民每人每年缴费180元。" in texts["a_rule.txt"].split("\n")
    assert "电脑桌面" not in texts["a_rule.txt"]


def test_bundled_corpus_is_clean():
    result = build_clauses()
    assert not result.errors and len(result.documents) == 5
    titles = {d.file[:3]: d.title for d in result.documents}
    assert titles["004"] == "城乡居民医保政策宣传范文" and titles["002"] == "医保协议管理要求范文"
    texts = [c.text for c in result.clauses]
    for chrome in ("电脑桌面", "版权所有", "查看全文", "小编", "键入", "(yī)", "醫", "療", "導語"):
        assert not any(chrome in t for t in texts), chrome
    assert all(len(t) <= 400 for t in texts)
    # the 岳池县 regulation printed three times in 004 is one set of clauses with three sources
    yuechi = [c for c in result.clauses if c.text.startswith("城镇居民基本医疗保险住院医疗起付标准为")]
    assert len(yuechi) == 1 and len(yuechi[0].sources) == 3 and yuechi[0].region == "岳池县"
    hospital = [c for c in result.clauses if c.citation.endswith("第2篇 › 四、医保待遇 › (三)住院补偿标准")]
    assert hospital and hospital[0].region == "重庆" and "一、二、三级医院" in hospital[0].text
