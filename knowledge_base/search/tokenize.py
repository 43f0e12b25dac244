"""Chinese tokenisation for retrieval: jieba with a domain dictionary, coarse + fine tokens.

Why both granularities: `cut` keeps domain compounds whole (起付线, 统筹基金) so an exact term
scores high; `cut_for_search` adds their in-dictionary parts (统筹, 基金) so a question that uses
only part of a compound still matches. Documents and queries go through the same analyser, after
the same `normalize_text`, so both sides agree on every token.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from knowledge_base.normalize import normalize_text

RESOURCES_DIR = Path(__file__).resolve().parents[1] / "resources"
DOMAIN_DICT = RESOURCES_DIR / "domain_dict.txt"
QUESTION_WORDS = RESOURCES_DIR / "question_words.yaml"

# A token worth indexing contains a CJK character, a letter or a digit.
_CONTENT = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_lock = threading.Lock()


def read_resource_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a resource file."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Question words and function words: the form of a question, not its topic."""
    from knowledge_base.lexicon import question_words

    return frozenset(question_words())


@lru_cache(maxsize=1)
def _jieba():
    """A private jieba.Tokenizer (never the global one other code may configure differently)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in read_resource_lines(DOMAIN_DICT):
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 else None
        tk.add_word(parts[0], freq=freq, tag=parts[2] if len(parts) > 2 else None)
    from knowledge_base.search.synonyms import load_synonyms

    for term in load_synonyms().all_terms():
        if len(term) > 1 and tk.FREQ.get(term, 0) == 0:
            tk.add_word(term, freq=1000)
    return tk


def warm_up() -> None:
    """Load the dictionary now rather than on the first query."""
    with _lock:
        _jieba()


def warm_up_in_background() -> threading.Thread:
    """Load the dictionary on a daemon thread so a service start does not wait for it; the first
    query blocks on the same lock until it is ready."""
    thread = threading.Thread(target=warm_up, name="jieba-warm-up", daemon=True)
    thread.start()
    return thread


def is_content(token: str) -> bool:
    return bool(_CONTENT.search(token)) and token not in stopwords()


def coarse_tokens(text: str) -> list[str]:
    """jieba `cut` (precise mode) content tokens of already-normalised text."""
    with _lock:
        toks = _jieba().lcut(text, HMM=True)
    return [t for t in (t.strip() for t in toks) if t and is_content(t)]


def fine_tokens(text: str) -> list[str]:
    """jieba `cut_for_search`: precise tokens plus their in-dictionary sub-words."""
    with _lock:
        toks = _jieba().lcut_for_search(text, HMM=True)
    return [t for t in (t.strip() for t in toks) if t and is_content(t)]


def token_bounds(text: str) -> frozenset[int]:
    """Offsets where a jieba `cut` token starts or ends in already-normalised text: a phrase is a
    word of the text only if it starts and ends on them (保单 is not a word of 医保单位)."""
    with _lock:
        spans = _jieba().tokenize(text, HMM=True)
    return frozenset(b for _, start, end in spans for b in (start, end))


def analyze(text: str, *, fine: bool = True, normalized: bool = False) -> list[str]:
    """The token stream indexed for a text (and used for a query): coarse, plus fine if asked.

    `cut_for_search` already yields every coarse token together with its sub-words, so with
    `fine=True` it alone gives both granularities.
    """
    if not normalized:
        text = normalize_text(text)
    return fine_tokens(text) if fine else coarse_tokens(text)


def unique(tokens: Iterable[str]) -> list[str]:
    """Tokens in first-seen order without repeats (query terms count once)."""
    return list(dict.fromkeys(tokens))
