"""Metadata: region/year/scheme/kind from text, inheritance of scope, evidence."""

from __future__ import annotations

from knowledge_base.ingest.metadata import (
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


# --- scheme: scope by default, a clause overrides only when the scheme is its subject ---------

RESIDENT_ARTICLE = Scope(region=("岳池县", "岳池县"), year=(2009, "2009年"), scheme=("城镇居民", "城镇居民"))


def _scheme(text: str, headings: list[str] | None = None, article: Scope = RESIDENT_ARTICLE):
    return infer_clause_metadata(text, headings or [], article, Scope())


def test_comparison_with_another_scheme_keeps_the_article_scheme():
    meta = _scheme("参保城镇居民所发生因病住院医疗费用的报销范围与城镇职工基本医疗保险报销范围一致,比新农合的报销范围大多了。",
                   ["四、保险待遇", "(一)报销范围"])
    assert meta.scheme == "城镇居民"
    # a heading that announces a comparison is not about the compared scheme either
    assert _scheme("一是享受的药品目录与城镇职工一样,远远大于新农合的报销范围。", ["五、与新农合比较"]).scheme == "城镇居民"


def test_side_notes_and_exclusions_do_not_flip_the_scheme():
    assert _scheme("“三无人员”个人不缴费,属于个人缴纳的部分,由城市医疗救助资金给与全额补助。").scheme == "城镇居民"
    assert _scheme("以家庭为单位办理参保登记。对家庭成员中已参加城镇职工基本医疗保险的人员,要提供相关证件。").scheme == "城镇居民"
    meta = _scheme("该院是定点医院,还可申请医疗援助。")
    assert meta.scheme == "城镇居民" and all(e.origin != "clause" for e in meta.evidence if e.field == "scheme")
    # one of several means to an end is not what the clause is about
    cap = "统筹基金最高支付限额为职工年平均工资的4倍,超过部分可通过建立大病医疗救助基金和商业医疗保险等途径解决。"
    assert _scheme(cap).scheme == "城镇居民"


def test_subject_scheme_overrides_the_article_and_both_schemes_are_listed():
    notice = ("某某医院是市级城镇职工医保(社保)定点医院,起付线低,退休报销95%,在职报销90%;还可申请医疗援助。\n"
              "某某医院在城乡居民(新农合、大学生)医保最高报销90%的基础上,自费部分可申请民政救助。")
    meta = _scheme(notice, article=Scope(scheme=("城乡居民", "城乡居民")))
    assert meta.scheme == "职工" and meta.schemes == ["职工", "城乡居民"]
    assert _scheme("城镇职工基本医疗保险参保人数24540人,基金运行平稳。").scheme == "职工"  # named at the start


def test_heading_names_the_scheme_and_unscoped_clause_uses_its_own_mention():
    assert _scheme("截至7月底参保人数达6238万人。", ["(一)新农合工作"]).scheme == "新农合"
    assert infer_clause_metadata("今年新农合参合率达到95%。", [], Scope(), Scope()).scheme == "新农合"


# --- region: hierarchy and passing mentions -------------------------------------------------

def test_region_hierarchy_from_gazetteer():
    from knowledge_base.ingest.regions import ancestors, related

    assert ancestors("桂阳县") == ["郴州市", "湖南"]
    assert ancestors("岳池县") == ["广安市", "四川"] and ancestors("渝北区") == ["重庆"]
    assert related("湖南", "桂阳县") and not related("湖南", "岳池县")


def test_province_mention_inside_county_article_keeps_the_county():
    article = Scope(region=("桂阳县", "桂阳县"))
    meta = infer_clause_metadata("严格执行湖南省统一的医保政策,湖南省医保局部署专项行动。", [], article, Scope())
    assert meta.region == "桂阳县" and meta.region_path == ["湖南", "郴州市", "桂阳县"]


def test_examples_and_enumerations_are_not_jurisdictions():
    from knowledge_base.ingest.regions import jurisdictions

    assert jurisdictions("会上,福建厦门等15个省市做了大会经验交流。") == []
    assert jurisdictions("各地充分利用社区,如海口市充分调动各方面力量。") == []
    assert jurisdictions("江西、甘肃、青海等省,全省参保人数已超过50%。") == []
    assert jurisdictions("岳池县城镇居民参保缴费。") == ["岳池县"]


def test_article_scope_region_is_the_most_specific_agreed_region():
    county = "桂阳县城乡居民医保运行良好。全县参保。桂阳县财政资助。省外就医按湖南省规定。桂阳县完成任务。"
    assert scope_of(county).region == ("桂阳县", "桂阳县")
    province = "我省医改。湖北省实施方案。武汉市先行。孝感市跟进。"
    assert scope_of(province).region == ("湖北", "湖北")


def test_national_text_gives_no_region_from_a_passing_place():
    national = scope_of("全国会议。北京市发文。广东省推进。福建厦门探索。湖南省开发系统。新疆兵团参加。")
    assert national.region is None and national.multi_place
    meta = infer_clause_metadata("现在广东对居民参保工作是一周一调度,广东省厅领导已经下了任务。", [], national, Scope())
    assert meta.region is None
    # a heading naming a place still sets it
    assert infer_clause_metadata("参保率较高。", ["一、广东省征收现状"], national, Scope()).region == "广东"


# --- year and kind ---------------------------------------------------------------------------

def test_scheme_year_beats_the_calendar_dates_of_the_collection_period():
    assert pick_year("2012年9月1日至12月20日为2013集中参保缴费时间。") == 2013
    assert pick_year("年满18周岁的居民,2009个人缴费85元,2010个人缴费170元。", scope_year=2009) == 2009
    assert pick_year("2013年度个人缴费标准为60元。") == 2013


def test_event_date_in_a_report_keeps_the_article_year():
    article = Scope(year=(2018, "2018年"))
    meta = infer_clause_metadata("我们从2017年9月份开始充分利用海报宣传。", ["(一)抓筹资工作"], article, Scope())
    assert meta.year == 2018
    assert infer_clause_metadata("完成任务。", ["五、2019年工作计划"], article, Scope()).year == 2019


def test_article_kind_is_kept_by_every_clause():
    leaflet = "\n".join([
        "一档:个人筹资60元/人年;二档:个人筹资150元/人年。",
        "一、二、三级医院补偿比例分别为80%、60%和40%。",
        "住院起付标准为100元/次。",
        "市外发生的费用到医保窗口报销,须提供发票原件。",
    ])
    article = scope_of(leaflet)
    assert article.kind is not None and article.kind[0] == "rule"
    document = Scope(kind=("publicity", "医保政策宣传范文"))
    kinds = {infer_clause_metadata(p, [], article, document).kind for p in leaflet.split("\n")}
    assert kinds == {"rule"}
    report = scope_of("今年我局完成扩面任务。截至年底参保12万人次,同比增长5%。我们取得了成绩。起付线为300元。")
    assert report.kind[0] == "report"
    assert infer_clause_metadata("一是保基本,住院补偿比例为80%。", [], report, Scope()).kind == "report"
    assert infer_clause_metadata("第五条 起付标准为800元。", [], report, Scope()).kind == "rule"


def test_an_essay_quoting_one_rate_is_not_a_rule_text():
    essay = "\n".join(["医疗保险制度的发展历程值得研究。"] * 6 + ["城镇居民个人缴费标准为每人每年120元。"])
    assert scope_of(essay).kind is None or scope_of(essay).kind[0] != "rule"


def test_generic_resident_mention_follows_the_scope_and_coordinated_schemes_both_count():
    article = Scope(scheme=("城乡居民", "城乡居民"))
    meta = infer_clause_metadata("参保缴费后从2013年1月1日起享受居民医保待遇。", [], article, Scope())
    assert meta.scheme == "城乡居民"
    both = infer_clause_metadata("城镇职工和城镇居民医保参保人员均可在定点医院就医。", [], article, Scope())
    assert both.schemes == ["职工", "城镇居民"]


def test_rule_kind_evidence_quotes_a_rate_statement():
    article = scope_of("一档:个人筹资60元/人年。\n住院起付标准为100元/次,须提供发票。\n门诊定额报销。")
    assert article.kind is not None and article.kind[1] == "筹资60元"


def test_advertisement_is_publicity_never_rule_and_does_not_set_its_article_kind():
    ad = "某某医院是市级城镇职工医保定点医院,起付线低,门槛费只要200元,报销比例高:退休报销95%;还可申请医疗援助。"
    rules = Scope(kind=("rule", "补偿比例"))
    meta = infer_clause_metadata(ad, ["第2篇"], rules, Scope())
    assert meta.kind == "publicity"
    assert next(e for e in meta.evidence if e.field == "kind").origin == "clause"
    # one sales-like phrase alone is ordinary prose: a report keeps its kind
    report = Scope(kind=("report", "工作总结"))
    assert infer_clause_metadata("参合农民就诊补偿后还有困难的还可申请民政救助。", [], report, Scope()).kind == "report"
    # a comparison of thresholds is a rule statement, not an evaluation
    assert infer_clause_metadata("一级医院起付线低于二级医院,报销比例高于二级医院。", [], rules, Scope()).kind == "rule"
    # the advertisement among an article's rates does not decide what the article is
    article = "\n".join([ad, "一档:个人筹资60元/人年;二档:个人筹资150元/人年。",
                         "一、二、三级医院补偿比例分别为80%、60%和40%。"])
    assert scope_of(article).kind[0] == "rule"
    assert scope_of(ad).kind is None or scope_of(ad).kind[0] != "rule"


def test_no_year_from_plan_names_counts_or_garbled_numbers():
    assert pick_year("“十二五”末,社会保障覆盖面进一步扩大,“十三五”期间继续推进。") is None
    assert pick_year("大力宣传,发放宣传单2000多份,接待咨询2000余人次。") is None
    assert pick_year("全县共2000个人缴费参保。") is None  # a head count, not "2009个人缴费"
    assert pick_year("2010-2010年将是关键时期。") is None  # a range that does not run forward
    assert pick_year("根据2007-2-11年统计数据显示。") is None
    assert pick_year("非从业城镇居民,2009个人缴费85元,2010个人缴费170元。", 2009) == 2009
    assert pick_year("医保管理小组对2021年度的基本医疗保险工作进行自查。") == 2021


def test_a_history_naming_many_years_has_no_scope_year():
    history = ("1992年后基金筹集压力骤增,至1998年出现缺口。2000年开始由地税征收,2000年之前问题突出。"
               "2002年开始改革,2003~2008年试点,2009年起全责征收。2000~2015年收入稳定增长,"
               "2000~2016年征收规模扩大,2016年收入占比提高。")
    assert scope_of(history).year is None
    assert scope_of("2018年全县参保人数为69万人。2018年共筹集基金4.7亿元。2019年继续加强监管。").year == (2018, "2018年")


def test_an_official_document_announcing_itself_is_a_rule_text():
    opinion = ("现就建立城市医疗救助制度试点工作提出如下意见:\n"
               "救助对象本人向社区居民委员会提出申请,街道办事处对申请材料进行审核。")
    assert scope_of(opinion).kind[0] == "rule"
    assert scope_of("现将2013年筹资工作有关事宜通知如下:各街镇要加强领导。").kind[0] == "rule"


def test_figures_described_over_time_are_findings_not_rules():
    none = Scope()
    report = Scope(kind=("report", "医疗保险工作总结"))
    study = ("统计数据显示,城镇职工医疗保险的筹资水平由2007年的1649.92元增长到2011年的2479.38元,"
             "城镇居民的人均筹资水平由100.14元提高到165.82元。")
    assert infer_clause_metadata(study, [], none, report).kind == "report"
    # a rate stated as a rule, even with one word of change, stays a rule
    rule = "从2013年起,一级医院住院报销比例提高到80%,起付线为100元。"
    assert infer_clause_metadata(rule, [], none, report).kind == "rule"
