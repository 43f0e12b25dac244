"""Search: a question -> analysed, expanded, hybrid-ranked and scope-checked clauses.

tokenize (jieba with the domain dictionary; documents are analysed the same way) and synonyms
(query expansion) read the question; `search.HybridSearcher` scores BM25 and dense and fuses
them (fusion); rerank and conditions give second-stage features; scope refuses places and
years the library does not hold.
"""
