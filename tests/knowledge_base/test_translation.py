"""The word translation model learned from annotated pairs (knowledge_base.learned.translation)."""

from __future__ import annotations

import numpy as np

from knowledge_base.index.bm25_index import BM25Index
from knowledge_base.learned.translation import Pair, TranslationTable, score

# Citizens' words on the question side, the texts' words on the clause side; each pair names its
# gold clause (the key). 娃儿 meets 儿童 in the questions of three different clauses, 门槛费 meets
# 起付线 in three; the generic words (住院, 报销, 多少-like fillers) occur on both sides.
PAIRS = [
    Pair(("娃儿", "住院", "报"), ("儿童", "住院", "报销", "比例"), "c1"),
    Pair(("娃儿", "看病", "报"), ("儿童", "门诊", "报销"), "c2"),
    Pair(("娃儿", "交", "钱"), ("儿童", "个人", "缴费"), "c3"),
    Pair(("门槛费", "住院"), ("起付线", "住院", "元"), "c4"),
    Pair(("门槛费", "医院"), ("起付线", "三级", "医院"), "c5"),
    Pair(("门槛费", "看病"), ("起付线", "门诊"), "c6"),
    # one clause asked about three times in a word nobody else uses: memory of that clause only
    Pair(("小金库",), ("统筹", "基金", "结余"), "c7"),
    Pair(("小金库", "多少"), ("统筹", "基金", "结余"), "c7"),
    Pair(("小金库", "还剩"), ("基金", "结余"), "c7"),
]


def test_a_question_word_maps_to_the_clause_word_it_is_said_for():
    table = TranslationTable.fit(PAIRS, min_clauses=3, min_probability=0.05)
    assert table.translations("娃儿")[0][0] == "儿童"
    assert table.translations("门槛费")[0][0] == "起付线"
    assert "娃儿" not in {c for c, _ in table.translations("娃儿")}  # the word itself is no translation


def test_a_pair_seen_with_one_clause_only_is_not_learned():
    """Three questions of one clause teach no vocabulary: the pair must recur across clauses."""
    assert TranslationTable.fit(PAIRS, min_clauses=3).translations("小金库") == ()
    assert TranslationTable.fit(PAIRS, min_clauses=1).translations("小金库") != ()


def test_fitting_is_deterministic_and_round_trips(tmp_path):
    one, two = TranslationTable.fit(PAIRS, min_clauses=2), TranslationTable.fit(PAIRS, min_clauses=2)
    assert one.to_json() == two.to_json() and len(one) > 0
    one.save(tmp_path / "t.json")
    again = TranslationTable.load(tmp_path / "t.json")
    assert again is not None and again.to_json() == one.to_json()
    assert TranslationTable.load(tmp_path / "missing.json") is None


def test_expansion_leaves_the_question_words_out():
    table = TranslationTable.fit(PAIRS, min_clauses=3, min_probability=0.05)
    expanded = table.expand(["娃儿", "儿童"])
    assert "儿童" not in expanded and "娃儿" not in expanded


def test_the_channel_finds_a_clause_sharing_no_word_with_the_question():
    table = TranslationTable.fit(PAIRS, min_clauses=3, min_probability=0.05)
    docs = [["退休", "人员", "缴费"], ["儿童", "住院", "比例", "上浮"], ["职工", "门诊", "统筹"]]
    body = BM25Index.build(docs)
    got = score(table, body, ["娃儿", "上浮"], lambda _w: 1.0, len(docs))
    assert int(np.argmax(got.channel)) == 1
    assert got.channel[0] == 0.0  # the question's own word alone does not score in this channel
    # likelihood: 上浮 is in clause 1 itself, 娃儿 through its translation 儿童
    assert got.likelihood[1] > got.likelihood[2] >= got.likelihood[0] == 0.0


def test_no_table_gives_zero_scores():
    body = BM25Index.build([["儿童"], ["职工"]])
    got = score(None, body, ["娃儿"], lambda _w: 1.0, 2)
    assert not got.channel.any() and not got.likelihood.any()


