"""Issue 13 (speed): what the learned features precompute per clause (`learned.clause_table`) and
per question gives exactly the values the straightforward per-(question, clause) computation gave.
The references below are the former implementations, kept here as the specification."""

from __future__ import annotations

import math
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_base.learned.features import FEATURE_NAMES, ClauseBigrams, candidate_features, char_bigrams, query_bigrams
from knowledge_base.learned.sentences import (
    _CONTINUES,
    _PLACEHOLDER,
    SENTENCE_FEATURES,
    PreparedSentences,
    SentenceQuestion,
    clause_sentences,
    sentence_matrix,
    sentence_rows,
)
from knowledge_base.normalize import normalize_text
from knowledge_base.search.rerank import _AMOUNT, ClauseView, asks_amount, sentences
from knowledge_base.search.search import plan_query

QUESTIONS = ("住院起付线是多少", "小孩住院是不是比大人报得多", "在县外住院少报多少", "门槛费多少钱", "慢性病门诊一年能报多少",
             "岳池县二级医院住院起付线", "生孩子医保补多少", "种植牙能报吗")
_PAIR = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z%]")


def reference_char_bigrams(text: str) -> list[str]:
    out, prev = [], ""
    for ch in text:
        if _PAIR.match(ch):
            if prev:
                out.append(prev + ch)
            prev = ch
        else:
            prev = ""
    return out


def reference_sentence_matrix(query: str, sents: list[str], concepts=()) -> np.ndarray:
    qbg = query_bigrams(normalize_text(query))
    nq = max(len(qbg), 1)
    quantity = asks_amount(query)
    shares = [sum(1 for b in qbg if b in set(reference_char_bigrams(s))) / nq for s in sents]
    best = max(shares, default=0.0)
    rank = {i: r for r, i in enumerate(sorted(range(len(sents)), key=lambda i: -shares[i]))}
    n = len(sents)
    total = sum(c.weight for c in concepts) or 1.0
    cshare = [sum(c.weight for c in concepts if any(m in s for m in c.members)) / total for s in sents]
    cbest = max(cshare, default=0.0)
    rows = []
    for i, s in enumerate(sents):
        amount = bool(_AMOUNT.search(s))
        neighbours = [shares[j] for j in (i - 1, i + 1) if 0 <= j < n]
        rows.append((
            shares[i], math.log1p(rank[i]), best - shares[i], float(quantity and amount), float(amount),
            float(i == 0), float(i == n - 1), i / max(n - 1, 1), math.log1p(len(s)),
            float(bool(_CONTINUES.match(s))), float(i > 0 and sents[i - 1].rstrip().endswith((":", "："))),
            float(s.rstrip().endswith(("?", "？"))), float(bool(_PLACEHOLDER.search(s))),
            max(neighbours, default=0.0), cshare[i], cbest - cshare[i],
        ))
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(SENTENCE_FEATURES))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("起付线报销比例AZaz09%,。 ：？!\n（）元"), max_size=40))
def test_char_bigrams_equal_the_character_loop(text):
    assert char_bigrams(text) == reference_char_bigrams(text)


def test_sentence_rows_from_prepared_clauses_equal_the_reference(kb):
    searcher = kb.searcher
    table = searcher.learned_table
    for q in QUESTIONS:
        cs = searcher.query_concepts(q)
        question = SentenceQuestion.of(q, cs)
        for i in candidate_features(searcher, q).indices[:8]:
            sents = clause_sentences(searcher.clauses[i].text)
            expected = reference_sentence_matrix(q, sents, cs)
            prepared = table.sentences(i)
            assert list(prepared.sents) == sents
            assert np.array_equal(sentence_rows(question, prepared), expected), (q, i)
            assert np.array_equal(sentence_matrix(q, sents, cs), expected)


def test_a_clause_is_prepared_once_per_searcher(kb):
    table = kb.searcher.learned_table
    i = candidate_features(kb.searcher, "住院起付线是多少").indices[0]
    assert table.facts(i) is table.facts(i) and table.sentences(i) is table.sentences(i)
    assert kb.searcher.learned_table is table


def test_warm_up_prepares_every_clause(kb):
    searcher = kb.searcher
    kb.warm_up()
    table = searcher.learned_table
    assert all(f is not None for f in table._facts) and all(s is not None for s in table._sentences)
    assert len(searcher._views) == len(searcher.clauses)
    i = candidate_features(searcher, "住院起付线是多少").indices[0]
    assert table.facts(i).view is searcher._view(i)


def test_a_question_is_planned_once_and_each_caller_gets_its_own_copy(kb):
    searcher = kb.searcher
    q = "在县外住院少报多少"
    first, second = searcher._plan(q), searcher._plan(q)
    assert first == second == plan_query(q, searcher.config, searcher.synonyms)
    assert first is not second and first.groups is not second.groups
    term = first.terms[0]
    first.groups[term].append("鳄鱼")  # a caller extending its groups (the loose second pass does)
    first.weights["鳄鱼"] = 0.5
    assert "鳄鱼" not in searcher._plan(q).groups[term] and "鳄鱼" not in searcher._plan(q).weights
    assert searcher._plan("门槛费多少") == plan_query("门槛费多少", searcher.config, searcher.synonyms)


def test_clause_bigrams_from_the_view_equal_those_from_the_clause_text(kb):
    for clause in kb.clauses[:60]:
        body = normalize_text(clause.text)
        view = ClauseView.of(" ".join(clause.heading_path), clause.text)
        got = ClauseBigrams.of_view(view)
        assert got.body == frozenset(reference_char_bigrams(body))
        assert got.sentences == (tuple(frozenset(reference_char_bigrams(s)) for s in sentences(body)) or (frozenset(),))
        assert got.heading == frozenset(reference_char_bigrams(normalize_text(" ".join(clause.heading_path))))


def test_a_word_in_a_prepared_body_is_never_ruled_out(kb):
    table = kb.searcher.learned_table
    indices = candidate_features(kb.searcher, "城乡居民住院报销比例").indices
    for i in indices:
        body = table.facts(i).view.body
        for start in range(0, max(len(body) - 4, 0), 7):
            assert table.may_be_in_a_body(body[start:start + 4])
    assert not table.may_be_in_a_body("鳄鱼潜水")  # no policy text pairs these characters


def test_prepared_sentences_keep_the_clause_only_columns():
    prepared = PreparedSentences.of(["住院起付线为300元。", "同时报销比例下降5个百分点。", "具体怎么办?"])
    col = {n: k for k, n in enumerate(SENTENCE_FEATURES)}
    rows = sentence_rows(SentenceQuestion.of("起付线多少"), prepared)
    assert rows[:, col["has_amount"]].tolist() == [1.0, 1.0, 0.0]
    assert rows[:, col["continues_previous"]].tolist() == [0.0, 1.0, 0.0]
    assert rows[:, col["is_question"]].tolist() == [0.0, 0.0, 1.0]
    assert rows[:, col["quantity_x_amount"]].tolist() == [1.0, 1.0, 0.0]  # 多少 asks for an amount
    assert rows[0, col["bigram_share"]] > rows[2, col["bigram_share"]]


def test_every_feature_has_one_column_function():
    from knowledge_base.learned.features import _COLUMNS

    named = [n for names, _ in _COLUMNS for n in names]
    assert sorted(named) == sorted(FEATURE_NAMES) and len(named) == len(set(named))
