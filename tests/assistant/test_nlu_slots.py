"""Focused slot rules, one behaviour per test. Expected values are written by hand."""

from decimal import Decimal

import pytest

from assistant.nlu import parse
from assistant.nlu.models import Understanding

REGIONS = ["重庆", "岳池县", "桂阳县", "渝北区"]


def slots(text: str, regions=REGIONS) -> dict:
    return parse(text, regions).slots.model_dump(exclude_none=True)


# --- amounts and their roles -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, amount",
    [("花了两万五", "25000"), ("费用1.5万元", "15000"), ("共12,000元", "12000"), ("一万二", "12000"),
     ("花了八千块", "8000"), ("2w", "20000"), ("花了1.2万块钱", "12000"), ("花了两千三百五十元", "2350"),
     ("¥9800", "9800"), ("花了三千多", "3000")],
)
def test_amount_forms(text, amount):
    assert slots(text)["amount"] == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    ["住院15天", "第2次住院", "65岁", "报销比例90%", "打12393咨询", "2019年的政策", "两种慢性病", "三级医院",
     "起付线是500吗", "一年交了280", "住院押金5000", "2000元以下能报吗", "花了七八千", "花了几十万", "2000 年的事"],
)
def test_numbers_that_are_not_a_cost(text):
    assert "amount" not in slots(text)


def test_uncovered_before_and_after_the_amount():
    assert slots("总共3万其中自费3000") == {"amount": Decimal(30000), "uncovered_amount": Decimal(3000),
                                           "amount_scope": "total"}
    s = slots("花了8000块,有2000是自费的")
    assert (s["amount"], s["uncovered_amount"]) == (Decimal(8000), Decimal(2000))


def test_covered_amount_scope():
    s = slots("目录内1万 目录外2千")
    assert (s["amount"], s["uncovered_amount"], s["amount_scope"]) == (Decimal(10000), Decimal(2000), "covered")


def test_year_to_date_and_wage():
    assert slots("今年已经报了4万 这次又花2万")["ytd_reimbursed"] == Decimal(40000)
    assert slots("月工资4500职工医保扣多少")["wage"] == Decimal(4500)


def test_connector_carries_the_role_over():
    assert "amount" not in slots("封顶线是7万还是11万")


def test_range_is_left_for_the_dialogue_with_evidence():
    u = parse("住院花了五六千")
    assert u.slots.amount is None and "amount_unparsed" in u.evidence


# --- hospital level ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, level",
    [("一级医院", 1), ("2级医院", 2), ("三级甲等医院", 3), ("三甲", 3), ("三乙医院", 3), ("二甲医院", 2),
     ("乡镇卫生院", 1), ("社区卫生服务中心", 1), ("镇卫生院", 1),
     # County hospitals are 二级 and a named 三甲 hospital 三级 by convention (issue 10).
     ("县医院", 2), ("县人民医院", 2), ("在县中医院住院", 2), ("重医附一院", 3)],
)
def test_hospital_level(text, level):
    assert slots(text)["hospital_level"] == level


@pytest.mark.parametrize("text", ["市人民医院", "人民医院", "就在本县医院", "一二级医院都一样吗", "一级伤残", "二级及以上医院"])
def test_hospital_level_left_empty_when_not_defined(text):
    assert "hospital_level" not in slots(text)


def test_convention_is_recorded_as_evidence():
    assert "惯例" in parse("社区卫生服务中心").evidence["hospital_level"]
    assert "惯例" in parse("县医院住院").evidence["hospital_level"]
    assert "追问" in parse("市人民医院住院").evidence["hospital_level"]


# --- region ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, region",
    [("岳池住院", "岳池县"), ("我是渝北的", "渝北区"), ("重庆市的政策", "重庆"), ("仁寿县居民", "仁寿县"),
     ("在成都市", "成都市"), ("四川的职工医保", "四川省"), ("广西", "广西壮族自治区")],
)
def test_region(text, region):
    assert slots(text)["region"] == region


@pytest.mark.parametrize("text", ["本县住院", "我县的政策", "外地住院", "县外住院", "在县城住院", "城市居民", "社区医院",
                                  "县政府黄县长讲话", "试点县名单", "民族自治区"])
