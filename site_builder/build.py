"""The pipeline, top to bottom: load → validate → link → plan → render → write → index.

Each stage returns data or raises ContentError with all of its problems; the
next stage never runs on invalid input, and output/ is replaced only at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .furniture import furnish
from .graph import Site, link_records
from .load import load_content
from .markdown import make_markdown
from .model import RecordRef
from .pages import Page, plan_pages
from .render import load_theme, make_environment, render_pages
from .search import index_site
from .validate import validate_sources
from .write import discard, swap_in, write_site


@dataclass(frozen=True)
class Built:
    site: Site
    pages: list[Page]
    files: dict[str, bytes]


def check(config: Config, drafts: bool = False) -> Site:
    """Everything up to rendering: what `site-builder check` runs."""
    md = make_markdown(load_theme(config).labels["table"])
    sources = load_content(config.root, config.content_path)
    records = validate_sources(sources, md, include_drafts=drafts)
    return link_records(records, md, lambda ref: url_for(config, ref))


def build(config: Config, drafts: bool = False, search: bool | None = None) -> Built:
    site = check(config, drafts)
    theme = load_theme(config)
    pages = plan_pages(site, theme.labels)
    files = render_pages(pages, make_environment(config, theme, site))
    files.update(furnish(site, pages, config))  # exports, feeds, calendars, redirects, sitemap
    staged = write_site(files, theme.path / "static", config.output_path)
    try:
        if config.search.enabled if search is None else search:
            index_site(staged, config)
    except BaseException:
        discard(staged)
        raise
    swap_in(staged, config.output_path)
    return Built(site, pages, files)


def url_for(config: Config, ref: RecordRef) -> str:
    return config.base_path + ref.url.lstrip("/")
