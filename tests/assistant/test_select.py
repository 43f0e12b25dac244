"""Sentence selection and answer eligibility (assistant.select, assistant.retrieve), on hand-made hits."""

from assistant.compose import compose_single
from assistant.conflicts import find_conflict, group_by_place
from assistant.estimate_bridge import default_note
from assistant.retrieve import answer_candidates, can_answer, scheme_fits
from assistant.select import lead_fragment, query_terms, rank_selections, select_sentences, trim_statistics
from knowledge_base.models import SearchHit


def hit(cid, text, region="甲县", year=2010, kind="rule", heading="", scheme=None):
    return SearchHit(chunk_id=cid, doc_title="文件", citation=f"文件 › {heading or cid}", text=text, region=region,
                     year=year, scheme=scheme, kind=kind, score=1.0, sources=[])


def test_boilerplate_questions_do_not_answer():
    clause = hit("a", "住院报销比例多少?起付线多少?报销比例为70%。")
    selection = select_sentences(clause, query_terms("住院报销比例多少"))
    assert selection.sentences == ["报销比例为70%。"]


def test_template_placeholders_state_no_fact():
    ranked = rank_selections([hit("t", "住院报销比例达到X%。", kind="report"), hit("r", "住院报销比例为60%。")],
                             query_terms("住院报销比例"))
    assert ranked[0].hit.chunk_id == "r"


def test_the_general_rule_beats_its_exception():
    clause = hit("a", "中小学生报销比例上浮10%。住院报销比例为70%。")
    assert select_sentences(clause, query_terms("住院报销比例多少")).sentences[0] == "住院报销比例为70%。"
    asked = select_sentences(clause, query_terms("学生住院报销比例多少", {"person_category": "student"}))
    assert "上浮10%" in "".join(asked.sentences)


def test_a_clause_sharing_one_word_is_no_answer():
    selections = rank_selections([hit("a", "开通了电子社保卡手机支付功能,方便群众看病。")],
                                 query_terms("医保电子凭证怎么激活"))
    assert answer_candidates(selections) == []


def test_a_report_must_cover_the_whole_question():
    terms = query_terms("异地就医住院怎么报销")
    report = select_sentences(hit("r", "异地就医住院的群众逐年增加,各地加强宣传。", kind="report"), terms)
    rule = select_sentences(hit("u", "异地就医的,住院费用回参保地报销,报销比例下降5%。"), terms)
    assert report.coverage < 1.0 and report.score >= 3.0
    assert not can_answer(report)
    assert can_answer(rule)


def test_heading_counts_towards_coverage():
    terms = query_terms("待遇期限")
    selection = select_sentences(hit("h", "待遇有效期为每年1月1日至12月31日。", heading="(五)待遇期限"), terms)
    assert selection.coverage == 1.0


def test_scheme_compatibility():
    assert scheme_fits("职工", hit("a", "x", scheme=None))
    assert not scheme_fits("职工", hit("a", "x", scheme="城镇居民"))
    # One reading of lexicon scheme.compatible, shared with conflicts.for_scheme: 城乡居民 answers
    # either predecessor, the two predecessors do not answer each other, and a clause about a
    # supplementary layer only (大病保险) is no other base scheme.
    assert scheme_fits("新农合", hit("a", "x", scheme="城乡居民"))
    assert scheme_fits("城乡居民", hit("a", "x", scheme="新农合"))
    assert not scheme_fits("新农合", hit("a", "x", scheme="城镇居民"))
    assert scheme_fits("新农合", hit("a", "x", scheme="大病保险"))
    assert not scheme_fits("大病保险", hit("a", "x", scheme="新农合"))


def test_an_undated_clause_joins_its_regions_dated_rules():
    terms = query_terms("起付线多少")
    dated = select_sentences(hit("d", "起付线为300元。", "乙市", 2013), terms)
    undated = select_sentences(hit("u", "起付线仅300元,欢迎参保。", "乙市", None), terms)
    assert len(group_by_place([undated, dated])) == 1
    assert find_conflict([undated, dated]) is None


def test_reports_do_not_compete_with_rules():
    terms = query_terms("起付线多少")
    rule = select_sentences(hit("a", "起付线为300元。", "甲县", 2013), terms)
    report = select_sentences(hit("b", "我县起付线降至200元。", "乙县", 2018, kind="report"), terms)
    assert find_conflict([rule, report]) is None


def test_a_report_is_not_worded_as_a_rule():
    terms = query_terms("起付线多少")
    report = select_sentences(hit("b", "我县起付线降至200元。", "乙县", 2018, kind="report"), terms)
    assert compose_single(report).startswith("乙县（2018年）的工作材料中提到：")
    assert compose_single(select_sentences(hit("a", "起付线为300元。"), terms)).startswith("甲县（2010年）规定：")


def test_defaults_read_in_chinese():
    assert default_note("out_of_area", "false") == "就医地点按本县（统筹区）内计"
    assert default_note("uncovered_cost", "0") == "目录外自费费用按0元计"


