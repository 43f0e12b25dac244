"""Document-format benchmark (not a test): which PDF text extractor reads Chinese best, and how
well OCR reads scans made from the bundled texts.

Fixtures are made from the 重庆 rules of the bundled corpus (tests/knowledge_base/doc_fixtures.py):
- a PDF by fpdf2 with an embedded TrueType CJK font (WenQuanYi Micro Hei),
- a PDF by reportlab with a non-embedded Adobe CID font (STSong-Light, as many bureaus' PDFs),
- the first PDF rendered to 200-dpi images (PDFium) and read by RapidOCR.
Character accuracy = 1 − edit distance / reference length (non-space, NFKC-folded).

Run: `python benchmarks/bench_formats.py` (prints JSON).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "knowledge_base")]

from doc_fixtures import char_accuracy, render_pages, write_text_pdf  # noqa: E402

CORPUS = ROOT / "knowledge_base" / "corpus" / "004_02e12ab9ff262432.txt"


def source_lines() -> list[str]:
    lines = CORPUS.read_text("utf-8").splitlines()[88:123]
    return [line.strip() for line in lines if line.strip()]


def reportlab_pdf(lines: list[str], path: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 10)
    y = 800
    for line in lines:
        for k in range(0, len(line), 45):
            c.drawString(40, y, line[k : k + 45])
            y -= 14
            if y < 40:
                c.showPage()
                c.setFont("STSong-Light", 10)
                y = 800
    c.save()
    return path


def extractors():
    import pdfplumber
    import pypdf
    import pypdfium2 as pdfium

    def mupdf(p):
        import pymupdf

        return "\n".join(pg.get_text() for pg in pymupdf.open(str(p)))

    def pdfium_text(p):
        doc = pdfium.PdfDocument(str(p))
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))

    return {
        "pypdf": lambda p: "\n".join(pg.extract_text() for pg in pypdf.PdfReader(str(p)).pages),
        "pdfplumber": lambda p: "\n".join(pg.extract_text() for pg in pdfplumber.open(str(p)).pages),
        "pymupdf": mupdf,
        "pypdfium2": pdfium_text,
    }


def main() -> None:
    lines = source_lines()
    ref = "\n".join(lines)
    out: dict = {"reference_chars": len("".join(ref.split())), "pdf_text": {}, "ocr": {}}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        pdfs = {"fpdf2_embedded_ttf": write_text_pdf(lines, d / "a.pdf"), "reportlab_cid_stsong": reportlab_pdf(lines, d / "b.pdf")}
        for name, p in pdfs.items():
            for ex, fn in extractors().items():
                try:
                    fn(p)  # warm (imports, font caches)
                    t = time.perf_counter()
                    text = fn(p)
                    ms = (time.perf_counter() - t) * 1000
                    out["pdf_text"].setdefault(name, {})[ex] = {"accuracy": round(char_accuracy(ref, text), 4), "ms": round(ms, 1)}
                except Exception as exc:  # an extractor that cannot read a producer's PDF is a result too
                    out["pdf_text"].setdefault(name, {})[ex] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        from knowledge_base.formats.ocr import ocr_image

        pages = render_pages(pdfs["fpdf2_embedded_ttf"])
        t = time.perf_counter()
        got = "\n".join(ocr_image(img, i + 1).text for i, img in enumerate(pages))
        out["ocr"] = {"pages": len(pages), "dpi": 200, "accuracy": round(char_accuracy(ref, got), 4),
                      "s_per_page": round((time.perf_counter() - t) / len(pages), 2)}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
