"""The learned answer judge at query time: rank candidates, estimate whether the best one answers,
decide the kind of reply (answer / related / none).

Artefacts (written by `learned.train`, read here) live beside the index in
`<data_dir>/models/answer/`: `ranker.txt` (LightGBM) or `ranker.json` (linear), `answerability.json`
(logistic model: coefficients in plain JSON), `relevance.txt` (LightGBM: P(the library answers the
question), which decides refusal), `sentences.json` (which sentences answer, `learned.sentences`), `question_prior.json` (wording → P(answerable),
`learned.question_prior`), `translation.json` (the word translation table the candidate
features read, `learned.translation`), optionally `region_dependence.json` (logistic: is a question
naming no region answered region by region, `learned.region_dependence`) and `manifest.json`
(feature names, thresholds chosen
on dev, what it was trained on). No artefact → `load` returns None and search falls back to the
hand-set pipeline, so a fresh checkout still answers before `medpolicy train` has run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge_base.learned.features import ANSWER_FEATURE_NAMES, FEATURE_NAMES, Candidates, answer_features
from knowledge_base.learned.question_prior import QuestionPrior
from knowledge_base.learned.translation import FILE_NAME as TRANSLATION_FILE
from knowledge_base.learned.translation import TranslationTable

MODEL_VERSION = "answer-judge-9"
Decision = Literal["answer", "related", "none"]


def model_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models" / "answer"


@dataclass
class Judgement:
    order: list[int]  # clause positions, best first
    scores: list[float]  # ranker scores, same order
    p_answer: float  # probability that the best clause answers the question
    p_related: float  # probability that the library answers the question (below its threshold: refusal)
    decision: Decision


class LinearModel:
    """w·x + b over standardised features: the logistic answerability model, or a linear ranker."""

    def __init__(self, coef: list[float], intercept: float, mean: list[float], scale: list[float]) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)

    def decision(self, x: np.ndarray) -> np.ndarray:
        return ((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef + self.intercept

    def to_json(self) -> dict:
        return {"coef": self.coef.tolist(), "intercept": self.intercept, "mean": self.mean.tolist(),
                "scale": self.scale.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        return cls(data["coef"], data["intercept"], data["mean"], data["scale"])


class AnswerJudge:
    def __init__(self, ranker, answerability: LinearModel, relevance, prior: QuestionPrior,
                 thresholds: dict[str, float], manifest: dict, sentence_model: LinearModel,
                 translation: TranslationTable | None = None) -> None:
        from knowledge_base.learned.sentences import SentenceChooser

        self.translation = translation
        self.sentence_model = sentence_model
        self.sentences = SentenceChooser(sentence_model)
        self.ranker = ranker
        self.answerability = answerability
        self.relevance = relevance
        self.prior = prior
        self.t_answer = float(thresholds["answer"])
        self.t_related = float(thresholds["related"])
        self.manifest = manifest
        self.regions: LinearModel | None = None  # `learned.region_dependence`, when trained
        self.t_regions: float | None = None

    def attach_regions(self, model: LinearModel | None, threshold: float | None) -> None:
        self.regions, self.t_regions = model, threshold
        if threshold is None:
            self.manifest.get("thresholds", {}).pop("regions", None)
        else:
            self.manifest.setdefault("thresholds", {})["regions"] = threshold

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path) -> AnswerJudge | None:
        """The trained judge, or None when there is none (or it was trained on other features)."""
        d = model_dir(data_dir)
        try:
            manifest = json.loads((d / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if manifest.get("version") != MODEL_VERSION or tuple(manifest.get("features", ())) != FEATURE_NAMES \
                or tuple(manifest.get("answer_features", ())) != ANSWER_FEATURE_NAMES:
            return None
        if manifest["ranker"] == "lightgbm":
            import lightgbm

            ranker = lightgbm.Booster(model_file=str(d / "ranker.txt"))
        else:
            ranker = LinearModel.from_json(json.loads((d / "ranker.json").read_text("utf-8")))
        answerability = LinearModel.from_json(json.loads((d / "answerability.json").read_text("utf-8")))
        if manifest.get("relevance") == "lightgbm":
            import lightgbm

            relevance = lightgbm.Booster(model_file=str(d / "relevance.txt"))
        else:
            relevance = LinearModel.from_json(json.loads((d / "relevance.json").read_text("utf-8")))
        sentence_model = LinearModel.from_json(json.loads((d / "sentences.json").read_text("utf-8")))
        judge = cls(ranker, answerability, relevance, QuestionPrior.load(d / "question_prior.json"),
                    manifest["thresholds"], manifest, sentence_model, TranslationTable.load(d / TRANSLATION_FILE))
        regions = d / "region_dependence.json"
        if regions.exists() and manifest["thresholds"].get("regions") is not None:
            judge.regions = LinearModel.from_json(json.loads(regions.read_text("utf-8")))
            judge.t_regions = float(manifest["thresholds"]["regions"])
        return judge

    # -- use ---------------------------------------------------------------------------------

    def scores(self, cands: Candidates) -> np.ndarray:
        if not cands.indices:
            return np.zeros(0)
        if isinstance(self.ranker, LinearModel):
            return self.ranker.decision(cands.matrix)
        return np.asarray(self.ranker.predict(cands.matrix, num_threads=1), dtype=np.float64)

    def probabilities(self, cands: Candidates, scores: np.ndarray) -> tuple[float, float]:
        """(P(the best candidate answers), P(the library answers the question))."""
        row = answer_features(cands, scores, self.prior.probability(cands.query))
        return _sigmoid(float(self.answerability.decision(row)[0])), relevance_probability(self.relevance, row)

    def decide(self, p_answer: float, p_related: float) -> Decision:
        """Refusal is the relevance model's (P(the library answers the question) under its
        threshold), also when the best clause looks like an answer: a question the library only
        mentions in passing ("六类意外伤害是哪六类") has a report sentence that names it. Measured on
        dev (search level, before this change): 5 of 493 near-domain questions answered directly
        with P(library answers) under the threshold, against 2 of 1,553 answerable ones."""
        if p_related < self.t_related:
            return "none"
        return "answer" if p_answer >= self.t_answer else "related"

    def judge(self, cands: Candidates) -> Judgement:
        if not cands.indices:
            return Judgement([], [], 0.0, 0.0, "none")
        scores = self.scores(cands)
        order = np.argsort(-scores, kind="stable")
        pa, pr = self.probabilities(cands, scores)
        return Judgement([cands.indices[k] for k in order], [float(scores[k]) for k in order], pa, pr,
                         self.decide(pa, pr))


    def region_dependent(self, clauses, judgement: Judgement) -> bool:
        """Whether a question naming no region is answered region by region (`learned.region_dependence`):
        its candidates hold two regions' rules and the model's probability reaches its threshold."""
        if self.regions is None or self.t_regions is None or not judgement.order:
            return False
        from knowledge_base.learned.region_dependence import region_features, two_regions

        row = region_features(clauses, judgement.order, judgement.scores, judgement.p_answer, judgement.p_related)
        return two_regions(row) and _sigmoid(float(self.regions.decision(row[None, :])[0])) >= self.t_regions


def relevance_probability(relevance, rows: np.ndarray) -> float:
    """P(the library answers) of one row: a LightGBM booster's probability, or a logistic model's."""
    if isinstance(relevance, LinearModel):
        return _sigmoid(float(relevance.decision(rows)[0]))
    return float(relevance.predict(np.atleast_2d(rows), num_threads=1)[0])


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