def test_no_region_from_generic_words(text):
    assert "region" not in slots(text)


def test_known_regions_take_priority_over_patterns():
    assert slots("桂阳县和仁寿县")["region"] == "桂阳县"
    assert slots("桂阳县", regions=())["region"] == "桂阳县"


# --- scheme, tier, person, poverty, retired -----------------------------------------------------


@pytest.mark.parametrize(
    "text, scheme",
    [("农合", "新农合"), ("新型农村合作医疗", "新农合"), ("居民医保", "城乡居民"), ("城镇居民医保", "城镇居民"),
     ("单位交的医保", "职工"), ("城乡居民大病保险", "大病保险"), ("民政救助", "医疗救助"), ("城乡居民合作医疗", "城乡居民")],
)
def test_scheme(text, scheme):
    assert slots(text)["scheme"] == scheme


@pytest.mark.parametrize("text, tier", [("一档", 1), ("第二档", 2), ("2档", 2), ("高档", 2), ("低档", 1)])
def test_tier(text, tier):
    assert slots(text)["tier"] == tier


@pytest.mark.parametrize(
    "text, category",
    [("大学生", "student"), ("中小学生", "student"), ("孩子上初中", "student"), ("小孩", "child"), ("娃", "child"),
     ("新生儿", "child"), ("老年人", "elderly"), ("成人", "adult"), ("孩子是大学生", "student"), ("我爸70岁", "elderly"),
     ("我儿子8岁", "child"), ("俺爹72了", "elderly"), ("老两口都六十多了", "elderly"), ("六十多岁", "elderly")],
)
def test_person_category(text, category):
    assert slots(text)["person_category"] == category


def test_maternity_words_are_not_a_child():
    assert "person_category" not in slots("生孩子能报多少")


@pytest.mark.parametrize("text", ["娃他妈生娃", "孩子他爸住院"])
def test_the_childs_parent_is_not_a_child(text):
    assert "person_category" not in slots(text)


@pytest.mark.parametrize("text", ["住了72了", "十多岁"])  # no kin word before 了; 十多 may be 18 or over
def test_numbers_that_are_not_an_age_category(text):
    assert "person_category" not in slots(text)


@pytest.mark.parametrize(
    "text, value",
    [("建档立卡贫困户", True), ("低保户", True), ("特困人员", True), ("五保户", True), ("不是贫困户", False),
     ("不属于低保", False)],
)
def test_poverty(text, value):
    assert slots(text)["poverty"] is value


@pytest.mark.parametrize("text, value", [("退休了", True), ("在职", False), ("还在上班", False), ("没退休", False)])
def test_retired(text, value):
    assert slots(text)["retired"] is value


# --- admission, area, referral, chronic, service, topic, year -----------------------------------


@pytest.mark.parametrize("text, n", [("第二次住院", 2), ("今年第3次", 3), ("第一次住院", 1), ("再次住院", 2)])
def test_admission_index(text, n):
    assert slots(text)["admission_index"] == n


@pytest.mark.parametrize(
    "text, value",
    [("县外住院", True), ("市外", True), ("异地就医", True), ("省外", True), ("市内县外", True), ("县内住院", False),
     ("本地住院", False)],
)
def test_out_of_area(text, value):
    assert slots(text)["out_of_area"] is value


@pytest.mark.parametrize("text", ["外地户口能参保吗", "闺女在外地上大学", "我没在外地打工"])
def test_residence_words_are_not_out_of_area(text):
    assert "out_of_area" not in slots(text)


@pytest.mark.parametrize(
    "text, value",
    [("办了转诊", True), ("已经备案了", True), ("办了手续", True), ("没转诊", False), ("未登记", False),
     ("没有办转诊", False), ("没办异地备案", False)],
)
def test_referral(text, value):
    assert slots(text)["referral"] is value


@pytest.mark.parametrize("text", ["要转诊吗", "异地就医怎么备案", "需要转诊吗", "参保登记在哪里"])
def test_referral_questions_set_nothing(text):
    assert "referral" not in slots(text)


