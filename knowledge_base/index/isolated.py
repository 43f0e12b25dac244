"""Heavy rebuild work in a child process: the built-in embedding's training, and (for the
service) the whole full rebuild.

A full rebuild trains the static embedding with sentence-transformers (torch). Done in the
service process, that left ~0.5 GB of torch and training buffers resident after every rebuild
(issue 11: 200 MB → 666–841 MB, never released). In a child process the memory goes back to the
system when the child exits; the parent only reads the saved model (numpy + tokenizers). The
result is the same: the same deterministic function runs, only elsewhere. The learned ranker's out-of-fold
dense models (`learned.dense_folds`) are built the same way, in children side by side. A plain subprocess
(`python -m knowledge_base.index.isolated payload.json`) rather than multiprocessing's spawn, which
would re-run an unguarded calling script in the child.

`rebuild_isolated` runs a whole `KnowledgeBase.rebuild` (pipeline, tokens, judge training) the
same way, for the service: the child writes the new generation and the judge to disk and exits,
the serving process then loads them. Why: in a thread of the serving process the rebuild held
the GIL in long pure-Python stretches (/healthz worst cases 150–365 ms during an ingest) and
left its allocations resident (issue 11).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _run_child(payload: dict, kind: str) -> subprocess.CompletedProcess[str]:
    """Run this module as a child on `payload` (handed over in a temporary JSON file, removed after)."""
    return _run_children([payload], kind)[0]


def _run_children(payloads: Sequence[dict], kind: str) -> list[subprocess.CompletedProcess[str]]:
    """Run one child per payload, all at once, and wait for every one (temporary files removed after)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    paths: list[str] = []
    try:
        for payload in payloads:
            fd, path = tempfile.mkstemp(prefix=f"medpolicy-{kind}-", suffix=".json")
            paths.append(path)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False)
        procs = [subprocess.Popen([sys.executable, "-m", "knowledge_base.index.isolated", path], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in paths]
        done = []
        for proc in procs:
            out, err = proc.communicate()
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        return done
    finally:
        for path in paths:
            Path(path).unlink(missing_ok=True)


def build_static_embedding_isolated(
    texts: Sequence[str], model_dir: Path, sections: Sequence[tuple[str, str]] | None,
    questions: Sequence[tuple[str, int]],
) -> None:
    """`build_static_embedding` in a child process; RuntimeError (Chinese) when it fails."""
    payload = {"texts": list(texts), "model_dir": str(model_dir),
               "sections": [list(s) for s in sections] if sections is not None else None,
               "questions": [list(q) for q in questions]}
    proc = _run_child(payload, "embedding")
    if proc.returncode != 0:
        raise RuntimeError(f"嵌入模型训练失败(子进程退出码 {proc.returncode}),已保留原有索引: {proc.stderr[-800:]}")


REBUILD_ERROR = "MEDPOLICY-REBUILD-ERROR:"  # marks the child's Chinese reason on stderr


def rebuild_isolated(settings, paths: Sequence[Path | str] | None) -> None:
    """`KnowledgeBase.rebuild(settings, paths)` in a child process; the new generation (and the
    judge) are on disk when it returns. IngestError (Chinese) when the child fails: the previous
    generation is untouched then (library.py)."""
    from knowledge_base.service import IngestError

    payload = {"rebuild": True, "settings": json.loads(settings.model_dump_json()),
               "paths": [str(p) for p in paths or []]}
    proc = _run_child(payload, "rebuild")
    if proc.returncode != 0:
        reasons = [line[len(REBUILD_ERROR):] for line in proc.stderr.splitlines() if line.startswith(REBUILD_ERROR)]
        raise IngestError(reasons[-1] if reasons else f"重建子进程失败(退出码 {proc.returncode}),已保留原有索引: {proc.stderr[-800:]}")


def _rebuild(data: dict) -> None:
    from knowledge_base.config import KBSettings
    from knowledge_base.service import IngestError, KnowledgeBase

    try:
        KnowledgeBase.rebuild(KBSettings(**data["settings"]), data["paths"] or None)
    except IngestError as exc:
        print(REBUILD_ERROR + str(exc).replace("\n", " "), file=sys.stderr, flush=True)
        raise SystemExit(3) from exc


def build_static_embeddings_isolated(
    texts: Sequence[str], models: Sequence[tuple[Path, Sequence[tuple[str, int]]]],
    sections: Sequence[tuple[str, str]] | None, workers: int = 1,
) -> None:
    """`build_static_embeddings` (several models of one corpus, each with its own annotated
    pairs) in child processes — up to `workers` at once, the models dealt out in turn (each model
    trains on one thread, so the weights do not depend on how they are dealt); RuntimeError
    (Chinese) when any fails."""
    sections_list = [list(s) for s in sections] if sections is not None else None
    n = max(1, min(workers, len(models)))
    payloads = [{"texts": list(texts), "sections": sections_list,
                 "models": [{"model_dir": str(d), "questions": [list(q) for q in qs]} for d, qs in models[j::n]]}
                for j in range(n)]
    for proc in _run_children(payloads, "embeddings"):
        if proc.returncode != 0:
            raise RuntimeError(f"嵌入模型训练失败(子进程退出码 {proc.returncode}): {proc.stderr[-800:]}")


def _main(path: str) -> None:
    from knowledge_base.index.embedding_builder import build_static_embedding, build_static_embeddings

    data = json.loads(Path(path).read_text("utf-8"))
    if data.get("rebuild"):
        _rebuild(data)
        return
    sections = [tuple(s) for s in data["sections"]] if data["sections"] is not None else None
    if "models" in data:
        build_static_embeddings(data["texts"], [(Path(m["model_dir"]), [(q, int(i)) for q, i in m["questions"]])
                                                for m in data["models"]], sections=sections)
        return
    build_static_embedding(data["texts"], Path(data["model_dir"]), sections=sections,
                           questions=[(q, int(i)) for q, i in data["questions"]])


if __name__ == "__main__":
    _main(sys.argv[1])
