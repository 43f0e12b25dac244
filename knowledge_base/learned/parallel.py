"""Training's per-question work on every core the process may use (issue 11).

Training the answer judge is most of a full ingest (docs/BENCHMARKS.md), and almost all of it is
independent per question: each annotated question's candidates and features, each out-of-fold
model. It ran on one core of two. Here that work is dealt to forked worker processes, which
inherit the searchers, indexes and models already in memory (nothing is rebuilt or reloaded), and
the results come back in input order — the same values as the serial loop, so training stays
deterministic whatever the number of workers.

Fork is used only where it is safe: a POSIX process with no other thread running (a forked child
gets only the calling thread; a lock another thread held at that moment would never be released in
it). Elsewhere — a test client's event-loop thread, a server — the work runs serially in-process.
`MEDPOLICY_TRAIN_WORKERS` caps the workers (1 = serial).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

MAX_WORKERS = 4
# Below this many tasks per worker the fork and the pickled results cost more than they save.
MIN_TASKS_PER_WORKER = 8

# What the forked children run: set just before the pool forks, cleared after (children inherit it).
_JOB: tuple[Callable[[Any, Sequence[Any]], list[Any]], Any, list[Sequence[Any]]] | None = None


def worker_count() -> int:
    """The workers training may use: the cores this process may run on (at most `MAX_WORKERS`),
    or `MEDPOLICY_TRAIN_WORKERS`."""
    wanted = os.environ.get("MEDPOLICY_TRAIN_WORKERS", "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            log.warning("MEDPOLICY_TRAIN_WORKERS=%r is not a number; using the cores available", wanted)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


def fork_is_safe() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_in_order(fn: Callable[[Any, Sequence[Any]], list[Any]], state: Any, tasks: Sequence[Any],
                 workers: int | None = None, min_per_worker: int = MIN_TASKS_PER_WORKER) -> list[Any]:
    """`fn(state, tasks)` — which returns one result per task, in order — computed in contiguous
    chunks by forked workers and concatenated in order; serially when there is one worker, few
    tasks (fewer than `min_per_worker` each) or fork is not safe here. `state` reaches the workers
    by inheritance, never pickled; the results are pickled back."""
    n = worker_count() if workers is None else max(1, workers)
    n = min(n, len(tasks) // max(1, min_per_worker))
    if n <= 1 or not fork_is_safe():
        if n > 1:
            log.info("training work runs in-process: %d threads are running, forking is not safe", threading.active_count())
        return list(fn(state, tasks))
    # a few chunks per worker, so one slow chunk does not leave a core idle at the end
    k = min(len(tasks), n * 4)
    bounds = [len(tasks) * j // k for j in range(k + 1)]
    chunks = [tasks[bounds[j]:bounds[j + 1]] for j in range(k)]
    global _JOB
    _JOB = (fn, state, chunks)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            parts = pool.map(_run_chunk, range(k), chunksize=1)
    finally:
        _JOB = None
    out: list[Any] = []
    for chunk, part in zip(chunks, parts, strict=True):
        if len(part) != len(chunk):
            raise RuntimeError(f"a training worker returned {len(part)} results for {len(chunk)} tasks")
        out.extend(part)
    return out


def _run_chunk(j: int) -> list[Any]:
    from threadpoolctl import threadpool_limits

    assert _JOB is not None, "a training worker started without its job"
    fn, state, chunks = _JOB
    with threadpool_limits(1):  # the workers are the parallelism: no BLAS/OpenMP threads inside one
        return list(fn(state, chunks[j]))
