"""Loaders: encodings, HTML/Markdown extraction, per-file error reporting."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from knowledge_base.ingest.encoding import decode_bytes
from knowledge_base.ingest.loaders import LoadError, load_file, load_paths

FIXTURES = Path(__file__).parent / "fixtures"
SIMPLIFIED = "城乡居民医保住院起付线为300元,报销比例为百分之七十。"
TRADITIONAL = "醫療保險定點醫療機構管理辦法,參保人員住院費用按規定報銷。"


@pytest.mark.parametrize(
    ("text", "encoding", "expected_codec"),
    [
        (SIMPLIFIED, "utf-8", "utf-8"),
        (SIMPLIFIED, "gb18030", "gb18030"),
        (SIMPLIFIED, "gbk", "gb18030"),  # GBK bytes are read as GB18030, its superset
        (TRADITIONAL, "big5", "big5"),
        (TRADITIONAL, "utf-8", "utf-8"),
        (TRADITIONAL, "gb18030", "gb18030"),
    ],
)
def test_decodes_chinese_encodings(tmp_path, text, encoding, expected_codec):
    f = tmp_path / f"doc_{encoding}.txt"
    f.write_bytes(text.encode(encoding))
    doc = load_file(f)
    assert doc.text == text
    assert doc.encoding == expected_codec
    assert doc.format == "txt"


def test_utf8_bom_is_stripped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    doc = load_file(f)
    assert doc.text == SIMPLIFIED
    assert doc.encoding == "utf-8-sig"


def test_short_big5_text_is_not_mistaken_for_gb18030():
    # Both codecs decode these bytes without error; only Big5 gives ordinary characters.
    data = "參保人員住院報銷".encode("big5")
    assert data.decode("gb18030")  # the trap: GB18030 accepts the bytes too
    assert decode_bytes(data) == ("參保人員住院報銷", "big5")


def test_html_drops_chrome_and_keeps_blocks():
    doc = load_file(FIXTURES / "policy.html")
    lines = doc.text.splitlines()
    assert doc.format == "html"
    assert lines[0] == "某市城乡居民基本医疗保险办法"
    assert "第一条 为保障参保人员基本医疗需求,制定本办法。" in lines  # inline <b> stays in its line
    assert "一、参保对象" in lines and "二、缴费标准" in lines
    for chrome in ("统计代码", "首页", "版权所有", "color"):
        assert chrome not in doc.text


def test_markdown_syntax_is_stripped_and_lines_kept():
    raw = (FIXTURES / "regulation.md").read_text(encoding="utf-8")
    doc = load_file(FIXTURES / "regulation.md")
    assert len(doc.text.splitlines()) == len(raw.splitlines())
    assert doc.text.splitlines()[0] == "某县城镇职工医疗保险实施细则"
    assert "第二条 统筹基金起付标准为800元。" in doc.text


def test_unreadable_file_is_reported_and_others_load(tmp_path):
    (tmp_path / "good.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.txt").write_bytes(bytes(range(128, 256)) * 3)  # no codec reads this
    (tmp_path / "notes.zip").write_bytes(b"PK")  # not a supported type: skipped in a directory
    docs, errors = load_paths([tmp_path])
    assert [d.file for d in docs] == ["good.txt"]
    reasons = {e.file: e.reason for e in errors}
    assert set(reasons) == {"empty.txt", "broken.txt"}
    assert "文件为空" in reasons["empty.txt"]


def test_missing_path_and_unsupported_file_are_named(tmp_path):
    pdf = tmp_path / "a.zip"
    pdf.write_bytes(b"PK")
    docs, errors = load_paths([tmp_path / "nope", pdf])
    assert docs == []
    assert {e.file for e in errors} == {"nope", "a.zip"}
    with pytest.raises(LoadError) as exc:
        load_file(pdf)
    assert "不支持的文件类型" in exc.value.reason


def test_directory_skips_provenance_notes(tmp_path):
    (tmp_path / "PROVENANCE.md").write_text("# where the files come from", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "rule.txt").write_text(SIMPLIFIED, encoding="utf-8")
    docs, errors = load_paths([tmp_path])
    assert [d.file for d in docs] == ["rule.txt"] and errors == []
