"""The incremental library: add / replace / withdraw one document without a rebuild, every change
one atomic generation (an injected failure at every write step, and kill -9 at every step, leave
a library that loads and whose clauses and index agree), the judge and the bigram index kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from knowledge_base.index import library
from knowledge_base.config import KBSettings
from knowledge_base.index.library import STEPS, LibraryError, current_generation, read_generation
from knowledge_base.service import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
DOC_A = "岳池县城镇居民医疗保险办法\n一、缴费标准\n中小学阶段的学生,每个学生个人缴费10元。\n二、住院待遇\n一级医院住院起付线为100元,报销比例为80%。\n"
DOC_B = "桂阳县医疗救助办法\n一、救助对象\n低保对象、特困供养人员。\n二、救助标准\n住院费用经基本医保报销后,自付部分按70%给予救助,年度封顶3万元。\n"
DOC_C = "邵东县大病保险办法\n一、起付标准\n大病保险起付线为10000元。\n二、支付比例\n起付线以上部分支付比例为60%。\n"
DOC_C2 = "邵东县大病保险办法\n一、起付标准\n大病保险起付线为8000元。\n二、支付比例\n起付线以上部分支付比例为65%。\n"


def settings_for(tmp_path: Path) -> KBSettings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(DOC_A, "utf-8")
    (corpus / "b.txt").write_text(DOC_B, "utf-8")
    return KBSettings(data_dir=tmp_path / "data", corpus_dirs=[corpus], learned=False)


def consistent(settings: KBSettings) -> KnowledgeBase:
    """The library on disk loads without a rebuild and its clauses and index agree."""
    root = KnowledgeBase.index_dir(settings)
    gen = current_generation(root)
    assert gen is not None
    stored = read_generation(gen)
    manifest = json.loads((gen / "manifest.json").read_text("utf-8"))
    assert manifest["chunk_ids"] == [c.chunk_id for c in stored.result.clauses]
    assert stored.body.n_docs == stored.heading.n_docs == len(stored.result.clauses)
    kb = KnowledgeBase.open(settings)
    assert kb.loaded_from_disk, "a consistent library is loaded, not rebuilt"
    assert [c.chunk_id for c in kb.clauses] == manifest["chunk_ids"]
    assert kb.searcher.body.n_docs == len(kb.clauses)
    return kb


@pytest.fixture()
def kb(tmp_path):
    return KnowledgeBase.open(settings_for(tmp_path))


def test_add_replace_withdraw_without_rebuild(kb, tmp_path, monkeypatch):
    before = {c.chunk_id for c in kb.clauses}
    judge = object()
    kb.searcher.judge = judge
    monkeypatch.setattr(KnowledgeBase, "_build", lambda *a, **k: pytest.fail("an incremental change rebuilt"))
    new = tmp_path / "incoming" / "c.txt"
    new.parent.mkdir()
    new.write_text(DOC_C, "utf-8")

    kb.add_document(new)
    assert kb.searcher.judge is judge  # the learned judge stays attached
    kb.searcher.judge = None  # (a stand-in object: search with the hand-set pipeline below)
    assert before <= {c.chunk_id for c in kb.clauses}  # the rest is untouched
    hit = kb.search("邵东大病保险起付线", top_k=3).results[0]
    assert "10000元" in hit.text and hit.sources[0].file == "c.txt"
    assert kb.searcher.bigram_index.n_docs == len(kb.clauses)
    assert kb.searcher.signals("大病保险起付线").lexical.shape == (len(kb.clauses),)
    with pytest.raises(LibraryError, match="同名文件"):
        kb.add_document(new)

    new.write_text(DOC_C2, "utf-8")
    kb.replace_document(new)
    texts = " ".join(c.text for c in kb.clauses)
    assert "8000元" in texts and "10000元" not in texts

    kb.withdraw_document("b.txt")
    assert all(s.file != "b.txt" for c in kb.clauses for s in c.sources)
    with pytest.raises(LibraryError, match="没有文件"):
        kb.withdraw_document("b.txt")


def test_changes_survive_a_restart_and_a_withdrawn_file_stays_out_of_a_rebuild(kb, tmp_path):
    new = tmp_path / "incoming" / "c.txt"
    new.parent.mkdir()
    new.write_text(DOC_C, "utf-8")
    kb.add_document(new)
    kb.withdraw_document("b.txt")
    reopened = consistent(kb.settings)
    files = {s.file for c in reopened.clauses for s in c.sources}
    assert files == {"a.txt", "c.txt"}
    rebuilt, _ = KnowledgeBase.rebuild(kb.settings)
    assert {s.file for c in rebuilt.clauses for s in c.sources} == {"a.txt", "c.txt"}


def test_an_add_writes_one_segment_and_links_the_rest(kb, tmp_path):
    """Unchanged segments are hard links of the previous generation's files (nothing re-written),
    and the appended BM25 scores as one built over the whole library (statistics are global)."""
    from knowledge_base.index.bm25_index import BM25Index
    from knowledge_base.index.clause_tokens import body_tokens

    root = KnowledgeBase.index_dir(kb.settings)
    first = current_generation(root)
    old_files = {f.name: f.stat().st_ino for f in first.iterdir() if ".clauses.json" in f.name or ".bm25.npz" in f.name}
    new = tmp_path / "incoming" / "c.txt"
    new.parent.mkdir()
    new.write_text(DOC_C, "utf-8")
    kb.add_document(new)
    second = current_generation(root)
    assert second != first
    for name, inode in old_files.items():
        assert (second / name).stat().st_ino == inode, name  # the same file, not a copy
    segments = json.loads((second / "layout.json").read_text("utf-8"))["segments"]
    assert len(segments) == 2
    added = json.loads((second / f"{segments[1]}.clauses.json").read_text("utf-8"))
    assert {s["file"] for c in added for s in c["sources"]} == {"c.txt"}
    whole = BM25Index.build([body_tokens(c, True) for c in kb.clauses])
    for term in ("起付线", "大病保险", "住院"):
        assert kb.searcher.body.term_scores(term) == pytest.approx(whole.term_scores(term), abs=1e-5)
    kb.withdraw_document("a.txt")
    reopened = consistent(kb.settings)
    assert {s.file for c in reopened.clauses for s in c.sources} == {"b.txt", "c.txt"}
    assert reopened.searcher.body.term_scores("起付线") == pytest.approx(
        BM25Index.build([body_tokens(c, True) for c in reopened.clauses]).term_scores("起付线"), abs=1e-5)


def test_unreadable_document_is_refused_and_nothing_changes(kb, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    before = [c.chunk_id for c in kb.clauses]
    with pytest.raises(LibraryError, match="bad.pdf"):
        kb.add_document(bad)
    assert [c.chunk_id for c in kb.clauses] == before


@pytest.mark.parametrize("step", STEPS)
def test_injected_failure_at_every_step_keeps_the_previous_generation(kb, tmp_path, monkeypatch, step):
    before = [c.chunk_id for c in kb.clauses]
    new = tmp_path / "c.txt"
    new.write_text(DOC_C, "utf-8")

    def fail(name: str) -> None:
        if name == step:
            raise OSError(f"injected failure at {name}")

    monkeypatch.setattr(library, "FAULT_HOOK", fail)
    with pytest.raises(OSError, match="injected"):
        kb.add_document(new)
    assert [c.chunk_id for c in kb.clauses] == before  # memory: the previous library
    with pytest.raises(OSError, match="injected"):
        KnowledgeBase.rebuild(kb.settings, [new])  # a full rebuild fails the same way
    monkeypatch.setattr(library, "FAULT_HOOK", None)
    again = consistent(kb.settings)  # disk: the previous generation, loadable and in step
    assert [c.chunk_id for c in again.clauses] == before
    assert not [d for d in KnowledgeBase.index_dir(kb.settings).iterdir() if d.name.startswith(".")]


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from knowledge_base.index import library
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase
    data, corpus, new, step = sys.argv[1:5]
    def kill(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)
    settings = KBSettings(data_dir=Path(data), corpus_dirs=[Path(corpus)], learned=False)
    kb = KnowledgeBase.open(settings)
    library.FAULT_HOOK = kill
    kb.add_document(Path(new))
""")


