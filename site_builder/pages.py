"""linked site → the list of pages to render, each with the sources it depends on.

This is where the site's structure lives: which pages exist, what each shows,
and (for incremental rebuilds) which source files can change it. Templates get
ready-made data, grouped and sorted here, so that they stay small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any

from . import wareki
from .graph import Mention, Site, title_of
from .model import (
    AgendaItem,
    Body,
    Document,
    Meeting,
    Plan,
    PlanItem,
    Record,
    RecordRef,
    Records,
    Statement,
    WorkingGroup,
)
from .search import plan_shards, with_search_facets

# The accessibility policy (ウェブアクセシビリティ方針) and the test results (試験結果):
# the build writes the report page as "not tested yet"; `site-builder audit` rewrites it.
POLICY_URL = "/accessibility/"
REPORT_URL = "/accessibility/report/"
# A record's page lists the newest records that mention it, this many; the rest go to
# further pages (<its url>mentions/2/ …), so that no page grows with the archive.
MENTIONS_PER_PAGE = 20
MEETINGS_PER_PAGE = 100  # of a fiscal year's list of every meeting of the site


class Lazy:
    """A context value computed only when its page is rendered: mention lists are the
    costliest part of planning, and a preview rebuild renders only a few pages."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


@dataclass(frozen=True, slots=True)
class Crumb:
    label: str
    url: str | None  # None for the current page


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # site-relative, starts and ends with "/" (or ends in a file name)
    template: str
    title: str
    deps: frozenset[str]  # source files whose change can change this page
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    crumbs: tuple[Crumb, ...] = ()
    kind: str = "page"  # meeting, wg, item, plan, body, document …: for search filters

    @property
    def output_path(self) -> str:
        return self.url.lstrip("/") + ("index.html" if self.url.endswith("/") else "")


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page is in a list split over several pages."""

    current: int  # 1-based
    urls: tuple[str, ...]  # every page of the list, first to last
    label: str  # what the pages are of, for the navigation's accessible name


@dataclass(frozen=True, slots=True)
class MentionGroup:
    """Mentions of one target, grouped by the record that makes them."""

    source: Record
    statements: tuple[Statement, ...]  # the statements of a meeting that mention it
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class FiscalYearGroup:
    year: int
    label: str
    meetings: tuple[Meeting, ...]


def plan_pages(site: Site, labels: dict[str, str], shard_records: int) -> list[Page]:
    """Every page of the site, in a fixed order. shard_records: config.search's, which
    tells the search page the parts of the index to open."""
    records = site.records
    L = labels
    meetings = newest_first(records.meetings.values())
    meetings_by_body: dict[tuple[str, str], list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        meetings_by_body[(meeting.ref.municipality, meeting.body)].append(meeting)
    pages = [home_page(site, L, meetings)]
    pages += [municipality_page(site, L, slug) for slug in sorted(records.municipalities)]
    for ref, body in sorted(records.bodies.items(), key=lambda kv: str(kv[0])):
        pages += body_pages(site, L, body, meetings_by_body[(ref.municipality, ref.slug)])
    pages += [meeting_page(site, L, meeting) for meeting in meetings]
    for municipality in sorted(records.municipalities):
        wgs = sorted(
            (w for w in records.wgs.values() if w.ref.municipality == municipality),
            key=lambda w: (w.number is None, w.number or 0, w.ref.slug),
        )
        if wgs:
            pages.append(wg_index_page(site, L, municipality, wgs))
            pages += [page for wg in wgs for page in wg_pages(site, L, wg)]
    for _, plan in sorted(records.plans.items(), key=lambda kv: str(kv[0])):
        pages.append(plan_page(site, L, plan))
        for item, trail in plan_tree_items(plan):
            pages += item_pages(site, L, plan, item, trail)
    for _, document in sorted(records.documents.items(), key=lambda kv: str(kv[0])):
        pages += document_pages(site, L, document)
    pages += year_pages(site, L, meetings)
    pages.append(Page("/404.html", "404.html", L["not_found"], frozenset(), {}, (), "error"))
    pages.extend(accessibility_pages(L))
    # Search (search.py): the search page, and every record page's filters and
    # metadata for the index.
    all_sources = frozenset(r.location.path for r in records.all())
    search_crumbs = (Crumb(L["home"], "/"), Crumb(L["search_title"], None))
    bundles = tuple(shard.bundle for shard in plan_shards(records, shard_records))
    pages.append(
        Page(
            "/search/",
            "search.html",
            L["search_title"],
            all_sources,
            {"bundles": bundles},
            search_crumbs,
            "search",
        )
    )
    return with_search_facets(site, pages, L)


def pages_showing_text(
    old: Site, site: Site, labels: dict[str, str], record: Record, before: frozenset[RecordRef]
) -> tuple[list[Page], set[str]]:
    """The pages that show the text of a meeting or document, with their search facets,
    and the URLs of pages gone: its own page, and the pages of the mention lists of what
    it links to (`before` the edit, or now).

    The other pages that depend on it (the lists of a body, a year, home) show only its
    front matter; when that is unchanged, these are the only pages an edit can change,
    which lets the preview re-plan a handful of pages instead of the whole site. A
    mention list changes only where it shows other statements of the record than
    before; then only on the page that shows the record, unless the record joined or
    left the list: then every page of it may (and the last one may be gone).
    """
    records = site.records
    own = (
        meeting_page(site, labels, record)
        if isinstance(record, Meeting)
        else document_pages(site, labels, record)[0]
    )
    pages, gone = [own], set()
    after = site.targets.get(record.location.path, frozenset())

    def shown(where: Site, ref: RecordRef) -> list[str | None]:
        """The statements of the record that ref's mention list shows, in order."""
        return [m.statement for m in where.mentions.get(ref, ()) if m.source == record.ref]

    for ref in sorted(before | after, key=str):
        if shown(old, ref) == shown(site, ref):
            continue  # the same statements (ids are digests of their text): same pages
        if ref.kind == "item":
            plan = _record(records, ref)
            pages.append(plan_page(site, labels, plan))  # the counts of mentions
            number = int(ref.slug.rpartition("/")[2])
            (listed,) = [
                item_pages(site, labels, plan, item, trail)
                for item, trail in plan_tree_items(plan)
                if item.number == number
            ]
        elif ref.kind == "body":
            body = records.bodies[ref]
            own_meetings = newest_first(
                m
                for m in records.meetings.values()
                if m.body == ref.slug and m.ref.municipality == ref.municipality
            )
            listed = body_pages(site, labels, body, own_meetings)
        elif ref.kind == "wg":
            listed = wg_pages(site, labels, records.wgs[ref])
        elif ref.kind == "document":
            listed = document_pages(site, labels, records.documents[ref])
        else:
            continue  # plans and meetings do not list what mentions them
        if ref in before and ref in after:
            groups = _mention_groups(site, ref)
            at = next(i for i, g in enumerate(groups) if g.source.ref == record.ref)
            pages.append(listed[at // MENTIONS_PER_PAGE])
        else:
            pages += listed
            gone |= set(_mention_urls(old, ref, listed[0].url)) - {p.url for p in listed}
    return with_search_facets(site, pages, labels), gone


# --- one function per kind of page --------------------------------------------------


def newest_first(meetings: Iterable[Meeting]) -> list[Meeting]:
    return sorted(meetings, key=lambda m: (m.meta.date, m.ref.slug), reverse=True)


def _path(record: Record) -> str:
    return record.location.path


def _mention_deps(site: Site, ref: RecordRef) -> set[str]:
    return {m.location.path for m in site.mentions.get(ref, ())}


def _wg_deps(site: Site, municipality: str) -> frozenset[str]:
    """WG names are linked automatically in every text of the municipality."""
    return site.wg_sources.get(municipality, frozenset())


def _mention_urls(site: Site, ref: RecordRef, first: str) -> tuple[str, ...]:
    """The pages of the list of what mentions ref: `first` (the record's own page), then
    first + mentions/2/ …"""
    count = len({m.source for m in site.mentions.get(ref, ())})
    more = range(2, (count - 1) // MENTIONS_PER_PAGE + 2)
    return (first, *(f"{first}mentions/{n}/" for n in more))


def _with_mentions(
    site: Site, L: dict[str, str], first: Page, ref: RecordRef, heading: str, needle: str
) -> list[Page]:
    """The record's page with the newest records that mention ref, then the further
    pages of that list. The list is grouped once for all its pages, when the first of
    them is rendered."""
    groups = cache(partial(_mention_groups, site, ref))
    urls = _mention_urls(site, ref, first.url)

    def page_of_list(n: int) -> dict[str, Any]:
        start = (n - 1) * MENTIONS_PER_PAGE
        return {
            "mentions": Lazy(lambda: groups()[start : start + MENTIONS_PER_PAGE]),
            "pager": Pager(n, urls, L["pager_mentions"]),
        }

    pages = [replace(first, context={**first.context, **page_of_list(1)})]
    for n, url in enumerate(urls[1:], start=2):
        place = L["page_of"].format(n=n, total=len(urls))
        pages.append(
            Page(
                url,
                "mention_list.html",
                f"{first.title}（{heading} {place}）",
                first.deps,
                {"subject": first, "heading": heading, "needle": needle, **page_of_list(n)},
                (*first.crumbs[:-1], Crumb(first.crumbs[-1].label, first.url), Crumb(place, None)),
                "list",
            )
        )
    return pages


def _municipality_crumbs(site: Site, L: dict[str, str], municipality: str) -> list[Crumb]:
    return [
        Crumb(L["home"], "/"),
        Crumb(site.records.municipalities[municipality].name, f"/{municipality}/"),
    ]


def home_page(site: Site, L: dict[str, str], meetings: list[Meeting]) -> Page:
    records = site.records
    return Page(
        "/",
        "home.html",
        L["site_title"],
        frozenset(_path(r) for r in records.all()),
        {"latest": tuple(meetings[:10]), "municipalities": _municipalities(records)},
        (),
        "home",
    )


def municipality_page(site: Site, L: dict[str, str], slug: str) -> Page:
    records = site.records
    municipality = records.municipalities[slug]
    return Page(
        f"/{slug}/",
        "municipality.html",
        municipality.name,
        site.sources[slug],
        {"municipality": municipality, **_municipality_contents(records, slug)},
        (Crumb(L["home"], "/"), Crumb(municipality.name, None)),
        "municipality",
    )


def body_pages(site: Site, L: dict[str, str], body: Body, own: list[Meeting]) -> list[Page]:
    """The body's page, and the further pages of its mention list. own: the body's
    meetings, newest first."""
    records = site.records
    ref = body.ref
    children = [
        b
        for b in records.bodies.values()
        if b.ref.municipality == ref.municipality and b.parent == ref.slug
    ]
    parent = records.bodies.get(RecordRef("body", ref.municipality, body.parent or ""))
    plans = tuple(
        records.plans[RecordRef("plan", ref.municipality, p)]
        for p in body.plans
        if RecordRef("plan", ref.municipality, p) in records.plans
    )
    deps = {_path(body), *map(_path, own), *map(_path, children), *_mention_deps(site, ref)}
    if parent:
        deps.add(_path(parent))
    deps |= {_path(p) for p in plans}
    first = Page(
        ref.url,
        "body.html",
        body.name,
        frozenset(deps),
        {
            "body": body,
            "parent": parent,
            "children": tuple(sorted(children, key=lambda b: b.ref.slug)),
            "years": by_fiscal_year(own),
            "plans": plans,
        },
        (*_municipality_crumbs(site, L, ref.municipality), Crumb(body.name, None)),
        "body",
    )
    return _with_mentions(site, L, first, ref, L["mentions_body"], body.name)


def meeting_page(site: Site, L: dict[str, str], meeting: Meeting) -> Page:
    records = site.records
    ref = meeting.ref
    body = records.bodies[RecordRef("body", ref.municipality, meeting.body)]
    deps = {
        _path(meeting),
        _path(body),
        *_wg_deps(site, ref.municipality),
        *(_path(_record(records, t)) for t in site.targets[_path(meeting)]),
    }
    return Page(
        ref.url,
        "meeting.html",
        meeting.meta.title,
        frozenset(deps),
        {
            "meeting": meeting,
            "body": body,
            "contact": meeting.meta.contact or body.contact,
            "agenda_titles": agenda_titles(meeting),
            "section_ids": frozenset(s.id for s in meeting.sections),
            "threads": _answers(meeting),
        },
        (
            *_municipality_crumbs(site, L, ref.municipality),
            Crumb(body.name, body.ref.url),
            Crumb(meeting.meta.title, None),
        ),
        "meeting",
    )


def wg_index_page(
    site: Site, L: dict[str, str], municipality: str, wgs: list[WorkingGroup]
) -> Page:
    return Page(
        f"/{municipality}/wgs/",
        "wg_index.html",
        L["wgs"],
        frozenset(map(_path, wgs)),
        {"wgs": tuple(wgs), "municipality": site.records.municipalities[municipality]},
        (*_municipality_crumbs(site, L, municipality), Crumb(L["wgs"], None)),
        "list",
    )


def wg_pages(site: Site, L: dict[str, str], wg: WorkingGroup) -> list[Page]:
    municipality = wg.ref.municipality
    body = site.records.bodies.get(RecordRef("body", municipality, wg.body or ""))
    deps = {_path(wg), *_mention_deps(site, wg.ref), *_wg_deps(site, municipality)}
    if body:
        deps.add(_path(body))
    first = Page(
        wg.ref.url,
        "wg.html",
        wg.name,
        frozenset(deps),
        {
            "wg": wg,
            "body": body,
            "sheets": tuple(sorted(wg.sheets, key=lambda s: s.fiscal_year, reverse=True)),
        },
        (
            *_municipality_crumbs(site, L, municipality),
            Crumb(L["wgs"], f"/{municipality}/wgs/"),
            Crumb(wg.name, None),
        ),
        "wg",
    )
    return _with_mentions(site, L, first, wg.ref, L["mentions_wg"], wg.name)


def plan_page(site: Site, L: dict[str, str], plan: Plan) -> Page:
    ref = plan.ref
    body = site.records.bodies.get(RecordRef("body", ref.municipality, plan.body or ""))
    deps = {_path(plan), *_wg_deps(site, ref.municipality)}
    if body:
        deps.add(_path(body))
    for item in plan.items:  # the tree shows how often each item is mentioned
        deps |= _mention_deps(site, item_ref(plan, item))
    return Page(
        ref.url,
        "plan.html",
        plan.title,
        frozenset(deps),
        {
            "plan": plan,
            "body": body,
            "mention_counts": {
                i.number: len(site.mentions.get(item_ref(plan, i), ())) for i in plan.items
            },
        },
        (
            *_municipality_crumbs(site, L, ref.municipality),
            Crumb(plan.short_title or plan.title, None),
        ),
        "plan",
    )


def item_pages(
    site: Site, L: dict[str, str], plan: Plan, item: PlanItem, trail: tuple[str, ...]
) -> list[Page]:
    ref = plan.ref
    iref = item_ref(plan, item)
    by_number = {i.number: i for i in plan.items}
    deps = {_path(plan), *_mention_deps(site, iref), *_wg_deps(site, ref.municipality)}
    first = Page(
        iref.url,
        "item.html",
        f"項番{item.number} {item.title}",
        frozenset(deps),
        {
            "plan": plan,
            "item": item,
            "trail": trail,
            "related": tuple((by_number[r.item], r) for r in item.related if r.item in by_number),
        },
        (
            *_municipality_crumbs(site, L, ref.municipality),
            Crumb(plan.short_title or plan.title, ref.url),
            Crumb(f"項番{item.number}", None),
        ),
        "item",
    )
    return _with_mentions(site, L, first, iref, L["mentions"], f"項番{item.number}")


def document_pages(site: Site, L: dict[str, str], document: Document) -> list[Page]:
    ref = document.ref
    body = site.records.bodies.get(RecordRef("body", ref.municipality, document.meta.body or ""))
    deps = {_path(document), *_wg_deps(site, ref.municipality), *_mention_deps(site, ref)}
    if body:
        deps.add(_path(body))
    first = Page(
        ref.url,
        "document.html",
        document.meta.title,
        frozenset(deps),
        {"document": document, "body": body},
        (*_municipality_crumbs(site, L, ref.municipality), Crumb(document.meta.title, None)),
        "document",
    )
    return _with_mentions(site, L, first, ref, L["mentions_body"], document.meta.title)


def year_pages(site: Site, L: dict[str, str], meetings: list[Meeting]) -> list[Page]:
    """The list of fiscal years, and one page per fiscal year."""
    records = site.records
    years = by_fiscal_year(meetings)
    pages = [
        Page(
            "/years/",
            "years.html",
            L["by_fiscal_year"],
            frozenset(map(_path, meetings)),
            {"years": years},
            (Crumb(L["home"], "/"), Crumb(L["by_fiscal_year"], None)),
            "list",
        )
    ]
    for group in years:
        first = f"/years/{group.year}/"
        chunks = range(0, max(1, len(group.meetings)), MEETINGS_PER_PAGE)
        urls = tuple(first if i == 0 else f"{first}{i // MEETINGS_PER_PAGE + 1}/" for i in chunks)
        bodies = {
            m.ref: records.bodies[RecordRef("body", m.ref.municipality, m.body)]
            for m in group.meetings
        }
        deps = frozenset({*map(_path, group.meetings), *map(_path, bodies.values())})
        for n, url in enumerate(urls, start=1):
            shown = group.meetings[(n - 1) * MEETINGS_PER_PAGE : n * MEETINGS_PER_PAGE]
            place = L["page_of"].format(n=n, total=len(urls))
            crumbs = [Crumb(L["home"], "/"), Crumb(L["by_fiscal_year"], "/years/")]
            if n == 1:
                crumbs.append(Crumb(group.label, None))
            else:
                crumbs += [Crumb(group.label, first), Crumb(place, None)]
            pages.append(
                Page(
                    url,
                    "year.html",
                    group.label if n == 1 else f"{group.label}（{place}）",
                    deps,
                    {
                        "group": group,
                        "meetings": shown,
                        "body_names": {m.ref: bodies[m.ref].name for m in shown},
                        "pager": Pager(n, urls, L["pager_meetings"]),
                    },
                    tuple(crumbs),
                    "list",
                )
            )
    return pages


def accessibility_pages(L: dict[str, str]) -> list[Page]:
    """The policy page and the test results page; both depend on the theme only."""
    home = Crumb(L["home"], "/")
    return [
        Page(
            POLICY_URL,
            "accessibility.html",
            L["a11y_policy_title"],
            frozenset(),
            {"report_url": REPORT_URL},
            (home, Crumb(L["a11y_policy_title"], None)),
            "page",
        ),
        Page(
            REPORT_URL,
            "accessibility_report.html",
            L["a11y_report_title"],
            frozenset(),
            {"audit": None, "policy_url": POLICY_URL},
            (home, Crumb(L["a11y_policy_title"], POLICY_URL), Crumb(L["a11y_report_title"], None)),
            "page",
        ),
    ]


# --- views -------------------------------------------------------------------------


def item_ref(plan: Plan, item: PlanItem) -> RecordRef:
    return RecordRef("item", plan.ref.municipality, f"{plan.ref.slug}/{item.number}")


def by_fiscal_year(meetings: list[Meeting]) -> tuple[FiscalYearGroup, ...]:
    groups: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        groups[meeting.fiscal_year].append(meeting)
    return tuple(
        FiscalYearGroup(
            year,
            wareki.fiscal_year_label(year),
            tuple(sorted(ms, key=lambda m: (m.meta.date, m.ref.slug), reverse=True)),
        )
        for year, ms in sorted(groups.items(), reverse=True)
    )


def plan_tree_items(plan: Plan) -> list[tuple[PlanItem, tuple[str, ...]]]:
    """Every item with the pillar titles above it (改革の柱② DXの推進 › (1) …)."""
    out: list[tuple[PlanItem, tuple[str, ...]]] = []

    def walk(pillar, trail: tuple[str, ...]) -> None:
        here = (*trail, " ".join(filter(None, (pillar.number, pillar.title))))
        out.extend((item, here) for item in pillar.items)
        for child in pillar.children:
            walk(child, here)

    for pillar in plan.pillars:
        walk(pillar, ())
    return out


def agenda_titles(meeting: Meeting) -> dict[str, str]:
    """agenda id → '議題1 …' for labelling sections, conclusions and search results."""
    titles: dict[str, str] = {}

    def walk(items: tuple[AgendaItem, ...]) -> None:
        for item in items:
            if item.id:
                titles[item.id] = " ".join(filter(None, (item.number, item.title)))
            walk(item.items)

    walk((*meeting.meta.reports, *meeting.meta.agenda))
    return titles


def _answers(meeting: Meeting) -> dict[str, int]:
    """question id → number of answers, for 'N件の回答' on the question."""
    counts: dict[str, int] = defaultdict(int)
    for statement in meeting.statements:
        if statement.reply_to:
            counts[statement.reply_to] += 1
    return dict(counts)


def _mention_groups(site: Site, ref: RecordRef) -> tuple[MentionGroup, ...]:
    records = site.records
    grouped: dict[RecordRef, list[Mention]] = defaultdict(list)
    for mention in site.mentions.get(ref, ()):
        grouped[mention.source].append(mention)
    groups = []
    for source_ref, mentions in grouped.items():
        source = _record(records, source_ref)
        statements: tuple[Statement, ...] = ()
        if isinstance(source, Meeting):
            ids = {m.statement for m in mentions if m.statement}
            statements = tuple(s for s in source.statements if s.id in ids)
        groups.append(MentionGroup(source, statements, tuple(mentions)))

    def order(group: MentionGroup) -> tuple:
        date = getattr(getattr(group.source, "meta", None), "date", None)
        return (
            not isinstance(group.source, Meeting),
            -(date.toordinal() if date else 0),
            title_of(group.source),
        )

    return tuple(sorted(groups, key=order))


def _record(records: Records, ref: RecordRef) -> Record:
    if ref.kind == "item":
        plan_slug = ref.slug.split("/")[0]
        return records.plans[RecordRef("plan", ref.municipality, plan_slug)]
    table = {
        "body": records.bodies,
        "meeting": records.meetings,
        "wg": records.wgs,
        "plan": records.plans,
        "document": records.documents,
    }[ref.kind]
    return table[ref]


def _municipalities(records: Records) -> tuple[tuple[Any, tuple[Body, ...]], ...]:
    out = []
    for slug, municipality in sorted(records.municipalities.items()):
        bodies = tuple(
            sorted(
                (b for b in records.bodies.values() if b.ref.municipality == slug),
                key=lambda b: b.ref.slug,
            )
        )
        out.append((municipality, bodies))
    return tuple(out)


def _municipality_contents(records: Records, slug: str) -> dict[str, Any]:
    def own(table: dict) -> tuple:
        return tuple(
            v for k, v in sorted(table.items(), key=lambda kv: str(kv[0])) if k.municipality == slug
        )

    return {
        "bodies": own(records.bodies),
        "wgs": tuple(sorted(own(records.wgs), key=lambda w: (w.number is None, w.number or 0))),
        "plans": own(records.plans),
        "documents": own(records.documents),
    }
