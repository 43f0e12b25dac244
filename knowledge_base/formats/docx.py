"""DOCX reader (python-docx): paragraphs and tables in document order.

DOCX has no fixed pages (pagination is the word processor's), so a location is the paragraph
number ("第12段") or the table cell ("表1第3行第2列"). Legacy binary .doc/.wps files are refused
with a reason: they need a converter (LibreOffice) the service does not ship.
"""

from __future__ import annotations

import io

from knowledge_base.formats.model import Extracted, FormatError, PageRef
from knowledge_base.formats.tables import table_lines


def read_docx(data: bytes) -> Extracted:
    import docx
    from docx.document import Document as _Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: _Document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile.BadZipFile, KeyError for a missing part, lxml errors
        raise FormatError(f"DOCX 文件损坏或不是有效的 Word 文档(.docx): {type(exc).__name__}: {exc}") from exc
    out = Extracted()
    para_no = 0
    table_no = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para_no += 1
            out.add(Paragraph(child, document).text, PageRef(line=para_no))
        elif tag == "tbl":
            table_no += 1
            table = Table(child, document)
            rows = []
            for row in table.rows:
                cells, last = [], None
                for cell in row.cells:
                    # a horizontally merged cell is returned once per grid column: keep the
                    # header text once and leave the repeats empty (tables.py fills headers)
                    cells.append("" if last is not None and cell._tc is last else cell.text)
                    last = cell._tc
                rows.append(cells)
            out.extend(table_lines(rows, table_no, None))
    return out
