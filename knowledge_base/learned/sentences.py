"""Which sentences of a clause answer the question: a small learned model over explainable
sentence features, trained on the annotators' quotes (the words of the clause that answer each
annotated question).

A clause often holds several rules; a citizen needs the one that answers, and a rule spanning two
sentences ("…未经同意转外就医的。起付线提高5%，同时报销比例下降5个百分点") must be quoted whole — so
neighbours that the model also rates as part of the answer join the quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.learned.features import char_bigrams, query_bigrams
from knowledge_base.normalize import normalize_text
from knowledge_base.search.rerank import _AMOUNT, asks_amount, sentences

SENTENCE_FEATURES: tuple[str, ...] = (
    "bigram_share", "bigram_share_rank", "bigram_share_gap", "quantity_x_amount", "has_amount",
    "position_first", "position_last", "position_rel", "length_log", "continues_previous",
    "previous_ends_open", "is_question", "placeholder", "neighbour_share_max",
    "concept_share", "concept_share_gap",
)
# A sentence that leans on the one before it (同时/并/但/其中…) or follows one ending with a colon.
_CONTINUES = re.compile(r"^(同时|并且|并|且|但|但是|其中|其余|另外|此外|超过|超出|对|以上|所需|凡)")
_PLACEHOLDER = re.compile(r"[XＸ×]{1,3}%|XX|ＸＸ|\*\*")
MAX_SENTENCES = 3
JOIN_RATIO = 0.6  # a neighbour joins the quote when its probability is at least this share of the best
JOIN_FLOOR = 0.3


def clause_sentences(text: str) -> list[str]:
    return list(sentences(normalize_text(text))) or [normalize_text(text)]


# Columns of SENTENCE_FEATURES that depend only on the clause (filled once per clause).
_FIXED = ("has_amount", "position_first", "position_last", "position_rel", "length_log", "continues_previous",
          "previous_ends_open", "is_question", "placeholder")
_COL = {name: k for k, name in enumerate(SENTENCE_FEATURES)}


@dataclass(frozen=True)
class PreparedSentences:
    """One clause's sentences with everything the sentence features read that does not depend on
    the question: the bigram set of each sentence and the clause-only columns. Built once per
    clause and kept by the searcher's `ClauseTable`, because splitting, normalising and bigram
    sets cost far more than scoring a question against them."""

    sents: tuple[str, ...]
    bigrams: tuple[frozenset[str], ...]
    fixed: np.ndarray  # len(sents) × len(SENTENCE_FEATURES), float64; question columns are 0
    continues: tuple[bool, ...]  # the sentence leans on the one before it (_CONTINUES)

    @classmethod
    def of(cls, sents: Sequence[str]) -> PreparedSentences:
        n = len(sents)
        fixed = np.zeros((n, len(SENTENCE_FEATURES)), dtype=np.float64)
        continues = []
        for i, s in enumerate(sents):
            leans = bool(_CONTINUES.match(s))
            continues.append(leans)
            values = (float(bool(_AMOUNT.search(s))), float(i == 0), float(i == n - 1), i / max(n - 1, 1),
                      math.log1p(len(s)), float(leans),
                      float(i > 0 and sents[i - 1].rstrip().endswith((":", "："))),
                      float(s.rstrip().endswith(("?", "？"))), float(bool(_PLACEHOLDER.search(s))))
            for name, value in zip(_FIXED, values, strict=True):
                fixed[i, _COL[name]] = value
        return cls(tuple(sents), tuple(frozenset(char_bigrams(s)) for s in sents), fixed, tuple(continues))

    @classmethod
    def of_text(cls, text: str) -> PreparedSentences:
        return cls.of(clause_sentences(text))


@dataclass(frozen=True)
class SentenceQuestion:
    """The question as the sentence features read it, computed once per question (not per clause)."""

    bigrams: frozenset[str]
    n_bigrams: int
    quantity: bool
    concepts: tuple = ()  # rerank.Concept: content words with their synonyms, weighed by idf

    @classmethod
    def of(cls, query: str, concepts: Sequence = ()) -> SentenceQuestion:
        qbg = query_bigrams(normalize_text(query))  # distinct bigrams: a set counts them alike
        return cls(frozenset(qbg), max(len(qbg), 1), asks_amount(query), tuple(concepts))


def sentence_matrix(query: str, sents: Sequence[str], concepts: Sequence = ()) -> np.ndarray:
    """One row per sentence. `concepts` (rerank.Concept: the question's content words with their
    synonyms, weighed by idf) let a sentence saying 起付线 match a question saying 门槛费."""
    return sentence_rows(SentenceQuestion.of(query, concepts), PreparedSentences.of(sents))


def sentence_rows(question: SentenceQuestion, prepared: PreparedSentences) -> np.ndarray:
    """`sentence_matrix` from a prepared question and clause: only the question's columns are
    computed here."""
    nq = question.n_bigrams
    shares = [len(question.bigrams & b) / nq for b in prepared.bigrams]
    best = max(shares, default=0.0)
    order = sorted(range(len(shares)), key=lambda i: -shares[i])
    n = len(shares)
    concepts = question.concepts
    total = sum(c.weight for c in concepts) or 1.0
    cshare = [sum(c.weight for c in concepts if any(m in s for m in c.members)) / total for s in prepared.sents]
    cbest = max(cshare, default=0.0)
    rows = prepared.fixed.copy()
    for r, i in enumerate(order):
        rows[i, _COL["bigram_share_rank"]] = math.log1p(r)
    for i in range(n):
        neighbours = [shares[j] for j in (i - 1, i + 1) if 0 <= j < n]
        rows[i, _COL["bigram_share"]] = shares[i]
        rows[i, _COL["bigram_share_gap"]] = best - shares[i]
        rows[i, _COL["quantity_x_amount"]] = float(question.quantity and bool(rows[i, _COL["has_amount"]]))
        rows[i, _COL["neighbour_share_max"]] = max(neighbours, default=0.0)
        rows[i, _COL["concept_share"]] = cshare[i]
        rows[i, _COL["concept_share_gap"]] = cbest - cshare[i]
    return rows.astype(np.float32).reshape(-1, len(SENTENCE_FEATURES))


def quote_labels(sents: Sequence[str], quote: str) -> list[int]:
    """1 for every sentence the quote overlaps (texts compared without spaces)."""
    joined = ""
    spans = []
    for s in sents:
        t = s.replace(" ", "")
        spans.append((len(joined), len(joined) + len(t)))
        joined += t
    q = normalize_text(quote).replace(" ", "")
    start = joined.find(q)
    if start < 0 or not q:
        return [0] * len(sents)
    end = start + len(q)
    return [int(a < end and start < b) for a, b in spans]


@dataclass
class SentenceChooser:
    model: object  # LinearModel (learned.model), scores one sentence row

    def choose(self, query: str, text: str, concepts: Sequence = ()) -> list[str]:
        """The answering sentences in text order: the best one plus neighbours the model rates
        as part of the same answer."""
        return self.choose_prepared(SentenceQuestion.of(query, concepts), PreparedSentences.of_text(text))

    def choose_prepared(self, question: SentenceQuestion, prepared: PreparedSentences) -> list[str]:
        """`choose` from a question and a clause prepared once (the search's hits reuse both)."""
        sents = prepared.sents
        if len(sents) == 1:
            return list(sents)
        z = self.model.decision(sentence_rows(question, prepared))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        best = int(np.argmax(p))
        chosen = {best}
        for step in (-1, 1):  # grow outwards while neighbours belong to the answer
            j = best + step
            while 0 <= j < len(sents) and len(chosen) < MAX_SENTENCES and p[j] >= max(JOIN_FLOOR, JOIN_RATIO * p[best]):
                chosen.add(j)
                j += step
        # a sentence that leans on the previous one brings it along ("同时…" needs its subject)
        if best > 0 and prepared.continues[best] and len(chosen) < MAX_SENTENCES:
            chosen.add(best - 1)
        return [sents[i] for i in sorted(chosen)]
