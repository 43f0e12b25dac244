import pytest

from knowledge_base.search.synonyms import SynonymFileError, load_synonyms, parse_synonyms


def test_colloquial_terms_expand_to_policy_terms():
    table = load_synonyms()
    assert {"起付线", "起付标准"} <= set(table.expand(["门槛费"]))
    assert "最高支付限额" in table.expand(["封顶"])
    assert {"分娩", "孕产妇"} <= set(table.expand(["生孩子"]))
    assert "城乡居民合作医疗" in table.expand(["新农合"])


def test_equivalence_is_symmetric_but_colloquial_is_one_way():
    table = load_synonyms()
    assert "补偿" in table.expand(["报销"]) and "报销" in table.expand(["补偿"])
    assert "门槛费" not in table.expand(["起付线"])


def test_expansion_skips_terms_already_in_query():
    table = parse_synonyms({"equivalent": [["报销", "补偿"]]})
    assert table.expand(["报销", "补偿"]) == []
    assert table.expand(["报销"]) == ["补偿"]


def test_malformed_file_is_reported_in_chinese():
    with pytest.raises(SynonymFileError, match="equivalent"):
        parse_synonyms({"equivalent": [["孤词"]]})
    with pytest.raises(SynonymFileError, match="门槛费"):
        parse_synonyms({"colloquial": {"门槛费": []}})


def test_colloquial_people_time_and_typo_words_reach_policy_terms():
    from knowledge_base.search.search import RetrievalConfig, plan_query

    table = load_synonyms()
    assert "新生儿" in table.expand(["娃"])  # 娃 = a child, in policy texts 儿童/新生儿
    assert "非从业" in table.expand(["不上班"])
    assert "外伤" in table.expand(["摔伤"])
    assert table.expand(["报消"]) == ["报销"]  # homophone typo → the policy word
    assert "起付线" in table.expand(["起服线"])
    # the typo survives segmentation as one query term, so it is expanded
    plan = plan_query("报消比例多少", RetrievalConfig(), table)
    assert "报消" in plan.terms and "报销" in plan.groups["报消"]
    # one-way: the policy word never expands into the typo or the colloquial word
    assert "报消" not in table.expand(["报销"]) and "娃" not in table.expand(["新生儿"])


def test_dialect_fillers_are_not_query_terms():
    from knowledge_base.search.tokenize import analyze

    toks = analyze("俺们家娃咋办医保")
    assert "俺们" not in toks and "俺" not in toks
    assert "医保" in toks


def test_everyday_wording_of_rates_balances_and_households_expands_to_policy_words():
    from knowledge_base.search.synonyms import load_synonyms

    table = load_synonyms()
    assert "报销比例" in table.expand(["打折报"])
    assert "结转" in table.expand(["接着用"])
    assert "以家庭为单位" in table.expand(["一家子"])
    assert "重复" in table.expand(["好几回"])
    assert "打折报" not in table.expand(["报销比例"])  # one-way: policy words never expand into slang


@pytest.mark.parametrize("said", ["生娃儿医保能补好多钱", "生崽能补多少", "坐月子的钱报不报"])
def test_everyday_and_dialect_words_for_having_a_baby_reach_the_maternity_rule(said):
    from knowledge_base.search.search import RetrievalConfig, plan_query

    plan = plan_query(said, RetrievalConfig(), load_synonyms())
    expanded = {w for group in plan.groups.values() for w in group}
    assert {"分娩", "孕产妇"} <= expanded, plan
