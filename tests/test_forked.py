"""How many forked workers the build starts: as many as asked, as long as the free
memory holds each one at twice the parent's resident memory."""

from __future__ import annotations

import pytest

from site_builder.forked import affordable, memory_now, run_forked, workers_within

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


def test_a_worker_s_exception_is_raised_in_the_parent() -> None:
    def fails() -> None:
        raise ValueError("in the worker")

    with pytest.raises(ValueError, match="in the worker"):
        run_forked(fails)()