def test_kill_9_at_every_step_leaves_a_consistent_library(tmp_path):
    settings = settings_for(tmp_path)
    base = KnowledgeBase.open(settings)
    before = [c.chunk_id for c in base.clauses]
    new = tmp_path / "c.txt"
    new.write_text(DOC_C, "utf-8")
    for step in STEPS:
        proc = subprocess.run(
            [sys.executable, "-c", KILL_SCRIPT, str(settings.data_dir), str(settings.corpus_dirs[0]), str(new), step],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == -9, (step, proc.stderr[-2000:])
        kb = consistent(settings)
        assert [c.chunk_id for c in kb.clauses] == before, step  # never half a change


def test_isolated_ingest_rebuilds_in_a_child_and_a_failure_keeps_the_library(kb, tmp_path):
    """The service's full rebuild runs in a child process; this process loads the result from
    disk. A rebuild that fails in the child (no clause left) keeps the previous library, and its
    Chinese reason reaches the caller."""
    from knowledge_base.service import IngestError

    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "c.txt").write_text(DOC_C, "utf-8")
    report = kb.ingest([extra], isolated=True)
    assert report.n_clauses == len(kb.clauses)
    assert "c.txt" in {s.file for c in kb.clauses for s in c.sources}
    consistent(kb.settings)
    before = [c.chunk_id for c in kb.clauses]
    for f in [*kb.settings.corpus_dirs[0].glob("*.txt"), extra / "c.txt"]:
        f.write_text("", "utf-8")
    with pytest.raises(IngestError, match="没有从语料中得到任何条款"):
        kb.ingest(None, isolated=True)
    assert [c.chunk_id for c in kb.clauses] == before


def test_a_library_in_service_uses_one_blas_thread(kb):
    """Per-question matrix products must not wait for a second BLAS thread to wake up."""
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)


def test_precomputed_posting_scores_are_the_per_term_bm25_scores():
    """The posting scores computed once per index (`BM25Index._posting_scores`) are, term by term,
    idf · tf / (tf + norm) as float32: the very values a query term's scoring computed before."""
    import numpy as np

    from knowledge_base.index.bm25_index import BM25Index

    docs = [["起付线", "住院", "住院"], ["报销", "比例"], [], ["起付线", "门诊", "报销", "报销", "报销"], ["住院"]]
    index = BM25Index.build(docs)
    for term in ("起付线", "住院", "报销", "比例", "门诊"):
        rows, scores = index.postings(term)
        j = index._vocab[term]
        lo, hi = index._indptr[j], index._indptr[j + 1]
        tf = index._tfs[lo:hi]
        expected = (index.idf(term) * tf / (tf + index._norm[rows])).astype(np.float32)
        assert scores.dtype == np.float32 and scores.tobytes() == expected.tobytes()
        assert sorted(rows.tolist()) == [d for d, toks in enumerate(docs) if term in toks]
        assert not scores.flags.writeable  # shared by every query: nobody may change them
    assert index.postings("没有的词")[0].size == 0 and index.postings("")[0].size == 0
    assert index.term_scores("报销")[3] > index.term_scores("报销")[1] > 0.0