def test_one_grade_out_of_an_enumeration():
    from assistant.select import enumerated_value

    sentence = "一档:一、二、三级医院补偿比例分别为80%、60%和40%;"
    assert enumerated_value(sentence, "二级") == "一档，二级医院补偿比例60%"
    assert enumerated_value("一、二、三级医院起付线分别为100元、300元。", "三级") is None  # lists do not line up
    answer = compose_single(select_sentences(hit("a", "一、二、三级医院住院起付线分别为100元、300元、800元。"),
                                             query_terms("二级医院起付线", {"hospital_level": 2})))
    assert answer.startswith("二级医院住院起付线300元[1]")


def test_a_merged_resident_scheme_picks_resident_rule_sets():
    from assistant.estimate_bridge import PolicyInfo, choose_policy

    def policy(pid, region, scheme):
        return PolicyInfo(id=pid, title=pid, region=region, year=2013, scheme=scheme, services=[], contributions=True)

    policies = [policy("a", "甲市", "城乡居民"), policy("b", "乙县", "城镇居民"), policy("c", "丙省", "职工")]
    choice = choose_policy(policies, {"scheme": "新农合"}, "contribution")
    assert choice.question is not None and choice.question.options == ["甲市", "乙县"]


def test_a_named_grade_counts_inside_an_enumeration_and_leads_side_by_side():
    from assistant.compose import compose_per_region

    terms = query_terms("二级医院起付线", {"hospital_level": 2})
    enumerated = select_sentences(hit("c", "一、二、三级医院住院起付线分别为100元、300元、800元。", "乙市", 2013), terms)
    named = select_sentences(hit("y", "起付标准为:一级医疗机构150元,二级医疗机构350元。", "甲县", 2009), terms)
    assert abs(enumerated.score - named.score) < 1.0  # both state the asked grade
    text = compose_per_region([named, enumerated])
    assert "· 乙市（2013年）：二级医院住院起付线300元[2]" in text


def test_chronic_disease_questions_are_about_outpatient_rules():
    clause = hit("c", "儿童重大疾病门诊封顶线二档15万元。慢性疾病门诊报销比例为60%,同时患两种以上特殊疾病的限额增加。")
    selection = select_sentences(clause, query_terms("二档慢性病报销比例", {"tier": 2}))
    assert selection.sentences == ["慢性疾病门诊报销比例为60%,同时患两种以上特殊疾病的限额增加。"]
    assert selection.lead is None


def test_heading_is_the_subject_of_a_bare_figure():
    """"2009为30000元" under "(四)最高支付限额" is the cap; an aside comparison elsewhere is not."""
    terms = query_terms("封顶线是多少")
    capped = select_sentences(hit("c", "2009为30000元。", heading="(四)最高支付限额"), terms)
    other = select_sentences(hit("o", "三是支付限额远远高于新农合,比如最高支付限额为3万元。"), terms)
    assert capped.score > other.score


def test_a_sentence_stating_another_kind_of_figure_does_not_answer():
    terms = query_terms("特殊大病门诊限额多少")
    deductible = select_sentences(hit("d", "特殊大病门诊费用起付标准为350元。"), terms)
    cap = select_sentences(hit("k", "特殊大病门诊最高支付限额为5000元。"), terms)
    assert cap.score > deductible.score * 2


def test_kinship_and_age_words_are_not_topic_words():
    terms = query_terms("我妈七十了住院能报多少", {"person_category": "elderly"})
    words = {alt for alts, _ in terms.core for alt in alts}
    assert words == {"住院"}


def test_a_named_detail_keeps_its_sentence_and_leads():
    terms = query_terms("住院报销比例 二级医院 学生", {"hospital_level": 2, "person_category": "student"})
    text = "住院比例分别为:一级医疗机构70%,二级医疗机构60%,三级医疗机构55%。学生报销比例上浮10%。外伤不予报销。"
    selection = select_sentences(hit("r", text), terms)
    assert any("上浮10%" in s for s in selection.sentences)
    assert selection.lead == "二级医疗机构60%；学生报销比例上浮10%"


def test_a_remembered_grade_leads_only_from_a_sentence_about_the_question():
    # The tier is remembered from an earlier turn; the childbirth subsidy does not depend on it, and
    # the cap sentence beside it in the clause says none of the question's words.
    terms = query_terms("产检加生娃儿住院,一共补多少", {"tier": 2, "service": "maternity"})
    quoted = ["全年每人累计补偿最高限额:一档为7万元,二档为11万元。", "对孕产妇发生的费用,给予每人100元产前检查、400元住院分娩定额补助。"]
    assert lead_fragment(quoted, terms) is None
    # ...while a sentence about the question still yields the grade's figure.
    terms = query_terms("住院封顶线多少", {"tier": 2})
    assert lead_fragment(["住院全年累计补偿最高限额:一档为7万元,二档为11万元。"], terms) == "二档为11万元"


