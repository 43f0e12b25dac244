"""Training's per-question work in forked workers (knowledge_base.learned.parallel): the same
results, in the same order, as the serial loop; serial whenever forking is not safe."""

from __future__ import annotations

import os
import threading

import pytest

from knowledge_base.learned import parallel


def _square_with_pid(state, tasks):
    offset = state
    return [(t * t + offset, os.getpid()) for t in tasks]


def test_results_come_back_in_input_order_and_equal_the_serial_loop():
    tasks = list(range(101))
    serial = _square_with_pid(3, tasks)
    got = parallel.map_in_order(_square_with_pid, 3, tasks, workers=2)
    assert [v for v, _ in got] == [v for v, _ in serial]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_work_runs_in_child_processes_when_forking_is_safe(monkeypatch):
    monkeypatch.setattr(parallel, "fork_is_safe", lambda: True)
    got = parallel.map_in_order(_square_with_pid, 0, list(range(64)), workers=2)
    pids = {p for _, p in got}
    assert os.getpid() not in pids and len(pids) == 2  # one child per worker asked for
    assert [v for v, _ in got] == [t * t for t in range(64)]


def test_another_running_thread_keeps_the_work_in_process():
    release = threading.Event()
    t = threading.Thread(target=release.wait, daemon=True)
    t.start()
    try:
        assert not parallel.fork_is_safe()
        got = parallel.map_in_order(_square_with_pid, 0, list(range(64)), workers=2)
        assert {p for _, p in got} == {os.getpid()}
    finally:
        release.set()
        t.join()


def test_few_tasks_or_one_worker_stay_serial():
    assert {p for _, p in parallel.map_in_order(_square_with_pid, 0, list(range(64)), workers=1)} == {os.getpid()}
    few = parallel.map_in_order(_square_with_pid, 0, list(range(parallel.MIN_TASKS_PER_WORKER)), workers=2)
    assert {p for _, p in few} == {os.getpid()}


def _drops_one(state, tasks):
    return list(tasks)[1:]


def test_a_worker_returning_the_wrong_number_of_results_is_an_error(monkeypatch):
    monkeypatch.setattr(parallel, "fork_is_safe", lambda: True)
    with pytest.raises(RuntimeError, match="results"):
        parallel.map_in_order(_drops_one, None, list(range(40)), workers=2)


def test_worker_count_follows_the_setting(monkeypatch):
    monkeypatch.setenv("MEDPOLICY_TRAIN_WORKERS", "1")
    assert parallel.worker_count() == 1
    monkeypatch.setenv("MEDPOLICY_TRAIN_WORKERS", "3")
    assert parallel.worker_count() == 3
    monkeypatch.setenv("MEDPOLICY_TRAIN_WORKERS", "viele")
    assert 1 <= parallel.worker_count() <= parallel.MAX_WORKERS
