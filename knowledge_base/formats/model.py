"""What a format reader returns: lines of text and, per line, its place in the original."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PageRef(BaseModel):
    """Where one extracted line came from. `page` is 1-based (None for DOCX, which has no fixed
    pages); `line` is the line on the page (PDF/image) or the paragraph number (DOCX); `cell`
    names a table cell ("表1第3行第2列") when the line was made from one."""

    page: int | None = None
    line: int | None = None
    cell: str | None = None
    ocr: bool = False  # read by OCR (a scan or a photo), not from a text layer

    def label(self) -> str:
        """Chinese location for citations: "第2页第5行", "第2页 表1第3行第2列", "第4段"."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.cell:
            parts.append(self.cell)
        elif self.line is not None:
            parts.append(f"第{self.line}{'行' if self.page is not None else '段'}")
        return " ".join(parts)


class Extracted(BaseModel):
    lines: list[str] = Field(default_factory=list)
    refs: list[PageRef] = Field(default_factory=list)  # refs[i] locates lines[i]

    def add(self, text: str, ref: PageRef) -> None:
        text = " ".join(text.split())  # a line is a line: no embedded newlines or tabs
        if text:
            self.lines.append(text)
            self.refs.append(ref)

    def extend(self, other: Extracted) -> None:
        self.lines.extend(other.lines)
        self.refs.extend(other.refs)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class FormatError(Exception):
    """The file cannot be read as its type claims; `reason` is Chinese, detail after a colon."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
