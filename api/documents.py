"""Admin "add documents": check each uploaded file, store the good ones, rebuild, roll back on failure.

Why a separate module: the admin route only speaks HTTP (multipart or JSON); what it means to
accept a policy document lives here, so both request formats follow the same rules:

- Each file is judged on its own. A bad file (wrong type, unsafe name, empty, too large, an
  encoding nobody can read, no text, a name already in the library) is reported with its name
  and the reason in Chinese; the other files still go in.
- A file is read with the knowledge base's own loader before it is stored, so GB18030, GBK,
  Big5 and UTF-8 (with or without BOM) files are accepted exactly when `medpolicy ingest`
  would accept them.
- Nothing stored earlier is touched: a name that already exists is refused, not overwritten.
  When the rebuild fails, the files stored by this request are removed again and the previous
  index stays in service (the knowledge base swaps its index only after a complete build).
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge_base.ingest.loaders import SUFFIX_FORMAT, LoadError, load_file
from knowledge_base.ingest.versions import SIDECAR_SUFFIX, write_sidecar_date

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_REQUEST = 20
ALLOWED_SUFFIXES = tuple(SUFFIX_FORMAT)  # what the knowledge base reads (text, PDF, DOCX, images)
# Path separators, characters Windows cannot store, and control characters; everything else
# (Chinese, spaces, 《》【】（）) is a legitimate part of a policy document's name.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')

# One rebuild at a time: two concurrent uploads must not race to swap the index.
INGEST_LOCK = threading.Lock()


@dataclass(frozen=True)
class Incoming:
    """One uploaded file as received: its name and raw bytes (any encoding)."""

    filename: str
    data: bytes
    # Effective date given at upload (knowledge_base.ingest.versions); wins over the text's own date.
    effective_from: date | None = None


@dataclass
class Outcome:
    """What happened to the files of one request."""

    added: list[dict[str, Any]] = field(default_factory=list)  # {"file", "encoding", "bytes"}
    rejected: list[dict[str, str]] = field(default_factory=list)  # {"file", "reason"}


def name_problem(name: str) -> str | None:
    """Why `name` cannot be stored as a library file, or None when it can."""
    if not name or len(name) > 128:
        return "文件名为空或过长（最多 128 个字符）"
    if _UNSAFE_NAME.search(name) or ".." in name or name.startswith((".", " ")) or name != name.strip():
        return "文件名含有路径或不允许的字符"
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        return "不支持的文件类型（支持 .txt、.md、.html、.htm、.pdf、.docx 及 .png、.jpg 等图片）"
    return None


def check_and_stage(item: Incoming, staging: Path, existing: set[str]) -> tuple[Path | None, dict[str, Any]]:
    """Validate one file; on success it is written into `staging` and its details are returned.

    Returns (staged path or None, {"file", "encoding", "bytes"} or {"file", "reason"})."""
    name = item.filename
    problem = name_problem(name)
    if problem is None and name in existing:
        problem = "同名文件已在政策库中（为避免覆盖已有文件，请改名后再上传）"
    if problem is None and len(item.data) > MAX_DOCUMENT_BYTES:
        problem = f"文件过大（最大 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB）"
    if problem is None and not item.data.strip():
        problem = "文件内容为空"
    if problem is not None:
        return None, {"file": name, "reason": problem}
    target = staging / name
    target.write_bytes(item.data)
    try:
        doc = load_file(target)
    except LoadError as err:
        target.unlink(missing_ok=True)
        return None, {"file": name, "reason": err.reason}
    return target, {"file": name, "encoding": doc.encoding, "bytes": len(item.data)}


def add_documents(
    items: Sequence[Incoming],
    uploads: Path,
    existing_names: set[str],
    ingest: Callable[[list[Path]], Any],
    add: Callable[[list[Path]], Any] | None = None,
) -> tuple[Outcome, Any]:
    """Check every file, store the good ones in `uploads`, then `add(files)` — the library's
    incremental add, only the new files are read — or, without it, rebuild with `ingest([uploads])`.

    Returns the outcome and the ingest report (None when no file was good). Raises whatever
    `ingest` raises, after removing the files this call stored."""
    outcome = Outcome()
    uploads.mkdir(parents=True, exist_ok=True)
    # Staged under a hidden folder of `uploads`: the knowledge base skips hidden paths, so a
    # half-finished request is never ingested by a concurrent rebuild.
    staging = uploads / f".incoming-{uuid.uuid4().hex}"
    staging.mkdir()
    stored: list[Path] = []
    try:
        with INGEST_LOCK:
            taken = existing_names | {p.name for p in uploads.iterdir() if p.is_file()}
            for item in items:
                staged, detail = check_and_stage(item, staging, taken)
                if staged is None:
                    outcome.rejected.append(detail)
                    continue
                taken.add(item.filename)
                final = uploads / item.filename
                staged.replace(final)
                stored.append(final)
                if item.effective_from is not None:
                    stored.append(write_sidecar_date(final, item.effective_from))
                outcome.added.append(detail)
            if not stored:
                return outcome, None
            try:
                docs = [p for p in stored if not p.name.endswith(SIDECAR_SUFFIX)]
                report = add(docs) if add is not None else ingest([uploads])
            except BaseException:
                for path in stored:
                    path.unlink(missing_ok=True)
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _drop_files_the_library_refused(outcome, stored, report)
    return outcome, report


def _drop_files_the_library_refused(outcome: Outcome, stored: list[Path], report: Any) -> None:
    """A file the rebuild still reported as unreadable (e.g. a name clash with a corpus file the
    API could not see) is moved from `added` to `rejected` and removed, so the uploads folder
    holds only what the library serves."""
    errors = report.get("errors", []) if isinstance(report, dict) else getattr(report, "errors", [])
    by_name = {str(e.get("file")): str(e.get("reason", "")) for e in errors or [] if isinstance(e, dict)}
    for path in stored:
        if path.name in by_name:
            path.unlink(missing_ok=True)
            outcome.added = [a for a in outcome.added if a["file"] != path.name]
            outcome.rejected.append({"file": path.name, "reason": by_name[path.name]})


def library_file_names(kb: Any) -> set[str]:
    """Names of the files the library already cites (the file name is the citation key)."""
    names: set[str] = set()
    for clause in getattr(kb, "clauses", None) or []:
        for source in getattr(clause, "sources", []) or []:
            file = getattr(source, "file", None)
            if file:
                names.add(str(file))
    return names
