from knowledge_base.search.rerank import ClauseView, Concept, asks_amount, clause_features, concepts, sentences, supported_share
from knowledge_base.search.search import HybridSearcher, RetrievalConfig
from tests.conftest import make_clause


def idf(term: str) -> float:
    return {"公积金": 5.0, "公积": 5.0, "提取": 4.0, "手续": 3.0, "年": 1.0}.get(term, 2.0)


def test_concepts_are_maximal_terms_with_their_parts_and_synonyms():
    cs = concepts(["公积", "公积金", "提取", "年"], {"公积金": ["公积金", "住房公积金"]}, idf)
    assert [c.term for c in cs] == ["公积金", "提取", "年"]
    assert cs[0].members == ("公积金", "住房公积金", "公积")
    assert cs[2].weight == 0.5  # a lone character counts half its idf


def test_sentences_split_at_sentence_ends():
    assert sentences("第一句。第二句;第三句!") == ("第一句。", "第二句;", "第三句!")


def test_a_concept_mentioned_in_passing_is_not_supported():
    cs = [Concept("公积金", ("公积金",), 5.0), Concept("提取", ("提取",), 4.0), Concept("手续", ("手续",), 3.0)]
    passing = clause_features(cs, ClauseView.of("工作总结", "全年为单位缴纳了社会保险和住房公积金。事业经费不得从基金中提取。"))
    assert passing.supported == 0.0  # every concept sits alone in its sentence
    in_context = clause_features(cs, ClauseView.of("工作总结", "公积金提取须办理以下手续。"))
    assert in_context.supported == 1.0


def test_heading_counts_as_context_for_every_sentence():
    found = supported_share(
        [Concept("起付线", ("起付线",), 3.0), Concept("岳池县", ("岳池县",), 1.0)],
        in_head=[False, True],
        per_sentence=[[True, True], [False, True]],
    )
    assert found == 1.0


def test_single_concept_needs_only_presence():
    assert supported_share([Concept("封顶线", ("封顶线",), 3.0)], [False], [[True]]) == 1.0
    assert supported_share([Concept("封顶线", ("封顶线",), 3.0)], [False], [[False]]) == 0.0


def test_quantity_questions_and_stated_amounts():
    assert asks_amount("门槛费多少") and asks_amount("报百分之几") and asks_amount("一年封顶")
    assert not asks_amount("去哪里报销")
    cs = [Concept("起付线", ("起付线",), 3.0)]
    assert clause_features(cs, ClauseView.of("", "住院起付线为300元。")).states_amount
    assert not clause_features(cs, ClauseView.of("", "起付线由各地自行确定。")).states_amount


def test_search_says_no_basis_when_the_rare_word_occurs_only_in_passing():
    clauses = [
        make_clause("c1", "全年为各单位人员缴纳了社会保险、医疗保险和住房公积金,新办医保卡48张。", ["工作总结"], kind="report"),
        make_clause("c2", "参保人员办理转诊手续后,可在市外定点医院住院。", ["就医管理"], kind="rule"),
        make_clause("c3", "社会保险经办机构的事业经费不得从基金中提取。", ["基金管理"], kind="rule"),
    ]
    on = HybridSearcher.build(clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0))
    assert on.search("公积金提取需要什么手续").no_basis
    off = HybridSearcher.build(
        clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0, supported_floor=0.0, foreign_topics=False)
    )
    assert not off.search("公积金提取需要什么手续").no_basis  # coverage alone is fooled
    assert not on.search("转诊手续怎么办").no_basis


# --- must-cover topics (resources/foreign_topics.txt) -----------------------------------------


def test_named_topics_respects_word_boundaries():
    from knowledge_base.search.rerank import named_topics
    from knowledge_base.search.tokenize import token_bounds

    topics = ["保单", "眼镜", "种植牙"]
    # 医保单位 = 医保 + 单位: 保单 straddles a boundary and is not named
    assert named_topics("职工医保单位交多少", topics, token_bounds("职工医保单位交多少")) == []
    # inside one token (配眼镜) or spanning whole tokens (种植 + 牙) counts
    assert named_topics("配眼镜能报吗", topics, token_bounds("配眼镜能报吗")) == ["眼镜"]
    assert named_topics("种植牙一颗多少钱", topics, token_bounds("种植牙一颗多少钱")) == ["种植牙"]


def test_unsupported_topic_needs_the_topic_next_to_another_concept():
    from knowledge_base.search.rerank import unsupported_topic

    cs = [Concept("养老金", ("养老金",), 5.0), Concept("每个月", ("每个月", "每月"), 2.0), Concept("发", ("发",), 1.0)]
    passing = ClauseView.of("工作总结", "确保基本养老金按时足额发放。参保人员每月缴费。")
    answer = ClauseView.of("待遇", "基本养老金每月按时发放到个人账户。")
    assert unsupported_topic(["养老金"], cs, [passing]) == "养老金"  # only the lone 发 beside it
    assert unsupported_topic(["养老金"], cs, [passing, answer]) is None
    assert unsupported_topic(["养老金"], cs, [ClauseView.of("养老金发放", "按月到账。")]) is None  # heading


def test_search_refuses_a_foreign_topic_but_answers_it_once_a_clause_covers_it():
    clauses = [
        make_clause("c1", "全年为职工缴纳了养老保险、医疗保险,确保养老金按时发放。", ["工作总结"], kind="report"),
        make_clause("c2", "参保人员每月缴费后享受住院待遇。", ["待遇"], kind="rule"),
    ]
    searcher = HybridSearcher.build(clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0))
    assert searcher.search("养老金每个月发多少").no_basis
    assert searcher.rank("养老金每个月发多少").unsupported_topic == "养老金"
    covered = [*clauses, make_clause("c3", "退休人员的养老金每月5日前发放。", ["养老金发放"], kind="rule")]
    searcher = HybridSearcher.build(covered, encoder=None, config=RetrievalConfig(dense_weight=0.0))
    response = searcher.search("养老金每个月发多少")
    assert not response.no_basis and response.results[0].chunk_id == "c3"
    off = HybridSearcher.build(clauses, encoder=None, config=RetrievalConfig(dense_weight=0.0, foreign_topics=False))
    assert off.rank("养老金每个月发多少").unsupported_topic is None


def test_foreign_topic_list_loads_longest_first_and_skips_comments():
    from knowledge_base.search.rerank import load_topics

    topics = load_topics()
    assert "公积金" in topics and not any(t.startswith("#") for t in topics)
    assert topics.index("长期护理保险") < topics.index("护理保险")
