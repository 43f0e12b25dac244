"""Readers for binary document formats (PDF, scanned PDF, images, DOCX), one module per type.

Each reader turns a file into `Extracted`: plain text lines plus, for every line, where it sits
in the original (page, line on the page, table cell), so citations can name the page. The text
then goes through the same clean → segment pipeline as .txt files.
"""

from knowledge_base.formats.model import Extracted, FormatError, PageRef

__all__ = ["Extracted", "FormatError", "PageRef"]
