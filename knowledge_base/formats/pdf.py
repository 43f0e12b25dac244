"""PDF reader: the text layer with pdfplumber, tables kept with their headers, pages without a
text layer (scans) rendered by PDFium and read by OCR.

Why pdfplumber: on Chinese test PDFs (an embedded TrueType font and a non-embedded Adobe CID
font, STSong-Light) pypdf, pdfplumber and PyMuPDF all extracted the text exactly
(docs/BENCHMARKS.md, "PDF text extraction"); pdfplumber also finds ruled tables with their
cells, and it and pypdfium2 are MIT/Apache licensed, whereas PyMuPDF is AGPL, which an
Apache-2.0 project cannot ship. PyMuPDF was 3–30× faster; text extraction is not the ingest's
bottleneck (segmentation and indexing are).
"""

from __future__ import annotations

import io

from knowledge_base.formats.model import Extracted, FormatError, PageRef
from knowledge_base.formats.tables import table_lines

# A page with fewer extracted characters than this is treated as a scan (image only).
MIN_TEXT_CHARS = 10
OCR_DPI = 200
MAX_PAGES = 500


def _check_encryption(data: bytes) -> str:
    """'' when the PDF opens without a password; raises FormatError when it needs one."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
    except (PdfReadError, ValueError, OSError) as exc:
        raise FormatError(f"PDF 文件损坏或不是有效的 PDF: {exc}") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")  # owner-password-only files (printing/copy limits) still open
        except Exception as exc:  # unsupported crypto in pypdf
            raise FormatError(f"PDF 已加密,无法读取(请提供未加密的版本): {exc}") from exc
        if not ok:
            raise FormatError("PDF 已加密,需要密码才能打开(请提供未加密的版本): user password required")
    return ""


def _inside(line: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cy = (line["top"] + line["bottom"]) / 2
    cx = (line["x0"] + line["x1"]) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def _text_page(page, page_no: int, table_no: int) -> tuple[Extracted, int]:
    """Lines outside tables, and the tables' lines at the table's position, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, Extracted]] = []
    n = 0
    for line in page.extract_text_lines(return_chars=False):
        if any(_inside(line, b) for b in boxes):
            continue
        n += 1
        one = Extracted()
        one.add(line["text"], PageRef(page=page_no, line=n))
        items.append((line["top"], one))
    for t in tables:
        table_no += 1
        items.append((t.bbox[1], table_lines(t.extract(), table_no, page_no)))
    out = Extracted()
    for _top, part in sorted(items, key=lambda it: it[0]):
        out.extend(part)
    return out, table_no


def _ocr_page(data: bytes, index: int) -> Extracted:
    import pypdfium2 as pdfium

    from knowledge_base.formats.ocr import ocr_image

    doc = pdfium.PdfDocument(data)
    try:
        image = doc[index].render(scale=OCR_DPI / 72).to_pil()
    finally:
        doc.close()
    return ocr_image(image, page=index + 1)


def read_pdf(data: bytes) -> Extracted:
    """Every page's lines in reading order; scanned pages through OCR."""
    import pdfplumber

    _check_encryption(data)
    out = Extracted()
    table_no = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise FormatError(f"PDF 页数过多(超过 {MAX_PAGES} 页): {len(pdf.pages)} pages")
            for i, page in enumerate(pdf.pages):
                chars = sum(1 for c in page.chars if not c["text"].isspace())
                if chars < MIN_TEXT_CHARS and page.images:
                    out.extend(_ocr_page(data, i))
                    continue
                part, table_no = _text_page(page, i + 1, table_no)
                out.extend(part)
    except FormatError:
        raise
    except Exception as exc:  # pdfminer raises many exception types on damaged files
        raise FormatError(f"PDF 解析失败(文件可能已损坏): {type(exc).__name__}: {exc}") from exc
    return out
