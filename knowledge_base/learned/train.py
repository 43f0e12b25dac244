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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.learned.annotations import AnnotatedQuestion, GoldRef, GoldResolver, load_split
from knowledge_base.learned.features import ANSWER_FEATURE_NAMES, FEATURE_NAMES, Candidates, answer_features, candidate_features
from knowledge_base.learned.model import MODEL_VERSION, AnswerJudge, LinearModel, model_dir
from knowledge_base.learned.question_prior import QuestionPrior

SEED = 13
RANKERS = ("lightgbm-lambdarank", "lightgbm-binary", "logistic")
DEFAULT_RANKER = "lightgbm-lambdarank"


@dataclass
class Example:
    item: AnnotatedQuestion
    cands: Candidates
    labels: np.ndarray  # 1 where the candidate is a gold clause
    gold: set[int]  # every gold clause position (also those the candidates missed)


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
    from knowledge_base.evaluate import BLOCKS, load_eval_set

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


def build_examples(searcher, items: Sequence[AnnotatedQuestion]) -> list[Example]:
    resolver = GoldResolver(searcher.clauses)
    out = []
    for item in items:
        cands = candidate_features(searcher, item.question)
        gold = resolver.resolve(gold_refs(item))
        labels = np.array([1.0 if i in gold else 0.0 for i in cands.indices], dtype=np.float32)
        out.append(Example(item, cands, labels, gold))
    return out


