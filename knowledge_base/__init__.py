"""Knowledge base: raw policy documents -> clean, citable clauses -> hybrid search.

One subpackage per stage of the pipeline: `ingest` (files -> clauses: loaders -> clean ->
segment -> dedupe -> metadata -> versions -> store) -> `index` (BM25 + dense on disk, the
incremental library) -> `search` (query analysis, hybrid ranking, scope checks); `eval` measures
retrieval, `formats` reads PDF/DOCX/scans, `learned` is the trained answer judge. The shared
contracts stay here: `models`, `normalize`, `config`, and `service.KnowledgeBase`, the one object
callers use. Nothing here imports the assistant or the API.
"""
