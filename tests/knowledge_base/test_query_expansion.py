"""The learned query expansion: character n-grams of a question → policy words
(knowledge_base.learned.query_expansion)."""

from __future__ import annotations

import numpy as np

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.learned.query_expansion import QueryExpansion, char_ngrams, score

# Citizens' phrasings on the question side, the texts' words on the gold side; each names its gold
# clause (the key). Each colloquial phrase is asked of three clauses (k1..k9); 小金库 only of k10.
STEMS = [("打零工的", "灵活就业"), ("娃儿", "儿童"), ("门槛费", "起付线")]
FILLERS = ["咋个报", "能报多少", "要交钱不", "有啥子规定"]


def _data():
    questions, targets, keys = [], [], []
    for s, (stem, word) in enumerate(STEMS):
        for n in range(12):
            questions.append(f"{stem}{FILLERS[n % 4]}")
            targets.append([word, "医疗", "报销"])
            keys.append(f"k{3 * s + n % 3 + 1}")
    for n in range(6):
        questions.append(f"小金库{FILLERS[n % 4]}")
        targets.append(["结余", "医疗"])
        keys.append("k10")
    return questions, targets, keys


def test_an_unseen_phrase_sharing_characters_expands_to_its_policy_word():
    model = QueryExpansion.fit(*_data(), rank=3)
    assert model is not None
    # "零工" alone was never a question, and 打零工 is no word of the vocabulary: n-grams carry it
    assert next(iter(model.expand("零工看病"))) == "灵活就业"
    assert next(iter(model.expand("娃儿住院"))) == "儿童"


def test_a_word_of_one_clause_only_is_no_target():
    model = QueryExpansion.fit(*_data(), rank=3)
    assert model is not None and "结余" not in model.vocab and "起付线" in model.vocab


def test_fitting_is_deterministic_and_round_trips(tmp_path):
    one, two = QueryExpansion.fit(*_data(), rank=3), QueryExpansion.fit(*_data(), rank=3)
    assert one is not None and two is not None
    assert np.array_equal(one.increase("门槛费多少"), two.increase("门槛费多少"))
    one.save(tmp_path / "q.npz")
    again = QueryExpansion.load(tmp_path / "q.npz")
    assert again is not None and again.expand("门槛费多少") == one.expand("门槛费多少")
    assert QueryExpansion.load(tmp_path / "missing.npz") is None


def test_too_little_data_fits_nothing():
    questions, targets, keys = _data()
    assert QueryExpansion.fit(questions[:3], targets[:3], keys[:3], rank=3) is None


def test_the_share_is_the_expansions_weight_a_clause_holds():
    model = QueryExpansion.fit(*_data(), rank=3)
    docs = [["退休", "人员"], ["灵活就业", "人员", "缴费"], ["儿童", "住院"]]
    got = score(model, BM25Index.build(docs), "零工看病", len(docs))
    assert int(np.argmax(got.share)) == 1 and got.share[0] == 0.0
    assert 0.0 < got.share[1] <= 1.0
    assert not score(None, BM25Index.build(docs), "零工看病", len(docs)).share.any()


def test_char_ngrams():
    assert char_ngrams("门槛 费", 1, 2) == ["门", "槛", " ", "费", "门槛", "槛 ", " 费"]
