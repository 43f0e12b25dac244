"""Read policy documents from disk: detect the encoding, extract text from HTML/Markdown, and
hand PDF, scans/photos and DOCX to their readers in `knowledge_base.formats` (one per type).

A batch never fails as a whole: every file that cannot be read becomes a `LoadError` naming the
file and the reason (Chinese for the operator, with the technical detail after it), and the rest
of the batch still loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from knowledge_base.ingest.encoding import decode_bytes
from knowledge_base.formats.model import FormatError, PageRef
from knowledge_base.ingest.html_text import html_to_text

Format = Literal["txt", "md", "html", "pdf", "docx", "image"]
SUFFIX_FORMAT: dict[str, Format] = {
    ".txt": "txt", ".md": "md", ".html": "html", ".htm": "html",
    ".pdf": "pdf", ".docx": "docx",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".bmp": "image",
}
BINARY_FORMATS = frozenset({"pdf", "docx", "image"})
# Types a bureau also publishes that need a converter the service does not ship.
UNSUPPORTED_HINTS = {
    ".doc": "旧版 Word 文档(.doc)暂不支持,请另存为 .docx 或 PDF 后再导入",
    ".wps": "WPS 文字文档(.wps)暂不支持,请在 WPS 中另存为 .docx 或 PDF 后再导入",
    ".xls": "Excel 表格暂不支持,请另存为 PDF 后再导入",
    ".xlsx": "Excel 表格暂不支持,请另存为 PDF 后再导入",
}
MAX_BYTES = 20 * 1024 * 1024  # a policy text is never this big; refuse instead of exhausting memory


class RawDocument(BaseModel):
    """One loaded file: its name (the citation key), decoded text, and how it was decoded."""

    file: str  # file name as cited in SourceLocation.file
    path: str
    text: str  # plain text; line numbers of .txt/.md match the file, of .html the extracted text
    encoding: str
    format: Format
    # PDF/DOCX/images: where each text line (index = line - 1) sits in the original, so a
    # citation can name the page, line and table cell. None for text formats (line = file line).
    locations: list[PageRef] | None = None

    def location(self, line: int) -> PageRef | None:
        if self.locations is None or not 1 <= line <= len(self.locations):
            return None
        return self.locations[line - 1]


class LoadError(Exception):
    """A file that could not be loaded; `reason` is Chinese first, technical detail after."""

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BULLET = re.compile(r"^\s{0,3}[-*+]\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def markdown_to_text(text: str) -> str:
    """Strip Markdown syntax line by line, keeping the line count so line numbers stay true."""
    out = []
    for line in text.splitlines():
        line = _MD_HEADING.sub("", line)
        line = _MD_BULLET.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        out.append(_MD_EMPHASIS.sub("", line))
    return "\n".join(out)


def load_file(path: str | Path) -> RawDocument:
    """Load one .txt/.md/.html file; raise LoadError with a readable reason otherwise."""
    path = Path(path)
    name = path.name
    fmt = SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        hint = UNSUPPORTED_HINTS.get(path.suffix.lower())
        if hint:
            raise LoadError(name, f"{hint}: suffix {path.suffix!r}")
        raise LoadError(
            name, f"不支持的文件类型(支持 .txt/.md/.html/.htm/.pdf/.docx 及 .png/.jpg 等图片): suffix {path.suffix!r}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(name, f"文件过大,超过 {MAX_BYTES // (1024 * 1024)} MB: {size} bytes")
        data = path.read_bytes()
    except LoadError:
        raise
    except FileNotFoundError as exc:
        raise LoadError(name, f"文件不存在: {exc}") from exc
    except PermissionError as exc:
        raise LoadError(name, f"没有读取权限: {exc}") from exc
    except OSError as exc:
        raise LoadError(name, f"无法读取文件: {exc}") from exc
    if not data.strip():
        raise LoadError(name, "文件为空: 0 bytes of text")
    if fmt in BINARY_FORMATS:
        return _load_binary(name, path, data, fmt)
    decoded = decode_bytes(data)
    if decoded is None:
        raise LoadError(name, "无法识别文件编码(已尝试 UTF-8、GB18030、Big5 及自动检测): undecodable bytes")
    text, encoding = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "html":
        try:
            text = html_to_text(text)
        except Exception as exc:  # selectolax raises plain exceptions on broken input
            raise LoadError(name, f"HTML 解析失败: {exc}") from exc
    elif fmt == "md":
        text = markdown_to_text(text)
    if not text.strip():
        raise LoadError(name, "文件中没有可用的正文文本: no text after extraction")
    return RawDocument(file=name, path=str(path), text=text, encoding=encoding, format=fmt)


def _load_binary(name: str, path: Path, data: bytes, fmt: Format) -> RawDocument:
    """PDF / DOCX / image through its reader; the reader's Chinese reason becomes the LoadError."""
    try:
        if fmt == "pdf":
            from knowledge_base.formats.pdf import read_pdf

            extracted = read_pdf(data)
        elif fmt == "docx":
            from knowledge_base.formats.docx import read_docx

            extracted = read_docx(data)
        else:
            from knowledge_base.formats.ocr import read_image

            extracted = read_image(data)
    except FormatError as err:
        raise LoadError(name, err.reason) from err
    if not extracted.lines:
        reason = "文件中没有识别出文字(可能是空白页或图片过于模糊)" if fmt != "docx" else "文档中没有正文文字"
        raise LoadError(name, f"{reason}: no text extracted")
    encoding = "ocr" if any(r.ocr for r in extracted.refs) else "binary"
    return RawDocument(file=name, path=str(path), text=extracted.text, encoding=encoding, format=fmt,
                       locations=extracted.refs)


# Repository notes that live next to a corpus (provenance, licence) are not policy documents.
META_STEMS = frozenset({"readme", "provenance", "license", "licence", "changelog", "notice", "copying"})


def _is_corpus_file(f: Path, root: Path) -> bool:
    return (
        f.is_file()
        and f.suffix.lower() in SUFFIX_FORMAT
        and f.stem.lower() not in META_STEMS
        and not any(part.startswith(".") for part in f.relative_to(root).parts)
    )


def iter_candidate_files(paths: list[Path]) -> list[Path]:
    """Expand directories recursively to supported files (hidden files and README/PROVENANCE-
    style notes skipped), in a stable (sorted) order; explicitly named files are kept."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if _is_corpus_file(f, p)))
        else:
            files.append(p)
    return files


def load_paths(paths: list[Path]) -> tuple[list[RawDocument], list[LoadError]]:
    """Load every file under `paths`; unreadable ones are reported, the others still load.

    A directory is searched recursively for .txt/.md/.html/.htm; a file named explicitly is
    loaded whatever its suffix (so a wrong type is reported rather than silently skipped).
    """
    docs: list[RawDocument] = []
    errors: list[LoadError] = []
    seen: set[str] = set()
    names: set[str] = set()
    for p in paths:
        if not Path(p).exists():
            errors.append(LoadError(Path(p).name, f"路径不存在: {p}"))
    for f in iter_candidate_files([p for p in paths if Path(p).exists()]):
        key = str(f.resolve())
        if key in seen:
            continue
        seen.add(key)
        if f.name in names:
            # The file name is the citation key (SourceLocation.file): two files with one name
            # would make citations ambiguous, so the later one is reported, not merged.
            errors.append(LoadError(f.name, f"同名文件已加载,请重命名后再导入: duplicate file name {f}"))
            continue
        try:
            docs.append(load_file(f))
            names.add(f.name)
        except LoadError as err:
            errors.append(err)
    return docs, errors
