"""The learned part of understanding: intent and follow-up from the annotated utterances.

Features are explainable and cheap: character 1–3-grams of the prepared text (what the rules also
read, so typos and dialect are already standardised) plus one token per slot the exact extractors
found ("S:amount", "S:topic"), a length bucket, the first and last character, and the
intent and follow-up flag of the cue rules (`intents.classify`, `parse.is_followup`). A logistic regression per output is trained by
`assistant.nlu.train` with scikit-learn on the train split and stored as a small JSON artefact
(`intent_model.json`: vocabulary, idf, weights). Prediction here is plain arithmetic over that JSON
— the same tf-idf and linear scores scikit-learn computes — so no model library is imported at
query time and the result is deterministic.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

ARTEFACT = Path(__file__).resolve().parent / "intent_model.json"
NGRAMS = (1, 2, 3)
_LENGTH_BUCKETS = (4, 8, 14, 24, 40)


_COVERAGE_BUCKETS = (0.0, 0.4, 0.7)


def features(prepared: str, slot_names: Iterable[str], rule_intent: str, rule_followup: bool,
             asks: bool | None = None, coverage: float | None = None) -> list[str]:
    """The feature tokens of one message: prepared text, the names of the slots found, and what the
    hand-written cue rules say (their intent and follow-up flag are one feature each, weighed by
    the fit like any other). Two facts of form help tell telling from asking across phrasings:
    whether the message has a question form (`asks`: 吗, 多少, 怎么, ？…) and how much of it the
    slots read (`coverage`: "城镇居民医疗保险" is all slot words — context, not a question)."""
    text = prepared.replace(" ", "")
    tokens = [text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1)]
    tokens += [f"S:{name}" for name in sorted(set(slot_names))]
    bucket = next((b for b in _LENGTH_BUCKETS if len(text) <= b), 99)
    tokens.append(f"L:{bucket}")
    tokens.append(f"^{text[:1]}")  # the first character (那…, 不…, 如果…) and the last (…呢, …吗)
    tokens.append(f"{text[-1:]}$")
    tokens += [f"R:{rule_intent}", f"F:{rule_followup}"]
    if asks is not None:
        tokens.append(f"Q:{asks}")
    if coverage is not None:
        tokens.append(f"C:{max(b for b in _COVERAGE_BUCKETS if coverage >= b)}")
        tokens.append(f"QC:{asks}:{coverage >= _COVERAGE_BUCKETS[-1]}")
    return tokens


@dataclass(frozen=True)
class LinearHead:
    """One logistic-regression output over the shared tf-idf features."""

    classes: tuple[str, ...]
    coef: tuple[tuple[float, ...], ...]  # per class (binary: one row), over the vocabulary
    intercept: tuple[float, ...]

    def scores(self, vector: dict[int, float]) -> list[float]:
        return [b + sum(row[i] * v for i, v in vector.items()) for row, b in zip(self.coef, self.intercept)]

    def predict(self, vector: dict[int, float]) -> tuple[str, float]:
        """(label, probability) — softmax for several classes, the sigmoid for two."""
        scores = self.scores(vector)
        if len(self.classes) == 2 and len(scores) == 1:
            p = 1.0 / (1.0 + math.exp(-scores[0]))
            return (self.classes[1], p) if p >= 0.5 else (self.classes[0], 1.0 - p)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        best = max(range(len(scores)), key=lambda k: scores[k])
        return self.classes[best], exps[best] / sum(exps)


def tfidf_vector(tokens: list[str], vocabulary: dict[str, int], idf: Sequence[float]) -> dict[int, float]:
    """Sublinear tf × idf, L2-normalised (scikit-learn's TfidfVectorizer with sublinear_tf), so a
    model trained there scores the same here in pure Python."""
    counts = Counter(t for t in tokens if t in vocabulary)
    raw = {vocabulary[t]: (1.0 + math.log(c)) * idf[vocabulary[t]] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
    return {i: v / norm for i, v in raw.items()}


@dataclass(frozen=True)
class LearnedModel:
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    intent: LinearHead
    followup: LinearHead
    meta: dict[str, Any]

    def vector(self, tokens: list[str]) -> dict[int, float]:
        return tfidf_vector(tokens, self.vocabulary, self.idf)

    def predict(self, tokens: list[str]) -> tuple[str, float, bool, float]:
        """(intent, its probability, follow-up?, that probability) for `features(...)`."""
        vec = self.vector(tokens)
        intent, p_intent = self.intent.predict(vec)
        followup, p_follow = self.followup.predict(vec)
        return intent, p_intent, followup == "true", p_follow


def _head(data: dict[str, Any]) -> LinearHead:
    return LinearHead(tuple(data["classes"]), tuple(tuple(r) for r in data["coef"]), tuple(data["intercept"]))


def from_json(data: dict[str, Any]) -> LearnedModel:
    vocabulary = {t: i for i, t in enumerate(data["vocabulary"])}
    return LearnedModel(vocabulary, tuple(data["idf"]), _head(data["intent"]), _head(data["followup"]), data["meta"])


@lru_cache(maxsize=1)
def load(path: Path = ARTEFACT) -> LearnedModel | None:
    """The trained model, or None when it has not been trained (the rules then decide alone)."""
    if not path.exists():
        return None
    return from_json(json.loads(path.read_text("utf-8")))