@pytest.mark.parametrize(
    "text, topic", [("转院到重庆要办啥手续", "转诊"), ("转院怎么办", "转诊"), ("异地住院咋备案", "异地就医")]
)
def test_a_question_about_the_procedure_is_its_topic(text, topic):
    got = slots(text)
    assert "referral" not in got and got["topic"] == topic


@pytest.mark.parametrize("text", ["转诊了怎么报", "已经备案 咋结算"])
def test_a_done_referral_stays_a_fact_before_a_question(text):
    assert slots(text)["referral"] is True


@pytest.mark.parametrize("text", ["要是办了转诊能报多少", "假如已经备案了，咋个报"])
def test_a_supposed_referral_is_the_fact_supposed(text):
    # 要是/假如 suppose the referral done: their 要 is no question about the requirement.
    assert slots(text)["referral"] is True


@pytest.mark.parametrize("text", ["要不要办转诊", "需不需要备案"])
def test_the_negation_inside_an_a_not_a_question_negates_nothing(text):
    assert "referral" not in slots(text)


@pytest.mark.parametrize("text", ["门诊特殊病种已经备案", "特门备案几年一审"])
def test_a_special_disease_registration_is_no_referral(text):
    assert "referral" not in slots(text)


def test_a_marked_referral_is_protected_from_the_learned_head():
    from assistant.nlu import slot_model

    assert "referral" in slot_model.protected_slots({"referral": True}, {"referral"})
    assert "referral" not in slot_model.protected_slots({"referral": True})


def test_deposit_named_after_the_amount_is_money_paid_in():
    assert "amount" not in slots("医院让交三千押金")


def test_year_to_date_without_a_new_cost_asks_about_the_cap():
    assert slots("今年报过两万了 还能报多少") == {"ytd_reimbursed": Decimal("20000"), "topic": "封顶线"}
    assert "topic" not in slots("今年已报销3万 这次住院花了1万")


@pytest.mark.parametrize(
    "text, n", [("两种慢性病", 2), ("3个慢病", 3), ("高血压和糖尿病", 2), ("高血压", 1), ("糖尿病冠心病高血压", 3)]
)
def test_chronic_disease_count(text, n):
    assert slots(text)["chronic_disease_count"] == n


@pytest.mark.parametrize("text, n", [("我爸有慢性病，一种，在乡镇卫生院拿药", 1), ("慢病有两个", 2), ("慢性病一共三种", 3)])
def test_a_count_said_after_the_noun_closes_its_clause(text, n):
    assert slots(text)["chronic_disease_count"] == n


def test_a_count_of_something_else_after_the_noun_is_no_disease_count():
    assert "chronic_disease_count" not in slots("我有慢性病,一个月拿药两百")


@pytest.mark.parametrize(
    "text, service",
    [("住院", "inpatient"), ("慢病门诊", "chronic_outpatient"), ("特病", "chronic_outpatient"),
     ("大病门诊", "major_disease_outpatient"), ("透析", "major_disease_outpatient"), ("普通门诊", "general_outpatient"),
     ("看门诊", "general_outpatient"), ("生孩子", "maternity"), ("顺产住院", "maternity"),
     ("糖尿病拿药", "chronic_outpatient"), ("高血压住院", "inpatient")],
)
def test_service(text, service):
    assert slots(text)["service"] == service


@pytest.mark.parametrize(
    "text, topic",
    [("起付线", "起付线"), ("起附线", "起付线"), ("门槛费", "起付线"), ("最多能报多少", "封顶线"), ("报消比例", "报销比例"),
     ("能报几成", "报销比例"), ("一年交多少", "缴费标准"), ("什么时候交", "缴费时间"), ("要带什么材料", "报销材料"),
     ("个人账户", "个人账户"), ("定点医院", "定点医院"), ("需要转诊吗", "转诊")],
)
def test_topic(text, topic):
    assert slots(text)["topic"] == topic


