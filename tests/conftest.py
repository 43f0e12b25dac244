"""Shared fixtures. `kb` builds the knowledge base from the bundled corpus once per test session,
into a temporary data dir (never the developer's var/), so every area's tests can search it."""

from __future__ import annotations

import pytest

from knowledge_base.config import DEFAULT_CORPUS_DIR, KBSettings


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory) -> KBSettings:
    """Settings pointing at a fresh session data dir and the bundled corpus only."""
    data_dir = tmp_path_factory.mktemp("medpolicy-data")
    return KBSettings(data_dir=data_dir, corpus_dirs=[DEFAULT_CORPUS_DIR])


@pytest.fixture(scope="session")
def kb(kb_settings):
    """The knowledge base over the bundled corpus (built once, then shared read-only)."""
    from knowledge_base.service import KnowledgeBase

    return KnowledgeBase.open(kb_settings)
