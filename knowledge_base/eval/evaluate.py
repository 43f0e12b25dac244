"""Retrieval evaluation: recall@1, recall@5, MRR@10 on `eval/questions.yaml`, the no-basis
rates, and the ablations that justify each part of the pipeline (dense weight, synonyms, heading
boost, fine tokens).

A hit counts as gold when one of its source locations is in the gold file and its normalised text
contains the gold snippet; matching by content rather than chunk id keeps the set valid when the
segmenter changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from knowledge_base.models import Clause
from knowledge_base.normalize import normalize_text
from knowledge_base.search.search import HybridSearcher, RetrievalConfig

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "questions.yaml"
MRR_CUTOFF = 10
# split name → (its answerable block, the no-answer block reported with it)
BLOCKS: dict[str, tuple[str, str]] = {
    "dev": ("questions", "no_answer"),
    "heldout": ("heldout", "no_answer"),
    "heldout_b": ("heldout_b", "no_answer_heldout"),
    "heldout_c": ("heldout_c", "no_answer_heldout_c"),
    "heldout_d": ("heldout_d", "no_answer_heldout_d"),
}
SPLITS = (*BLOCKS, "all")


class EvalQuestion(BaseModel):
    id: str
    q: str
    who: str = "c"
    gold: list[tuple[str, str]]  # (file name, verbatim snippet)


class EvalSet(BaseModel):
    questions: list[EvalQuestion]  # development questions (the pipeline was tuned on these)
    heldout: list[EvalQuestion] = Field(default_factory=list)  # never used for tuning
    heldout_b: list[EvalQuestion] = Field(default_factory=list)  # second held-out block, other phrasings
    heldout_c: list[EvalQuestion] = Field(default_factory=list)  # third block, written blind by another author
    heldout_d: list[EvalQuestion] = Field(default_factory=list)  # fourth block, second blind round
    no_answer: list[str] = Field(default_factory=list)  # calibrates the no-basis floor
    no_answer_heldout: list[str] = Field(default_factory=list)  # never used to place the floor
    no_answer_heldout_c: list[str] = Field(default_factory=list)  # reported with held-out C
    no_answer_heldout_d: list[str] = Field(default_factory=list)  # reported with held-out D

    def split(self, which: str) -> list[EvalQuestion]:
        """One block of answerable questions by split name, or "all" of them."""
        if which == "all":
            return [q for field, _ in BLOCKS.values() for q in getattr(self, field)]
        return list(getattr(self, _block(which)[0]))

    def unanswerable(self, which: str) -> list[str]:
        """The no-answer questions reported with a split: the calibration set with dev and
        held-out A, each later held-out block with its own no-answer set, all of them with "all"."""
        if which == "all":
            fields = dict.fromkeys(field for _, field in BLOCKS.values())
            return [q for field in fields for q in getattr(self, field)]
        return list(getattr(self, _block(which)[1]))


def _block(which: str) -> tuple[str, str]:
    try:
        return BLOCKS[which]
    except KeyError:
        raise ValueError(f"unknown split {which!r}: use {', '.join(SPLITS)}") from None


class QuestionResult(BaseModel):
    id: str
    q: str
    rank: int | None  # 1-based rank of the first gold hit within the top 10; None = not found
    no_basis: bool
    coverage: float


class RetrievalMetrics(BaseModel):
    n_questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float  # MRR@10
    false_no_basis: float  # share of answerable questions wrongly flagged "no basis"
    n_no_answer: int
    no_answer_flagged: float  # share of unanswerable questions correctly flagged "no basis"
    misses: list[QuestionResult] = Field(default_factory=list)  # gold not in the top 5


def load_eval_set(path: Path = EVAL_FILE) -> EvalSet:
    return EvalSet.model_validate(yaml.safe_load(Path(path).read_text("utf-8")))


def is_gold(clause: Clause, gold: Sequence[tuple[str, str]]) -> bool:
    text = normalize_text(clause.index_text)
    files = {Path(s.file).name for s in clause.sources}
    return any(f in files and normalize_text(snippet) in text for f, snippet in gold)


def evaluate(searcher: HybridSearcher, eval_set: EvalSet | None = None, split: str = "all") -> RetrievalMetrics:
    """Run every question through the searcher exactly as a user query (floor included: a wrong
    "no basis" on an answerable question is a miss)."""
    eval_set = eval_set or load_eval_set()
    results: list[QuestionResult] = []
    for q in eval_set.split(split):
        ranking = searcher.rank(q.q, MRR_CUTOFF)
        no_basis = searcher.is_no_basis(ranking)
        rank = None
        if not no_basis:
            for pos, idx in enumerate(ranking.indices, start=1):
                if is_gold(searcher.clauses[idx], q.gold):
                    rank = pos
                    break
        results.append(QuestionResult(id=q.id, q=q.q, rank=rank, no_basis=no_basis, coverage=ranking.best_coverage))
    n = max(len(results), 1)
    flagged = 0
    no_answer = eval_set.unanswerable(split)
    for q in no_answer:
        ranking = searcher.rank(q, 5)
        flagged += int(searcher.is_no_basis(ranking))
    return RetrievalMetrics(
        n_questions=len(results),
        recall_at_1=sum(r.rank == 1 for r in results) / n,
        recall_at_5=sum(r.rank is not None and r.rank <= 5 for r in results) / n,
        mrr=sum(1.0 / r.rank for r in results if r.rank) / n,
        false_no_basis=sum(r.no_basis for r in results) / n,
        n_no_answer=len(no_answer),
        no_answer_flagged=flagged / max(len(no_answer), 1),
        misses=[r for r in results if r.rank is None or r.rank > 5],
    )


def coverage_profile(
    searcher: HybridSearcher, eval_set: EvalSet | None = None, signal: str = "best_coverage"
) -> tuple[list[float], list[float]]:
    """A no-basis signal ("best_coverage" or "best_supported") for answerable (dev) and
    unanswerable (calibration) questions, to place its floor; the held-out blocks stay out of it
    so they can judge it."""
    eval_set = eval_set or load_eval_set()
    answerable = [getattr(searcher.rank(q.q, 5), signal) for q in eval_set.split("dev")]
    unanswerable = [getattr(searcher.rank(q, 5), signal) for q in eval_set.no_answer]
    return answerable, unanswerable


# The configurations compared in docs/BENCHMARKS.md: each changes one thing from the default.
ABLATIONS: dict[str, Callable[[RetrievalConfig], RetrievalConfig]] = {
    "hybrid (default)": lambda c: c,
    "BM25 only": lambda c: c.with_(dense_weight=0.0),
    "dense only": lambda c: c.with_(bm25_weight=0.0, dense_weight=1.0, dense_top_n=10_000),
    "hybrid, dense weight 1.0": lambda c: c.with_(dense_weight=1.0),
    "no dense rescue (fixed dense weight)": lambda c: c.with_(rescue_coverage=0.0),
    "RRF k=30": lambda c: c.with_(rrf_k=30),
    "score fusion (max-normalised), no rescue": lambda c: c.with_(fusion="score", rescue_coverage=0.0),
    "no synonyms": lambda c: c.with_(use_synonyms=False),
    "no heading boost": lambda c: c.with_(heading_boost=0.0),
    "no cut_for_search (coarse tokens only)": lambda c: c.with_(fine_tokens=False),
    "no in-context floor (coverage floor only)": lambda c: c.with_(supported_floor=0.0),
    "no must-cover topic check (foreign_topics.yaml)": lambda c: c.with_(foreign_topics=False),
    "no region scope check": lambda c: c.with_(region_scope=False),
    "no year scope check": lambda c: c.with_(year_scope=False),
    "no territory check (round 6: named place answered from its territory, its years)": lambda c: c.with_(territory_scope=False),
    "no one-sentence proximity boost": lambda c: c.with_(proximity_boost=0.0),
    "+ heading-match boost 0.25": lambda c: c.with_(heading_match_boost=0.25),
    "+ amount boost 0.25 (quantity questions)": lambda c: c.with_(amount_boost=0.25),
    "+ rule/publicity prior 0.25 (quantity questions)": lambda c: c.with_(rule_boost=0.25),
    "coverage over concepts, not tokens": lambda c: c.with_(concept_coverage=True),
}


def run_ablations(
    clauses: Sequence[Clause],
    encoder,
    base: RetrievalConfig | None = None,
    eval_set: EvalSet | None = None,
    split: str = "all",
) -> dict[str, RetrievalMetrics]:
    """Build a searcher per configuration (token granularity changes the index itself) and
    evaluate each. The encoder is shared, so dense vectors are computed per build only."""
    base = base or RetrievalConfig()
    eval_set = eval_set or load_eval_set()
    out: dict[str, RetrievalMetrics] = {}
    cache: dict[bool, HybridSearcher] = {}
    for name, change in ABLATIONS.items():
        cfg = change(base)
        if cfg.fine_tokens not in cache:
            cache[cfg.fine_tokens] = HybridSearcher.build(clauses, encoder, cfg)
        built = cache[cfg.fine_tokens]
        searcher = HybridSearcher(built.clauses, built.body, built.heading, built.dense, encoder, cfg)
        out[name] = evaluate(searcher, eval_set, split)
    return out
