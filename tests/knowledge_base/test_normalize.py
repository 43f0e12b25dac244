"""normalize_text's fast paths (issue 11): a text without any character OpenCC's t2s would change
skips OpenCC, and the result is still exactly OpenCC's for every kind of text."""

from __future__ import annotations

from pathlib import Path

import opencc

from knowledge_base.normalize import normalize_text, normalize_width, to_simplified

CORPUS = Path(__file__).resolve().parents[2] / "knowledge_base" / "corpus"


def test_traditional_is_still_converted():
    assert to_simplified("醫療保險門診費用報銷") == "医疗保险门诊费用报销"
    assert normalize_text("住院醫療費用１２３元") == "住院医疗费用123元"


def test_same_as_opencc_on_every_line_of_the_corpus_and_its_traditional_form():
    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    lines = [line for f in sorted(CORPUS.glob("*.txt")) for line in f.read_text("utf-8").splitlines() if line.strip()]
    assert len(lines) > 100
    for line in lines[::3]:
        assert to_simplified(line) == t2s.convert(line)
        traditional = s2t.convert(line)
        assert to_simplified(traditional) == t2s.convert(traditional)


def test_width_folding_keeps_cjk_marks():
    assert normalize_width("（一）ＡＢ１。《办法》") == "(一)AB1。《办法》"
