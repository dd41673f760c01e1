"""The pipeline, top to bottom: load → validate → link → plan → render → write → index.

Each stage returns data or raises ContentError with all of its problems; the
next stage never runs on invalid input, and output/ is replaced only at the end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .config import Config
from .furniture import furnish
from .graph import Site, link_records
from .load import load_content
from .markdown import make_markdown
from .model import ContentError, RecordRef
from .pages import Page, plan_pages
from .render import load_theme, make_environment, start_rendering
from .search import index_site, plan_shards
from .validate import validate_sources
from .write import discard, stage, swap_in, write_file


@dataclass(frozen=True)
class Built:
    site: Site
    pages: list[Page]
    files: list[str]  # the output paths written, pages first (the theme's static/ aside)


def check(config: Config, drafts: bool = False) -> Site:
    """Everything up to rendering: what `site-builder check` runs."""
    md = make_markdown(load_theme(config).labels["table"])
    sources = load_content(config.root, config.content_path)
    records = validate_sources(sources, md, include_drafts=drafts)
    return link_records(records, md, lambda ref: url_for(config, ref))


def build(config: Config, drafts: bool = False, search: bool | None = None, jobs: int = 1) -> Built:
    """Files are written into a staging folder as they are made, and nothing of them is
    kept in memory. jobs > 1: the pages render on that many forked processes while this
    one makes the furniture; the output is the same, byte for byte, as with jobs=1."""
    site = check(config, drafts)
    theme = load_theme(config)
    pages = plan_pages(site, theme.labels, config.search.shard_records)
    staged = stage(theme.path / "static", config.output_path)
    try:
        finish_rendering = start_rendering(
            pages, make_environment(config, theme, site), jobs, staged
        )
        furniture = []
        try:  # exports, feeds, calendars, redirects, sitemap
            for path, data in furnish(site, pages, config):
                write_file(staged, path, data)
                furniture.append(path)
        except ContentError:
            finish_rendering()  # a page's problems come first, as in a serial build
            raise
        finish_rendering()
        if config.search.enabled if search is None else search:
            index_site(staged, config, plan_shards(site.records, config.search.shard_records))
    except BaseException:
        discard(staged)
        raise
    swap_in(staged, config.output_path)
    return Built(site, pages, [p.output_path for p in pages] + furniture)


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
