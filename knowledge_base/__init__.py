"""Knowledge base: raw policy documents -> clean, citable clauses -> hybrid search.

Pipeline (one module per step): loaders -> clean -> segment -> dedupe -> metadata -> store
-> index (BM25 + dense) -> search. Nothing here imports the assistant or the API.
"""
