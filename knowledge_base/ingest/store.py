"""Persist an IngestResult as JSON, atomically.

`save` writes a temporary file in the same directory, flushes it to disk and `os.replace`s it over
the store file: a crash or a failed ingest leaves the previous store intact, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from knowledge_base.ingest.pipeline import IngestResult

STORE_FILE = "clauses.json"


class StoreError(Exception):
    """The store is missing or unreadable; the message says what to do (Chinese)."""


class ClauseStore:
    def __init__(self, store_dir: str | Path):
        self.store_dir = Path(store_dir)
        self.path = self.store_dir / STORE_FILE

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, result: IngestResult) -> Path:
        """Write `result` atomically; returns the store file path."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        payload = result.model_dump_json(indent=1)
        fd, tmp = tempfile.mkstemp(prefix=".clauses-", suffix=".tmp", dir=self.store_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.path

    def load(self) -> IngestResult:
        if not self.exists():
            raise StoreError(f"知识库尚未建立,请先运行 `medpolicy ingest`: {self.path} not found")
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return IngestResult.model_validate(data)
        except (OSError, ValueError, ValidationError) as exc:
            raise StoreError(f"知识库文件损坏,请重新运行 `medpolicy ingest`: {self.path}: {exc}") from exc
