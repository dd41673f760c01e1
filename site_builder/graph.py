"""records → linked site: references resolved, Markdown rendered, backlinks known.

Every Markdown text is rendered exactly once here, with the scope of the record
it belongs to (its municipality's WGs, the plans its 項番 refer to). Rendering
and finding references are one pass of markdown-it, so a dangling reference is
reported at its line and the backlinks of every item, WG and body come for free.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial

from markdown_it import MarkdownIt

from .forked import affordable, start_sharing
from .markdown import ITEM_NUMBER, Found, Link, Links, render
from .model import (
    Body,
    ContentError,
    Document,
    Location,
    Meeting,
    Plan,
    PlanItem,
    Problem,
    Record,
    RecordRef,
    Records,
    Statement,
    Text,
    WorkingGroup,
    where,
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A place that refers to a record: a statement of a meeting, or another record."""

    source: RecordRef
    statement: str | None  # anchor of the statement, when the mention is in one
    location: Location


@dataclass(frozen=True)
class Site:
    records: Records
    # every Markdown text, rendered: its HTML, or a plain text's links (markdown.html_of)
    html: dict[Text, str | Links]
    mentions: dict[RecordRef, tuple[Mention, ...]]  # target → where it is mentioned
    targets: dict[str, frozenset[RecordRef]]  # source path → what its record links to

    # A Site is never changed (an edit makes a new one, relink_site), so what is derived
    # from its records is computed once. Looked up record by record, these two made
    # planning the pages of 100,000 meetings quadratic: 168 of its 234 s (profiled).

    @cached_property
    def sources(self) -> dict[str, frozenset[str]]:
        """Municipality slug → the source files of all its records."""
        return sources_by_municipality(self.records.all())

    @cached_property
    def wg_sources(self) -> dict[str, frozenset[str]]:
        """Municipality slug → the source files of its WGs, whose names every text of
        the municipality links: each of its pages depends on them."""
        return sources_by_municipality(self.records.wgs.values())


