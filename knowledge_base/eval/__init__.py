"""Retrieval evaluation on `questions.yaml` beside it: recall@k, MRR, no-basis rates, ablations.
"""
