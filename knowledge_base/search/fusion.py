"""Weighted reciprocal-rank fusion (Cormack et al. 2009) of several rankings.

RRF combines rankings, not raw scores, so BM25 scores (unbounded) and cosine similarities (−1..1)
need no calibration against each other; each ranking's weight says how much it is trusted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60


def ranks(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """1-based rank of every eligible document with a positive score; 0 = not ranked."""
    out = np.zeros(len(scores), dtype=np.int64)
    candidates = np.flatnonzero(eligible & (scores > 0))
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    out[order] = np.arange(1, len(order) + 1)
    return out


def top_ranks(scores: np.ndarray, eligible: np.ndarray, n: int) -> np.ndarray:
    """`ranks` cut at the best `n` (0 beyond): the same ranks, found by a partial selection
    instead of sorting every document (at 100× the library, a sort of 31,000 cosines per query)."""
    candidates = np.flatnonzero(eligible & (scores > 0))
    if len(candidates) > n:
        top = np.argpartition(-scores[candidates], n - 1)[:n]
        # everything tied with the n-th best score joins, so the stable order below decides as before
        cut = scores[candidates[top]].min()
        candidates = candidates[scores[candidates] >= cut]
    out = np.zeros(len(scores), dtype=np.int64)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    out[order] = np.arange(1, len(order) + 1)
    out[out > n] = 0
    return out


def top_order(scores: np.ndarray, eligible: np.ndarray, n: int) -> np.ndarray:
    """The best `n` eligible documents with a positive score, best first, ties in document
    order: `argsort(-scores, stable)` of those documents cut at `n`, found by a partial selection
    (a library-wide sort per query grew with the library: issue 11)."""
    candidates = np.flatnonzero(eligible & (scores > 0))
    if n <= 0:
        return candidates[:0]
    if len(candidates) > n:
        values = scores[candidates]
        cut = np.partition(values, len(values) - n)[len(values) - n]  # the n-th best score
        candidates = candidates[values >= cut]  # its ties join; the stable sort decides
    return candidates[np.argsort(-scores[candidates], kind="stable")][:n]


def ranks_at(scores: np.ndarray, eligible: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """`ranks(scores, eligible)[docs]` without ranking every document: a document's rank is one
    plus the number of ranked documents scoring higher, plus those scoring the same that come
    before it. Counted against the few distinct scores of `docs` (a binary search per document),
    not by sorting the library."""
    docs = np.asarray(docs, dtype=np.int64)
    out = np.zeros(len(docs), dtype=np.int64)
    ranked = eligible & (scores > 0)
    mine = ranked[docs]
    if not mine.any():
        return out
    positions = np.flatnonzero(ranked)
    values = scores[positions]
    wanted = docs[mine]
    levels = np.unique(scores[wanted])  # ascending, distinct
    below = np.searchsorted(levels, values, side="left")  # levels strictly under each value
    # documents above level m: those with more than m levels strictly under their value
    above = np.cumsum(np.bincount(below, minlength=len(levels) + 1)[::-1])[::-1]
    level = np.searchsorted(levels, scores[wanted], side="left")
    equal = below < len(levels)
    equal[equal] = levels[below[equal]] == values[equal]
    span = np.int64(len(scores) + 1)
    tied = np.sort(below[equal].astype(np.int64) * span + positions[equal])
    before = np.searchsorted(tied, level * span + wanted, side="left") - np.searchsorted(tied, level * span, side="left")
    out[mine] = above[level + 1] + before + 1
    return out


def rrf(rankings: Sequence[tuple[np.ndarray, float]], k: int = RRF_K) -> np.ndarray:
    """Σ weight / (k + rank) over the rankings in which a document appears."""
    if not rankings:
        return np.zeros(0)
    fused = np.zeros(len(rankings[0][0]), dtype=np.float64)
    for rank, weight in rankings:
        if weight <= 0:
            continue
        hit = rank > 0
        fused[hit] += weight / (k + rank[hit])
    return fused


def max_normalized(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Scores divided by the best eligible score (0..1), non-positive scores → 0.

    Score fusion needs the two sides on one scale; dividing by the maximum keeps the *gaps*
    inside one ranking (a clear BM25 winner stays clear), which rank fusion throws away."""
    out = np.zeros(len(scores), dtype=np.float64)
    mask = eligible & (scores > 0)
    if mask.any():
        out[mask] = scores[mask] / float(scores[mask].max())
    return out


def dense_normalized(sims: np.ndarray, eligible: np.ndarray, top_n: int) -> np.ndarray:
    """Cosines mapped to 0..1 between the `top_n`-th best and the best eligible cosine.

    Raw cosines of a static model crowd into a narrow band; anchoring at the N-th best makes
    the scale per query, and clauses below it contribute nothing (as in rank fusion's cut)."""
    out = np.zeros(len(sims), dtype=np.float64)
    idx = np.flatnonzero(eligible)
    if len(idx) == 0:
        return out
    ordered = np.sort(sims[idx])[::-1]
    top, floor = float(ordered[0]), float(ordered[min(top_n, len(ordered)) - 1])
    if top <= floor:
        out[idx[sims[idx] >= top]] = 1.0
        return out
    out[idx] = np.clip((sims[idx] - floor) / (top - floor), 0.0, 1.0)
    return out


def weighted_sum(parts: Sequence[tuple[np.ndarray, float]]) -> np.ndarray:
    """Σ weight × normalised score (CombSUM with weights)."""
    fused = np.zeros(len(parts[0][0]), dtype=np.float64)
    for scores, weight in parts:
        if weight > 0:
            fused += weight * scores
    return fused
