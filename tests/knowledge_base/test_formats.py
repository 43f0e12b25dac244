"""PDF (text layer and scanned), images and DOCX: fixtures made here from the bundled corpus
text, read back by the loaders, segmented into clauses with page/cell citations, and searched."""

from __future__ import annotations

from pathlib import Path

import pytest

from doc_fixtures import (
    TABLE,
    char_accuracy,
    cjk_font,
    write_docx,
    write_encrypted_pdf,
    write_png,
    write_scanned_pdf,
    write_text_pdf,
)

from knowledge_base.ingest.loaders import LoadError, load_file, load_paths
from knowledge_base.ingest.pipeline import build_clauses

CORPUS = Path(__file__).resolve().parents[2] / "knowledge_base" / "corpus" / "004_02e12ab9ff262432.txt"
pytestmark = pytest.mark.skipif(cjk_font() is None, reason="no CJK font (scripts/test installs fonts-wqy-microhei)")


def source_lines(first: int = 89, last: int = 123) -> list[str]:
    """The 重庆 resident-scheme rules of the bundled corpus (file lines first..last, non-empty)."""
    lines = CORPUS.read_text("utf-8").splitlines()[first - 1 : last]
    return [line.strip() for line in lines if line.strip()]


LINES_PER_PAGE = 6


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("formats")
    work = tmp_path_factory.mktemp("formats-work")
    lines = source_lines()
    return {
        "pdf": write_text_pdf(lines, d / "cq_rules.pdf", TABLE, lines_per_page=LINES_PER_PAGE),
        "scan": write_scanned_pdf(lines[:8], d / "cq_scan.pdf", work, lines_per_page=4),
        "png": write_png(lines[8:12], d / "cq_photo.png", work),
        "docx": write_docx(lines, d / "cq_rules.docx", TABLE),
    }


def test_text_pdf_reads_every_character_with_pages(files):
    doc = load_file(files["pdf"])
    assert doc.format == "pdf" and doc.encoding == "binary"
    body = "\n".join(t for t, ref in zip(doc.text.splitlines(), doc.locations) if ref.cell is None)
    assert char_accuracy("\n".join(source_lines()), body) == 1.0
    # the 7th source line opens page 2 (a page break every LINES_PER_PAGE source lines)
    seventh = source_lines()[LINES_PER_PAGE][:12]
    i = next(i for i, t in enumerate(doc.text.splitlines()) if t.startswith(seventh))
    assert doc.locations[i].page == 2 and doc.locations[i].line == 1


def test_pdf_table_becomes_lines_with_row_and_column_headers(files):
    doc = load_file(files["pdf"])
    rows = {t: ref for t, ref in zip(doc.text.splitlines(), doc.locations) if ref.cell}
    assert "三级医院 · 起付线 · 800元。" in rows
    assert "一级医院 · 报销比例 · 80%。" in rows
    assert rows["三级医院 · 起付线 · 800元。"].cell == "表1第4行第2列"
    assert rows["三级医院 · 起付线 · 800元。"].page == doc.locations[-1].page
    assert len(rows) == 6  # 3 levels × 2 figures, the header row is not a fact


def test_docx_paragraphs_and_table_cells(files):
    doc = load_file(files["docx"])
    assert doc.format == "docx"
    lines = doc.text.splitlines()
    assert lines[: len(source_lines())] == [" ".join(s.split()) for s in source_lines()]
    assert doc.locations[2].line == 3 and doc.locations[2].page is None
    i = lines.index("二级医院 · 起付线 · 500元。")
    assert doc.locations[i].cell == "表1第3行第2列"


def test_scanned_pdf_ocr_accuracy(files):
    doc = load_file(files["scan"])
    assert doc.format == "pdf" and doc.encoding == "ocr"
    assert all(ref.ocr for ref in doc.locations)
    assert {ref.page for ref in doc.locations} == {1, 2}
    assert char_accuracy("\n".join(source_lines()[:8]), doc.text) >= 0.97


def test_image_ocr_accuracy(files):
    doc = load_file(files["png"])
    assert doc.format == "image"
    assert char_accuracy("\n".join(source_lines()[8:12]), doc.text) >= 0.97


def test_clauses_cite_page_and_cell(files):
    pdf = build_clauses([files["pdf"]])
    assert not pdf.errors
    table = next(c for c in pdf.clauses if "三级医院 · 起付线 · 800元" in c.text)
    assert "一级医院 · 起付线 · 200元" in table.text  # the table's facts travel together
    src = table.sources[0]
    assert src.file == "cq_rules.pdf" and src.page == 3  # the table is on the third page
    assert f"第{src.page}页" in table.citation
    assert {s.page for c in pdf.clauses for s in c.sources} == {1, 2, 3}
    docx = build_clauses([files["docx"]])
    cell = next(c for c in docx.clauses if "三级医院 · 起付线 · 800元" in c.text)
    assert cell.sources[0].cell == "表1第2行第2列" and "表1第2行第2列" in cell.citation
    para = next(c for c in docx.clauses if "一档:个人筹资60元" in c.text)
    assert para.sources[0].page_line == 1 and "第1段" in para.citation
    # JSON of a text-format location keeps its two-field shape
    assert set(build_clauses([CORPUS]).clauses[0].sources[0].model_dump()) == {"file", "line"}


def test_search_finds_table_and_scan_with_page_citations(files, tmp_path):
    from knowledge_base.config import KBSettings
    from knowledge_base.service import KnowledgeBase

    settings = KBSettings(data_dir=tmp_path / "data", corpus_dirs=[files["pdf"].parent], dense_weight=0, learned=False)
    kb = KnowledgeBase.open(settings)
    assert {s.file for c in kb.clauses for s in c.sources} >= {"cq_rules.pdf", "cq_scan.pdf", "cq_photo.png", "cq_rules.docx"}
    hits = kb.search("三级医院起付线多少", top_k=5).results
    table = [h for h in hits if "三级医院 · 起付线 · 800元" in h.text]
    assert table and ("页" in table[0].citation or "表1" in table[0].citation)
    scan = [h for h in kb.search("参保缴费标准 一档个人筹资", top_k=10).results
            if any(s.file in ("cq_scan.pdf", "cq_photo.png") for s in h.sources)]
    assert scan, "OCR'd text is searchable"
    assert all(s.page for h in scan for s in h.sources if s.file.endswith((".pdf", ".png")))


def test_bad_files_get_reasons_and_the_batch_still_loads(files, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    write_encrypted_pdf(source_lines()[:3], bad / "locked.pdf", tmp_path)
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not a pdf body")
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (bad / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (bad / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy word")
    (bad / "good.txt").write_text("第一条 住院起付线为300元。", "utf-8")
    docs, errors = load_paths([bad, bad / "old.doc"])
    assert [d.file for d in docs] == ["good.txt"]
    reasons = {e.file: e.reason for e in errors}
    assert "加密" in reasons["locked.pdf"]
    assert "PDF" in reasons["broken.pdf"]
    assert "DOCX" in reasons["broken.docx"]
    assert "图片" in reasons["photo.png"]
    assert ".docx" in reasons["old.doc"]
    with pytest.raises(LoadError, match="加密"):
        load_file(bad / "locked.pdf")
