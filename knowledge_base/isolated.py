"""Train the built-in embedding in a child process, so the service never imports torch.

A full rebuild trains the static embedding with sentence-transformers (torch). Done in the
service process, that left ~0.5 GB of torch and training buffers resident after every rebuild
(issue 11: 200 MB → 666–841 MB, never released). In a child process the memory goes back to the
system when the child exits; the parent only reads the saved model (numpy + tokenizers). The
result is the same: the same deterministic function runs, only elsewhere. A plain subprocess
(`python -m knowledge_base.isolated payload.json`) rather than multiprocessing's spawn, which
would re-run an unguarded calling script in the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def build_static_embedding_isolated(
    texts: Sequence[str], model_dir: Path, sections: Sequence[tuple[str, str]] | None,
    questions: Sequence[tuple[str, int]],
) -> None:
    """`build_static_embedding` in a child process; RuntimeError (Chinese) when it fails."""
    payload = {"texts": list(texts), "model_dir": str(model_dir),
               "sections": [list(s) for s in sections] if sections is not None else None,
               "questions": [list(q) for q in questions]}
    fd, path = tempfile.mkstemp(prefix="medpolicy-embedding-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        proc = subprocess.run([sys.executable, "-m", "knowledge_base.isolated", path], env=env,
                              capture_output=True, text=True)
    finally:
        Path(path).unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"嵌入模型训练失败(子进程退出码 {proc.returncode}),已保留原有索引: {proc.stderr[-800:]}")


def _main(path: str) -> None:
    from knowledge_base.embedding_builder import build_static_embedding

    data = json.loads(Path(path).read_text("utf-8"))
    sections = [tuple(s) for s in data["sections"]] if data["sections"] is not None else None
    build_static_embedding(data["texts"], Path(data["model_dir"]), sections=sections,
                           questions=[(q, int(i)) for q, i in data["questions"]])


if __name__ == "__main__":
    _main(sys.argv[1])