def sources_by_municipality(records: Iterable[Record]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for record in records:
        found[record.ref.municipality].add(record.location.path)
    return {slug: frozenset(paths) for slug, paths in found.items()}


class Index:
    """Lookup of every linkable record by kind and slug."""

    def __init__(self, records: Records, url_for: Callable[[RecordRef], str]) -> None:
        self.records = records
        self.url_for = url_for
        self.by_key: dict[tuple[str, str, str], tuple[RecordRef, str]] = {}
        self.titles: dict[RecordRef, str] = {}  # every link target's title
        for kind, table in (
            ("body", records.bodies),
            ("meeting", records.meetings),
            ("wg", records.wgs),
            ("plan", records.plans),
            ("document", records.documents),
        ):
            for ref, record in table.items():
                self.by_key[(kind, ref.municipality, ref.slug)] = (ref, title_of(record))
                self.titles[ref] = title_of(record)
        self.items: dict[RecordRef, dict[int, tuple[RecordRef, str]]] = {}
        for ref, plan in records.plans.items():
            self.items[ref] = {
                i.number: (
                    RecordRef("item", ref.municipality, f"{ref.slug}/{i.number}"),
                    f"項番{i.number}「{i.title}」",
                )
                for i in plan.items
            }
            self.titles.update(self.items[ref].values())
        self._patterns: dict[tuple[str, bool], re.Pattern[str] | None] = {}
        self._links: dict[RecordRef, Link] = {}
        self.wg_names: dict[str, dict[str, RecordRef]] = defaultdict(dict)
        for ref, wg in records.wgs.items():
            for name in (wg.name, *wg.aliases):
                self.wg_names[ref.municipality][name] = ref

    def link(self, ref: RecordRef, title: str) -> Link:
        """The one Link to ref: the texts keep their links until the pages are
        rendered (markdown.Links): 19,809 links to 217 records at 1,000 meetings."""
        found = self._links.get(ref)
        if found is None:
            found = self._links[ref] = Link(self.url_for(ref), title, ref)
        return found

    def autolink(self, municipality: str, with_items: bool) -> re.Pattern[str] | None:
        key = (municipality, with_items)
        if key not in self._patterns:
            names = sorted(self.wg_names.get(municipality, {}), key=lambda n: (-len(n), n))
            parts = [ITEM_NUMBER] if with_items else []
            parts += [re.escape(n) for n in names]
            self._patterns[key] = re.compile("|".join(parts)) if parts else None
        return self._patterns[key]


@dataclass
class RecordScope:
    """What the texts of one record may refer to (markdown.Scope)."""

    index: Index
    municipality: str
    plans: tuple[RecordRef, ...]

    @property
    def autolink(self) -> re.Pattern[str] | None:
        return self.index.autolink(self.municipality, bool(self.plans))

    def resolve(self, kind: str, target: str) -> Link | str:
        index = self.index
        if kind == "item":
            return self._item(target)
        if kind == "wgname":
            ref = index.wg_names[self.municipality][target]
            return self._link(ref, index.by_key[("wg", ref.municipality, ref.slug)][1])
        if kind in ("body", "meeting", "wg", "plan", "document"):
            municipality, _, slug = target.rpartition(":")
            hit = index.by_key.get((kind, municipality or self.municipality, slug))
            if hit is None:
                known = sorted(
                    s for k, m, s in index.by_key if k == kind and m == self.municipality
                )
                have = (
                    f"known in {self.municipality}: {', '.join(known)}"
                    if known
                    else f"{self.municipality} has no {kind} yet"
                )
                return f"unknown {kind} '{target}' in [[{kind}:{target}]] ({have})"
            return self._link(*hit)
        return (
            f"unknown reference kind '{kind}'; write [[item:44]], [[wg:slug]], "
            "[[body:slug]], [[meeting:body/slug]], [[plan:slug]] or [[document:slug]]"
        )

    def _item(self, target: str) -> Link | str:
        plan_slug, _, number = target.rpartition("/")
        plans = self.plans
        if plan_slug:
            plans = tuple(
                p
                for p in self.index.items
                if p.slug == plan_slug and p.municipality == self.municipality
            )
            if not plans:
                return f"unknown plan '{plan_slug}' in [[item:{target}]]"
        if not plans:
            return (
                f"項番{number}: this record refers to no plan; add `plans: [<plan slug>]` "
                "to the meeting or its body"
            )
        if not number.isdigit():
            return f"'{number}' is not an item number; write [[item:44]]"
        for plan in plans:
            hit = self.index.items[plan].get(int(number))
            if hit:
                return self._link(*hit)
        plan = self.index.records.plans[plans[0]]
        return (
            f"unknown plan item 項番{number} (plan {plan.title} has "
            f"{number_ranges([i.number for i in plan.items])})"
        )

    def _link(self, ref: RecordRef, title: str) -> Link:
        return self.index.link(ref, title)


@dataclass(frozen=True)
class Linked:
    """One record's texts rendered, and what they refer to.

    Kept per record so that a rebuild after an edit re-links only the records whose
    inputs changed: the record itself, its scope (``vocabulary``), or the title of
    something it links to (``seen``).
    """

    html: dict[Text, str | Links]  # as in Site.html
    mentions: tuple[tuple[RecordRef, Mention], ...]  # (target, where it is mentioned)
    targets: frozenset[RecordRef]
    seen: tuple[tuple[RecordRef, str], ...]  # (target, its title when linked)
    vocabulary: tuple[str, tuple[RecordRef, ...]]  # autolink pattern and plans in scope
    problems: tuple[Problem, ...]

    def still_valid(self, index: Index, vocabulary: tuple) -> bool:
        return (
            not self.problems
            and self.vocabulary == vocabulary
            and all(index.titles.get(ref) == title for ref, title in self.seen)
        )


def scope_of(record: Record, index: Index) -> RecordScope:
    return RecordScope(index, record.ref.municipality, plans_of(record, index.records))


def link_record(
    record: Record,
    scope: RecordScope,
    md: MarkdownIt,
    memo: dict[str, tuple[str | Links, list[Found]]] | None = None,
) -> Linked:
    """memo: texts rendered before in this same scope, by source, and filled with those
    this call renders (the preview's, for a file edited again and again: only its
    changed statements are rendered)."""
    html: dict[Text, str | Links] = {}
    mentions: list[tuple[RecordRef, Mention]] = []
    seen: dict[RecordRef, str] = {}
    problems: list[Problem] = []
    for text, statement in texts_of(record):
        hit = memo.get(text.source) if memo is not None else None
        if hit is None:
            hit = render(md, text.source, scope)
            if memo is not None:
                memo[text.source] = hit
        rendered, found = hit
        html[text] = rendered
        for f in found:
            at = Location(
                text.location.path,
                text.location.line + f.line,
                (text.location.column if f.line == 0 else 1) + f.column,
            )
            if f.error:
                problems.append(Problem(at, f.error))
                continue
            seen[f.link.key] = f.link.title
            if f.link.key != record.ref:
                mentions.append((f.link.key, Mention(record.ref, statement, at)))
    pattern = scope.autolink.pattern if scope.autolink else ""
    return Linked(
        html=html,
        mentions=tuple(mentions),
        targets=frozenset(seen),
        seen=tuple(sorted(seen.items(), key=lambda kv: str(kv[0]))),
        vocabulary=(pattern, scope.plans),
        problems=tuple(problems),
    )


def link_records(
    records: Records, md: MarkdownIt, url_for: Callable[[RecordRef], str], workers: int = 0
) -> Site:
    """Check references between records, render all Markdown, gather backlinks; with
    workers > 0, on that many forked processes beside this one."""
    problems = list(check_references(records))
    index = Index(records, url_for)
    linked = link_all(list(records.all()), index, md, workers)
    problems.extend(p for result in linked.values() for p in result.problems)
    if problems:
        raise ContentError(problems)
    return assemble_site(records, linked)


def link_all(
    records: list[Record], index: Index, md: MarkdownIt, workers: int
) -> dict[str, Linked]:
    """Every record linked, by path, in the order of records, whatever the workers.

    Rendering the Markdown is most of the time linking takes (a fifth of a
    10,000-meeting build), so the records are shared out a batch at a time
    (forked.start_sharing). A worker sends back each record's HTML as a list of strings
    in the order of texts_of, cheap to pickle; the texts they belong to are this
    process's own. Fewer workers start if the free memory would not hold them
    (forked.affordable)."""
    task = partial(_link_one, index=index, md=md)
    linked = start_sharing(task, records, affordable(workers), _strings_of, _with_strings)()
    return {r.location.path: result for r, result in zip(records, linked, strict=True)}


def _link_one(record: Record, index: Index, md: MarkdownIt) -> Linked:
    return link_record(record, scope_of(record, index), md)


def _strings_of(record: Record, linked: Linked) -> tuple[list[str | Links], Linked]:
    """A linked record as a worker sends it: its HTML without the texts as keys."""
    strings = [linked.html[text] for text, _ in texts_of(record)]
    return strings, dataclasses.replace(linked, html={})


def _with_strings(record: Record, sent: tuple[list[str | Links], Linked]) -> Linked:
    strings, linked = sent
    html = {text: s for (text, _), s in zip(texts_of(record), strings, strict=True)}
    return dataclasses.replace(linked, html=html)


def assemble_site(records: Records, linked: dict[str, Linked]) -> Site:
    html: dict[Text, str | Links] = {}
    mentions: dict[RecordRef, list[Mention]] = defaultdict(list)
    for result in linked.values():
        html.update(result.html)
        for target, mention in result.mentions:
            mentions[target].append(mention)
    return Site(
        records=records,
        html=html,
        mentions={
            k: tuple(dict.fromkeys(sorted(v, key=_mention_order))) for k, v in mentions.items()
        },
        targets={path: result.targets for path, result in linked.items()},
    )


def relink_site(site: Site, record: Record, old: Linked, new: Linked) -> Site:
    """The site with one record replaced by a new version of the same ref: what
    assemble_site would give for the edited tree, in time proportional to the edit.

    The mentions of only the targets the record links to (before or after) are
    recomputed. The rendered texts are updated in place, since copying every text
    of a large archive would cost more than the edit: the old Site must not be
    used afterwards.
    """
    path = record.location.path
    for text in old.html:
        site.html.pop(text, None)
    site.html.update(new.html)
    mentions = dict(site.mentions)
    for target in old.targets | new.targets:
        kept = [m for m in mentions.get(target, ()) if m.source != record.ref]
        kept += [m for t, m in new.mentions if t == target]
        if kept:
            mentions[target] = tuple(dict.fromkeys(sorted(kept, key=_mention_order)))
        else:
            mentions.pop(target, None)
    table = {
        Meeting: "meetings",
        Document: "documents",
        Body: "bodies",
        WorkingGroup: "wgs",
        Plan: "plans",
    }[type(record)]
    records = dataclasses.replace(
        site.records, **{table: {**getattr(site.records, table), record.ref: record}}
    )
    return Site(records, site.html, mentions, {**site.targets, path: new.targets})


def _mention_order(m: Mention) -> tuple:
    return (m.source.kind != "meeting", m.source.municipality, m.source.slug, m.location)


def plans_of(record: Record, records: Records) -> tuple[RecordRef, ...]:
    """The plans whose 項番 a record's texts refer to."""
    municipality = record.ref.municipality
    if isinstance(record, Plan):
        return (record.ref,)
    if isinstance(record, Body):
        slugs = record.plans
    elif isinstance(record, Meeting):
        body = records.bodies.get(RecordRef("body", municipality, record.body))
        slugs = record.meta.plans or (body.plans if body else ())
    elif isinstance(record, Document) and record.meta.body:
        body = records.bodies.get(RecordRef("body", municipality, record.meta.body))
        slugs = body.plans if body else ()
    else:
        slugs = ()
    refs = tuple(RecordRef("plan", municipality, s) for s in slugs)
    return tuple(r for r in refs if r in records.plans)


def texts_of(record: Record) -> Iterator[tuple[Text, str | None]]:
    """Every Markdown text of a record, with the statement it belongs to (if any)."""
    if isinstance(record, Meeting):
        yield from ((t, None) for t in _texts(record.meta))
        yield from ((t, None) for t in record.preface)
        for section in record.sections:
            for block in section.blocks:
                if isinstance(block, Statement):
                    yield block.text, block.id
                else:
                    yield block, None
    elif isinstance(record, Document):
        yield from ((t, None) for t in _texts(record.meta))
        yield record.text, None
    else:
        yield from ((t, None) for t in _texts(record))


def _texts(value: object) -> Iterator[Text]:
    if isinstance(value, Text):
        yield value
    elif isinstance(value, tuple):
        for v in value:
            yield from _texts(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if not f.metadata.get("derived"):
                yield from _texts(getattr(value, f.name))


def title_of(record: Record) -> str:
    if isinstance(record, (Meeting, Document)):
        return record.meta.title
    if isinstance(record, Plan):
        return record.title
    return record.name


def number_ranges(numbers: list[int]) -> str:
    """[2, 38, 39, 40] → '2, 38–40'"""
    numbers = sorted(set(numbers))
    if not numbers:
        return "no items"
    runs: list[list[int]] = [[numbers[0], numbers[0]]]
    for n in numbers[1:]:
        if n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)


# --- references between records, by slug --------------------------------------------


def check_references(records: Records) -> Iterator[Problem]:
    for record in records.all():
        yield from record_reference_problems(record, records)
    wg_names: dict[tuple[str, str], WorkingGroup] = {}
    for wg in records.wgs.values():
        for name in (wg.name, *wg.aliases):
            other = wg_names.setdefault((wg.ref.municipality, name), wg)
            if other is not wg:
                yield Problem(
                    wg.location,
                    f"the WG name '{name}' is also used by "
                    f"{other.location.path}; names and aliases must be unique",
                )


def record_reference_problems(record: Record, records: Records) -> Iterator[Problem]:
    """The slugs one record names (its body, plans, documents, agenda ids) that do not
    exist. Only WG names are checked across records (check_references)."""
    bodies = records.bodies

    def known(kind: str, table: dict) -> str:
        slugs = sorted(r.slug for r in table if r.municipality == record.ref.municipality)
        return f"known {kind}: {', '.join(slugs)}" if slugs else f"there is no {kind} yet"

    def body_exists(slug: str | None, field: str) -> Iterator[Problem]:
        if slug and RecordRef("body", record.ref.municipality, slug) not in bodies:
            yield Problem(
                where(slug, record.location),
                f"{field}: unknown body '{slug}' in {record.ref.municipality} "
                f"({known('bodies', bodies)})",
            )

    def plans_exist(slugs: tuple[str, ...]) -> Iterator[Problem]:
        for slug in slugs:
            if RecordRef("plan", record.ref.municipality, slug) not in records.plans:
                yield Problem(
                    where(slug, record.location),
                    f"plans: unknown plan '{slug}' ({known('plans', records.plans)})",
                )

    if isinstance(record, Body):
        yield from body_exists(record.parent, "parent")
        yield from plans_exist(record.plans)
        if record.parent == record.ref.slug:
            yield Problem(
                where(record.parent, record.location), "parent: a body cannot be its own parent"
            )
    elif isinstance(record, Meeting):
        municipality = record.ref.municipality
        if RecordRef("body", municipality, record.body) not in bodies:
            yield Problem(
                record.location,
                f"this meeting is in meetings/{record.body}/ but there is no body "
                f"'{record.body}': create bodies/{record.body}.yaml or move the "
                f"file ({known('bodies', bodies)})",
            )
        yield from plans_exist(record.meta.plans)
        yield from _check_agenda(record)
        for material in record.meta.materials:
            if (
                material.document
                and RecordRef("document", municipality, material.document) not in records.documents
            ):
                yield Problem(
                    where(material.document, record.location),
                    f"document: unknown document '{material.document}'",
                )
    elif isinstance(record, WorkingGroup):
        yield from body_exists(record.body, "body")
    elif isinstance(record, Document):
        yield from body_exists(record.meta.body, "body")
    elif isinstance(record, Plan):
        yield from body_exists(record.body, "body")
        numbers: dict[int, PlanItem] = {}
        for item in record.items:
            if item.number in numbers:
                yield Problem(
                    where(item.number, record.location),
                    f"項番{item.number} is used twice in this plan (first at line "
                    f"{where(numbers[item.number].number, record.location).line}); "
                    "item numbers must be unique",
                )
            numbers[item.number] = item
        for item in record.items:
            for relation in item.related:
                if relation.item not in numbers:
                    yield Problem(
                        where(relation.item, record.location),
                        f"related: unknown plan item 項番{relation.item} (this plan has "
                        f"{number_ranges(list(numbers))})",
                    )


def _check_agenda(meeting: Meeting) -> Iterator[Problem]:
    ids: set[str] = set()

    def walk(items: tuple) -> Iterator[str]:
        for item in items:
            if item.id:
                yield item.id
            yield from walk(item.items)

    for agenda_id in walk((*meeting.meta.reports, *meeting.meta.agenda)):
        ids.add(agenda_id)
    hint = (
        f"known: {', '.join(sorted(ids))}"
        if ids
        else "no agenda item has an id yet: give one `id:` in the front matter's agenda"
    )
    for conclusion in meeting.meta.conclusions:
        if conclusion.agenda and conclusion.agenda not in ids:
            yield Problem(
                where(conclusion.agenda, meeting.location),
                f"conclusions: agenda '{conclusion.agenda}' matches no agenda or "
                f"report item ({hint})",
            )
    for section in meeting.sections:
        if section.agenda and section.agenda not in ids:
            yield Problem(
                section.location,
                f"heading {{#{section.agenda}}} matches no agenda or report item ({hint})",
            )
