"""The learned answer judge (knowledge_base.learned): data, features, training, decisions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldResolver, load_split, read_jsonl
from knowledge_base.learned.features import (
    FEATURE_NAMES,
    candidate_features,
    char_bigrams,
    institutions,
    is_place,
    without_places,
)
from knowledge_base.learned.model import AnswerJudge, model_dir
from knowledge_base.learned.question_prior import QuestionPrior, wording
from knowledge_base.learned.sentences import quote_labels
from knowledge_base.models import SearchFilters


def test_char_bigrams_break_at_punctuation_and_spaces():
    assert char_bigrams("起付线,多少 钱") == ["起付", "付线", "多少"]


def test_institution_names_leave_generic_hospitals_out():
    assert institutions("重庆新兴医院是市级定点医院") == {"重庆新兴医院"}
    assert institutions("在三级医院和乡镇卫生院住院") == set()


def test_question_wording_drops_places_years_and_punctuation():
    assert wording("成都2024年住院起付线是多少？") == "住院起付线是多少"


def test_question_prior_round_trips_through_json(tmp_path):
    prior = QuestionPrior.fit(["住院起付线多少", "门槛费多少钱", "生育津贴怎么领", "养老金怎么领"] * 3, [1, 1, 0, 0] * 3)
    prior.save(tmp_path / "p.json")
    again = QuestionPrior.load(tmp_path / "p.json")
    assert again.probability("起付线多少") == pytest.approx(prior.probability("起付线多少"))
    assert prior.probability("门槛费多少") > 0.5 > prior.probability("津贴怎么领")


def test_refusal_is_the_relevance_models_even_when_the_best_clause_looks_like_an_answer():
    from knowledge_base.learned.model import LinearModel

    linear = LinearModel([0.0], 0.0, [0.0], [1.0])
    judge = AnswerJudge(None, linear, None, None, {"answer": 0.8, "related": 0.5}, {}, linear)
    assert judge.decide(0.9, 0.6) == "answer"
    assert judge.decide(0.7, 0.6) == "related"
    assert judge.decide(0.9, 0.4) == "none"  # a passing mention that reads like an answer
    assert judge.decide(0.1, 0.4) == "none"


def test_quote_labels_mark_every_sentence_the_quote_spans():
    sents = ["一、二、三级医院住院起付线分别为100元。", "未经同意的,起付线提高5%。", "同时报销比例下降5个百分点。"]
    assert quote_labels(sents, "起付线提高5%。同时报销比例下降") == [0, 1, 1]
    assert quote_labels(sents, "不在这里") == [0, 0, 0]


def test_annotated_data_meets_the_issue_sizes():
    """≥ 3,000 question–clause pairs, ≥ 500 near-domain, ≥ 150 ambiguous, blind ≥ 20 % of the
    question–clause pairs (counted, not read), each item with its author and prompt."""
    train, dev, blind = load_split("train"), load_split("dev"), load_split("blind")
    everything = [*train, *dev, *blind]
    count = {t: sum(i.type == t for i in everything) for t in ("answerable", "no_basis", "ambiguous")}
    assert count["answerable"] >= 3000 and count["no_basis"] >= 500 and count["ambiguous"] >= 150
    blind_pairs = sum(i.type == "answerable" for i in blind)
    assert blind_pairs >= 0.2 * count["answerable"]
    assert all(i.author and i.prompt for i in everything)
    assert {i.split for i in train} == {"train"} and {i.split for i in dev} == {"dev"}


def test_dev_clauses_are_unseen_in_training():
    """Answerable dev items quote sentences no train item quotes, so a model that memorised the
    annotated sentences would not look good on dev. (Clauses are a weaker unit here: the corpus
    repeats passages across clauses, so a quote can resolve to a clause that a train item's quote
    also resolves to; leave-one-document-out is the measure of documents never annotated.)"""
    train_quotes = {(g.file, g.quote) for i in load_split("train") for g in i.gold if g.origin == "author"}
    dev_gold = [(g.file, g.quote) for i in load_split("dev") for g in i.gold if g.origin == "author"]
    assert dev_gold and sum(g in train_quotes for g in dev_gold) / len(dev_gold) < 0.05


def test_gold_resolves_in_the_bundled_library(kb):
    resolver = GoldResolver(kb.clauses)
    items = [i for i in load_split("train") if i.type == "answerable"]
    resolved = sum(bool(resolver.resolve(i.gold)) for i in items)
    assert resolved / len(items) >= 0.95


def test_the_judge_is_trained_at_ingest_and_stored_beside_the_index(kb, kb_settings):
    assert kb.judged
    d = model_dir(kb_settings.data_dir)
    manifest = json.loads((d / "manifest.json").read_text("utf-8"))
    assert tuple(manifest["features"]) == FEATURE_NAMES
    assert 0.0 < manifest["thresholds"]["related"] <= 1.0 and 0.0 < manifest["thresholds"]["answer"] <= 1.0
    assert AnswerJudge.load(kb_settings.data_dir) is not None


def test_the_dense_model_built_at_ingest_is_current(kb):
    """`medpolicy train` rebuilds the library only when the annotations changed since the dense
    model was built; right after an ingest they have not."""
    assert kb.dense_is_current()


def test_medpolicy_train_knows_before_opening_whether_the_index_must_be_rebuilt(kb, kb_settings, tmp_path):
    """`medpolicy train` rebuilds once (dense side + judge) when the library is not current,
    instead of opening — which would build and train the judge — and then rebuilding again."""
    from knowledge_base.service import KnowledgeBase

    assert KnowledgeBase.index_is_current(kb_settings)
    other_corpus = tmp_path / "more"
    other_corpus.mkdir()
    (other_corpus / "新通知.txt").write_text("住院起付线调整为600元。\n", encoding="utf-8")
    changed = kb_settings.model_copy(update={"corpus_dirs": [*kb_settings.corpus_dirs, other_corpus]})
    assert not KnowledgeBase.index_is_current(changed)
    assert not KnowledgeBase.index_is_current(kb_settings.model_copy(update={"data_dir": tmp_path / "empty"}))


def test_features_describe_relations_not_clauses(kb):
    cands = candidate_features(kb.searcher, "住院起付线是多少")
    assert cands.matrix.shape == (len(cands.indices), len(FEATURE_NAMES))
    assert np.isfinite(cands.matrix).all()
    assert len(set(cands.indices)) == len(cands.indices)


def test_places_are_left_to_the_region_columns():
    assert without_places("重庆普通门诊余额能结转吗") == "  普通门诊余额能结转吗"
    assert without_places("去医保定点医院看病") == "去医保定点医院看病"  # 保定 inside 医保定点 is no place
    assert is_place("岳池县") and is_place("重庆") and not is_place("门诊") and not is_place("重庆市的门诊")


def test_a_named_place_is_not_a_word_the_clause_lacks(kb):
    """The question naming the clause's region reads the clause's words the same as without it."""
    cols = [FEATURE_NAMES.index(n) for n in ("bigram_cover", "bigram_cover_sentence", "missing_idf_max",
                                             "missing_idf_share")]
    named = candidate_features(kb.searcher, "重庆普通门诊余额能结转吗")
    plain = candidate_features(kb.searcher, "普通门诊余额能结转吗")
    rows = {i: named.matrix[k] for k, i in enumerate(named.indices)}
    shared = [(rows[i], plain.matrix[k]) for k, i in enumerate(plain.indices)
              if i in rows and kb.searcher.clauses[i].region == "重庆"]
    assert shared
    for a, b in shared:
        assert a[cols].tolist() == b[cols].tolist()


def test_a_topic_held_only_by_another_region_is_marked(kb):
    """岳池 has no maternity rule, 重庆 has 住院分娩: searched among 岳池's clauses, every candidate
    lacks what another region's clause holds. Unnamed regions leave the column at 0, and the named
    region's own rule for a topic it holds is not marked."""
    col = FEATURE_NAMES.index("missing_held_elsewhere")
    only_there = candidate_features(kb.searcher, "岳池县生孩子能报吗", SearchFilters(region="岳池县"))
    assert only_there.indices and (only_there.matrix[:, col] > 0).all()
    unnamed = candidate_features(kb.searcher, "生孩子能报吗")
    assert (unnamed.matrix[:, col] == 0).all()
    held = candidate_features(kb.searcher, "岳池县住院起付标准", SearchFilters(region="岳池县"))
    rows = [held.matrix[k, col] for k, i in enumerate(held.indices) if "起付标准" in kb.searcher.clauses[i].text]
    assert rows and min(rows) == 0