@pytest.mark.parametrize(
    "text, topic",
    [("医保怎么交", "缴费方式"), ("学生交多少钱", "缴费标准"), ("低保户参保要交钱吗", "缴费标准"), ("退休了还要交吗", "缴费标准"),
     ("看病要先交钱吗", "先诊疗后付费"), ("住院押金要交多少", "押金"), ("城乡二档多少钱", "缴费标准"),
     ("今年医保涨到多少了", "缴费标准")],
)
def test_paying_verbs_take_their_topic_from_the_context(text, topic):
    assert slots(text)["topic"] == topic


@pytest.mark.parametrize("text", ["住院要交钱吗", "住院费怎么交", "要交多少", "医保能报多少钱"])
def test_paying_the_hospital_or_no_context_is_no_premium_topic(text):
    assert "topic" not in slots(text)


def test_cue_words_of_other_slots_are_not_topics():
    assert "topic" not in slots("没办手续去外地住院")
    assert "topic" not in slots("花了2万 目录外5000")


def test_year():
    assert slots("2021年的缴费标准")["year"] == 2021
    assert "year" not in slots("交了15年")


# --- the whole Understanding -----------------------------------------------------------------


def test_parse_returns_contract_with_normalised_query_and_evidence():
    u = parse("住院報消比例是多少？", REGIONS)
    assert isinstance(u, Understanding)
    assert u.query == "住院报销比例是多少?"
    assert u.evidence["topic"] == "报销比例"


def test_space_between_number_and_unit_is_kept_together():
    assert slots("住院花了 2 万")["amount"] == Decimal(20000)


def test_full_width_digits_and_spaces():
    s = slots("住院　１２０００元　二级")
    assert (s["amount"], s["hospital_level"]) == (Decimal(12000), 2)


def test_parse_rejects_non_text():
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]


def test_hotline_digits_are_money_only_after_a_cost_cue():
    assert parse("住院花了119能报多少").slots.amount == 119
    assert parse("着火了打119").slots.amount is None
    assert parse("有事打12333吗").slots.amount is None


# --- region roles: insured region vs workplace vs place of care --------------------------------


def test_a_workplace_is_not_the_insured_region():
    u = parse("在广州打工 回老家住院能报多少", ["广州市", "岳池县"])
    assert u.slots.region is None
    assert "务工" in u.evidence["region"]


@pytest.mark.parametrize(
    "text, region",
    [("在重庆打工 回岳池住院花了一万", "岳池县"), ("人在重庆 岳池的医保", "岳池县"), ("我在深圳上班 老家是岳池的", "岳池县"),
     ("桂阳县和仁寿县", "桂阳县")],
)
def test_home_or_insured_region_wins(text, region):
    assert slots(text)["region"] == region


@pytest.mark.parametrize("text", ["去广州住院 桂阳县的医保", "老家桂阳 在长沙住院花了三万", "在成都住院 回重庆报销"])
def test_care_in_another_named_place_is_out_of_area(text):
    assert slots(text, REGIONS + ["广州市"])["out_of_area"] is True


def test_care_in_the_only_named_place_is_that_region():
    s = slots("在成都市住院能报多少")
    assert s["region"] == "成都市" and "out_of_area" not in s


@pytest.mark.parametrize("text, region", [("南充的新农合怎么报", "南充市"), ("在长沙住院", "长沙市")])
def test_major_cities_without_suffix(text, region):
    assert slots(text)["region"] == region


def test_zhongshan_hospital_is_not_a_city():
    assert "region" not in slots("中山医院住院")


# --- other probe classes -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["在三级医院住的院", "住完院了", "住了五天院", "一年住两次院"])
def test_split_inpatient_forms(text):
    assert slots(text)["service"] == "inpatient"


def test_count_of_stays_gives_the_admission_index():
    assert slots("一年住两次院起付线怎么算")["admission_index"] == 2


@pytest.mark.parametrize("text", ["公司给买的医保", "单位给交医保", "厂里帮我交的"])
def test_employer_paid_is_the_employee_scheme(text):
    assert slots(text)["scheme"] == "职工"


def test_every_stated_referral_cue_is_hidden_from_topics():
    s = slots("转院到省城住院 转诊手续办了")
    assert s["referral"] is True and "topic" not in s


