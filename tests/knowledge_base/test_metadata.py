"""Metadata: region/year/scheme/kind from text, inheritance of scope, evidence."""

from __future__ import annotations

from knowledge_base.metadata import (
    Scope,
    document_scope,
    find_regions,
    infer_clause_metadata,
    pick_year,
    scope_of,
)


def test_regions_from_gazetteer_and_county_pattern_without_placeholders():
    assert find_regions("重庆城乡居民医保怎么报销?在重庆市内定点医院住院。") == ["重庆", "重庆"]
    assert find_regions("根据《桂阳县城乡居民基本医疗保险管理办法》执行。") == ["桂阳县"]
    assert find_regions("出台了《x县城镇职工住院医疗保险管理办法》,本县、全县、我县、该县均适用。") == []
    assert find_regions("根据虚拟县医保局要求,XX市医保局开展检查。") == []
    assert find_regions("积极配合县医保中心,争取县财政支持。") == []
    assert find_regions("又要同湖北的实际相结合。") == ["湖北"]


def test_policy_year_prefers_effective_date():
    assert pick_year("参保缴费后从2013年1月1日起直至12月31日享受待遇,2012年已缴费的除外。") == 2013
    assert pick_year("2007-2011年统计数据显示,2011年参保率达到95%。") == 2011
    assert pick_year("起付线为300元。") is None


def test_clause_own_mention_wins_over_inherited_scope():
    article = Scope(region=("岳池县", "岳池县"), year=(2009, "2009年"), scheme=("城镇居民", "城镇居民"))
    document = Scope(kind=("publicity", "城乡居民医保政策宣传范文"))
    meta = infer_clause_metadata("重庆城乡居民医保一档个人筹资60元/人年。", [], article, document)
    assert (meta.region, meta.scheme, meta.kind) == ("重庆", "城乡居民", "rule")
    ev = {e.field: e for e in meta.evidence}
    assert ev["region"].origin == "clause" and ev["region"].match == "重庆"
    assert ev["scheme"].match == "城乡居民医保"


def test_silent_clause_inherits_article_then_document_scope_with_evidence():
    article = Scope(region=("岳池县", "岳池县"), year=(2009, "2009年"))
    document = Scope(scheme=("城镇居民", "城镇居民"), kind=("publicity", "城乡居民医保政策宣传范文"))
    meta = infer_clause_metadata("参保时需提交户口簿原件及复印件。", ["三、参保办法"], article, document)
    assert (meta.region, meta.year, meta.scheme, meta.kind) == ("岳池县", 2009, "城镇居民", "publicity")
    origins = {e.field: e.origin for e in meta.evidence}
    assert origins == {"region": "heading", "year": "heading", "scheme": "document", "kind": "document"}


def test_kind_cues():
    none = Scope()
    assert infer_clause_metadata("第五条 统筹基金起付标准为800元,本办法自发布之日起施行。", [], none, none).kind == "rule"
    assert infer_clause_metadata("今年我局完成参保扩面任务,共有12万人次享受补偿,同比增长5%。", [], none, none).kind == "report"
    assert infer_clause_metadata("城乡居民医保怎么报销?请看宣传手册。", [], none, none).kind == "publicity"


def test_article_scope_needs_repeated_dominant_mentions():
    assert scope_of("在岳池县参保。岳池县居民可参加。在重庆看病。").region == ("岳池县", "岳池县")
    assert scope_of("在西安市开通了支付业务。").region is None  # one passing mention
    many = "北京、上海、广州、深圳、厦门等地各有做法。北京市做得最好。"
    assert scope_of(many).region is None  # a survey of many places is about none
    assert scope_of("第一条 为加强管理,制定本办法。").kind[0] == "rule"


def test_document_scope_does_not_spread_one_articles_region():
    articles = [Scope(region=("广东", "广东")), Scope(), Scope(), Scope()]
    assert document_scope(articles, Scope()).region is None
    agreeing = [Scope(region=("重庆", "重庆")), Scope(region=("重庆", "重庆")), Scope()]
    assert document_scope(agreeing, Scope()).region == ("重庆", "重庆")
    assert document_scope(articles, Scope(region=("湖北", "湖北"))).region == ("湖北", "湖北")
