"""Releases: every publish is a new directory, made live by one symlink swap.

A releases folder (what ``install-hooks --releases DIR`` and ``rollback --releases
DIR`` name) looks like this::

    DIR/
      current -> releases/0007-3f2a9c1d04be   the web server's document root
      releases/0006-…/ releases/0007-…/       the last N published sites, oldest first
      incoming/<commit>/                      a checked build waiting to go live
      cache/                                  what the next build may reuse
      .lock                                   one publish or rollback at a time

Why a symlink: a web server resolves ``current`` afresh on every request, and
replacing a symlink with ``os.replace`` is one rename(2), so each request sees
the old release or the new one, never a mixture. The old tree stays whole
until it is pruned, so a request already reading it finishes, and a rollback
is another swap. Release names start with a number that grows with every
release made live, so "the previous release" needs no clock.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .config import Config

CURRENT = "current"
RELEASES = "releases"
INCOMING = "incoming"
CACHE = "cache"
LOCK = ".lock"
MIN_KEEP = 2  # the live release and one to roll back to
COMMIT_CHARS = 12  # of a commit id in a release name, as git abbreviates it

_RELEASE_NAME = re.compile(r"(?P<number>[0-9]{4,})-(?P<commit>[0-9a-f]{1,40})")


class PublishError(Exception):
    """A releases folder cannot do what was asked; the message says what to do."""


@dataclass(frozen=True)
class Release:
    """One published site: releases/<number>-<commit>/."""

    number: int
    commit: str  # abbreviated commit id the site was built from
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def release_name(number: int, commit: str) -> str:
    return f"{number:04d}-{commit[:COMMIT_CHARS]}"


def init_releases(root: Path) -> None:
    """Create the folders of a releases folder (idempotent)."""
    for name in (RELEASES, INCOMING):
        (root / name).mkdir(parents=True, exist_ok=True)


@contextmanager
def publish_lock(root: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the releases folder's lock: builds, swaps and rollbacks run one at a time.

    flock(2) is released by the kernel when the holder exits, however it exits, so a
    crashed push never leaves the folder locked. `on_wait` is called once if another
    process holds the lock, before waiting for it (to tell the clerk why nothing moves).
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def list_releases(root: Path) -> list[Release]:
    """The releases of `root`, oldest first (staging and other entries ignored)."""
    folder = root / RELEASES
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = _RELEASE_NAME.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink():
            found.append(Release(int(match["number"]), match["commit"], entry))
    return sorted(found, key=lambda r: r.number)


def current_release(root: Path) -> Release | None:
    """The release `current` points at, or None before the first publish."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    target = Path(os.readlink(link)).name
    return next((r for r in list_releases(root) if r.name == target), None)


def prepare_release(root: Path, config: Config, commit: str) -> Path:
    """Check and build the site of `config` into incoming/<commit>/; nothing goes live.

    Raises ContentError with every problem; then incoming/<commit>/ does not exist.
    """
    from .build import available_cores, build

    target = root / INCOMING / commit
    init_releases(root)
    if target.exists():
        shutil.rmtree(target)
    # build() stages beside its output folder and renames into place only on success.
    # The cache lives in the releases folder: each push builds a fresh export of the
    # commit, and the parts of the search index that it did not change are reused.
    built = replace(
        config, output_dir=str(target.resolve()), cache_dir=str((root / CACHE).resolve())
    )
    build(built, jobs=available_cores())
    return target


def activate(root: Path, prepared: Path, commit: str) -> Release:
    """Move a prepared build into releases/ under the next number, and make it live."""
    number = max((r.number for r in list_releases(root)), default=0) + 1
    path = root / RELEASES / release_name(number, commit)
    os.rename(prepared, path)
    release = Release(number, commit[:COMMIT_CHARS], path)
    switch_to(root, release)
    return release


def switch_to(root: Path, release: Release) -> None:
    """Point `current` at `release` with one rename: the swap a web server follows."""
    link = root / CURRENT
    temporary = root / f".{CURRENT}.tmp-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path(RELEASES) / release.name)
    os.replace(temporary, link)
    _sync_directory(root)


def prune(root: Path, keep: int) -> list[Release]:
    """Delete all but the newest `keep` releases (never the live one); return those deleted."""
    live = current_release(root)
    releases = list_releases(root)
    kept = {r.name for r in releases[-keep:]} | ({live.name} if live else set())
    deleted = [r for r in releases if r.name not in kept]
    for release in deleted:
        shutil.rmtree(release.path)
    return deleted


def clear_incoming(root: Path) -> None:
    """Remove prepared builds that never went live (a push git refused after checking it).

    Call it holding the lock: then no build is writing there.
    """
    folder = root / INCOMING
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def rollback(root: Path, to: str | None = None) -> tuple[Release, Release]:
    """Make an earlier release live again: the one before the live one, or the one named.

    Returns (the release that was live, the release now live).
    """
    with publish_lock(root):
        releases = list_releases(root)
        live = current_release(root)
        if live is None:
            raise PublishError(f"{root} has no live release: nothing to roll back")
        if to is None:
            earlier = [r for r in releases if r.number < live.number]
            if not earlier:
                raise PublishError(
                    f"{live.name} is the oldest release kept in {root / RELEASES}: "
                    "there is nothing earlier to roll back to"
                )
            target = earlier[-1]
        else:
            target = next((r for r in releases if r.name == to or str(r.number) == to), None)
            if target is None:
                names = ", ".join(r.name for r in releases) or "none"
                raise PublishError(f"no release '{to}' in {root / RELEASES} (kept: {names})")
        switch_to(root, target)
        return live, target


def _sync_directory(path: Path) -> None:
    """fsync a directory, so that a rename in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
