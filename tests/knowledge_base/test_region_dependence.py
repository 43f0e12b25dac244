"""The region-dependence features and threshold choice (knowledge_base/learned/region_dependence.py)."""

from types import SimpleNamespace

import numpy as np

from knowledge_base.learned.region_dependence import REGION_FEATURE_NAMES, choose_threshold, region_features, two_regions


def _clause(region, text, kind="rule"):
    return SimpleNamespace(region=region, text=text, kind=kind)


CLAUSES = [
    _clause("重庆", "住院起付线100元。"),
    _clause("重庆", "住院起付线300元。"),
    _clause(None, "工作报告提到起付线。", kind="report"),
    _clause("岳池县", "住院起付标准150元。"),
    _clause("岳池县", "住院起付线100元。"),
]


def _row(order, scores):
    return dict(zip(REGION_FEATURE_NAMES, region_features(CLAUSES, order, scores, 0.4, 0.9), strict=True))


def test_two_regions_rules_with_different_figures():
    row = _row([0, 2, 3, 1], [0.8, 0.5, 0.4, 0.1])
    assert row["rule_regions"] == 2 and row["top3_regions"] == 2
    assert row["second_region_score"] == 0.4 and row["second_region_rank"] == 2
    assert abs(row["second_region_ratio"] - 0.5) < 1e-9 and row["figures_differ"] == 1.0
    assert row["top1_is_rule"] == 1.0 and row["top1_untagged"] == 0.0


def test_one_region_or_the_same_figures():
    row = _row([0, 1, 2], [0.8, 0.5, 0.4])
    assert row["rule_regions"] == 1 and row["second_region_score"] == 0.0 and row["figures_differ"] == 0.0
    assert not two_regions(region_features(CLAUSES, [0, 1, 2], [0.8, 0.5, 0.4], 0.4, 0.9))
    same = _row([0, 4], [0.8, 0.7])
    assert same["rule_regions"] == 2 and same["figures_differ"] == 0.0
    # a report's region-less clause first
    assert _row([2, 0], [0.9, 0.8])["top1_untagged"] == 1.0


def test_threshold_is_the_lowest_with_few_near_domain_among_lifted_rows():
    p = np.array([0.55] * 10 + [0.75] * 12 + [0.95] * 3)
    near = np.array([True] * 10 + [False] * 9 + [True] * 3 + [False] * 3)
    lifted = np.ones(len(p), dtype=bool)
    # at 0.5 and 0.55: 13 of 25 near-domain; from 0.6: 3 of 15
    assert choose_threshold(p, near, lifted) == 0.6
    # too few rows lifted anywhere: never lift
    assert choose_threshold(p[:5], near[:5], lifted[:5]) is None