def test_grade_figure_of_every_tier_when_no_tier_named():
    terms = query_terms("住院报销比例 二级医院", {"hospital_level": 2})
    text = "一档:一、二、三级医院补偿比例分别为80%、60%和40%;二档:一、二、三级医院补偿比例分别为85%、65%和45%。"
    selection = select_sentences(hit("t", text), terms)
    assert selection.lead == "一档，二级医院补偿比例60%；二档，二级医院补偿比例65%"


def test_report_results_are_trimmed_from_a_rule_sentence():
    assert trim_statistics("对低保户起付线降低50%,1-12月共补偿822人次,补偿金额424.27万元。") == "对低保户起付线降低50%。"


def test_publicity_is_worded_as_publicity_and_never_competes():
    terms = query_terms("起付线多少")
    ad = select_sentences(hit("a", "某医院起付线低,门槛费只要200元。", region="乙市", kind="publicity"), terms)
    rule = select_sentences(hit("r", "住院起付标准为300元。"), terms)
    assert "宣传材料中提到" in compose_single(ad)
    assert find_conflict([ad, rule]) is None


# --- round 6 ---
def test_a_word_stated_only_in_an_aside_still_counts():
    aside = hit("a", "2009为30000元(含特殊大病门诊最高支付限额5000元)。", heading="(四)最高支付限额")
    other = hit("b", "住院最高支付限额为30000元。", heading="(四)最高支付限额")
    ranked = rank_selections([other, aside], query_terms("特殊大病门诊限额"))
    assert ranked[0].hit.chunk_id == "a"


def test_whether_to_pay_needs_a_sentence_that_says_paying():
    papers = hit("a", "需低保等特殊参保对象的,还需相关材料原件和复印件3份。", heading="(一)参保缴费")
    rule = hit("b", "属于低保对象的,个人不缴费。", heading="(二)学生")
    ranked = rank_selections([papers, rule], query_terms("低保户要交钱吗", {"poverty": True}))
    assert ranked[0].hit.chunk_id == "b"


def test_dialect_fillers_are_not_topic_words():
    terms = query_terms("那个门槛费到底是多少钱")
    words = {alt for alts, _ in terms.topic for alt in alts}
    assert "那个" not in words and "到底" not in words and "起付标准" in words


def test_out_of_area_slot_brings_the_policy_words():
    terms = query_terms("没在本县住院,报销会少多少", {"out_of_area": True})
    words = {alt for alts, _ in terms.topic for alt in alts}
    assert "县外" in words and "本县" not in words and "县外" in terms.search_words


# Conditional rules (select.CONDITIONS): a figure stated for a special case loses to the base rule
# when the question names no such case, and wins when it names it (by slot or by word).
_BASE = "统筹基金支付范围内的住院比例分别为:一级医疗机构70%,二级医疗机构60%。"
_ELSEWHERE = "对在本县境外异地定点医院住院的居民,同级医疗机构起付标准上浮300元,住院报销比例同时下浮5%。"


def test_the_base_rule_beats_a_conditional_rule_nobody_asked_about():
    ranked = rank_selections([hit("cond", _ELSEWHERE), hit("base", _BASE)], query_terms("居民住院报销比例"))
    assert ranked[0].hit.chunk_id == "base"


def test_the_conditional_rule_wins_when_its_case_is_asked():
    hits = [hit("base", _BASE), hit("cond", _ELSEWHERE)]
    by_slot = rank_selections(hits, query_terms("在外面住院报销比例", {"out_of_area": True}))
    assert by_slot[0].hit.chunk_id == "cond"
    by_word = rank_selections(hits, query_terms("异地住院报销比例多少"))
    assert by_word[0].hit.chunk_id == "cond"


def test_referral_and_second_admission_conditions():
    no_referral = hit("ref", "未经转诊的,住院报销比例下降10个百分点。")
    base = hit("base", "住院报销比例为70%。")
    assert rank_selections([no_referral, base], query_terms("住院报销比例多少"))[0].hit.chunk_id == "base"
    asked = rank_selections([base, no_referral], query_terms("没转诊住院报销比例多少", {"referral": False}))
    assert asked[0].hit.chunk_id == "ref"
    second = hit("second", "第二次住院的起付标准降低100元。")
    first = hit("first", "住院起付标准为300元。")
    assert rank_selections([second, first], query_terms("住院起付标准多少"))[0].hit.chunk_id == "first"
    asked = rank_selections([first, second], query_terms("第二次住院起付标准多少", {"admission_index": 2}))
    assert asked[0].hit.chunk_id == "second"


def test_only_a_condition_framing_a_figure_counts():
    from assistant.select import framing_conditions

    assert framing_conditions(_ELSEWHERE) == {"out_of_area"}
    assert framing_conditions("中小学在校学生和儿童报销比例上浮10%。") == {"person_category"}
    assert framing_conditions("参保范围包括学生、儿童和低保对象。") == set()  # no figure: a list, no rule
    assert framing_conditions("住院报销比例为70%,县外住院需办理转诊。") == set()  # said after the figure
