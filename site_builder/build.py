"""The pipeline, top to bottom: load → validate → link → plan → render → write → index.

Each stage returns data or raises ContentError with all of its problems; the
next stage never runs on invalid input, and output/ is replaced only at the end.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .furniture import furnish
from .graph import Site, link_records
from .load import load_content
from .markdown import make_markdown
from .model import ContentError, RecordRef
from .pages import plan_pages
from .render import load_theme, make_environment, start_rendering
from .search import Shard, index_site, plan_shards
from .validate import validate_sources
from .write import append_file, discard, stage, swap_in


@dataclass(frozen=True)
class Built:
    files: list[str]  # the output paths written, pages first (the theme's static/ aside)
    index_seconds: float | None = None  # the time the search index took, if made


def check(config: Config, drafts: bool = False, jobs: int = 1) -> Site:
    """Everything up to rendering: what `site-builder check` runs, validating and
    linking on `jobs` processes."""
    md = make_markdown(load_theme(config).labels["table"])
    sources = load_content(config.root, config.content_path)
    with collector_paused():
        records = validate_sources(sources, md, drafts, jobs - 1)
        # The files' text is in the records now. Freed and handed back to the system,
        # it no longer counts against the linking workers (forked.affordable), nor is
        # it copied by them when this process reuses it: held when linking starts
        # 970 -> 730 MB at 10,000 meetings (tree peak 2,250 -> 2,050 MB), 9.0 -> 7.0 GB
        # at 100,000, where a linking worker then fits.
        del sources
        release_freed_heap()
        return link_records(records, md, lambda ref: url_for(config, ref), jobs - 1)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while the records are made: they are millions of objects
    that live as long as the build, and each full collection, started as their number
    grows, walks all of them again (a quarter of checking 10,000 meetings: 48.1 s with
    the collector, 37.0 s without). What it would have found is little: 30,000 objects
    in cycles at 10,000 meetings, collected when it runs again after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build(config: Config, drafts: bool = False, search: bool | None = None, jobs: int = 1) -> Built:
    """jobs: the processes to build on. With jobs > 1 the records are validated and
    linked on all of them, then the pages render on jobs - 1 forked processes while this one
    makes the furniture (data exports, feeds: about as much work as the pages); the
    output is the same, byte for byte, as with jobs=1."""
    staged = stage(load_theme(config).path / "static", config.output_path)
    try:
        files, shards = write_files(config, staged, drafts, jobs)
        index_seconds = None
        if config.search.enabled if search is None else search:
            started = time.perf_counter()
            give_back_memory()
            index_site(staged, config, shards)
            index_seconds = time.perf_counter() - started
    except BaseException:
        discard(staged)
        raise
    swap_in(staged, config.output_path)
    return Built(files, index_seconds)


def write_files(
    config: Config, staged: Path, drafts: bool, jobs: int
) -> tuple[list[str], tuple[Shard, ...]]:
    """Check, render and furnish the site into the staging folder, each file written as
    it is made; return the paths written and the parts of the search index to make.
    The records and pages are this function's alone, so that they are freed when it
    returns, before Pagefind needs the memory."""
    theme = load_theme(config)
    # The records and pages live until this function returns: the garbage collector
    # need not walk them again and again (a full collection visits every object), and
    # forked render workers share their memory instead of copying every page of it
    # that a collection would write to. So it is paused while they are made and then
    # they are frozen out of its sight.
    with collector_paused():
        site = check(config, drafts, jobs)
        pages = plan_pages(site, theme.labels, config.search.shard_records)
        gc.freeze()
    try:
        finish = start_rendering(pages, make_environment(config, theme, site), jobs - 1, staged)
        furniture: dict[str, None] = {}  # the paths, in order
        try:  # exports, feeds, calendars, redirects, sitemap
            for path, chunk in furnish(site, pages, config):
                append_file(staged, path, chunk)
                furniture[path] = None
        except ContentError:
            finish()  # a page's problems come first, as in a serial build
            raise
        finish()
    finally:
        gc.unfreeze()
    shards = plan_shards(site.records, config.search.shard_records)
    return [p.output_path for p in pages] + list(furniture), shards


def give_back_memory() -> None:
    """Return the memory of the freed records to the system before Pagefind runs beside
    this process: CPython and malloc keep freed heap pages for reuse. Measured on the
    1,000-meeting archive: 196 MB held after writing, 156 MB after the collection,
    71 MB after glibc's malloc_trim (elsewhere this only collects garbage)."""
    gc.collect()
    release_freed_heap()


def release_freed_heap() -> None:
    """Hand the heap pages that malloc holds free back to the system (glibc's
    malloc_trim; elsewhere nothing): they stop counting as this process's memory,
    and a page reused after a fork is a new page of this process's, not a copy that
    both processes then hold. Takes 17 ms at 10,000 meetings."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def available_cores(cap: int = 8) -> int:
    """The cores this process may run on, at most cap: the default number of jobs.
    Capped because each worker costs memory (the pages it touches are copied: ~140 MB
    at 1,000 meetings), and with more workers the furniture made meanwhile is the
    longer path anyway."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, cap))


def url_for(config: Config, ref: RecordRef) -> str:
    return config.base_path + ref.url.lstrip("/")
