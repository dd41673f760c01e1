"""linked site → the list of pages to render, each with the sources it depends on.

This is where the site's structure lives: which pages exist, what each shows,
and (for incremental rebuilds) which source files can change it. Templates get
ready-made data, grouped and sorted here, so that they stay small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import wareki
from .graph import Mention, Site, title_of
from .model import (
    AgendaItem,
    Body,
    Meeting,
    Plan,
    PlanItem,
    Record,
    RecordRef,
    Records,
    Statement,
)
from .search import with_search_facets

# The accessibility policy (ウェブアクセシビリティ方針) and the test results (試験結果):
# the build writes the report page as "not tested yet"; `site-builder audit` rewrites it.
POLICY_URL = "/accessibility/"
REPORT_URL = "/accessibility/report/"


class Lazy:
    """A context value computed only when its page is rendered: mention lists are the
    costliest part of planning, and a preview rebuild renders only a few pages."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None  # None for the current page


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class MentionGroup:
    """Mentions of one target, grouped by the record that makes them."""

    source: Record
    statements: tuple[Statement, ...]  # the statements of a meeting that mention it
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class FiscalYearGroup:
    year: int
    label: str
    meetings: tuple[Meeting, ...]


def plan_pages(site: Site, labels: dict[str, str]) -> list[Page]:
    records = site.records
    L = labels
    pages: list[Page] = []
    all_sources = frozenset(r.location.path for r in records.all())
    meetings = sorted(
        records.meetings.values(), key=lambda m: (m.meta.date, m.ref.slug), reverse=True
    )

    def path(record: Record) -> str:
        return record.location.path

    def mention_deps(ref: RecordRef) -> set[str]:
        return {m.location.path for m in site.mentions.get(ref, ())}

    def municipality_crumbs(municipality: str) -> list[Crumb]:
        return [
            Crumb(L["home"], "/"),
            Crumb(records.municipalities[municipality].name, f"/{municipality}/"),
        ]

    wg_paths: dict[str, set[str]] = defaultdict(set)
    for wg in records.wgs.values():
        wg_paths[wg.ref.municipality].add(path(wg))
    meetings_by_body: dict[tuple[str, str], list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        meetings_by_body[(meeting.ref.municipality, meeting.body)].append(meeting)

    def wg_deps(municipality: str) -> set[str]:
        # WG names are linked automatically in every text of the municipality.
        return wg_paths[municipality]

    pages.append(
        Page(
            "/",
            "home.html",
            L["site_title"],
            all_sources,
            {
                "latest": tuple(meetings[:10]),
                "municipalities": _municipalities(records),
            },
            (),
            "home",
        )
    )

    for slug, municipality in sorted(records.municipalities.items()):
        own = [r for r in records.all() if r.ref.municipality == slug]
        pages.append(
            Page(
                f"/{slug}/",
                "municipality.html",
                municipality.name,
                frozenset(path(r) for r in own),
                {
                    "municipality": municipality,
                    **_municipality_contents(records, slug),
                },
                (Crumb(L["home"], "/"), Crumb(municipality.name, None)),
                "municipality",
            )
        )

    for ref, body in sorted(records.bodies.items(), key=lambda kv: str(kv[0])):
        own = meetings_by_body[(ref.municipality, ref.slug)]
        children = [
            b
            for b in records.bodies.values()
            if b.ref.municipality == ref.municipality and b.parent == ref.slug
        ]
        parent = records.bodies.get(RecordRef("body", ref.municipality, body.parent or ""))
        deps = {path(body), *map(path, own), *map(path, children), *mention_deps(ref)}
        if parent:
            deps.add(path(parent))
        body_plans = [records.plans.get(RecordRef("plan", ref.municipality, p)) for p in body.plans]
        deps |= {path(p) for p in body_plans if p}
        pages.append(
            Page(
                ref.url,
                "body.html",
                body.name,
                frozenset(deps),
                {
                    "body": body,
                    "parent": parent,
                    "children": tuple(sorted(children, key=lambda b: b.ref.slug)),
                    "years": by_fiscal_year(own),
                    "mentions": Lazy(partial(_mention_groups, site, ref)),
                    "plans": tuple(
                        records.plans[RecordRef("plan", ref.municipality, p)]
                        for p in body.plans
                        if RecordRef("plan", ref.municipality, p) in records.plans
                    ),
                },
                (*municipality_crumbs(ref.municipality), Crumb(body.name, None)),
                "body",
            )
        )

    for meeting in meetings:
        ref = meeting.ref
        body = records.bodies[RecordRef("body", ref.municipality, meeting.body)]
        linked = site.targets[path(meeting)]
        deps = {
            path(meeting),
            path(body),
            *wg_deps(ref.municipality),
            *(path(_record(records, t)) for t in linked),
        }
        pages.append(
            Page(
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
                    *municipality_crumbs(ref.municipality),
                    Crumb(body.name, body.ref.url),
                    Crumb(meeting.meta.title, None),
                ),
                "meeting",
            )
        )

    for municipality in sorted(records.municipalities):
        wgs = sorted(
            (w for w in records.wgs.values() if w.ref.municipality == municipality),
            key=lambda w: (w.number is None, w.number or 0, w.ref.slug),
        )
        if not wgs:
            continue
        pages.append(
            Page(
                f"/{municipality}/wgs/",
                "wg_index.html",
                L["wgs"],
                frozenset(map(path, wgs)),
                {"wgs": tuple(wgs), "municipality": records.municipalities[municipality]},
                (*municipality_crumbs(municipality), Crumb(L["wgs"], None)),
                "list",
            )
        )
        for wg in wgs:
            body = records.bodies.get(RecordRef("body", municipality, wg.body or ""))
            deps = {path(wg), *mention_deps(wg.ref), *wg_deps(municipality)}
            if body:
                deps.add(path(body))
            pages.append(
                Page(
                    wg.ref.url,
                    "wg.html",
                    wg.name,
                    frozenset(deps),
                    {
                        "wg": wg,
                        "body": body,
                        "sheets": tuple(
                            sorted(wg.sheets, key=lambda s: s.fiscal_year, reverse=True)
                        ),
                        "mentions": Lazy(partial(_mention_groups, site, wg.ref)),
                    },
                    (
                        *municipality_crumbs(municipality),
                        Crumb(L["wgs"], f"/{municipality}/wgs/"),
                        Crumb(wg.name, None),
                    ),
                    "wg",
                )
            )

    for ref, plan in sorted(records.plans.items(), key=lambda kv: str(kv[0])):
        body = records.bodies.get(RecordRef("body", ref.municipality, plan.body or ""))
        deps = {path(plan), *wg_deps(ref.municipality)}
        if body:
            deps.add(path(body))
        for item in plan.items:  # the tree shows how often each item is mentioned
            deps |= mention_deps(item_ref(plan, item))
        pages.append(
            Page(
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
                    *municipality_crumbs(ref.municipality),
                    Crumb(plan.short_title or plan.title, None),
                ),
                "plan",
            )
        )
        by_number = {i.number: i for i in plan.items}
        for item, trail in plan_tree_items(plan):
            iref = item_ref(plan, item)
            deps = {path(plan), *mention_deps(iref), *wg_deps(ref.municipality)}
            pages.append(
                Page(
                    iref.url,
                    "item.html",
                    f"項番{item.number} {item.title}",
                    frozenset(deps),
                    {
                        "plan": plan,
                        "item": item,
                        "trail": trail,
                        "related": tuple(
                            (by_number[r.item], r) for r in item.related if r.item in by_number
                        ),
                        "mentions": Lazy(partial(_mention_groups, site, iref)),
                    },
                    (
                        *municipality_crumbs(ref.municipality),
                        Crumb(plan.short_title or plan.title, ref.url),
                        Crumb(f"項番{item.number}", None),
                    ),
                    "item",
                )
            )

    for ref, document in sorted(records.documents.items(), key=lambda kv: str(kv[0])):
        body = records.bodies.get(RecordRef("body", ref.municipality, document.meta.body or ""))
        deps = {path(document), *wg_deps(ref.municipality), *mention_deps(ref)}
        if body:
            deps.add(path(body))
        pages.append(
            Page(
                ref.url,
                "document.html",
                document.meta.title,
                frozenset(deps),
                {
                    "document": document,
                    "body": body,
                    "mentions": Lazy(partial(_mention_groups, site, ref)),
                },
                (*municipality_crumbs(ref.municipality), Crumb(document.meta.title, None)),
                "document",
            )
        )

    years = by_fiscal_year(meetings)
    pages.append(
        Page(
            "/years/",
            "years.html",
            L["by_fiscal_year"],
            frozenset(map(path, meetings)),
            {"years": years},
            (Crumb(L["home"], "/"), Crumb(L["by_fiscal_year"], None)),
            "list",
        )
    )
    for group in years:
        deps = {path(m) for m in group.meetings}
        deps |= {
            path(records.bodies[RecordRef("body", m.ref.municipality, m.body)])
            for m in group.meetings
        }
        pages.append(
            Page(
                f"/years/{group.year}/",
                "year.html",
                group.label,
                frozenset(deps),
                {
                    "group": group,
                    "body_names": {
                        m.ref: records.bodies[RecordRef("body", m.ref.municipality, m.body)].name
                        for m in group.meetings
                    },
                },
                (
                    Crumb(L["home"], "/"),
                    Crumb(L["by_fiscal_year"], "/years/"),
                    Crumb(group.label, None),
                ),
                "list",
            )
        )

    pages.append(Page("/404.html", "404.html", L["not_found"], frozenset(), {}, (), "error"))
    pages.extend(accessibility_pages(L))
    # Search (search.py): the search page, and every record page's filters and
    # metadata for the index.
    search_crumbs = (Crumb(L["home"], "/"), Crumb(L["search_title"], None))
    pages.append(
        Page("/search/", "search.html", L["search_title"], all_sources, {}, search_crumbs, "search")
    )
    return with_search_facets(site, pages, L)


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
