"""The index's code version sees every module that decides what an index holds, in subpackages
too, and ignores the learned judge (it has its own version and retrains at every ingest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.index import index_store


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    pkg = tmp_path / "kb"
    for rel, text in {
        "__init__.py": "",
        "models.py": "A = 1\n",
        "ingest/__init__.py": "",
        "ingest/segment.py": "MAX = 400\n",
        "formats/__init__.py": "",
        "formats/pdf.py": "DPI = 200\n",
        "learned/__init__.py": "",
        "learned/train.py": "SEED = 13\n",
        "resources/synonyms.yaml": "equivalent: []\n",
        "corpus/notes.py": "not code of the package\n",
    }.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text, encoding="utf-8")
    monkeypatch.setattr(index_store, "_PACKAGE_DIR", pkg)
    return pkg


@pytest.mark.parametrize("changed", ["models.py", "ingest/segment.py", "formats/pdf.py", "resources/synonyms.yaml"])
def test_a_change_to_index_code_or_resources_changes_the_version(package, changed):
    before = index_store.code_version()
    (package / changed).write_text((package / changed).read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    assert index_store.code_version() != before


@pytest.mark.parametrize("changed", ["learned/train.py", "corpus/notes.py"])
def test_the_learned_judge_and_data_folders_do_not_change_it(package, changed):
    before = index_store.code_version()
    (package / changed).write_text("# changed\n", encoding="utf-8")
    assert index_store.code_version() == before


def test_a_module_moved_to_another_subpackage_changes_it(package):
    before = index_store.code_version()
    (package / "index").mkdir()
    (package / "index" / "__init__.py").write_text("", encoding="utf-8")
    (package / "ingest" / "segment.py").rename(package / "index" / "segment.py")
    assert index_store.code_version() != before