@pytest.mark.parametrize("text, key, value", [
    ("前面报了1万了 这回住院花了8000", "ytd_reimbursed", Decimal(10000)),
    ("出院结算单上总额二万一", "amount_scope", "total"),
    ("医保内花了1万 医保外2千", "amount_scope", "covered"),
])
def test_more_amount_role_cues(text, key, value):
    assert slots(text)[key] == value


@pytest.mark.parametrize("text, year", [("24年交多少钱", 2024), ("23年的报销比例", 2023)])
def test_two_digit_years(text, year):
    assert slots(text)["year"] == year


@pytest.mark.parametrize("text", ["交了15年医保", "缴费满25年", "第15年"])
def test_durations_are_not_years(text):
    assert "year" not in slots(text)


@pytest.mark.parametrize("text", ["我妈是低保户七十多了", "我65了 住院", "老伴八十几了"])
def test_old_age_without_a_kin_word_right_before(text):
    assert slots(text)["person_category"] == "elderly"


@pytest.mark.parametrize("text, age", [("那我妈呢，65了，家里穷", 65), ("那我爸呢,七十多了", 70)])
def test_the_age_of_the_person_turned_to_with_ne(text, age):
    got = slots(text)
    assert got["age"] == age and got["person_category"] == "elderly"


def test_a_count_after_ne_is_no_age():
    assert "age" not in slots("我呢，交了300了")


@pytest.mark.parametrize("text", ["花了七十多块", "住院花了八千"])
def test_money_is_not_an_age(text):
    assert "person_category" not in slots(text)


def test_bare_jumin_is_the_residents_scheme_but_an_id_card_is_not():
    assert slots("门诊 300 一级 居民")["scheme"] == "城乡居民"
    assert "scheme" not in slots("居民身份证丢了")


@pytest.mark.parametrize("text, region", [("在湖南邵东住院", "邵东县"), ("四川广安岳池县城乡居民", "岳池县"), ("湖南长沙住院", "长沙市")])
def test_a_coarse_to_fine_address_is_one_place(text, region):
    s = slots(text, REGIONS + ["邵东县"])
    assert s["region"] == region and "out_of_area" not in s


def test_a_person_from_one_place_treated_in_another():
    s = slots("岳池人在重庆住院")
    assert s["region"] == "岳池县" and s["out_of_area"] is True


def test_the_origin_of_a_transfer_is_not_where_care_happens():
    assert "out_of_area" not in slots("县里转到市里没开转诊证明")


@pytest.mark.parametrize("text", ["没在本县住院 报销会少多少", "不在本地看病能报多少", "出了县住院怎么报",
                                  "跑到市里住院报销比例", "去省城看病能报吗", "在本县以外的医院住院"])
def test_colloquial_and_negated_out_of_area(text):
    assert slots(text)["out_of_area"] is True


@pytest.mark.parametrize("text", ["在本县住院能报多少", "就在当地看病"])
def test_local_care_stays_local(text):
    assert slots(text)["out_of_area"] is False


@pytest.mark.parametrize("text, service", [("癌症化疗住院", "inpatient"), ("化疗门诊", "major_disease_outpatient"),
                                           ("慢性病住院", "inpatient"), ("透析", "major_disease_outpatient")])
def test_an_explicit_setting_beats_a_treatment_word(text, service):
    assert slots(text)["service"] == service


def test_care_inside_the_insured_region_is_not_out_of_area():
    s = slots("我是重庆的 娃儿在渝北住院")
    assert s["region"] == "重庆" and "out_of_area" not in s


def test_the_finest_library_region_of_an_address_wins():
    assert slots("郴州市桂阳县新农合", REGIONS + ["郴州市"])["region"] == "桂阳县"


# --- issue 10, round 2: classes seen in the dev conversations ------------------------------------


@pytest.mark.parametrize("text, referral", [("转诊手续没办", False), ("转院手续没弄，花了3万", False),
                                            ("在市内县外的三级医院住的院，没去社保所报同意", False), ("办了转诊", True)])
def test_referral_negated_after_its_cue_or_by_the_approval_wording(text, referral):
    assert slots(text)["referral"] is referral


