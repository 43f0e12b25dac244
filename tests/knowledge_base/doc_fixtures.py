"""Make PDF / scanned-PDF / image / DOCX fixtures from the bundled corpus texts.

Fixtures are produced by independent writers (fpdf2 with Debian's WenQuanYi Micro Hei font for
PDFs, python-docx for DOCX, PDFium for rasterising) so the loaders are tested against files they
did not make themselves. Nothing here is imported by the product code.
"""

from __future__ import annotations

from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)

# A benefit table as a 医保局 publishes it: row headers (hospital level), column headers.
TABLE = [
    ["医院级别", "起付线", "报销比例"],
    ["一级医院", "200元", "80%"],
    ["二级医院", "500元", "65%"],
    ["三级医院", "800元", "50%"],
]


def cjk_font() -> str | None:
    """The first installed CJK font (scripts/test installs fonts-wqy-microhei)."""
    return next((f for f in CJK_FONTS if Path(f).is_file()), None)


def _pdf(font: str):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", fname=font)
    pdf.add_font("cjk", style="B", fname=font)  # table headings are bold
    pdf.set_font("cjk", size=11)
    return pdf


def write_text_pdf(lines: list[str], path: Path, table: list[list[str]] | None = None,
                   lines_per_page: int = 40) -> Path:
    """A PDF with a text layer: each source line as a paragraph (wrapped by width), a forced
    page break every `lines_per_page` lines, and `table` (first row = column headers) after."""
    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-wqy-microhei)")
    pdf = _pdf(font)
    pdf.add_page()
    for i, line in enumerate(lines):
        if i and i % lines_per_page == 0:
            pdf.add_page()
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    if table:
        pdf.ln(4)
        with pdf.table(first_row_as_headings=True, line_height=8) as t:
            for row in table:
                r = t.row()
                for cell in row:
                    r.cell(cell)
    pdf.output(str(path))
    return path


def render_pages(pdf_path: Path, scale: float = 200 / 72) -> list:
    """Rasterise every page (PDFium, not the loader's PyMuPDF) to PIL images: a 'scan'."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        return [doc[i].render(scale=scale).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def write_scanned_pdf(lines: list[str], path: Path, work: Path, table=None, lines_per_page: int = 40) -> Path:
    """An image-only PDF: the text PDF rendered to 200 dpi grey images, one image per page."""
    from fpdf import FPDF

    text_pdf = write_text_pdf(lines, work / (path.stem + "-src.pdf"), table, lines_per_page)
    out = FPDF(format="A4")
    for i, img in enumerate(render_pages(text_pdf)):
        png = work / f"{path.stem}-p{i + 1}.png"
        img.save(png)
        out.add_page()
        out.image(str(png), x=0, y=0, w=210, h=297)
    out.output(str(path))
    return path


def write_png(lines: list[str], path: Path, work: Path) -> Path:
    """A single-page 'photo' of the text as PNG."""
    text_pdf = write_text_pdf(lines, work / (path.stem + "-src.pdf"), lines_per_page=10_000)
    render_pages(text_pdf)[0].save(path)
    return path


def write_docx(lines: list[str], path: Path, table: list[list[str]] | None = None) -> Path:
    """A DOCX: one paragraph per line, then the table (first row = column headers)."""
    import docx

    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    d.save(str(path))
    return path


def write_encrypted_pdf(lines: list[str], path: Path, work: Path) -> Path:
    """A password-protected PDF (user password set), as some bureaus publish."""
    from pypdf import PdfReader, PdfWriter

    src = write_text_pdf(lines, work / (path.stem + "-src.pdf"))
    w = PdfWriter()
    for p in PdfReader(str(src)).pages:
        w.add_page(p)
    w.encrypt(user_password="secret", owner_password="owner")
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def char_accuracy(reference: str, got: str) -> float:
    """1 − (edit distance / reference length) over non-space characters: OCR character accuracy.

    Both sides are NFKC-folded first: OCR reads "：" where the source has ":", and ingestion folds
    widths anyway (normalize_text), so width is not an error that reaches a clause."""
    import unicodedata

    a = "".join(unicodedata.normalize("NFKC", reference).split())
    b = "".join(unicodedata.normalize("NFKC", got).split())
    if not a:
        return 1.0 if not b else 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return max(0.0, 1 - prev[-1] / len(a))
