"""Rendered files → a staged directory beside output/, swapped in only on success.

A failed build never touches the last good site: everything is written to
``.output.staging-<pid>`` first; only a complete tree replaces ``output/``, by
two renames on the same file system, so a reader sees the old site or the new
one, never a mixture.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.staging-{os.getpid()}"


def write_site(files: dict[str, bytes], static_dir: Path, output: Path) -> Path:
    """Write every file (and the theme's static/ as static/) into a fresh staging dir."""
    staged = stage(static_dir, output)
    for rel, data in sorted(files.items()):
        write_file(staged, rel, data)
    return staged


def stage(static_dir: Path, output: Path) -> Path:
    """A fresh staging dir beside output/ holding the theme's static/ as static/, for
    the build to write its files into as it makes them (write_file)."""
    staged = staging_path(output)
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    if static_dir.is_dir():
        shutil.copytree(static_dir, staged / "static")
    return staged


def write_file(staged: Path, rel: str, data: bytes) -> None:
    target = staged / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def append_file(staged: Path, rel: str, chunk: bytes) -> None:
    """Add a chunk to a staged file, creating it: files too large to hold come in
    chunks (a collection's exports, a batch of rows at a time)."""
    target = staged / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("ab") as f:
        f.write(chunk)


def swap_in(staged: Path, output: Path) -> None:
    """Replace output/ with the staged tree."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        os.rename(output, old)
    os.rename(staged, output)
    if old.exists():
        shutil.rmtree(old)


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)