def test_a_denied_place_is_not_the_insured_region():
    assert slots("说错了，不是重庆，是岳池县")["region"] == "岳池县"
    assert "region" not in slots("不是重庆的")


def test_a_place_named_only_as_where_care_happened_is_marked():
    u = parse("在成都住的院")
    assert u.slots.care_place == u.slots.region == "成都市"
    assert parse("我是岳池县的").slots.care_place is None


@pytest.mark.parametrize("text, premium", [("交的60块那个", "60"), ("我们一年交150", "150"), ("交的150那档", "150"),
                                           ("交的60", "60")])
def test_a_premium_said_in_passing(text, premium):
    got = slots(text)
    assert str(got["contribution_amount"]) == premium and "amount" not in got


def test_money_paid_in_without_a_premium_context_is_no_slot():
    assert "contribution_amount" not in slots("交了280") and "amount" not in slots("交了280")


def test_the_average_wage_is_read_past_a_hedge_and_names_no_scheme_or_place():
    got = slots("当地职工年平均工资大概48000，那最高付多少")
    assert str(got["local_avg_wage"]) == "48000" and "amount" not in got
    assert "scheme" not in got and "out_of_area" not in got
    assert got["topic"] == "封顶线"


@pytest.mark.parametrize("text, intent", [("在县外三级医院住院，转诊手续没办", "statement"), ("湖北，城镇职工医保", "statement"),
                                          ("孤儿住院报销", "policy_question"), ("孕妇产检医保补不补", "policy_question")])
def test_bare_facts_without_a_question_form_are_a_statement(text, intent):
    assert parse(text).intent == intent


@pytest.mark.parametrize("text", ["我妈65了，家里吃低保的", "低保户住院咋报"])
def test_a_low_income_household_is_low_income_and_poor(text):
    got = slots(text)
    assert got["low_income"] is True and got["poverty"] is True


def test_registered_poverty_is_not_low_income():
    got = slots("建档立卡贫困户住院咋报")
    assert got["poverty"] is True and "low_income" not in got


@pytest.mark.parametrize("text, year", [("二〇二五年还有新农合没得，要交多少", 2025), ("二零二四年居民医保交多少", 2024),
                                        ("一九九九年的改革方案", 1999)])
def test_years_in_chinese_digits(text, year):
    assert slots(text)["year"] == year


@pytest.mark.parametrize("text", ["住了一二三年", "十二〇〇年"])
def test_chinese_digit_runs_that_are_no_year(text):
    assert "year" not in slots(text)


# --- a year written with its month is a date, never money ----------------------------------------


@pytest.mark.parametrize(
    "text, year, amount",
    [("前年(2022)3月做的手术，花了8000能报多少", 2022, "8000"), ("2023/11/5出院，医药费6000", 2023, "6000"),
     ("2021-07住的院，总共一万二", 2021, "12000"), ("（2020）10月住院的，现在还能报不", 2020, None)],
)
def test_a_year_written_with_its_month_is_the_year_not_a_cost(text, year, amount):
    found = slots(text)
    assert found.get("year") == year
    assert found.get("amount") == (Decimal(amount) if amount else None)


@pytest.mark.parametrize("text, amount", [("住院花了2019元", "2019"), ("一共2023块，二级医院", "2023")])
def test_a_year_like_figure_with_a_money_unit_stays_money(text, amount):
    assert slots(text)["amount"] == Decimal(amount)


# --- a workplace or school pointed back at with its insurance --------------------------------------


def test_the_insurance_over_there_is_the_insured_region():
    assert slots("闺女在郑州上大学，那里的医保一年交多少").get("region") == "郑州市"
    assert slots("在长沙打工，当地参保要交好多钱").get("region") == "长沙市"
    # Without the insurance of that place, a school or workplace alone is not the insured region.
    assert slots("闺女在郑州上大学，医保一年交多少").get("region") is None
    assert slots("在长沙打工，那边住院能报吗").get("region") is None


@pytest.mark.parametrize("text", ["住院花了2000-3000", "花了2000-8千"])
def test_a_range_of_figures_is_no_date(text):
    assert "year" not in slots(text)
