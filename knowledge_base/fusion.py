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