def _stack(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    usable = [e for e in examples if len(e.cands.indices) and e.labels.any()]
    x = np.vstack([e.cands.matrix for e in usable]) if usable else np.zeros((0, len(FEATURE_NAMES)))
    y = np.concatenate([e.labels for e in usable]) if usable else np.zeros(0)
    return x, y, [len(e.cands.indices) for e in usable]


def fit_ranker(kind: str, examples: Sequence[Example]):
    x, y, groups = _stack(examples)
    if kind.startswith("lightgbm"):
        import lightgbm

        params = {
            "objective": "lambdarank" if kind == "lightgbm-lambdarank" else "binary",
            "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9,
            "bagging_fraction": 1.0, "lambda_l2": 1.0, "seed": SEED, "deterministic": True,
            "force_col_wise": True, "num_threads": 1, "verbosity": -1,
        }
        if kind == "lightgbm-lambdarank":
            params["lambdarank_truncation_level"] = 10
        data = lightgbm.Dataset(x, y, group=groups if kind == "lightgbm-lambdarank" else None,
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


def fit_prior(examples: Sequence[Example]) -> QuestionPrior:
    return QuestionPrior.fit([e.item.question for e in examples], [int(e.item.type != "no_basis") for e in examples])


def _answer_rows(ranker, examples: Sequence[Example], prior: QuestionPrior) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """Answerability rows: features of the ranked candidates; label = the best one is right."""
    rows, labels, near = [], [], []
    for e in examples:
        s = _scores(ranker, e.cands)
        rows.append(answer_features(e.cands, s, prior.probability(e.item.question)))
        top = e.cands.indices[int(np.argmax(s))] if len(s) else -1
        labels.append(1.0 if top in e.gold else 0.0)
        near.append(e.item.type == "no_basis")
    return np.vstack(rows), np.asarray(labels), near


FOLDS = 5


def _fold_of(example: Example) -> int:
    """Answerable items fold by their gold document, the others by their text (stable hash)."""
    from knowledge_base.learned.annotations import doc_of

    key = (doc_of(example.item) if example.item.type == "answerable" else None) or example.item.question
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % FOLDS


def _out_of_fold_rows(ranker_kind: str, examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
    folds = [_fold_of(e) for e in examples]
    xs, ys = [], []
    for k in range(FOLDS):
        held = [e for e, f in zip(examples, folds, strict=True) if f == k]
        rest = [e for e, f in zip(examples, folds, strict=True) if f != k]
        if not held or not rest:
            continue
        x, y, _ = _answer_rows(fit_ranker(ranker_kind, rest), held, fit_prior(rest))
        xs.append(x)
        ys.append(y)
    return np.vstack(xs), np.concatenate(ys)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def choose_thresholds(p: np.ndarray, right: np.ndarray, near: Sequence[bool], target_precision: float,
                      target_refusal: float) -> dict[str, float]:
    """`answer`: the lowest threshold whose direct answers on dev are right ≥ target_precision
    (every threshold above it too); `related`: the highest threshold that still refuses ≥
    target_refusal of dev's near-domain questions, never above `answer`."""
    candidates = sorted(set(np.round(p, 4).tolist()) | {1.0})
    t_answer = 1.0
    for t in reversed(candidates):  # from strict to lenient; stop at the first that fails
        chosen = p >= t
        if chosen.sum() and right[chosen].mean() < target_precision:
            break
        t_answer = t
    near_p = np.sort(p[np.asarray(near, dtype=bool)])
    if len(near_p):
        k = int(np.ceil(target_refusal * len(near_p))) - 1
        t_related = float(near_p[min(max(k, 0), len(near_p) - 1)]) + 1e-4
    else:
        t_related = t_answer / 2
    return {"answer": float(t_answer), "related": float(min(t_related, t_answer))}


def question_pairs(clauses, items: Sequence[AnnotatedQuestion]) -> list[tuple[str, int]]:
    """(question, clause position) for the answerable items: the dense side's annotated pairs."""
    resolver = GoldResolver(clauses)
    out = []
    for item in items:
        if item.type == "answerable":
            out.extend((item.question, i) for i in sorted(resolver.resolve(item.gold))[:1])
    return out


def default_train_items() -> list[AnnotatedQuestion]:
    return [*load_split("train"), *legacy_items()]


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


def train(searcher, data_dir: Path, ranker_kind: str = DEFAULT_RANKER, train_items=None, dev_items=None,
          target_precision: float = 0.95, target_refusal: float = 0.90, compare: bool = False,
          write: bool = True) -> tuple[AnswerJudge, TrainReport]:
    """Train on `train_items` (default: the train split + the legacy set), choose thresholds on
    `dev_items` (default: the dev split), write the artefacts to `<data_dir>/models/answer/`."""
    start = time.perf_counter()
    if train_items is None:
        train_items = default_train_items()
    if dev_items is None:
        dev_items = load_split("dev")
    tr = build_examples(searcher, train_items)
    dv = build_examples(searcher, dev_items)
    comparison = None
    if compare:
        comparison = {k: ranking_metrics(fit_ranker(k, tr), dv) for k in RANKERS}
    ranker = fit_ranker(ranker_kind, tr)
    # The answerability model learns from out-of-fold rankings of the train split: a ranker
    # scoring its own training questions is right far more often than on new ones, and a model
    # trained on that would trust the top hit too much. Folds group by gold document, so the
    # held-out fold also stands for documents the ranker has not seen. Operating points: dev.
    xa, ya = _out_of_fold_rows(ranker_kind, tr)
    answerability = _fit_linear(xa, ya, c=0.3)
    prior = fit_prior(tr)
    xd, yd, near = _answer_rows(ranker, dv, prior) if dv else (np.zeros((0, len(ANSWER_FEATURE_NAMES))), np.zeros(0), [])
    pd = _sigmoid(answerability.decision(xd)) if len(xd) else np.zeros(0)
    if len(pd):
        thresholds = choose_thresholds(pd, yd, near, target_precision, target_refusal)
    else:
        thresholds = {"answer": 0.8, "related": 0.4}
    direct = pd >= thresholds["answer"]
    near_arr = np.asarray(near, dtype=bool)
    report = TrainReport(
        ranker=ranker_kind, n_train=len(tr), n_dev=len(dv), dev_ranking=ranking_metrics(ranker, dv),
        thresholds=thresholds,
        dev_direct_precision=float(yd[direct].mean()) if direct.any() else float("nan"),
        dev_near_refused=float((pd[near_arr] < thresholds["related"]).mean()) if near_arr.any() else float("nan"),
        seconds=time.perf_counter() - start, comparison=comparison,
    )
    manifest = {
        "version": MODEL_VERSION, "features": list(FEATURE_NAMES), "answer_features": list(ANSWER_FEATURE_NAMES),
        "ranker": "lightgbm" if ranker_kind.startswith("lightgbm") else "linear", "ranker_kind": ranker_kind,
        "thresholds": thresholds, "train_fingerprint": data_fingerprint(train_items),
        "n_train": len(tr), "n_dev": len(dv), "n_clauses": len(searcher.clauses),
        "report": {k: v for k, v in report.__dict__.items() if k != "comparison"},
    }
    judge = AnswerJudge(ranker, answerability, prior, thresholds, manifest)
    if write:
        save(judge, ranker_kind, data_dir)
    return judge, report


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
    judge.prior.save(tmp / "question_prior.json")
    (tmp / "manifest.json").write_text(json.dumps(judge.manifest, ensure_ascii=False, indent=1, default=str), "utf-8")
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
