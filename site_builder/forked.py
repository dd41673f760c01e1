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

import contextlib
import fcntl
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any, TypeVar

A = TypeVar("A")
R = TypeVar("R")


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


BATCH = 50  # items taken at a time


def start_sharing(
    task: Callable[[A], R],
    items: Sequence[A],
    workers: int,
    pack: Callable[[A, R], Any] = lambda item, result: result,
    unpack: Callable[[A, Any], R] = lambda item, packed: packed,
) -> Callable[[], list[R]]:
    """Start task(item) for every item on `workers` forked processes and return the
    function that joins them from this process and gives every result, in the order of
    items, whoever made it. With workers < 1, or where processes cannot be forked, the
    work is done here and now.

    Each process takes the next BATCH items from a counter they share, so that all of
    them finish together however fast each one is: a worker is slower than this process
    (it copies the memory it touches, and pickles what it sends; validating 10,000
    meetings with every other file given to a worker, this process did its half in 6.4 s
    and then waited 5.9 s for the worker's), and this process may have other work to do
    before it joins. A worker sends each batch's results as soon as they are made,
    pack(item, result) pickled, and a thread here receives them meanwhile,
    unpack(item, packed): no worker waits on a full pipe (see _widen), and no one waits
    at the end for everything to be pickled. The callers keep the garbage collector
    paused while a worker's results arrive (build.collector_paused), since unpickling
    makes many objects at once. An exception in a worker is raised by the function
    returned, as if the task had raised it here."""
    if workers < 1 or not can_fork():
        results = [task(item) for item in items]
        return lambda: results
    fork = multiprocessing.get_context("fork")
    taken = fork.Value("q", 0)  # the batches taken
    children: list[tuple[Connection, BaseProcess]] = []
    for _ in range(workers):  # each sending end closed here before the next fork
        receiver, sender = fork.Pipe(duplex=False)
        _widen(receiver)
        child = fork.Process(target=_take, args=(task, items, taken, pack, sender), daemon=True)
        child.start()
        sender.close()
        children.append((receiver, child))
    done: list[Any] = [None] * len(items)
    failures: list[BaseException] = []
    threads = [  # started once every worker is forked: no thread is forked mid-read
        threading.Thread(
            target=_receive, args=(receiver, child, items, unpack, done, failures), daemon=True
        )
        for receiver, child in children
    ]
    for thread in threads:
        thread.start()

    def finish() -> list[R]:
        for start, batch in _batches(items, taken):
            done[start : start + len(batch)] = [task(item) for item in batch]
        for thread in threads:
            thread.join()
        for _, child in children:
            child.join()
        if failures:
            raise failures[0]
        return done

    return finish


PIPE_BYTES = 1 << 20  # Linux's default most for a process without privileges


def _widen(receiver: Connection) -> None:
    """A pipe of 1 MiB instead of 64 KiB. The thread that reads it needs the GIL for each
    read while this process's main thread works, so with a small pipe a worker stalls on
    every batch it sends: validating 10,000 meetings on two processes 11.7 s with 64 KiB,
    9.3 s with 1 MiB. Where the system refuses (not Linux, a lower limit), as it is."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(receiver.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _batches(items: Sequence[A], taken: Synchronized) -> Iterator[tuple[int, Sequence[A]]]:
    """The batches of items not yet taken by another process, taking each."""
    while True:
        with taken.get_lock():
            start = taken.value * BATCH
            taken.value += 1
        if start >= len(items):
            return
        yield start, items[start : start + BATCH]


def _take(
    task: Callable[[A], R],
    items: Sequence[A],
    taken: Synchronized,
    pack: Callable[[A, R], Any],
    sender: Connection,
) -> None:
    """A worker: each batch's results sent as made, then None (or the exception)."""
    outcome: BaseException | None = None
    try:
        for start, batch in _batches(items, taken):
            sender.send((start, [pack(item, task(item)) for item in batch]))
    except Exception as err:  # a bug: sent to be raised in the parent
        outcome = err
    sender.send(outcome)


def _receive(
    receiver: Connection,
    child: BaseProcess,
    items: Sequence[A],
    unpack: Callable[[A, Any], R],
    done: list[Any],
    failures: list[BaseException],
) -> None:
    """This process's thread for one worker: its results put in place as they come."""
    try:
        while (message := receiver.recv()) is not None:
            if isinstance(message, BaseException):
                failures.append(message)
                return
            start, packed = message
            done[start : start + len(packed)] = [
                unpack(items[start + i], p) for i, p in enumerate(packed)
            ]
    except EOFError:
        child.join()
        failures.append(RuntimeError(f"a worker process stopped (exit code {child.exitcode})"))
    except Exception as err:  # a bug in unpack
        failures.append(err)
    finally:
        receiver.close()
