"""Clause store: JSON round trip, atomic replace, clear errors."""

from __future__ import annotations

import pytest

from knowledge_base.models import Clause, SourceLocation
from knowledge_base.ingest.pipeline import IngestResult
from knowledge_base.ingest.store import ClauseStore, StoreError


def result(text: str) -> IngestResult:
    clause = Clause(chunk_id="doc-1", doc_id="doc", doc_title="办法", citation="办法 › 第一条", text=text,
                    sources=[SourceLocation(file="doc.txt", line=3)])
    return IngestResult(clauses=[clause])


def test_round_trip(tmp_path):
    store = ClauseStore(tmp_path / "kb")
    store.save(result("起付线为300元。"))
    loaded = store.load()
    assert loaded.clauses[0].text == "起付线为300元。" and loaded.clauses[0].sources[0].line == 3


def test_failed_save_keeps_the_previous_store(tmp_path, monkeypatch):
    store = ClauseStore(tmp_path)
    store.save(result("旧的条款。"))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("knowledge_base.ingest.store.os.replace", boom)
    with pytest.raises(OSError):
        store.save(result("新的条款。"))
    assert store.load().clauses[0].text == "旧的条款。"
    assert [p.name for p in tmp_path.iterdir()] == ["clauses.json"]  # no temp file left behind


def test_missing_or_corrupt_store_has_a_clear_error(tmp_path):
    store = ClauseStore(tmp_path)
    with pytest.raises(StoreError, match="尚未建立"):
        store.load()
    store.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="损坏"):
        store.load()
