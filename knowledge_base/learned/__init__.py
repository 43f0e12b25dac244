"""Learned ranking and answerability: features of (question, clause) pairs, models trained on the
annotated questions in `knowledge_base/annotations/`, and the artefacts they leave beside the index.

Rules stay where things are exact (numbers, regions, years, citations); what is fuzzy — which clause
answers a question, and whether any does — is learned from annotated data here.
"""
