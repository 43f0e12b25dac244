"""Train the answer judge: a ranker over candidate clauses and a calibrated answerability model,
with their operating points chosen on dev.

Deterministic (fixed seeds, LightGBM's deterministic mode, one thread), minutes on two cores. The
dev split is never trained on: it chooses the ranker family (a measured comparison, `compare`) and
the two thresholds — `answer` so that direct answers are right ≥ `target_precision` of the time on
dev, `related` so that ≥ `target_refusal` of dev's near-domain questions are refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldRef, GoldResolver, load_split
from knowledge_base.learned.dense_folds import DENSE_FOLD_BY, DENSE_FOLDS, assign_folds, fold_searchers
from knowledge_base.learned.features import ANSWER_FEATURE_NAMES, FEATURE_NAMES, Candidates, answer_features, candidate_features
from knowledge_base.learned.model import MODEL_VERSION, AnswerJudge, LinearModel, model_dir
from knowledge_base.learned.parallel import map_in_order
from knowledge_base.learned.question_prior import QuestionPrior
from knowledge_base.learned.region_dependence import NEAR_REFUSED_FLOOR, choose_threshold, region_features, two_regions
from knowledge_base.learned.translation import FILE_NAME as TRANSLATION_FILE
from knowledge_base.learned.translation import fit_on as fit_translation
from knowledge_base.learned.translation import out_of_document_tables
from knowledge_base.models import SearchFilters
from knowledge_base.normalize import normalize_text
from knowledge_base.search.scope import named_places, named_years

SEED = 13
# Fewer answerable questions whose gold clause is in the library than this, and there is nothing to
# learn from (a library without the annotated documents): no judge is trained.
MIN_TRAIN_ANSWERABLE = 200
# The judge learns from at most this many questions per gold clause (the rest of a clause's questions
# still teach the word translations and the dense side). Why: annotation rounds add hundreds of
# phrasings per clause (median 773 at release 17), and the feature pass over every training question
# grew to half an hour on two cores; what the judge learns is features of question–clause pairs, so
# its data should grow with the library's clauses, not with the annotation volume. Measured at
# release 17 (docs/BENCHMARKS.md): dev figures against the uncapped judge.
MAX_QUESTIONS_PER_CLAUSE = 200


class NotEnoughData(ValueError):
    """The library holds too few annotated clauses to train on."""
RANKERS = ("lightgbm-xendcg", "lightgbm-lambdarank", "lightgbm-binary", "logistic")
# LightGBM objective of each LightGBM ranker kind; the listwise ones learn from a question's
# candidates as one group (`_stack`'s group sizes).
_OBJECTIVES = {"lightgbm-xendcg": "rank_xendcg", "lightgbm-lambdarank": "lambdarank", "lightgbm-binary": "binary"}
DEFAULT_RANKER = "lightgbm-xendcg"  # measured: dev r@5 and MRR above binary at three seeds, most for citizens (docs/BENCHMARKS.md)


@dataclass
class Example:
    item: AnnotatedQuestion
    cands: Candidates
    labels: np.ndarray  # 1 where the candidate is a gold clause
    gold: set[int]  # every gold clause position (also those the candidates missed)
    scoped_out: bool = False  # refused by the exact scope rules (a place or year the library lacks)


def gold_refs(item: AnnotatedQuestion) -> list[GoldRef]:
    """What counts as a right clause: the gold clauses, or for an ambiguous question any of its
    region/scheme candidates (the reply must then ask or list, judged elsewhere)."""
    if item.type == "answerable":
        return item.gold
    if item.type == "ambiguous":
        return item.candidates
    return []


def legacy_items() -> list[AnnotatedQuestion]:
    """The earlier retrieval evaluation set (knowledge_base/eval/questions.yaml), written by the
    team: training data only, never dev or blind."""
    from knowledge_base.eval.evaluate import BLOCKS, load_eval_set

    es = load_eval_set()
    out = []
    for block, no_answer in BLOCKS.values():
        for q in getattr(es, block):
            out.append(AnnotatedQuestion(id=f"legacy-{q.id}", split="train", author="team", prompt="legacy-eval",
                                         type="answerable", question=q.q, who=q.who if q.who in "cof" else "c",
                                         gold=[GoldRef(file=f, quote=s) for f, s in q.gold]))
        for n, q in enumerate(getattr(es, no_answer)):
            out.append(AnnotatedQuestion(id=f"legacy-{no_answer}-{n}", split="train", author="team",
                                         prompt="legacy-eval", type="no_basis", question=q))
    return list({i.id: i for i in out}.values())


def question_filters(question: str) -> SearchFilters | None:
    """The filters a question is searched with when served: the assistant narrows the search to
    the region and year the user names (`assistant.retrieve.filters_from_slots`), so a question
    naming 重庆 is judged among 重庆's clauses only — other candidates, other ranks and score
    gaps than the same question searched over the whole library. Training reads the question the
    same way (the first place named, a year when exactly one is named; the shared gazetteer), so the
    judge learns from the rows it will see. Measured against the NLU's own slots: the same eligible
    regions for 99.0 % of the train and dev items the scope rules do not refuse."""
    text = normalize_text(question)
    places, years = named_places(text), named_years(text)
    region = places[0] if places else None
    year = years[0] if len(years) == 1 else None
    return SearchFilters(region=region, year=year) if region or year else None


def judge_sample(items: Sequence[AnnotatedQuestion], resolver: GoldResolver,
                 limit: int = MAX_QUESTIONS_PER_CLAUSE) -> list[bool]:
    """Which items the judge's models learn from: every near-domain and ambiguous question, every
    answerable one whose quote resolves to no clause (as before), and of each gold clause's
    answerable questions the first `limit` in a stable hash order of their text (deterministic, and
    independent of file order, so adding a round changes a clause's sample only where it grows)."""
    def order(n: int) -> str:
        return hashlib.sha1(f"{items[n].id}\0{items[n].question}".encode("utf-8")).hexdigest()

    keep = [True] * len(items)
    taken: Counter[int] = Counter()
    for n in sorted(range(len(items)), key=order):
        item = items[n]
        if item.type != "answerable":
            continue
        gold = sorted(resolver.resolve(item.gold))
        if not gold:
            continue
        taken[gold[0]] += 1
        keep[n] = taken[gold[0]] <= limit
    return keep


def build_examples(searcher, items: Sequence[AnnotatedQuestion]) -> list[Example]:
    """Each item's candidates, features and labels from `searcher`, on every core (`parallel`)."""
    return map_in_order(_examples_of, searcher, list(items))


def _examples_of(searcher, items: Sequence[AnnotatedQuestion]) -> list[Example]:
    resolver = GoldResolver(searcher.clauses)
    out = []
    for item in items:
        filters = question_filters(item.question)
        cands = candidate_features(searcher, item.question, filters)
        gold = resolver.resolve(gold_refs(item))
        labels = np.array([1.0 if i in gold else 0.0 for i in cands.indices], dtype=np.float32)
        scoped_out = searcher.out_of_scope(searcher.rank(item.question, 10, filters))
        out.append(Example(item, cands, labels, gold, scoped_out))
    return out


def build_training_examples(searcher, items: Sequence[AnnotatedQuestion], dense_folds: int = DENSE_FOLDS,
                            by: str = DENSE_FOLD_BY, keep: Sequence[bool] | None = None) -> list[Example]:
    """`build_examples` for the ranker's training questions, each scored by a dense model that was
    not fine-tuned on it (`dense_folds` folds `by` clause or document: the train/serve skew of the
    dense features, `learned.dense_folds`); with `dense_folds` < 2, or a dense side not fine-tuned
    on questions, by `searcher` itself. `keep`: the items to build examples for (default all); the
    fold models and translation tables still learn from every item, as the served ones do."""
    folds = assign_folds(searcher.clauses, items, dense_folds, by) if dense_folds >= 2 else []
    searchers = fold_searchers(searcher, items, folds)
    if searchers is None:
        searchers = [_same_searcher(searcher) for _ in range(max(folds, default=0) + 1)]
        folds = folds or [0] * len(items)
    # the word translations a row sees are learned without any question on its document (folds of
    # their own, by document, crossed with the dense folds): a question's own pair would translate
    # it to its clause, and its document's other pairs teach that document's own words
    doc_folds, tables = out_of_document_tables(searcher.clauses, items)
    # one task per item, grouped by (dense fold, translation fold) so a worker's chunk switches
    # searcher and table rarely
    chosen = [n for n in range(len(items)) if keep is None or keep[n]]
    tasks = sorted((folds[n], doc_folds[n], n) for n in chosen)
    built = map_in_order(_fold_examples, (searchers, tables, list(items)), tasks)
    by_position = {n: e for (_, _, n), e in zip(tasks, built, strict=True)}
    return [by_position[n] for n in chosen]


def _fold_examples(state, tasks: Sequence[tuple[int, int, int]]) -> list[Example]:
    """`_examples_of` for (dense fold, translation fold, item position) tasks, in task order."""
    searchers, tables, items = state
    out: list[Example] = []
    for (f, d), group in groupby(tasks, key=lambda t: t[:2]):
        fold_searcher = searchers[f]
        fold_searcher.translation = tables[d]
        out.extend(_examples_of(fold_searcher, [items[n] for _, _, n in group]))
    return out


def _same_searcher(searcher):
    """A searcher over the same clauses and indexes (its own translation table, no judge)."""
    from knowledge_base.search.search import HybridSearcher

    return HybridSearcher(searcher.clauses, searcher.body, searcher.heading, searcher.dense, searcher.encoder,
                          searcher.config, searcher.synonyms)


def _stack(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    usable = [e for e in examples if len(e.cands.indices) and e.labels.any()]
    x = np.vstack([e.cands.matrix for e in usable]) if usable else np.zeros((0, len(FEATURE_NAMES)))
    y = np.concatenate([e.labels for e in usable]) if usable else np.zeros(0)
    return x, y, [len(e.cands.indices) for e in usable]


def fit_ranker(kind: str, examples: Sequence[Example]):
    x, y, groups = _stack(examples)
    if kind in _OBJECTIVES:
        import lightgbm

        objective = _OBJECTIVES[kind]
        params = {
            "objective": objective,
            "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9,
            "bagging_fraction": 1.0, "lambda_l2": 1.0, "seed": SEED, "deterministic": True,
            "force_col_wise": True, "num_threads": 1, "verbosity": -1,
        }
        if kind == "lightgbm-lambdarank":
            params["lambdarank_truncation_level"] = 10
        data = lightgbm.Dataset(x, y, group=groups if objective != "binary" else None,
                                feature_name=list(FEATURE_NAMES), free_raw_data=False)
        return lightgbm.train(params, data, num_boost_round=300)
    if kind == "logistic":
        return _fit_linear(x, y, c=1.0, balanced=True)
    raise ValueError(f"unknown ranker {kind!r}: use {', '.join(RANKERS)}")


def _fit_linear(x: np.ndarray, y: np.ndarray, c: float, balanced: bool = False) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    scale = x.std(axis=0) if len(x) else np.ones(x.shape[1])
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced" if balanced else None)
    clf.fit((x - mean) / scale, y)
    return LinearModel(clf.coef_[0].tolist(), float(clf.intercept_[0]), mean.tolist(), scale.tolist())


def _scores(ranker, cands: Candidates) -> np.ndarray:
    if not cands.indices:
        return np.zeros(0)
    if isinstance(ranker, LinearModel):
        return ranker.decision(cands.matrix)
    return np.asarray(ranker.predict(cands.matrix, num_threads=1), dtype=np.float64)


def ranking_metrics(ranker, examples: Sequence[Example]) -> dict[str, float]:
    """recall@1/@5 and MRR@10 of the ranker over the answerable examples (gold anywhere counts;
    a gold clause the candidates missed is a miss)."""
    ranks = []
    for e in examples:
        if e.item.type != "answerable" or not e.gold:
            continue
        s = _scores(ranker, e.cands)
        order = [e.cands.indices[k] for k in np.argsort(-s, kind="stable")]
        rank = next((r for r, i in enumerate(order, start=1) if i in e.gold), None)
        ranks.append(rank)
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "recall@1": sum(r == 1 for r in ranks) / n,
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "mrr@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "candidate_recall": sum(r is not None for r in ranks) / n,
    }


def learnable(examples: Sequence[Example]) -> list[Example]:
    """The examples the fuzzy answer models learn from: not those the exact scope rules already
    refuse (a place or year the library does not hold). Those rules decide them; learning from
    them would teach that the words around an unheld place (起付线, 多少) mean "no basis"."""
    return [e for e in examples if not e.scoped_out]


def fit_prior(examples: Sequence[Example]) -> QuestionPrior:
    kept = learnable(examples)
    return QuestionPrior.fit([e.item.question for e in kept], [int(e.item.type != "no_basis") for e in kept])


def _answer_rows(ranker, examples: Sequence[Example], prior: QuestionPrior) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows for the two answer models: features of the ranked candidates; labels (the best one is
    right; the library answers the question — answerable or region/scheme-ambiguous, not
    near-domain)."""
    rows, right, related = [], [], []
    for e in examples:
        s = _scores(ranker, e.cands)
        rows.append(answer_features(e.cands, s, prior.probability(e.item.question)))
        order = [e.cands.indices[k] for k in np.argsort(-s, kind="stable")]
        right.append(1.0 if order and order[0] in e.gold else 0.0)
        related.append(1.0 if e.item.type != "no_basis" else 0.0)
    return np.vstack(rows), np.asarray(right), np.asarray(related)


FOLDS = 5


def _fold_of(example: Example) -> int:
    """Answerable items fold by their gold document, the others by their text (stable hash)."""
    from knowledge_base.learned.annotations import doc_of

    key = (doc_of(example.item) if example.item.type == "answerable" else None) or example.item.question
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % FOLDS


def fit_rankers(ranker_kind: str, examples: Sequence[Example]):
    """The ranker on every example, and rows for the answer models from rankings of questions
    their ranker was not fitted on (folds by gold document, `_fold_of`): six independent fits,
    run side by side on the cores available (`parallel`)."""
    folds = [_fold_of(e) for e in examples]
    done = map_in_order(_fit_fold, (ranker_kind, examples, folds), [-1, *range(FOLDS)], min_per_worker=1)
    parts = [p for p in done[1:] if p is not None]
    rows = tuple(np.concatenate([p[j] for p in parts]) for j in range(3))
    return done[0], rows


def _fit_fold(state, folds_wanted: Sequence[int]) -> list:
    """For fold -1 the ranker on every example; for fold k the answer rows of fold k's learnable
    examples scored by a ranker (and question prior) fitted without them, or None when the fold
    or the rest is empty."""
    ranker_kind, examples, folds = state
    out: list = []
    for k in folds_wanted:
        if k < 0:
            out.append(fit_ranker(ranker_kind, examples))
            continue
        held = [e for e, f in zip(examples, folds, strict=True) if f == k]
        rest = [e for e, f in zip(examples, folds, strict=True) if f != k]
        out.append(_answer_rows(fit_ranker(ranker_kind, rest), learnable(held), fit_prior(rest)) if held and rest else None)
    return out


RELEVANCE_PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 7, "min_data_in_leaf": 40,
    "feature_fraction": 0.9, "lambda_l2": 1.0, "seed": SEED, "deterministic": True, "force_col_wise": True,
    "num_threads": 1, "verbosity": -1,
}
RELEVANCE_ROUNDS = 200


def fit_relevance(x: np.ndarray, answered: np.ndarray):
    """P(the library answers the question) — the refusal decision — as a small LightGBM model over
    the answer features. Measured on dev (out-of-fold train rows, threshold refusing 90 % of dev's
    near-domain questions): answerable questions refused 0.208 with the former logistic model of
    "an answer among the first three", 0.181 logistic on this label, 0.134 boosted on this label
    (docs/BENCHMARKS.md). The label is what the decision is about: whether to refuse; whether the
    answer is among the first shown is the ranker's business."""
    import lightgbm

    data = lightgbm.Dataset(x, answered, feature_name=list(ANSWER_FEATURE_NAMES), free_raw_data=False)
    return lightgbm.train(RELEVANCE_PARAMS, data, num_boost_round=RELEVANCE_ROUNDS)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


# The precision of the strictest thresholds is measured on a handful of answers: over three, one
# wrong answer reads 0.67 and stopped the search there (measured: dev's third most confident answer
# was wrong, the threshold became 0.995 and direct answers fell from 13 % to 0.3 % of the
# answerable questions). Below this many direct answers a threshold's precision is not read.
MIN_DIRECT_MEASURED = 20


def choose_thresholds(p_answer: np.ndarray, right: np.ndarray, p_related: np.ndarray, near: np.ndarray,
                      target_precision: float, target_refusal: float, already_refused: int = 0) -> dict[str, float]:
    """`answer`: the lowest threshold on P(best is right) whose direct answers on dev are right ≥
    target_precision (and every stricter one too, once it answers `MIN_DIRECT_MEASURED` or more); `related`: the lowest threshold on P(the library
    answers the question) that still refuses ≥ target_refusal of dev's near-domain questions, counting
    the `already_refused` ones the exact scope rules refuse (`near` marks the others)."""
    t_answer = 1.0
    for t in sorted(set(np.round(p_answer, 4).tolist()), reverse=True):  # strict → lenient
        chosen = p_answer >= t
        if chosen.sum() >= MIN_DIRECT_MEASURED and right[chosen].mean() < target_precision:
            break
        t_answer = t
    near_p = np.sort(p_related[near])
    needed = int(np.ceil(target_refusal * (len(near_p) + already_refused))) - already_refused
    if len(near_p) and needed > 0:
        t_related = float(near_p[min(needed, len(near_p)) - 1]) + 1e-4
    else:
        t_related = 0.0
    return {"answer": float(t_answer), "related": float(t_related)}


def default_train_items() -> list[AnnotatedQuestion]:
    return [*load_split("train"), *legacy_items()]


def fit_sentences(searcher, items: Sequence[AnnotatedQuestion]) -> tuple[LinearModel, dict]:
    """The sentence chooser's model from the annotators' quotes; its held-out accuracy (best
    sentence inside the quote) on one item in five."""
    from knowledge_base.learned.sentences import clause_sentences, quote_labels, sentence_matrix

    clauses = searcher.clauses
    resolver = GoldResolver(clauses)
    rows: list[tuple[np.ndarray, list[int], bool]] = []
    for item in items:
        if item.type != "answerable":
            continue
        for i in sorted(resolver.resolve(item.gold))[:1]:
            sents = clause_sentences(clauses[i].text)
            labels = quote_labels(sents, item.gold[0].quote)
            if len(sents) > 1 and any(labels):
                rows.append((sentence_matrix(item.question, sents, searcher.query_concepts(item.question)), labels,
                             _fold_key(item.question) == 0))
    fit_rows = [r for r in rows if not r[2]]
    model = _fit_linear(np.vstack([r[0] for r in fit_rows]), np.concatenate([r[1] for r in fit_rows]), c=1.0)
    held = [r for r in rows if r[2]]
    hits = sum(r[1][int(np.argmax(model.decision(r[0])))] for r in held)
    full = _fit_linear(np.vstack([r[0] for r in rows]), np.concatenate([r[1] for r in rows]), c=1.0)
    return full, {"n_clauses_with_several_sentences": len(rows), "heldout_best_in_quote": hits / max(len(held), 1),
                  "heldout_n": len(held), "first_sentence_baseline": sum(r[1][0] for r in held) / max(len(held), 1)}


def _fold_key(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % FOLDS


def data_fingerprint(items: Sequence[AnnotatedQuestion]) -> str:
    h = hashlib.sha1()
    for i in items:
        h.update(i.model_dump_json().encode("utf-8"))
    return h.hexdigest()[:16]


@dataclass
class TrainReport:
    ranker: str
    n_train: int
    n_dev: int
    dev_ranking: dict
    thresholds: dict
    dev_direct_precision: float
    dev_near_refused: float
    seconds: float
    comparison: dict | None = None
    sentences: dict | None = None


# The refusal target is set at search level; the assistant's own paths before the judge (a region,
# tier or wage asked for a figure, estimate or contribution; canned replies) move some near-domain
# questions either way. Measured end to end on dev: 0.90 here refused 0.891 of near-domain questions
# (answerable wrongly refused 0.127), 0.91 refused 0.895 (0.141) — the former model's 0.895 at
# 0.195. Neither reaches the 0.90: 18 near-domain questions get a clarifying question
# before any judge decides (docs/BENCHMARKS.md).
# Release 22: 0.91 → 0.92. With release 22's data the related threshold chosen at 0.91 (0.779) let "养老金每个月发多少"
# through as related and left dev's end-to-end near-domain refusal at 0.896; at 0.92 (related 0.821), on a dev
# subset (1,695 near-domain, 573 ambiguous, 4,000 answerable): near-domain refused 0.896 → 0.904, wrongly refused
# 0.0073 → 0.0083, cited-gold 0.7208 → 0.7203.
TARGET_REFUSAL = 0.92

# Direct answers are chosen on dev to be right this often. Dev overstates what new annotators'
# questions get: first blind runs read 0.965, 0.966, 0.958, 0.957 and 0.943 (releases 14-18) where
# dev read 0.98-0.968 with a 0.95 target, the gap widening as dev filled with the same authors'
# phrasings. 0.97 keeps the 0.95 on questions nobody tuned against, at the cost of fewer
# direct answers (the rest are offered as related rules, not refused).
TARGET_PRECISION = 0.97


def train(searcher, data_dir: Path, ranker_kind: str = DEFAULT_RANKER, train_items=None, dev_items=None,
          target_precision: float = TARGET_PRECISION, target_refusal: float = TARGET_REFUSAL, compare: bool = False,
          write: bool = True, dense_folds: int | None = None) -> tuple[AnswerJudge, TrainReport]:
    """Train on `train_items` (default: the train split + the legacy set), choose thresholds on
    `dev_items` (default: the dev split), write the artefacts to `<data_dir>/models/answer/`.
    The training questions' features come from `dense_folds` (default `DENSE_FOLDS`) out-of-fold
    dense models (`learned.dense_folds`); dev's from `searcher`, as served."""
    start = time.perf_counter()
    if train_items is None:
        train_items = default_train_items()
    if dev_items is None:
        dev_items = load_split("dev")
    resolver = GoldResolver(searcher.clauses)
    usable = sum(1 for i in train_items if i.type == "answerable" and resolver.resolve(i.gold))
    if usable < MIN_TRAIN_ANSWERABLE:
        raise NotEnoughData(f"only {usable} annotated questions have their clause in this library")
    keep = judge_sample(train_items, resolver)
    tr = build_training_examples(searcher, train_items, DENSE_FOLDS if dense_folds is None else dense_folds, keep=keep)
    translation = fit_translation(searcher.clauses, train_items)  # what is served: every train pair
    searcher.translation = translation
    dev_keep = judge_sample(dev_items, resolver)
    dv = build_examples(searcher, [item for item, k in zip(dev_items, dev_keep, strict=True) if k])
    comparison = None
    if compare:
        comparison = {k: ranking_metrics(fit_ranker(k, tr), dv) for k in RANKERS}
    # The answerability model learns from out-of-fold rankings of the train split: a ranker
    # scoring its own training questions is right far more often than on new ones, and a model
    # trained on that would trust the top hit too much. Folds group by gold document, so the
    # held-out fold also stands for documents the ranker has not seen. Operating points: dev.
    ranker, (xa, ya_right, ya_related) = fit_rankers(ranker_kind, tr)
    answerability = _fit_linear(xa, ya_right, c=0.3)
    relevance = fit_relevance(xa, ya_related)
    prior = fit_prior(tr)
    sentence_model, sentence_report = fit_sentences(searcher, [i for i, k in zip(train_items, keep, strict=True) if k])
    if dv:
        xd, yd, _ = _answer_rows(ranker, dv, prior)
        pa, pr = _sigmoid(answerability.decision(xd)), np.asarray(relevance.predict(xd, num_threads=1))
        near = np.array([e.item.type == "no_basis" for e in dv])
        scoped = np.array([e.scoped_out for e in dv])
        thresholds = choose_thresholds(pa, yd, pr, near & ~scoped, target_precision, target_refusal,
                                       already_refused=int((near & scoped).sum()))
        direct = (pa >= thresholds["answer"]) & (pr >= thresholds["related"]) & ~scoped
        refused = scoped | (pr < thresholds["related"])  # `AnswerJudge.decide`
        precision = float(yd[direct].mean()) if direct.any() else float("nan")
        near_refused = float(refused[near].mean()) if near.any() else float("nan")
    else:
        thresholds, precision, near_refused = {"answer": 0.9, "related": 0.5}, float("nan"), float("nan")
    report = TrainReport(
        ranker=ranker_kind, n_train=len(tr), n_dev=len(dv), dev_ranking=ranking_metrics(ranker, dv),
        thresholds=thresholds, dev_direct_precision=precision, dev_near_refused=near_refused,
        seconds=time.perf_counter() - start, comparison=comparison, sentences=sentence_report,
    )
    manifest = {
        "version": MODEL_VERSION, "features": list(FEATURE_NAMES), "answer_features": list(ANSWER_FEATURE_NAMES),
        "ranker": "lightgbm" if ranker_kind.startswith("lightgbm") else "linear", "ranker_kind": ranker_kind,
        "relevance": "lightgbm",
        "thresholds": thresholds, "train_fingerprint": data_fingerprint(train_items),
        "n_train": len(tr), "n_dev": len(dv), "n_clauses": len(searcher.clauses),
        "report": {k: v for k, v in report.__dict__.items() if k != "comparison"},
    }
    manifest["translation_words"] = len(translation)
    judge = AnswerJudge(ranker, answerability, relevance, prior, thresholds, manifest, sentence_model, translation)
    attach_region_dependence(judge, searcher.clauses, tr, dv)
    if write:
        save(judge, ranker_kind, data_dir)
    return judge, report


def _region_rows(judge: AnswerJudge, clauses, examples: Sequence[Example]) -> tuple[np.ndarray, list[Example], np.ndarray]:
    """`region_features` rows of the examples that name no region and that the scope rules do not
    refuse (the model is served only there), with whether the judge alone refuses each."""
    rows, kept, refused = [], [], []
    for e in examples:
        filters = question_filters(e.item.question)
        if e.scoped_out or (filters is not None and filters.region) or not e.cands.indices:
            continue
        s = judge.scores(e.cands)
        order = np.argsort(-s, kind="stable")
        pa, pr = judge.probabilities(e.cands, s)
        rows.append(region_features(clauses, [e.cands.indices[k] for k in order], s[order].tolist(), pa, pr))
        kept.append(e)
        refused.append(judge.decide(pa, pr) == "none")
    width = len(rows[0]) if rows else 0
    return (np.vstack(rows) if rows else np.zeros((0, width))), kept, np.asarray(refused, dtype=bool)


def attach_region_dependence(judge: AnswerJudge, clauses, tr: Sequence[Example], dv: Sequence[Example]) -> dict:
    """Fit the region-dependence model (`learned.region_dependence`) on the train examples that name
    no region — region/scheme-ambiguous (1) against answerable and near-domain (0) — choose its
    threshold on dev's (spending at most the judge's dev near-domain refusals above
    `NEAR_REFUSED_FLOOR`), and attach both to `judge` (manifest included). Returns the dev figures."""
    x, kept, _ = _region_rows(judge, clauses, tr)
    y = np.array([1.0 if e.item.type == "ambiguous" else 0.0 for e in kept])
    report: dict = {"n_train": len(kept), "n_train_ambiguous": int(y.sum())}
    if len(kept) < MIN_TRAIN_ANSWERABLE or y.sum() < 20:
        judge.attach_regions(None, None)
        return report
    model = _fit_linear(x, y, c=1.0, balanced=True)
    xd, dkept, refused = _region_rows(judge, clauses, dv)
    threshold = None
    if len(dkept):
        p = _sigmoid(model.decision(xd))
        types = np.array([e.item.type for e in dkept])
        lifted = refused & np.array([two_regions(r) for r in xd], dtype=bool)
        near_refused = judge.manifest.get("report", {}).get("dev_near_refused")
        unknown = near_refused is None or np.isnan(near_refused)
        max_near = float("inf") if unknown else max(float(near_refused) - NEAR_REFUSED_FLOOR, 0.0)
        threshold = choose_threshold(p, types, lifted, dict(Counter(e.item.type for e in dv)), max_near)
        report["max_near_lifted"] = max_near
        if threshold is not None:
            chosen = lifted & (p >= threshold)
            report["dev_lifted"] = {t: int(sum(1 for e, c in zip(dkept, chosen, strict=True) if c and e.item.type == t))
                                    for t in ("ambiguous", "answerable", "no_basis")}
    report["threshold"] = threshold
    judge.attach_regions(model, threshold)
    judge.manifest["region_dependence"] = report
    return report


def add_region_dependence(searcher, data_dir: Path) -> dict:
    """Fit the region-dependence model onto the judge on disk (its ranker and answer models as
    they are), with the served searcher's features for train and dev, and save it: what
    `medpolicy train --regions-only` runs. A full `train` fits it on the out-of-fold train rows."""
    judge = AnswerJudge.load(data_dir)
    if judge is None:
        raise NotEnoughData("no trained answer judge to add the region-dependence model to")
    report = attach_region_dependence(judge, searcher.clauses, build_examples(searcher, default_train_items()),
                                      build_examples(searcher, load_split("dev")))
    save(judge, judge.manifest.get("ranker_kind", DEFAULT_RANKER), data_dir)
    return report


def save(judge: AnswerJudge, ranker_kind: str, data_dir: Path) -> None:
    """Write the artefacts to a temp folder and swap it in, so a failed write leaves the old ones."""
    import shutil

    final = model_dir(data_dir)
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if ranker_kind.startswith("lightgbm"):
        judge.ranker.save_model(str(tmp / "ranker.txt"))
    else:
        (tmp / "ranker.json").write_text(json.dumps(judge.ranker.to_json()), "utf-8")
    (tmp / "answerability.json").write_text(json.dumps(judge.answerability.to_json()), "utf-8")
    if isinstance(judge.relevance, LinearModel):
        (tmp / "relevance.json").write_text(json.dumps(judge.relevance.to_json()), "utf-8")
    else:
        judge.relevance.save_model(str(tmp / "relevance.txt"))
    (tmp / "sentences.json").write_text(json.dumps(judge.sentence_model.to_json()), "utf-8")
    if judge.regions is not None:
        (tmp / "region_dependence.json").write_text(json.dumps(judge.regions.to_json()), "utf-8")
    judge.prior.save(tmp / "question_prior.json")
    if judge.translation is not None:
        judge.translation.save(tmp / TRANSLATION_FILE)
    (tmp / "manifest.json").write_text(json.dumps(judge.manifest, ensure_ascii=False, indent=1, default=str), "utf-8")
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
