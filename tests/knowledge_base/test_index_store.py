"""KnowledgeBase lifecycle: persistence, reuse, incremental ingest, failure safety.

These use small corpora, dense_weight=0 and learned=False (no model build, no judge training: the
learned components have their own tests) so they stay fast; the full bundled
corpus is covered by the session `kb` fixture."""

import shutil

import pytest

from knowledge_base.config import DEFAULT_CORPUS_DIR, KBSettings
from knowledge_base.index.index_store import corpus_hash, read_manifest
from knowledge_base.search.search import EmptyQueryError
from knowledge_base.service import IngestError, KnowledgeBase

SEED_A = "004_02e12ab9ff262432.txt"  # 重庆/岳池县 resident-scheme rules
SEED_B = "000_6a2ddbed5b7bb1bb.txt"  # work reports + 湖北 employee-scheme plan


@pytest.fixture()
def small(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DEFAULT_CORPUS_DIR / SEED_A, corpus / SEED_A)
    settings = KBSettings(data_dir=tmp_path / "data", corpus_dirs=[corpus], dense_weight=0.0, learned=False)
    return settings, corpus, tmp_path


def _files(kb):
    return {s.file for c in kb.clauses for s in c.sources}


def test_open_builds_then_reuses_persisted_index(small):
    settings, _, _ = small
    first = KnowledgeBase.open(settings)
    assert not first.loaded_from_disk and first.clauses
    manifest = read_manifest(KnowledgeBase.index_dir(settings))
    assert manifest.corpus_hash == corpus_hash(settings.corpus_dirs)
    assert manifest.model_id == "none" and manifest.format_version >= 1 and manifest.pipeline_version
    second = KnowledgeBase.open(settings)
    assert second.loaded_from_disk
    assert [c.chunk_id for c in second.clauses] == [c.chunk_id for c in first.clauses]
    q = "住院起付线"
    assert [h.chunk_id for h in second.search(q).results] == [h.chunk_id for h in first.search(q).results]


def test_changed_corpus_triggers_rebuild(small):
    settings, corpus, _ = small
    KnowledgeBase.open(settings)
    shutil.copy(DEFAULT_CORPUS_DIR / SEED_B, corpus / SEED_B)
    kb = KnowledgeBase.open(settings)
    assert not kb.loaded_from_disk
    assert _files(kb) == {SEED_A, SEED_B}


def test_ingest_adds_documents_without_losing_others(small):
    settings, _, tmp_path = small
    kb = KnowledgeBase.open(settings)
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(DEFAULT_CORPUS_DIR / SEED_B, extra / SEED_B)
    report = kb.ingest([extra])
    assert _files(kb) == {SEED_A, SEED_B}
    assert report.n_files == 2 and report.n_clauses == len(kb.clauses)
    # the added source is remembered: a later plain open/ingest keeps it
    assert _files(KnowledgeBase.open(settings)) == {SEED_A, SEED_B}
    kb.ingest()
    assert _files(kb) == {SEED_A, SEED_B}


def test_failed_ingest_keeps_previous_index(small):
    settings, _, tmp_path = small
    kb = KnowledgeBase.open(settings)
    before = [c.chunk_id for c in kb.clauses]
    with pytest.raises(IngestError, match="找不到"):
        kb.ingest([tmp_path / "does-not-exist"])
    assert [c.chunk_id for c in kb.clauses] == before
    assert kb.search("起付线").results
    assert KnowledgeBase.open(settings).loaded_from_disk


def test_ingest_of_nothing_readable_fails_and_keeps_index(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = KBSettings(data_dir=tmp_path / "data", corpus_dirs=[empty], dense_weight=0.0, learned=False)
    with pytest.raises(IngestError, match="没有从语料中得到任何条款"):
        KnowledgeBase.open(settings)
    assert read_manifest(KnowledgeBase.index_dir(settings)) is None


def test_damaged_index_is_rebuilt(small):
    settings, _, _ = small
    KnowledgeBase.open(settings)
    from knowledge_base.index.library import current_generation

    root = KnowledgeBase.index_dir(settings)
    ((current_generation(root) or root) / "manifest.json").write_text("{not json", "utf-8")
    kb = KnowledgeBase.open(settings)
    assert not kb.loaded_from_disk and kb.clauses


def test_kb_facade_on_bundled_corpus(kb):
    assert len(kb.clauses) > 100
    facets = kb.facets()
    assert {"重庆", "岳池县"} <= set(facets.regions)
    assert facets.years and all(isinstance(y, int) for y in facets.years)
    assert set(facets.kinds) <= {"rule", "publicity", "report"}
    c = kb.clauses[0]
    assert kb.get(c.chunk_id) == c
    assert kb.get("no-such-id") is None
    with pytest.raises(EmptyQueryError):
        kb.search("  ")


def test_bundled_corpus_colloquial_questions(kb):
    res = kb.search("生孩子补多少")
    assert not res.no_basis
    assert any("住院分娩" in h.text for h in res.results[:3])
    res = kb.search("门槛费多少")
    assert any("起付" in h.text for h in res.results[:3])
    hit = res.results[0]
    assert hit.sources and hit.sources[0].file.endswith(".txt") and hit.sources[0].line >= 1


def test_bundled_corpus_no_basis_for_unrelated_topics(kb):
    for q in ("牙齿矫正能报销吗", "车险理赔怎么办理"):
        res = kb.search(q)
        assert res.no_basis and res.results == [], q


def test_filters_on_bundled_corpus_never_mix_regions(kb):
    from knowledge_base.models import SearchFilters

    res = kb.search("住院起付线", filters=SearchFilters(region="重庆"))
    assert res.results and all(h.region == "重庆" for h in res.results)
