"""Full-text search: what the index records about each page, and Pagefind over the site.

Two halves, both run on every build so that the index always matches the pages it
ships with:

- ``with_search_facets`` (called by pages.plan_pages) gives every record page its
  *facets*: the filters a citizen narrows results by (municipality, body, kind of
  record, fiscal year, plan, WG) and the metadata a result shows (kind, body, date in
  和暦). Templates write them as ``data-pagefind-filter`` / ``-meta`` / ``-sort``
  attributes (partials/search_facets.html); the search page gets every value, so
  that its filters are plain <select>s rendered here, in a stable order.
- ``index_site`` runs Pagefind's *extended* binary over the staged output (only the
  extended binary segments Japanese into words), then writes the clerk's synonyms
  next to the search page.

A large site's index is made in parts (``plan_shards``): Pagefind cannot update an
index, holds everything it indexes in memory (about 0.85 GB a 1,000 records) and is
reported to fail near 30,000 pages. Each part is the record pages of whole
municipalities, indexed by its own run into its own bundle (/pagefind/<first
municipality>/), and the search page merges the parts at query time (Pagefind's
``mergeIndex``: one WebAssembly module, the results of all parts ranked together).
A part is kept in the cache folder (config.cache_dir), keyed by the digest of the pages it
indexes, so that a build re-indexes only the parts whose pages changed. A site
within ``search.shard_records`` has one part at /pagefind/, as before parts existed.

Why the CLI and not Pagefind's Python API (``PagefindIndex``): the pages are already
on disk in the staged directory, which is exactly what ships; ``--site`` reads them
there, while the API would pipe every page (24 MB of HTML for 2,000 meetings) as
base64 JSON through an asyncio service for the same result. Custom records, the one
thing only the API offers, are not needed: a statement becomes a sub-result of its
meeting in the browser (search.js), from the anchors Pagefind records. The base path
needs nothing at index time either: the index holds site-relative URLs and the
browser prefixes them (``baseUrl``), so one index serves / and /gikai/ alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from . import pagefind_bundle, wareki
from .cache import code_version
from .config import Config
from .graph import Site
from .model import ContentError, Location, Meeting, Problem, RecordRef, Records

if TYPE_CHECKING:
    from .pages import Page

# The kinds of page that are records; only these carry data-pagefind-body, so lists,
# the home page and the search page itself are never results.
INDEXED_KINDS = ("meeting", "wg", "item", "plan", "body", "document")
# The filters of the search page, in the order it shows them.
FILTERS = ("municipality", "kind", "body", "year", "plan", "wg")
SYNONYMS_FILE = "search/synonyms.json"
OPENSEARCH_FILE = "opensearch.xml"
PLAN_KINDS = ("plan", "item")  # links that make a record about a plan
# Pagefind's own UIs (400 KB), never loaded: the search page has its own (search.js).
UNUSED_UI = (
    "pagefind-ui.*",
    "pagefind-component-ui.*",
    "pagefind-modular-ui.*",
    "pagefind-highlight.js",
)


@dataclass(frozen=True)
class Facets:
    """What the index records about one page besides its text."""

    kind: str  # the label of the kind of record: 会議録, WG, 推進項目 …
    municipality: str
    bodies: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # fiscal years the record belongs to (2025 = 令和7年度)
    plans: tuple[str, ...] = ()  # titles of the plans it is about
    wgs: tuple[str, ...] = ()  # names of the WGs it is about
    date: dt.date | None = None

    def filters(self) -> dict[str, tuple[str, ...]]:
        """filter name → values, as Pagefind stores them (and the search page offers)."""
        return {
            "municipality": (self.municipality,),
            "kind": (self.kind,),
            "body": self.bodies,
            "year": tuple(wareki.fiscal_year_label(y) for y in self.years),
            "plan": self.plans,
            "wg": self.wgs,
        }

    def meta(self) -> dict[str, str]:
        """What a result shows besides its title and excerpt."""
        meta = {"kind": self.kind, "municipality": self.municipality}
        if self.bodies:
            meta["body"] = "、".join(self.bodies)
        if self.date:
            meta["date"] = wareki.wareki(self.date, weekday=False)
        return meta


@dataclass(frozen=True)
class FilterValue:
    text: str  # as Pagefind stores it: 武蔵村山市, 令和7年度 …
    # The municipalities (slugs) with records of this value, () when all have some: a
    # filter set to it needs only the parts of the index that hold them (search.js).
    municipalities: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterOption:
    name: str  # municipality, kind …
    values: tuple[FilterValue, ...]


def with_search_facets(site: Site, pages: list[Page], labels: dict[str, str]) -> list[Page]:
    """The pages, each record page with context["search"] = its Facets, and the search
    page (kind "search") with context["filters"] = every value of every filter."""
    indexed = [p for p in pages if p.kind in INDEXED_KINDS]
    facets = {p.url: page_facets(site, p, labels) for p in indexed}
    out = []
    for page in pages:
        if page.url in facets:
            found, used = facets[page.url]
            context = {**page.context, "search": found}
            page = dataclasses.replace(page, context=context, deps=page.deps | used)
        elif page.kind == "search":
            context = {
                **page.context,
                "filters": filter_options(
                    ((page_municipality(p), facets[p.url][0]) for p in indexed), labels
                ),
                "browse": browse_links(site, labels),
                "messages": {k: v for k, v in labels.items() if k.startswith("search_")},
            }
            page = dataclasses.replace(page, context=context)
        out.append(page)
    return out


# The context key of the record a page of each indexed kind shows.
PRIMARY = {
    "meeting": "meeting",
    "wg": "wg",
    "item": "plan",
    "plan": "plan",
    "body": "body",
    "document": "document",
}


def page_municipality(page: Page) -> str:
    """The slug of the municipality whose record an indexed page shows."""
    return page.context[PRIMARY[page.kind]].ref.municipality


def page_facets(site: Site, page: Page, labels: dict[str, str]) -> tuple[Facets, frozenset[str]]:
    """The facets of one record page, from the records its context holds, and the
    source files whose names they quote (added to the page's deps for rebuilds)."""
    records = site.records
    c = page.context
    municipality = page_municipality(page)
    used = {records.municipalities[municipality].location.path}

    def named(found: Iterable[Any]) -> tuple[Any, ...]:
        found = tuple(r for r in found if r is not None)
        used.update(r.location.path for r in found)
        return found

    def body_names(*slugs: str | None) -> tuple[str, ...]:
        found = (records.bodies.get(RecordRef("body", municipality, s or "")) for s in slugs)
        return tuple(b.name for b in named(found))

    def plan_titles(slugs: Iterable[str]) -> tuple[str, ...]:
        found = (records.plans.get(RecordRef("plan", municipality, s)) for s in slugs)
        return tuple(p.title for p in named(found))

    def linked(path: str) -> dict[str, tuple[str, ...]]:
        """The plans and WGs that the record at path links to (a 項番 is its plan's)."""
        targets = site.targets.get(path, frozenset())
        wgs = named(records.wgs.get(t) for t in targets if t.kind == "wg")
        return {
            "plans": plan_titles(t.slug.split("/")[0] for t in targets if t.kind in PLAN_KINDS),
            "wgs": tuple(w.name for w in wgs),
        }

    facets: dict[str, Any]
    if page.kind == "meeting":
        meeting: Meeting = c["meeting"]
        about = linked(meeting.location.path)
        facets = {
            "bodies": body_names(meeting.body),
            "years": (meeting.fiscal_year,),
            "plans": about["plans"] + plan_titles(meeting.meta.plans or c["body"].plans),
            "wgs": about["wgs"],
            "date": meeting.meta.date,
        }
    elif page.kind == "wg":
        wg = c["wg"]
        facets = {
            "bodies": body_names(wg.body),
            "years": tuple(s.fiscal_year for s in wg.sheets),
            "wgs": (wg.name,),
        }
    elif page.kind in ("item", "plan"):
        plan = c["plan"]
        items = (c["item"],) if page.kind == "item" else plan.items
        facets = {
            "bodies": body_names(plan.body),
            "years": tuple(s.fiscal_year for i in items for s in i.schedule),
            "plans": (plan.title,),
        }
    elif page.kind == "body":
        facets = {
            "bodies": body_names(c["body"].ref.slug),
            "years": tuple(g.year for g in c["years"]),
            "plans": plan_titles(p.ref.slug for p in c["plans"]),
        }
    else:  # document
        meta = c["document"].meta
        year = meta.fiscal_year or (wareki.fiscal_year_of(meta.date) if meta.date else None)
        facets = {
            "bodies": body_names(meta.body),
            "years": (year,) if year else (),
            **linked(c["document"].location.path),
            "date": meta.date,
        }
    tidy = {k: tuple(sorted(set(v))) if isinstance(v, tuple) else v for k, v in facets.items()}
    found = Facets(
        kind=labels[f"search_kind_{page.kind}"],
        municipality=records.municipalities[municipality].name,
        **tidy,
    )
    return found, frozenset(used)


def filter_options(
    facets: Iterable[tuple[str, Facets]], labels: dict[str, str]
) -> tuple[FilterOption, ...]:
    """Every value of every filter, for the search page, from each record page's
    municipality and facets: kinds in the site's order, fiscal years newest first,
    names in code-point order; each value with the municipalities it is found in."""
    kinds = [labels[f"search_kind_{k}"] for k in INDEXED_KINDS]
    found: dict[str, dict[str, set[str]]] = {name: {} for name in FILTERS}
    years: set[int] = set()
    everywhere: set[str] = set()
    for municipality, f in facets:
        everywhere.add(municipality)
        years.update(f.years)
        for name, values in f.filters().items():
            for value in values:
                found[name].setdefault(value, set()).add(municipality)
    order = {
        "kind": [k for k in kinds if k in found["kind"]],
        "year": [wareki.fiscal_year_label(y) for y in sorted(years, reverse=True)],
    }

    def value(name: str, text: str) -> FilterValue:
        where = found[name][text]
        return FilterValue(text, () if where == everywhere else tuple(sorted(where)))

    return tuple(
        FilterOption(name, tuple(value(name, v) for v in order.get(name) or sorted(found[name])))
        for name in FILTERS
        if found[name]
    )


def browse_links(site: Site, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """(label, site path) of the pages to browse records by, for when search cannot help
    (no JavaScript, no index, no result)."""
    municipalities = sorted(site.records.municipalities.items())
    return (
        (labels["home"], "/"),
        (labels["by_fiscal_year"], "/years/"),
        *((m.name, f"/{slug}/") for slug, m in municipalities),
    )


# --- the index ----------------------------------------------------------------------

BUNDLE = "/pagefind/"


@dataclass(frozen=True)
class Shard:
    """A part of the index: one run of Pagefind over the record pages under some
    municipalities' folders, into a bundle of its own."""

    bundle: str  # the bundle's site path, /pagefind/ or /pagefind/<first folder>/
    folders: tuple[str, ...]  # the municipalities whose pages it indexes; () = the site

    def glob(self) -> str:
        """The pages Pagefind reads, as its --glob (Pagefind's default for the site)."""
        if not self.folders:
            return "**/*.{html}"
        folders = self.folders[0] if len(self.folders) == 1 else "{" + ",".join(self.folders) + "}"
        return f"{folders}/**/*.html"


def plan_shards(records: Records, limit: int) -> tuple[Shard, ...]:
    """The parts of the index: municipalities in slug order, packed into parts of at
    most `limit` records (a larger municipality is a part of its own). Packing in a
    fixed order keeps the parts, and so their cache, stable as the archive grows: new
    records change their own part, and move a boundary only when a part overflows."""
    sizes = Counter(r.ref.municipality for r in records.all() if r.ref.kind != "municipality")
    for plan in records.plans.values():
        sizes[plan.ref.municipality] += len(plan.items)
    if sum(sizes.values()) <= limit:
        return (Shard(BUNDLE, ()),)
    parts: list[list[str]] = [[]]
    count = 0
    for slug in sorted(sizes):
        if parts[-1] and count + sizes[slug] > limit:
            parts.append([])
            count = 0
        parts[-1].append(slug)
        count += sizes[slug]
    return tuple(Shard(f"{BUNDLE}{part[0]}/", tuple(part)) for part in parts)


def pagefind_binary() -> Path:
    """The extended Pagefind binary; the plain one would leave Japanese unsegmented
    (アーカイブ, 高齢者, カード would find nothing), so it is never a fallback."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise _problem(
            "the search index needs Pagefind's extended binary, which segments Japanese "
            "into words; install it with: pip install 'pagefind[extended]' "
            "(or set search.enabled: false to publish without search)"
        ) from None
    return Path(get_executable())


def index_site(
    site_dir: Path, config: Config, shards: tuple[Shard, ...], live: bool = False
) -> None:
    """Index the record pages under site_dir (the staged output) into site_dir/pagefind/,
    part by part, and write the clerk's synonyms for the search page. Raises
    ContentError with Pagefind's own message if it fails, so the build stops before the
    swap. A part whose pages are those of a part in the cache is copied from there.

    live=True is for a site being served (the preview): the index is made beside the
    old one and swapped in, so that a search meanwhile still finds the old index."""
    bundle = site_dir / BUNDLE.strip("/")
    fresh = site_dir / ".pagefind.new" if live else bundle
    shutil.rmtree(fresh, ignore_errors=True)
    cache = config.cache_path / "pagefind"
    version = code_version()
    keys = []
    for shard in shards:
        target = fresh / shard.bundle.removeprefix(BUNDLE)
        key = shard_key(site_dir, shard, version)
        keys.append(key)
        if (cache / key).is_dir():
            shutil.copytree(cache / key, target)
            continue
        run_pagefind(site_dir, shard, target)
        if shard_key(site_dir, shard, version) == key:  # the preview may write meanwhile
            _keep(target, cache, key)
    for stale in sorted(cache.glob("[!.]*")):
        if stale.name not in keys:  # parts of older builds: the cache holds one site
            shutil.rmtree(stale, ignore_errors=True)
    if live:
        old = site_dir / ".pagefind.old"
        shutil.rmtree(old, ignore_errors=True)
        if bundle.exists():
            os.rename(bundle, old)
        os.rename(fresh, bundle)
        shutil.rmtree(old, ignore_errors=True)
    for rel, data in (
        (SYNONYMS_FILE, synonyms_json(config)),
        (OPENSEARCH_FILE, opensearch_xml(config)),
    ):
        target = site_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def run_pagefind(site_dir: Path, shard: Shard, target: Path) -> None:
    """One run of Pagefind: the shard's pages into the bundle at target, canonicalised
    (the same pages give the same bytes) and without Pagefind's unused UIs."""
    command = [str(pagefind_binary()), "--site", str(site_dir), "--glob", shard.glob()]
    result = subprocess.run(
        [*command, "--output-path", str(target), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or not (target / "pagefind.js").is_file():
        message = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise _problem(f"Pagefind could not index the site: {message}")
    pagefind_bundle.canonicalise(target)
    for pattern in UNUSED_UI:
        for unused in sorted(target.glob(pattern)):
            unused.unlink()


def shard_key(site_dir: Path, shard: Shard, version: str) -> str:
    """The digest of what a part's bundle is made from: the code that makes it (version:
    site_builder's and Pagefind's, cache.code_version), the bundle's path, and every
    page it reads (their paths and bytes)."""
    digest = hashlib.sha256(f"{version}\n{shard.bundle}\n".encode())
    folders = [site_dir / f for f in shard.folders] or [site_dir]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            rel = path.relative_to(site_dir).as_posix()
            if rel.startswith(("pagefind/", ".pagefind.")):
                continue
            digest.update(f"{rel}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _keep(bundle: Path, cache: Path, key: str) -> None:
    """Copy a new part into the cache, under a temporary name renamed at the end, so
    that the cache never holds half a part."""
    temporary = cache / f".{key}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, temporary)
    try:
        os.rename(temporary, cache / key)
    except OSError:  # another build kept the same part meanwhile
        shutil.rmtree(temporary, ignore_errors=True)


def synonyms_json(config: Config) -> bytes:
    """{"マイナ": ["マイナンバーカード"], …}: what search.js adds to a query."""
    table = {s.term: list(s.expand) for s in config.search.synonyms}
    return (json.dumps(table, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def opensearch_xml(config: Config) -> bytes:
    """The OpenSearch description that lets a browser search the site from its address
    bar (linked from every page's <head>). Written with the index: no index, no search."""
    base = config.site.base_url.rstrip("/") + "/"
    search = quoteattr(base + "search/?q={searchTerms}")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">',
        f"  <ShortName>{escape(config.site.title[:16])}</ShortName>",  # the spec's limit
        f"  <Description>{escape(config.site.description or config.site.title)}</Description>",
        f"  <Language>{escape(config.site.language)}</Language>",
        "  <InputEncoding>UTF-8</InputEncoding>",
        f'  <Image width="16" height="16" type="image/svg+xml">{escape(base)}'
        "static/favicon.svg</Image>",
        f'  <Url type="text/html" method="get" template={search}/>',
        '  <Url type="application/opensearchdescription+xml" rel="self"'
        f" template={quoteattr(base + OPENSEARCH_FILE)}/>",
        "</OpenSearchDescription>",
    ]
    return ("\n".join(lines) + "\n").encode()


def _problem(message: str) -> ContentError:
    return ContentError([Problem(Location("config.yaml", 1, 1), message)])
