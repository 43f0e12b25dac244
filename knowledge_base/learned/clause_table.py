"""What the learned features read of each clause that does not depend on the question, computed
once per clause instead of once per (question, clause).

Why: a lookup turn scores ~40 candidate clauses and ~6 hits' sentences; normalising their text,
splitting sentences and building bigram sets cost more than every feature together (profiled:
two thirds of a turn). The table belongs to one searcher (`HybridSearcher.learned_table`), so it
is built and replaced together with the index generation, never shared across generations.

Metadata columns (kind, year, scheme) are arrays built with the table; what needs the clause's
normalised text (`ClauseFacts`, `PreparedSentences`) is filled per clause on first use and kept:
a library of tens of thousands of clauses opens without normalising them all, and a clause is
prepared at most once per generation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.search.conditions import framed
from knowledge_base.learned.features import CJK_OR_ALNUM, ClauseBigrams, char_bigrams, institutions
from knowledge_base.learned.sentences import PreparedSentences
from knowledge_base.models import Clause
from knowledge_base.search.rerank import ClauseView, sentences

_NUMBER = re.compile(r"\d")
_PAIRABLE = re.compile(CJK_OR_ALNUM + "{2,}")  # words made only of what `char_bigrams` pairs
RANK_ABSENT = 200  # a retriever that did not rank a clause counts it at this rank (`log_rank`)


@dataclass(frozen=True)
class ClauseFacts:
    """One clause as the candidate features read it, apart from the question."""

    view: ClauseView  # normalised heading, body and sentences (shared with the hand-set reranker)
    bigrams: ClauseBigrams
    framed: frozenset[str]  # special cases its first three sentences state figures under
    institutions: frozenset[str]  # specific institutions its opening (200 characters) names
    has_number: bool
    length_log: float  # log1p of the normalised body's length
    sentences_log: float  # log1p of its number of sentences


class ClauseTable:
    """Per-clause, question-independent inputs of `features.candidate_features` and the sentence
    chooser, for one fixed list of clauses."""

    def __init__(self, clauses: Sequence[Clause], view: Callable[[int], ClauseView]) -> None:
        self.clauses = clauses
        self._view = view
        n = len(clauses)
        self.kind_rule = np.array([c.kind == "rule" for c in clauses], dtype=np.float64)
        self.kind_report = np.array([c.kind == "report" for c in clauses], dtype=np.float64)
        self.kind_publicity = np.array([c.kind == "publicity" for c in clauses], dtype=np.float64)
        self.untagged = np.array([c.region is None and c.year is None for c in clauses], dtype=np.float64)
        self.regional = np.array([c.region is not None for c in clauses], dtype=bool)
        self.years = np.array([c.year or 0 for c in clauses], dtype=np.int64)  # 0 = no year
        self.schemes = [frozenset(c.schemes or ([c.scheme] if c.scheme else [])) for c in clauses]
        # log1p of every rank a retriever can give (1…n), and of RANK_ABSENT for rank 0, with
        # math.log1p so a looked-up value is the very float the per-clause formula gave.
        self.log_rank = np.array([math.log1p(r if r > 0 else RANK_ABSENT) for r in range(n + 1)], dtype=np.float64)
        self._facts: list[ClauseFacts | None] = [None] * n
        # every character bigram of the bodies prepared so far (see `may_be_in_a_body`)
        self._body_bigrams: set[str] = set()
        # filled on first use; two threads preparing one clause store equal values (list item
        # assignment is atomic), so no lock
        self._sentences: list[PreparedSentences | None] = [None] * n

    def facts(self, i: int) -> ClauseFacts:
        got = self._facts[i]
        if got is None:
            view = self._view(i)
            body_sentences = view.sentences
            cases = frozenset().union(*(framed(s) for s in body_sentences[:3])) if body_sentences else frozenset()
            bigrams = ClauseBigrams.of_view(view)
            self._body_bigrams.update(bigrams.body)  # before the facts are stored: see may_be_in_a_body
            got = ClauseFacts(
                view=view,
                bigrams=bigrams,
                framed=frozenset(cases),
                institutions=frozenset(institutions(view.body[:200])),
                has_number=bool(_NUMBER.search(view.body)),
                length_log=math.log1p(len(view.body)),
                sentences_log=math.log1p(len(body_sentences)),
            )
            self._facts[i] = got
        return got

    def may_be_in_a_body(self, word: str) -> bool:
        """False when no clause body prepared so far (so no candidate's: its facts are prepared
        first) can contain `word`: a word of Chinese characters, digits and letters occurs only
        where every pair of its adjacent characters does. Most general synonyms (词林) never occur
        in a policy text; this spares the scan for them."""
        if not _PAIRABLE.fullmatch(word):
            return True
        seen = self._body_bigrams
        return all(b in seen for b in char_bigrams(word))

    def sentences(self, i: int) -> PreparedSentences:
        """Clause `i`'s sentences prepared for the sentence chooser (`sentences.clause_sentences`
        of its text, from the normalised body the view already holds)."""
        got = self._sentences[i]
        if got is None:
            body = self._view(i).body
            got = PreparedSentences.of(list(sentences(body)) or [body])
            self._sentences[i] = got
        return got

    def warm(self) -> None:
        """Prepare every clause now (the service does at start, so no question pays for it)."""
        for i in range(len(self.clauses)):
            self.facts(i)
            self.sentences(i)

    def prepare(self, indices: Sequence[int]) -> list[ClauseFacts]:
        return [self.facts(int(i)) for i in indices]
