from knowledge_base.search import rerank
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


def _per_sentence_features(cs, view):
    """The definition `clause_features` computes from the view's tables: every member searched
    for in the heading, the body and each sentence."""
    total = sum(c.weight for c in cs)
    in_head = [any(m in view.heading for m in c.members) for c in cs]
    in_body = [any(m in view.body for m in c.members) for c in cs]
    head_w = sum(c.weight for c, h in zip(cs, in_head) if h)
    live = [k for k in range(len(cs)) if not in_head[k] and in_body[k]]
    best, best_sentence, context = head_w, view.sentences[0], list(in_head)
    for sent in view.sentences if live else ():
        found = [k for k in live if any(m in sent for m in cs[k].members)]
        if not found:
            continue
        weight = head_w + sum(cs[k].weight for k in found)
        if weight > best:
            best, best_sentence = weight, sent
        if sum(in_head) + len(found) >= 2:
            for k in found:
                context[k] = True
    if len(cs) == 1:
        context = [in_head[0] or bool(live)]
    share = (lambda w: w / total if total else 0.0)
    held = sum(1 << k for k in range(len(cs)) if in_head[k] or in_body[k])
    amount = bool(rerank._AMOUNT.search(best_sentence))
    return (share(head_w), share(best), amount, share(sum(c.weight for c, ok in zip(cs, context) if ok)), held)


def test_where_finds_exactly_the_parts_holding_a_word():
    view = ClauseView.of("起付线 住院", "住院起付线为300元。门诊不设起付线;转外住院的,起付线提高。")
    assert view.heading == "起付线住院"
    assert view.sentences == ("住院起付线为300元。", "门诊不设起付线;", "转外住院的,起付线提高。")
    assert view.where("起付线") == 0b1111  # the heading and all three sentences
    assert view.where("住院起付线") == 0b0010 and view.where("院起") == 0b0010 and view.where("门") == 0b0100
    assert view.where("起付线提高") == 0b1000 and view.where("外住院的") == 0b1000 and view.where("线为3") == 0b0010
    assert view.where("住院费") == 0 and view.where("线住院起") == 0
    assert view.where("000") == 0  # its one pair 00 occurs (in 300), the word does not
    assert view.amounts == (True, False, False)
    assert view.where("") == 0b1111  # the empty string is in every part, as `in` says


def test_a_word_across_two_sentences_is_in_the_body_and_in_no_sentence():
    cs = [Concept("元。门诊", ("元。门诊",), 2.0)]
    view = ClauseView.of("", "住院起付线为300元。门诊不设起付线。")
    assert view.where("元。门诊") == 0 and view.in_body("元。门诊", 0)
    got = clause_features(cs, view)
    assert (got.heading, got.proximity, got.supported, got.held) == (0.0, 0.0, 1.0, 1)  # present: supported alone


def test_features_from_the_view_tables_equal_the_per_sentence_definition():
    """Every combination of members over headings and bodies written to hit the branches: a word
    in the heading only, in one or several sentences, in a sentence and the heading, across a
    sentence end, pairs that occur apart, one or several concepts, synonyms."""
    bodies = ["住院起付线为300元。门诊不设起付线;\n转外住院的,起付线提高10%。", "参保人员办理转诊手续后,可在市外定点医院住院。",
              "全年为单位缴纳了社会保险和住房公积金。事业经费不得从基金中提取。", "", "公积金提取须办理以下手续。年度限额5万元。"]
    headings = ["", "住院 起付线", "公积金管理", "转诊"]
    words = ["起付线", "住院", "院起", "公积金", "住房公积金", "提取", "手续", "元。门", "年", "线起", "转诊手续", "转外住院的", "医院"]
    cases = 0
    for body in bodies:
        for heading in headings:
            view = ClauseView.of(heading, body)
            for a in range(len(words)):
                for b in range(a, len(words), 3):
                    for cs in ([Concept(words[a], (words[a],), 2.0)],
                               [Concept(words[a], (words[a], words[b]), 3.0), Concept(words[(a + 5) % len(words)], (words[(a + 5) % len(words)],), 0.5)],
                               [Concept(w, (w,), 1.0 + k) for k, w in enumerate(words[a:b + 3])]):
                        got = clause_features(cs, view)
                        assert (got.heading, got.proximity, got.states_amount, got.supported, got.held) == _per_sentence_features(cs, view)
                        cases += 1
    assert cases > 1000