def test_training_is_deterministic(kb, tmp_path):
    from knowledge_base.learned.train import train

    items = load_split("train")
    answerable = [i for i in items if i.type == "answerable"]
    subset = answerable[::6] + [i for i in items if i.type == "no_basis"][::8]  # every document, every fold
    dev = load_split("dev")[:80]
    a, _ = train(kb.searcher, tmp_path, ranker_kind="logistic", train_items=subset, dev_items=dev, write=False)
    b, _ = train(kb.searcher, tmp_path, ranker_kind="logistic", train_items=subset, dev_items=dev, write=False)
    assert a.ranker.coef.tolist() == b.ranker.coef.tolist()
    assert a.answerability.coef.tolist() == b.answerability.coef.tolist()
    assert a.relevance.model_to_string() == b.relevance.model_to_string()
    assert a.t_answer == b.t_answer and a.t_related == b.t_related


def test_the_refusal_model_learns_whether_the_library_answers_and_round_trips(kb, tmp_path):
    """P(the library answers) is learned from answerable vs near-domain questions (not from whether
    the ranker put the gold first three), and the stored booster gives the same probability."""
    from knowledge_base.learned.train import train

    items = load_split("train")
    subset = [i for i in items if i.type == "answerable"][::6] + [i for i in items if i.type == "no_basis"][::4]
    dev = load_split("dev")[::20]
    judge, _ = train(kb.searcher, tmp_path, ranker_kind="logistic", train_items=subset, dev_items=dev)
    loaded = AnswerJudge.load(tmp_path)
    assert loaded is not None and loaded.manifest["relevance"] == "lightgbm"
    for q in ("住院起付线是多少", "养老金每个月发多少"):
        cands = candidate_features(kb.searcher, q)
        scores = judge.scores(cands)
        assert judge.probabilities(cands, scores) == loaded.probabilities(cands, loaded.scores(cands))
    answerable = candidate_features(kb.searcher, "住院起付线是多少")
    near = candidate_features(kb.searcher, "养老金每个月发多少")
    assert judge.probabilities(answerable, judge.scores(answerable))[1] > judge.probabilities(near, judge.scores(near))[1]


