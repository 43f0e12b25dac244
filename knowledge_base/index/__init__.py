"""Indexing: clauses -> the search index on disk, and the library that changes it one document
at a time.

bm25_index (lexical fields over `clause_tokens`), dense (encoders and FAISS) with the built-in
model's embedding_builder / embedding_training (run in a child process by `isolated`),
index_store (manifest, full build and load) and library (generations; add, replace, withdraw).
"""
