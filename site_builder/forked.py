"""Work done on forked processes, its result sent back: how the build uses its cores.

Forking, not spawning: a child starts with this process's memory as it is (the
records, the Jinja environment, closures that could not be pickled) at no cost but
the pages it then writes to. Only the result travels back, pickled through a pipe,
so a task should return little: problems, strings.

A child is not free, though: touching an object writes its reference count, so a
worker that visits most of the records copies most of the pages that hold them (at
10,000 meetings, a render worker 1.0-1.1 GB beside a build of 1.2 GB). ``affordable``
lets no more workers start than the free memory holds.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def affordable(workers: int) -> int:
    """How many of `workers` forked processes fit in the memory available now, each
    counted as twice this process's resident memory. A worker copies nearly all of it
    (new objects land in the free slots of shared pages, and both processes write
    reference counts: at 10,000 meetings 1,020-1,122 MB copied beside 1,168 MB held), and
    what is left is the page cache's and the other programs': at 100,000 meetings a
    linking worker let in at one and a half times took the processes to 18.5 GB of
    this 23.5 GiB machine, which has no swap (whether it saved time could not be told
    from the machine's own hour-to-hour changes, docs/performance.md). So at 10,000
    meetings (1 GB held) about ten; at 100,000 one for linking (5.8 GB held, 16.2 GB
    available) and one for rendering (7.4 GB held, 15.8 GB available), the second only
    just. Where /proc is missing (not Linux), `workers` as asked. The memory available
    is the machine's, not a container's memory limit."""
    memory = memory_now()
    return workers if memory is None else workers_within(workers, *memory)


def memory_now() -> tuple[int, int] | None:
    """This process's resident bytes and the bytes the system has available, from
    /proc; None where there is no /proc."""
    try:
        held = os.sysconf("SC_PAGE_SIZE") * int(_read("/proc/self/statm").split()[1])
        meminfo = dict(line.split(":", 1) for line in _read("/proc/meminfo").splitlines())
        available = 1024 * int(meminfo["MemAvailable"].split()[0])
    except (OSError, ValueError, IndexError, KeyError):
        return None
    return held, available


def workers_within(workers: int, held: int, available: int) -> int:
    """At most `workers`, as many as `available` bytes hold at 2 × `held` each."""
    return max(0, min(workers, available // (2 * max(held, 1))))


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def run_forked(task: Callable[[], T]) -> Callable[[], T]:
    """Run task in a forked child; return the function that waits for its result. An
    exception in the child is raised in the parent, as if task had run there."""
    fork = multiprocessing.get_context("fork")
    receiver, sender = fork.Pipe(duplex=False)
    child = fork.Process(target=_send_outcome, args=(task, sender), daemon=True)
    child.start()
    sender.close()

    def result() -> T:
        collecting = gc.isenabled()
        gc.disable()  # unpickling makes many objects at once: each would start a collection
        try:
            outcome = receiver.recv()  # before join: a child blocks until its result is read
        except EOFError:
            child.join()
            message = f"a worker process stopped (exit code {child.exitcode})"
            raise RuntimeError(message) from None
        finally:
            receiver.close()
            if collecting:
                gc.enable()
        child.join()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return result


def _send_outcome(task: Callable[[], object], sender: Connection) -> None:
    try:
        outcome = task()
    except Exception as err:  # a bug: sent to be raised in the parent
        outcome = err
    sender.send(outcome)
