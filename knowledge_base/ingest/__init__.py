"""Ingestion: policy files -> clean, segmented, deduplicated, metadata-tagged clauses.

`pipeline.build_clauses` chains the steps: loaders (with encoding, html_text and the readers in
`knowledge_base.formats`) -> clean (boilerplate, linejoin, textshape) -> segment (markers,
chunking) -> dedupe -> metadata (regions, schemes) -> versions; `store` persists the result.
"""