def test_near_domain_questions_get_no_basis(kb):
    for q in ("生育津贴怎么领", "种植牙能报吗", "养老金每个月发多少"):
        response = kb.search(q)
        assert response.no_basis and response.decision == "none", q


def test_search_reports_its_decision_and_highlights(kb):
    response = kb.search("小孩住院是不是比大人报得多")
    assert response.decision in ("answer", "related") and response.results
    assert all(h.highlights for h in response.results)
    assert any("上浮10%" in h.text for h in response.results[:3])


def test_operator_search_for_menkanfei_puts_a_rule_before_the_hospital_advert(kb):
    """Issue 9: the console's top hit for 门槛费 was a hospital's promotional text above the rule."""
    for q in ("门槛费", "门槛费多少"):
        top = kb.search(q).results[0]
        assert top.kind == "rule", (q, top.text[:40])


def test_read_jsonl_names_the_bad_line(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"id": "a", "split": "train", "author": "A", "prompt": "p", "type": "answerable", "question": "q"}\n', "utf-8")
    with pytest.raises(ValueError, match="x.jsonl:1"):
        read_jsonl(bad)


def test_training_reads_a_question_with_the_filters_it_is_served_with():
    """The assistant narrows the search to the region and year the user names; training builds
    its rows the same way (first place named, a single year), not over the whole library."""
    from knowledge_base.learned.train import question_filters

    assert question_filters("普通门诊余额能结转吗") is None
    f = question_filters("重庆普通门诊余额能结转吗")
    assert f is not None and f.region == "重庆" and f.year is None
    f = question_filters("2013年岳池县住院起付线")
    assert f is not None and f.region == "岳池县" and f.year == 2013
    assert question_filters("2012年和2013年的缴费标准一样吗") is None  # two years: none to narrow to
    assert question_filters("去医保定点医院看病要带啥") is None  # 医保定点 names no 保定


def test_the_answer_threshold_does_not_stop_at_a_precision_read_on_a_handful_of_answers():
    """One wrong answer among the three most confident reads as precision 0.67; below
    MIN_DIRECT_MEASURED answers a threshold's precision is not read, above it it is."""
    from knowledge_base.learned.train import MIN_DIRECT_MEASURED, choose_thresholds

    n = 200
    p_answer = np.linspace(0.999, 0.5, n)
    right = np.ones(n)
    right[2] = 0.0  # the third most confident answer is wrong
    right[60:] = 0.0  # below the 60th answer everything is wrong
    near = np.zeros(n, dtype=bool)
    t = choose_thresholds(p_answer, right, np.zeros(n), near, 0.95, 0.9)["answer"]
    chosen = p_answer >= t
    assert chosen.sum() > MIN_DIRECT_MEASURED
    assert right[chosen].mean() >= 0.95
    assert chosen.sum() <= 60 + 3  # it still stops where the precision read on enough answers drops


