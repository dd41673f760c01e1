"""Work done on forked processes, its result sent back: how the build uses its cores.

Forking, not spawning: a child starts with this process's memory as it is (the
records, the Jinja environment, closures that could not be pickled) at no cost but
the pages it then writes to. Only the result travels back, pickled through a pipe,
so a task should return little: problems, strings.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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
