from assistant.compose import compose_single
from assistant.select import query_terms, select_sentences, split_sentences
from assistant_fakes import CHONGQING, YUECHI, hit


def test_split_sentences_keeps_clause_order():
    assert split_sentences("甲规定。乙规定；丙规定") == ["甲规定。", "乙规定；", "丙规定"]


def test_selects_the_sentence_that_answers():
    selection = select_sentences(hit("c", CHONGQING, "重庆", 2013, 1.0), query_terms("封顶线是多少"))
    assert any("最高限额" in s for s in selection.sentences)
    assert not any("起付线" in s for s in selection.sentences)


def test_everyday_word_finds_policy_word():
    selection = select_sentences(hit("y", YUECHI + "报销比例另行规定。", "岳池县", 2009, 1.0), query_terms("门槛费多少"))
    assert "起付标准" in selection.sentences[0]


def test_leads_with_the_asked_level():
    selection = select_sentences(hit("y", YUECHI, "岳池县", 2009, 1.0), query_terms("二级医院起付线", {"hospital_level": 2}))
    answer = compose_single(selection)
    assert answer.startswith("二级医疗机构350元[1]")
    assert "岳池县（2009年）" in answer
