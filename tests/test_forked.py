"""How many forked workers the build starts (as many as asked, as long as the free
memory holds each one at twice the parent's resident memory), and how they share work."""

from __future__ import annotations

import os
import time

import pytest

from site_builder import forked
from site_builder.forked import affordable, memory_now, start_sharing, workers_within

GB = 2**30


@pytest.mark.parametrize(
    ("asked", "held", "available", "started"),
    [
        (3, 1 * GB, 21 * GB, 3),  # 10,000 meetings: all that were asked
        (1, 11 * GB, 12 * GB, 0),  # 100,000 meetings on 24 GB: none, the build goes on alone
        (1, 9 * GB, 13 * GB, 0),  # nor when linking starts there (held 9.0, available 13.2 GB)
        (4, 2 * GB, 11 * GB, 2),  # room for two workers and a half
        (2, 2 * GB, 4 * GB, 1),  # exactly one
        (0, 1, 100 * GB, 0),  # none asked, none started
    ],
)
def test_workers_start_only_as_far_as_the_free_memory_holds_them(
    asked: int, held: int, available: int, started: int
) -> None:
    assert workers_within(asked, held, available) == started


def test_the_memory_is_read_from_the_system() -> None:
    memory = memory_now()
    assert memory is not None
    held, available = memory
    # This test process holds some 100 MB; the machines it runs on have gigabytes free.
    assert 10 * 2**20 < held < 2 * GB < available
    assert affordable(2) == 2


def pid_of(item: int) -> tuple[int, int]:
    time.sleep(0.01)  # long enough for every process to take some
    return item, os.getpid()


@pytest.mark.parametrize(("workers", "batch"), [(0, 50), (1, 1), (2, 3), (2, 50), (3, 7)])
def test_shared_work_comes_back_in_order_whoever_did_it(
    workers: int, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forked, "BATCH", batch)
    results = start_sharing(pid_of, range(40), workers)()
    assert [item for item, _ in results] == list(range(40))
    pids = [pid for _, pid in results]
    for start in range(0, 40, batch):  # a batch is one process's
        assert len(set(pids[start : start + batch])) == 1
    if workers and batch < 10:  # this process and at least one worker took some
        assert os.getpid() in pids
        assert len(set(pids)) >= 2
    else:
        assert len(set(pids)) <= workers + 1


def test_what_a_worker_made_travels_packed_and_is_unpacked_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked, "BATCH", 1)
    here = os.getpid()

    def pack(item: int, result: tuple[int, int]) -> str:
        assert os.getpid() != here, "packed here"
        return f"{item}:{result[0] * 10}"

    def unpack(item: int, packed: str) -> tuple[int, int]:
        assert os.getpid() == here
        assert packed.startswith(f"{item}:")
        return int(packed.split(":")[1]) // 10, -1  # -1: made by a worker

    results = start_sharing(pid_of, range(20), 2, pack, unpack)()
    assert [item for item, _ in results] == list(range(20))
    made_here = {item for item, pid in results if pid == here}
    assert made_here and len(made_here) < 20
    assert all(pid in (here, -1) for _, pid in results)


def test_a_worker_s_exception_is_raised_by_the_function_that_joins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forked, "BATCH", 1)
    here = os.getpid()

    def fails_in_a_worker(item: int) -> int:
        time.sleep(0.01)
        if os.getpid() != here:
            raise ValueError("in the worker")
        return item

    finish = start_sharing(fails_in_a_worker, range(20), 1)
    with pytest.raises(ValueError, match="in the worker"):
        finish()


def test_a_worker_that_dies_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "BATCH", 1)
    here = os.getpid()

    def dies_in_a_worker(item: int) -> int:
        time.sleep(0.01)
        if os.getpid() != here:
            os._exit(3)
        return item

    with pytest.raises(RuntimeError, match=r"a worker process stopped \(exit code 3\)"):
        start_sharing(dies_in_a_worker, range(20), 1)()