def test_the_best_sentence_holds_the_question_words_together():
    """A long clause holds every word somewhere; the sentence likelihood asks for one sentence."""
    table = TranslationTable.fit(PAIRS, min_clauses=3, min_probability=0.05)
    body = BM25Index.build([["儿童", "上浮", "退休"]])
    got = score(table, body, ["娃儿", "上浮"], lambda _w: 1.0, 1)
    together, apart = ["儿童报销比例上浮10%"], ["儿童参保缴费", "退休人员比例上浮"]
    assert got.best_sentence(together) > got.best_sentence(apart) > 0.0
    assert got.likelihood[0] == got.best_sentence(together)  # the whole clause holds both words


def _item(n: int, doc: str, question: str, quote: str):
    from knowledge_base.learned.annotations import AnnotatedQuestion, GoldRef

    return AnnotatedQuestion(id=f"t-{n}", split="train", author="test", prompt="test", type="answerable",
                             question=question, gold=[GoldRef(file=f"{doc}.md", quote=quote)])


def test_the_training_rows_tables_have_seen_no_question_on_their_document():
    """A document's citizens' word (娃儿 → 儿童, asked of three of its clauses) is learned by the
    served table, but not by the table that document's own rows are scored with; another document's
    word (门槛费 → 起付线) is, and every question of one document shares a fold."""
    from knowledge_base.learned.translation import fit_on, out_of_document_tables

    items = [_item(1, "doc_a", "娃儿住院", "儿童住院报销比例"), _item(2, "doc_a", "娃儿看病", "儿童门诊报销"),
             _item(3, "doc_a", "娃儿交钱", "儿童个人缴费"),
             _item(4, "doc_b", "门槛费住院", "起付线住院元"), _item(5, "doc_b", "门槛费医院", "起付线三级医院"),
             _item(6, "doc_b", "门槛费看病", "起付线门诊")]
    served = fit_on([], items)
    assert "儿童" in {c for c, _ in served.translations("娃儿")}
    folds, tables = out_of_document_tables([], items, k=2)
    assert len(set(folds[:3])) == 1 and len(set(folds[3:])) == 1 and folds[0] != folds[3]
    own = tables[folds[0]]
    assert own.translations("娃儿") == ()
    assert "起付线" in {c for c, _ in own.translations("门槛费")}
    assert out_of_document_tables([], items, k=2)[1][0].to_json() == tables[0].to_json()  # deterministic


def _one_sentence_at_a_time(got, sentences: list[str]) -> float:
    """The sentence likelihood as defined, sentence by sentence: Σ_q idf(q)·min(1, [q ∈ s] +
    Σ_{c ∈ s} t(c|q)) of the best sentence over Σ_q idf(q)."""
    total = sum(w for w, _, _ in got.words)
    best = 0.0
    for text in sentences:
        value = sum(w * min(1.0, float(q in text) + sum(p for c, p in ts if c in text)) for w, q, ts in got.words)
        best = max(best, value)
    return best / total if total else 0.0


def test_every_candidates_best_sentence_at_once_is_each_ones_own():
    """`best_sentences` scores every candidate's sentences in one pass: each value is the float the
    sentence-by-sentence definition gives (no rounding drift from summing in another order)."""
    table = TranslationTable.fit(PAIRS, min_clauses=3, min_probability=0.05)
    body = BM25Index.build([["儿童", "上浮", "起付线"]])
    idf = {"娃儿": 1.7, "上浮": 0.9, "门槛费": 2.3, "住院": 0.3}
    got = score(table, body, ["娃儿", "上浮", "门槛费", "住院"], idf.__getitem__, 1)
    clauses = [["儿童报销比例上浮10%", "住院起付线300元"], ["退休人员比例上浮", "儿童参保缴费", "门槛费就是起付线"],
               ["与问题无关的一句"], [], ["儿童住院起付线上浮"]]
    many = got.best_sentences([(sents, "".join(sents)) for sents in clauses])
    assert many.dtype == np.float64 and len(many) == len(clauses)
    expected = [_one_sentence_at_a_time(got, sents) for sents in clauses]
    assert many.tolist() == expected  # exact, not approximately
    assert expected[2] == expected[3] == 0.0 and expected[4] > expected[0] > 0.0
    assert [got.best_sentence(sents) for sents in clauses] == expected
