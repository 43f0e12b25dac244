from knowledge_base.search.tokenize import analyze, coarse_tokens, fine_tokens, stopwords


def test_domain_words_stay_whole():
    toks = coarse_tokens("住院起付线和统筹基金的封顶线")
    for word in ("起付线", "统筹基金", "封顶线"):
        assert word in toks


def test_fine_tokens_add_parts_of_compounds():
    toks = fine_tokens("统筹基金支付")
    assert "统筹基金" in toks
    assert "统筹" in toks and "基金" in toks


def test_question_words_are_stripped():
    toks = analyze("住院起付线是多少呢?怎么报销吗")
    assert "起付线" in toks and "报销" in toks
    for qw in ("多少", "呢", "怎么", "吗", "是"):
        assert qw not in toks
    assert {"多少", "怎么", "是否"} <= stopwords()


def test_punctuation_is_not_a_token():
    assert analyze("。,、!?") == []


def test_query_normalised_like_documents():
    # Traditional + full-width input gives the same tokens as its simplified half-width form
    assert analyze("醫療保險報銷１００元") == analyze("医疗保险报销100元")


def test_coarse_only_mode_has_no_sub_words():
    assert "统筹" not in analyze("统筹基金", fine=False)


def test_cantonese_and_north_eastern_fillers_are_stripped():
    from knowledge_base.search.tokenize import analyze

    terms = analyze("社保费系交俾税务定系社保局")
    assert not {"系", "俾", "定系"} & set(terms)
    assert "税务" in terms and "社保局" in terms
    assert "嘎哈" not in analyze("这是嘎哈呀")
