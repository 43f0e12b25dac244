import pytest

from knowledge_base.synonyms import SynonymFileError, load_synonyms, parse_synonyms


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
