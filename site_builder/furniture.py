"""The web's furniture around the record pages, as one build step.

After the record pages are rendered, this adds what citizens subscribe to,
journalists download and crawlers read: the data exports (exports.py), the feeds
and calendars (feeds.py), the redirects of renamed records (redirects.py), the
pages that explain them (/data/, /upcoming/), sitemap.xml and robots.txt.
Everything is derived from the linked site, so it is as deterministic as the pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .config import Config
from .exports import (
    DATA_DIR,
    SCHEMA_DIR,
    Collection,
    Exporter,
    collections,
    export_files,
    record_json_path,
    record_schemas,
)
from .feeds import (
    CALENDAR_FILE,
    FEED_FILE,
    calendar_files,
    feed_files,
    render_robots,
    render_sitemap,
)
from .graph import Site
from .model import ContentError, Location, Meeting, Problem, RecordRef
from .pages import Crumb, Page
from .redirects import check_redirects, plan_redirects, render_redirects
from .render import load_theme, make_environment, render_pages
from .schema import CONTENT_KINDS, content_schemas, dump, schema_file_name

DATA_PAGE = "/data/"
UPCOMING_PAGE = "/upcoming/"


@dataclass(frozen=True)
class Download:
    """One collection as the data page lists it."""

    name: str
    title: str
    count: int
    fields: tuple[tuple[str, str], ...]  # (field, description) of one record
    csv_columns: tuple[str, ...]


def furnish(site: Site, pages: list[Page], config: Config) -> Iterator[tuple[str, bytes]]:
    """(output path, chunk) of everything beside the record pages, so that a build can
    write each and let it go: a file is the chunks yielded for its path, in order (most
    come whole; a collection's three exports come interleaved, a batch of rows at a
    time). ContentError, after the files it collides with, if a redirect or a record's
    folder name collides with another address (the build has written them to its
    staging folder only)."""
    theme = load_theme(config)
    labels = theme.labels
    env = make_environment(config, theme, site)
    made: dict[str, None] = {}  # the paths, in order
    exporter = Exporter(site, config)
    tables = collections(exporter)
    own_pages = plan_furniture_pages(site, labels, exporter, tables)
    schemas = (
        (f"{SCHEMA_DIR}/content/{schema_file_name(kind)}", dump(schema))
        for kind, schema in content_schemas().items()
    )
    for part in (
        export_files(exporter, tables),
        schemas,
        feed_files(site, config, labels),
        calendar_files(site, config, labels).items(),
        render_pages(own_pages, env).items(),
    ):
        for path, data in part:
            made[path] = None
            yield path, data

    page_paths = {p.output_path: f"the page {p.url}" for p in pages}
    problems = [
        Problem(
            Location(f"{config.content_dir}/{path.split('/')[0]}/municipality.yaml", 1, 1),
            f"{page_paths[path]} is at the address of the site's own /{path}; rename the "
            f"folder {config.content_dir}/{path.split('/')[0]}/",
        )
        for path in sorted(made)
        if path in page_paths
    ]
    redirects, redirect_problems = plan_redirects(site, config)
    problems += redirect_problems
    problems += check_redirects(redirects, {**{p: p for p in made}, **page_paths})
    if problems:
        raise ContentError(problems)
    yield from render_redirects(redirects, env, config).items()
    yield (
        "sitemap.xml",
        render_sitemap([p.url for p in (*pages, *own_pages) if p.kind != "error"], config),
    )
    yield "robots.txt", render_robots(config)


def furniture_files(site: Site, pages: list[Page], config: Config) -> dict[str, bytes]:
    """furnish()'s files whole, for the preview: its sites are small, and it compares
    each file with the one on disk before it writes."""
    files: dict[str, list[bytes]] = {}
    for path, chunk in furnish(site, pages, config):
        files.setdefault(path, []).append(chunk)
    return {path: b"".join(chunks) for path, chunks in files.items()}


def plan_furniture_pages(
    site: Site, labels: dict[str, str], exporter: Exporter, tables: list[Collection]
) -> list[Page]:
    records = site.records
    all_sources = frozenset(r.location.path for r in records.all())
    meetings = list(records.meetings.values())
    scheduled = sorted(
        (m for m in meetings if m.meta.status == "scheduled"),
        key=lambda m: (m.meta.date, m.meta.start_time is None, m.meta.start_time, str(m.ref)),
    )
    home = Crumb(labels["home"], "/")
    return [
        Page(
            DATA_PAGE,
            "data.html",
            labels["data_title"],
            all_sources,
            _data_context(site, exporter, tables),
            (home, Crumb(labels["data_title"], None)),
            "data",
        ),
        Page(
            UPCOMING_PAGE,
            "upcoming.html",
            labels["upcoming_title"],
            frozenset(m.location.path for m in meetings),
            {
                "scheduled": tuple(scheduled),
                "body_of": {m.ref: _body(site, m) for m in scheduled},
                "calendars": _calendars(site),
            },
            (home, Crumb(labels["upcoming_title"], None)),
            "list",
        ),
    ]


def _body(site: Site, meeting: Meeting) -> Any:
    return site.records.bodies[RecordRef("body", meeting.ref.municipality, meeting.body)]


def _calendars(site: Site) -> tuple[tuple[str, str, str], ...]:
    """(body name, calendar path, feed path) per body, in the order of their URLs."""
    return tuple(
        (body.name, f"{ref.url}{CALENDAR_FILE}", f"{ref.url}{FEED_FILE}")
        for ref, body in sorted(site.records.bodies.items(), key=lambda kv: kv[0].url)
    )


def _data_context(site: Site, exporter: Exporter, tables: list[Collection]) -> dict[str, Any]:
    schemas = record_schemas()
    downloads = tuple(
        Download(
            c.name,
            c.title,
            c.count,
            tuple(
                (name, prop.get("description", ""))
                for name, prop in schemas[c.record]["properties"].items()
                if name != "$schema"
            ),
            tuple(name for name, _ in c.columns),
        )
        for c in tables
    )
    cited = Counter(x for ids in exporter.cited.values() for x in ids if x.startswith("item:"))
    example_item = min(cited, key=lambda x: (-cited[x], x)) if cited else None  # most cited
    meetings = sorted(site.records.meetings.values(), key=lambda m: (m.meta.date, str(m.ref)))
    return {
        "downloads": downloads,
        "data_dir": f"/{DATA_DIR}/",
        "schema_dir": f"/{SCHEMA_DIR}/",
        "content_schemas": tuple(
            (kind, glob, title) for kind, (_, glob, title) in CONTENT_KINDS.items()
        ),
        "example_item": example_item,
        "example_record": record_json_path(meetings[-1].ref) if meetings else None,
        "calendars": _calendars(site),
        "feed": f"/{FEED_FILE}",
        "calendar": f"/{CALENDAR_FILE}",
    }