def test_a_new_item_follows_the_split_that_already_holds_its_sentence_or_clause():
    from knowledge_base.learned.annotations import AnnotatedQuestion, GoldRef, SplitPlacer
    from knowledge_base.models import Clause, SourceLocation

    def clause(cid: str, text: str) -> Clause:
        return Clause(chunk_id=cid, doc_id="d", doc_title="t", citation="t", text=text,
                      sources=[SourceLocation(file="a.txt", line=1)])

    def item(n: int, split: str, quote: str) -> AnnotatedQuestion:
        return AnnotatedQuestion(id=f"X-{n}", split=split, author="X", prompt="qa-pairs-v1", type="answerable",
                                 question=f"问题{n}", gold=[GoldRef(file="a.txt", quote=quote)])

    clauses = [clause("c-train", "住院起付线为800元。三级医院报销比例为45%。"),
               clause("c-dev", "门诊统筹每人每年限额60元。"),
               clause("c-new", "参保人员连续缴费的，待遇从缴费次月起享受。")]
    placer = SplitPlacer(clauses, [item(1, "train", "住院起付线为800元")], [item(2, "dev", "每人每年限额60元")])
    never = lambda key: "never"  # noqa: E731
    assert placer.place(item(3, "dev", "三级医院报销比例为45%"), never) == "train"      # clause training has
    assert placer.place(item(4, "train", "门诊统筹每人每年限额60元"), never) == "dev"    # clause dev has
    assert placer.place(item(5, "dev", "住院起付线为800元"), never) == "train"          # the same sentence
    assert placer.place(item(6, "dev", "待遇从缴费次月起享受"), lambda key: f"hash:{key}") == "hash:c-new"


def test_the_region_dependence_model_is_trained_with_the_judge_and_round_trips(kb, tmp_path):
    """Trained on the annotated region-ambiguous questions at ingest, its dev-chosen threshold in the
    manifest (none when no threshold gains on dev: then it is not served); stored and loaded with the
    judge; a judge stored without it loads without it."""
    from knowledge_base.learned.model import LinearModel, model_dir
    from knowledge_base.learned.train import save

    judge = kb.searcher.judge
    report = judge.manifest["region_dependence"]
    assert report["n_train_ambiguous"] >= 20
    assert judge.t_regions == judge.manifest["thresholds"].get("regions") == report["threshold"]
    stored = json.loads((model_dir(kb.settings.data_dir) / "region_dependence.json").read_text("utf-8"))
    model = LinearModel.from_json(stored)
    if judge.regions is not None:  # a judge loaded without a threshold serves none
        assert judge.regions.coef.tolist() == model.coef.tolist()
    served = judge.t_regions if judge.t_regions is not None else 0.5  # a threshold to store it with
    original = (judge.regions, judge.t_regions)
    judge.attach_regions(model, served)
    try:
        save(judge, judge.manifest["ranker_kind"], tmp_path)
    finally:
        judge.attach_regions(*original)
    loaded = AnswerJudge.load(tmp_path)
    assert loaded.regions.coef.tolist() == model.coef.tolist() and loaded.t_regions == served
    judge_without = AnswerJudge.load(tmp_path)
    judge_without.attach_regions(None, None)
    save(judge_without, judge.manifest["ranker_kind"], tmp_path / "without")
    assert AnswerJudge.load(tmp_path / "without").regions is None


def _synthetic_examples(n_questions: int, seed: int):
    """Questions of ten candidates whose gold one is (mostly) the one with the highest first
    feature; the other features are noise."""
    from knowledge_base.learned.annotations import GoldRef
    from knowledge_base.learned.features import Candidates
    from knowledge_base.learned.train import Example

    rng = np.random.default_rng(seed)
    out = []
    for q in range(n_questions):
        x = rng.uniform(0, 1, (10, len(FEATURE_NAMES))).astype(np.float32)
        gold = int(rng.integers(10))
        x[gold, 0] = rng.uniform(0.95, 1.5)
        item = AnnotatedQuestion(id=f"s{q}", split="train", author="t", prompt="t", type="answerable",
                                 question=f"问题{q}", gold=[GoldRef(file="x.txt", quote="x")])
        indices = list(range(q * 10, q * 10 + 10))
        labels = np.array([float(k == gold) for k in range(10)], dtype=np.float32)
        out.append(Example(item, Candidates(item.question, indices, x), labels, {indices[gold]}))
    return out


def test_the_listwise_ranker_learns_from_question_groups_and_is_deterministic():
    from knowledge_base.learned.train import DEFAULT_RANKER, fit_ranker, ranking_metrics

    assert DEFAULT_RANKER == "lightgbm-xendcg"
    train_examples, held_out = _synthetic_examples(300, seed=1), _synthetic_examples(100, seed=2)
    a, b = fit_ranker("lightgbm-xendcg", train_examples), fit_ranker("lightgbm-xendcg", train_examples)
    assert a.model_to_string() == b.model_to_string()
    assert ranking_metrics(a, held_out)["recall@1"] >= 0.9
