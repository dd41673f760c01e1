"""Every record as data: JSON per record, JSON and CSV per collection, their JSON Schema.

Journalists and researchers download what citizens read. Field names follow Popolo
(Organization, Membership, Speech) and Open Civic Data (Event, agenda, participants,
documents) where those have a name for the thing; docs/open-data.md has the mapping
and what is ours. Texts are exported as the clerk wrote them (Markdown), never as
HTML, so that nothing the citizen reads is lost and nothing is added.

Identifiers are the records' own: ``meeting:musashimurayama/gyokaku/2025-11-17``,
``item:musashimurayama/dx-plan/44``, a statement is its meeting's id and its anchor
(``…#s-1a2b3c4d``). They depend only on the file names, so they never change when
other records are added — the same promise the page URLs make.

Dates carry no clock: a meeting's start is its date and time in Japan (+09:00).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .config import Config
from .graph import Site, plans_of
from .model import (
    AgendaItem,
    Body,
    Contact,
    Document,
    Meeting,
    Municipality,
    Pillar,
    Plan,
    PlanItem,
    RecordRef,
    Section,
    Statement,
    Text,
    WorkingGroup,
)
from .pages import agenda_titles, item_ref, plan_tree_items

JST = dt.timezone(dt.timedelta(hours=9))  # every record is of a Japanese body
OCD_STATUS = {"held": "passed", "scheduled": "confirmed", "cancelled": "cancelled"}
DATA_DIR = "data"
SCHEMA_DIR = f"{DATA_DIR}/schema"
JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"

Json = dict[str, Any]


# --- addresses ---------------------------------------------------------------------


def site_url(config: Config, path: str) -> str:
    """The absolute URL of a site path ('/a/b/'), under base_url's sub-path."""
    base = urlsplit(config.site.base_url)
    return f"{base.scheme}://{base.netloc}{config.base_path}{path.lstrip('/')}"


def record_id(ref: RecordRef) -> str:
    """'meeting:musashimurayama/gyokaku/2025-11-17'; 'municipality:maebashi'."""
    return f"{ref.kind}:{ref.municipality}" + (f"/{ref.slug}" if ref.slug else "")


def record_json_path(ref: RecordRef) -> str:
    """Where a record's JSON sits: beside its page, its URL with '.json' for the '/'."""
    return ref.url.rstrip("/") + ".json"


def meeting_start(meeting: Meeting) -> dt.date | dt.datetime:
    """The date, or the date and time in Japan when the record gives a start time."""
    meta = meeting.meta
    if meta.start_time is None:
        return meta.date
    return dt.datetime.combine(meta.date, meta.start_time, JST)


def meeting_end(meeting: Meeting) -> dt.datetime | None:
    meta = meeting.meta
    if meta.end_time is None:
        return None
    return dt.datetime.combine(meta.date, meta.end_time, JST)


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- one record → a dict -----------------------------------------------------------


class _Event(NamedTuple):
    """What every statement of a meeting says alike: made once per meeting rather than
    once per statement (a meeting has dozens)."""

    ref: RecordRef
    id: str
    url: str
    organization_id: str
    municipality: str
    date: str


@dataclass(frozen=True)
class Exporter:
    """Turns records into the dicts every export is made of (one build's site)."""

    site: Site
    config: Config

    @cached_property
    def _site_root(self) -> str:
        """The site's own absolute URL, which every record's URL starts with."""
        return site_url(self.config, "/")

    def url(self, ref: RecordRef) -> str:
        return self._site_root + ref.url.lstrip("/")

    def mentions(self, ref: RecordRef) -> list[Json]:
        """Where a record is mentioned: the citing record, and the statement if any."""
        out: dict[tuple[str, str | None], Json] = {}
        for m in self.site.mentions.get(ref, ()):
            source = record_id(m.source)
            statement = f"{source}#{m.statement}" if m.statement else None
            out.setdefault((source, statement), {"source": source, "statement": statement})
        return list(out.values())

    @cached_property
    def cited(self) -> dict[tuple[RecordRef, str], list[str]]:
        """(meeting, statement anchor) → ids of the records the statement refers to."""
        cited: dict[tuple[RecordRef, str], set[str]] = {}
        for target, mentions in self.site.mentions.items():
            for m in mentions:
                if m.statement:
                    cited.setdefault((m.source, m.statement), set()).add(record_id(target))
        return {k: sorted(v) for k, v in cited.items()}

    def municipality(self, m: Municipality) -> Json:
        return {
            "id": record_id(m.ref),
            "url": self.url(m.ref),
            "name": m.name,
            "name_en": m.name_en,
            "prefecture": m.prefecture,
            "website": m.url,
            "note": _md(m.note),
        }

    def body(self, body: Body) -> Json:
        ref = body.ref
        return {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "name": body.name,
            "short_name": body.short_name,
            "classification": body.classification,
            "parent_id": _ref_id("body", ref, body.parent),
            "description": _md(body.description),
            "plans": [record_id(RecordRef("plan", ref.municipality, p)) for p in body.plans],
            "secretariat": body.secretariat,
            "contact": _contact(body.contact),
            "memberships": [
                {
                    "name": m.name,
                    "role": m.role,
                    "start_date": iso(m.start_date),
                    "end_date": iso(m.end_date),
                }
                for m in body.memberships
            ],
            "editorial_note": _md(body.editorial_note),
            "mentions": self.mentions(ref),
        }

    def meeting(self, meeting: Meeting) -> Json:
        """A meeting as an OCD Event (its own file adds proceedings())."""
        ref, meta = meeting.ref, meeting.meta
        body = self.site.records.bodies[RecordRef("body", ref.municipality, meeting.body)]
        participants = [
            *(_participant(p, "attendee") for p in meta.attendees),
            *(_participant(p, "absentee") for p in meta.absentees),
            *(_participant(p, "secretariat") for p in meta.secretariat),
        ]
        out: Json = {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "organization_id": record_id(body.ref),
            "organization_name": body.name,
            "name": meta.title,
            "record_type": meta.record_type,
            "ordinal": meta.ordinal,
            "fiscal_year": meeting.fiscal_year,
            "start_date": iso(meeting_start(meeting)),
            "end_date": iso(meeting_end(meeting)),
            "location": {"name": meta.place} if meta.place else None,
            "status": OCD_STATUS[meta.status],
            "participants": participants,
            "observers": meta.observers,
            "disclosure": meta.disclosure,
            "disclosure_reason": meta.disclosure_reason,
            "record_disclosure": meta.record_disclosure,
            "record_disclosure_basis": meta.record_disclosure_basis,
            "reports": _agenda(meta.reports),
            "agenda": _agenda(meta.agenda),
            "conclusions": [
                {
                    "agenda_item": c.agenda,
                    "decided": _md(c.decided),
                    "open_issues": _md(c.open_issues),
                    "pending": _md(c.pending),
                }
                for c in meta.conclusions
            ],
            "documents": [
                {
                    "note": m.title,
                    "number": m.number,
                    "url": m.url,
                    "document_id": _ref_id("document", ref, m.document),
                }
                for m in meta.materials
            ],
            "plans": [record_id(p) for p in plans_of(meeting, self.site.records)],
            "contact": _contact(meta.contact or body.contact),
            "editorial_note": _md(meta.editorial_note),
            "statement_count": len(meeting.statements),
        }
        return out

    def meeting_file(self, meeting: Meeting) -> Json:
        """A meeting's own JSON file: its row of meetings.json and its proceedings."""
        return {**self.meeting(meeting), **self.proceedings(meeting)}

    def proceedings(self, meeting: Meeting) -> Json:
        """What the meeting's own file adds to its row of meetings.json: the text."""
        speeches = self.speeches(meeting)
        return {
            "preface": [t.source for t in meeting.preface],
            "sections": [self.section(s, speeches) for s in meeting.sections],
        }

    def section(self, section: Section, speeches: dict[str, Json]) -> Json:
        return {
            "id": section.id,
            "title": section.title,
            "level": section.level,
            "agenda_item": section.agenda,
            "parts": [
                speeches[b.id]
                if isinstance(b, Statement)
                else {"type": "narrative", "text": b.source}
                for b in section.blocks
            ],
        }

    def speeches(self, meeting: Meeting) -> dict[str, Json]:
        """Anchor → the statement as exported, in the order of the proceedings. Made
        anew on each call, never kept: the statements of 10,000 meetings as dicts are
        more than a gigabyte."""
        event = self._event(meeting)
        titles = agenda_titles(meeting)
        out: dict[str, Json] = {}
        for section in meeting.sections:
            for block in section.blocks:
                if isinstance(block, Statement):
                    position = len(out) + 1
                    out[block.id] = self.statement(event, section, block, position, titles)
        return out

    def _event(self, meeting: Meeting) -> _Event:
        ref = meeting.ref
        return _Event(
            ref,
            record_id(ref),
            self.url(ref),
            record_id(RecordRef("body", ref.municipality, meeting.body)),
            record_id(_municipality(ref)),
            meeting.meta.date.isoformat(),
        )

    def statement(
        self,
        event: _Event,
        section: Section,
        statement: Statement,
        position: int,
        titles: dict[str, str],
    ) -> Json:
        """A statement as a Popolo Speech, with what it is about and what it cites."""
        reply = statement.reply_to
        return {
            "type": "speech",
            "id": f"{event.id}#{statement.id}",
            "url": f"{event.url}#{statement.id}",
            "event_id": event.id,
            "organization_id": event.organization_id,
            "municipality": event.municipality,
            "date": event.date,
            "position": position,
            "attribution_text": statement.speaker,
            "side": statement.side,
            "marker": statement.marker,
            "section": section.id,
            "section_title": section.title,
            "agenda_item": section.agenda,
            "agenda_title": titles.get(section.agenda) if section.agenda else None,
            "reply_to": f"{event.id}#{reply}" if reply else None,
            "text": statement.text.source,
            "cites": self.cited.get((event.ref, statement.id), []),
        }

    def wg(self, wg: WorkingGroup) -> Json:
        ref = wg.ref
        return {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "name": wg.name,
            "number": wg.number,
            "name_note": wg.name_note,
            "other_names": [{"name": a} for a in wg.aliases],
            "parent_id": _ref_id("body", ref, wg.body),
            "vision": wg.vision,
            "departments": list(wg.departments),
            "history": _md(wg.history),
            "sheets": [
                {
                    "fiscal_year": s.fiscal_year,
                    "future": _md(s.future),
                    "background": _md(s.background),
                    "issues": _md(s.issues),
                    "causes": _md(s.causes),
                    "solution": _md(s.solution),
                    "effects": _md(s.effects),
                    "effects_label": s.effects_label,
                    "activities": _md(s.activities),
                    "next_steps": _md(s.next_steps),
                }
                for s in sorted(wg.sheets, key=lambda s: s.fiscal_year)
            ],
            "editorial_note": _md(wg.editorial_note),
            "mentions": self.mentions(ref),
        }

    def plan(self, plan: Plan) -> Json:
        ref = plan.ref

        def pillar(p: Pillar) -> Json:
            return {
                "number": p.number,
                "title": p.title,
                "items": [record_id(item_ref(plan, i)) for i in p.items],
                "children": [pillar(c) for c in p.children],
            }

        return {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "title": plan.title,
            "short_title": plan.short_title,
            "version": plan.version,
            "status": plan.status,
            "organization_id": _ref_id("body", ref, plan.body),
            "description": _md(plan.description),
            "pillars": [pillar(p) for p in plan.pillars],
            "items": [record_id(item_ref(plan, i)) for i in plan.items],
            "editorial_note": _md(plan.editorial_note),
            "mentions": self.mentions(ref),
        }

    def item(self, plan: Plan, item: PlanItem, trail: tuple[str, ...]) -> Json:
        ref = item_ref(plan, item)
        return {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "plan_id": record_id(plan.ref),
            "plan_title": plan.title,
            "number": item.number,
            "title": item.title,
            "pillars": list(trail),
            "description": _md(item.description),
            "criterion": item.criterion,
            "department": item.department,
            "schedule": [{"fiscal_year": s.fiscal_year, "plan": s.plan} for s in item.schedule],
            "source": item.source,
            "related": [
                {
                    "item_id": record_id(
                        RecordRef("item", ref.municipality, f"{plan.ref.slug}/{r.item}")
                    ),
                    "number": int(r.item),
                    "note": r.note,
                }
                for r in item.related
            ],
            "mentions": self.mentions(ref),
        }

    def document(self, document: Document) -> Json:
        ref, meta = document.ref, document.meta
        return {
            "id": record_id(ref),
            "url": self.url(ref),
            "municipality": record_id(_municipality(ref)),
            "title": meta.title,
            "number": meta.number,
            "organization_id": _ref_id("body", ref, meta.body),
            "date": iso(meta.date),
            "fiscal_year": meta.fiscal_year,
            "author": meta.author,
            "source_url": meta.source_url,
            "text": document.text.source,
            "editorial_note": _md(meta.editorial_note),
            "mentions": self.mentions(ref),
        }


def _md(text: Text | None) -> str | None:
    return text.source if text is not None else None


def _municipality(ref: RecordRef) -> RecordRef:
    return RecordRef("municipality", ref.municipality)


def _ref_id(kind: str, ref: RecordRef, slug: str | None) -> str | None:
    return record_id(RecordRef(kind, ref.municipality, slug)) if slug else None  # type: ignore[arg-type]


def _contact(contact: Contact | None) -> Json | None:
    if contact is None:
        return None
    return {
        "department": contact.department,
        "extension": contact.extension,
        "phone": contact.phone,
        "email": contact.email,
        "url": contact.url,
    }


def _participant(p: Any, participation: str) -> Json:
    return {"name": p.name, "role": p.role, "participation": participation}


def _agenda(items: tuple[AgendaItem, ...]) -> list[Json]:
    return [
        {
            "order": n,
            "number": item.number,
            "description": item.title,
            "id": item.id,
            "items": _agenda(item.items),
        }
        for n, item in enumerate(items, 1)
    ]


# --- collections ----------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """One downloadable table: its records, the schema of one, its CSV columns.

    rows() makes the rows as its files are written (collection_files) and none are
    kept: the statements of 10,000 meetings are half a gigabyte of JSON, several times
    that as dicts."""

    name: str  # file stem under /data/: meetings
    record: str  # schema stem of one record: meeting
    title: str  # label key of its name on the data page
    count: int
    rows: Callable[[], Iterable[Json]]
    columns: tuple[tuple[str, Callable[[Json], Any]], ...]


def collections(ex: Exporter) -> list[Collection]:
    records = ex.site.records
    municipalities = [m for _, m in sorted(records.municipalities.items())]
    bodies = sorted(records.bodies.values(), key=lambda b: str(b.ref))
    meetings = sorted(records.meetings.values(), key=lambda m: (m.meta.date, str(m.ref)))
    wgs = sorted(
        records.wgs.values(),
        key=lambda w: (w.ref.municipality, w.number is None, w.number or 0, w.ref.slug),
    )
    plans = sorted(records.plans.values(), key=lambda p: str(p.ref))
    items = [
        (p, i, trail)
        for p in plans
        for i, trail in sorted(plan_tree_items(p), key=lambda it: it[0].number)
    ]
    documents = sorted(records.documents.values(), key=lambda d: str(d.ref))
    return [
        Collection(
            "municipalities",
            "municipality",
            "data_municipalities",
            len(municipalities),
            lambda: map(ex.municipality, municipalities),
            _columns("id", "url", "name", "name_en", "prefecture", "website"),
        ),
        Collection(
            "bodies",
            "body",
            "data_bodies",
            len(bodies),
            lambda: map(ex.body, bodies),
            (
                *_columns("id", "url", "municipality", "name", "short_name", "classification"),
                *_columns("parent_id", "secretariat"),
                ("plans", lambda r: _ids(r["plans"])),
                ("contact_department", lambda r: (r["contact"] or {}).get("department")),
                ("memberships", lambda r: _lines(_person(m) for m in r["memberships"])),
            ),
        ),
        Collection(
            "meetings",
            "meeting",
            "data_meetings",
            len(meetings),
            lambda: map(ex.meeting, meetings),
            (
                *_columns("id", "url", "municipality", "organization_id", "organization_name"),
                *_columns("name", "record_type", "ordinal", "fiscal_year"),
                *_columns("start_date", "end_date"),
                ("location", lambda r: (r["location"] or {}).get("name")),
                ("status", lambda r: r["status"]),
                ("attendees", lambda r: _participants(r, "attendee")),
                ("absentees", lambda r: _participants(r, "absentee")),
                ("secretariat", lambda r: _participants(r, "secretariat")),
                *_columns("observers", "disclosure", "record_disclosure"),
                ("agenda", lambda r: _lines(_agenda_lines(r["agenda"]))),
                ("documents", lambda r: _lines(d["note"] for d in r["documents"])),
                ("statement_count", lambda r: r["statement_count"]),
            ),
        ),
        Collection(
            "statements",
            "statement",
            "data_statements",
            sum(len(m.statements) for m in meetings),
            lambda: (s for m in meetings for s in ex.speeches(m).values()),
            (
                *_columns("id", "url", "event_id", "organization_id", "date", "position"),
                *_columns("attribution_text", "side", "section_title", "agenda_item"),
                *_columns("agenda_title", "reply_to", "text"),
                ("cites", lambda r: _ids(r["cites"])),
            ),
        ),
        Collection(
            "wgs",
            "wg",
            "data_wgs",
            len(wgs),
            lambda: map(ex.wg, wgs),
            (
                *_columns("id", "url", "municipality", "number", "name", "name_note"),
                ("other_names", lambda r: _lines(n["name"] for n in r["other_names"])),
                *_columns("parent_id", "vision"),
                ("departments", lambda r: _lines(r["departments"])),
                ("sheets", lambda r: _lines(str(s["fiscal_year"]) for s in r["sheets"])),
                ("mentions", lambda r: len(r["mentions"])),
            ),
        ),
        Collection(
            "plans",
            "plan",
            "data_plans",
            len(plans),
            lambda: map(ex.plan, plans),
            (
                *_columns("id", "url", "municipality", "title", "short_title", "version"),
                *_columns("status", "organization_id"),
                ("items", lambda r: _ids(r["items"])),
            ),
        ),
        Collection(
            "items",
            "item",
            "data_items",
            len(items),
            lambda: (ex.item(p, i, trail) for p, i, trail in items),
            (
                *_columns("id", "url", "plan_id", "number", "title"),
                ("pillars", lambda r: " › ".join(r["pillars"])),
                *_columns("description", "criterion", "department", "source"),
                (
                    "schedule",
                    lambda r: _lines(f"{s['fiscal_year']}: {s['plan']}" for s in r["schedule"]),
                ),
                ("related", lambda r: _ids(x["item_id"] for x in r["related"])),
                ("mentioned_in", lambda r: _ids(_mention_ids(r))),
            ),
        ),
        Collection(
            "documents",
            "document",
            "data_documents",
            len(documents),
            lambda: map(ex.document, documents),
            (
                *_columns("id", "url", "municipality", "title", "number", "organization_id"),
                *_columns("date", "fiscal_year", "author", "source_url"),
            ),
        ),
    ]


def _columns(*names: str) -> tuple[tuple[str, Callable[[Json], Any]], ...]:
    return tuple((name, itemgetter(name)) for name in names)


def _ids(ids: Iterable[str]) -> str:
    """Identifiers contain no spaces: a space-separated cell filters well in a spreadsheet."""
    return " ".join(ids)


def _lines(values: Iterable[str]) -> str:
    return "\n".join(values)


def _person(m: Json) -> str:
    return f"{m['name']}（{m['role']}）" if m["role"] else m["name"]


def _participants(r: Json, participation: str) -> str:
    return _lines(_person(p) for p in r["participants"] if p["participation"] == participation)


def _agenda_lines(items: list[Json], depth: int = 0) -> Iterable[str]:
    for item in items:
        yield "　" * depth + " ".join(filter(None, (item["number"], item["description"])))
        yield from _agenda_lines(item["items"], depth + 1)


def _mention_ids(r: Json) -> Iterable[str]:
    return (m["statement"] or m["source"] for m in r["mentions"])


# --- files ----------------------------------------------------------------------------


def dump_json(data: Any) -> bytes:
    """Data files: compact (the C encoder; a browser or jq shows them indented)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def dump_schema(schema: Json) -> bytes:
    """Schemas are read by people too: indented."""
    return (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000  # rows turned into JSON and CSV text at a time


def collection_files(c: Collection, schema_url: str) -> Iterator[tuple[str, bytes]]:
    """A collection's JSON and its two CSVs, made in one walk over its rows, as
    (path, chunk) a batch of rows at a time; each file is its chunks in order.

    The JSON is what dump_json({"$schema": …, <name>: [rows]}) gives. The CSVs are RFC
    4180 (CRLF); the one for Excel has a BOM, so that Japanese Excel reads UTF-8, and a
    cell that Excel would run as a formula (=, +, -, @ first) prefixed with ': it
    differs only in the batches holding such a cell. The csv module writes None as an
    empty cell and a number as str() does."""
    json_path = f"{DATA_DIR}/{c.name}.json"
    excel_path, plain_path = f"{DATA_DIR}/{c.name}.csv", f"{DATA_DIR}/{c.name}-nobom.csv"
    empty = dump_json({"$schema": schema_url, c.name: []})  # {…,"statements":[]}
    yield json_path, empty[: -len(b"]}\n")]
    header = _csv_text([[name for name, _ in c.columns]])
    yield excel_path, b"\xef\xbb\xbf" + header
    yield plain_path, header
    getters = [get for _, get in c.columns]
    rows = iter(c.rows())
    separator = b""
    while batch := list(islice(rows, BATCH)):
        yield json_path, separator + b",".join(dump_json(row)[:-1] for row in batch)
        separator = b","
        cells = [[get(row) for get in getters] for row in batch]
        plain = _csv_text(cells)
        yield plain_path, plain
        if any(map(_formula_like, cells)):
            plain = _csv_text([_for_excel(x) if _formula_like(x) else x for x in cells])
        yield excel_path, plain
    yield json_path, b"]}\n"


def _formula_like(cells: list[Any]) -> bool:
    return any(v is not None and str(v).startswith(FORMULA_START) for v in cells)


def _for_excel(cells: list[Any]) -> list[str]:
    texts = ["" if v is None else str(v) for v in cells]
    return [f"'{t}" if t.startswith(FORMULA_START) else t for t in texts]


def _csv_text(rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def export_files(ex: Exporter, tables: list[Collection]) -> Iterator[tuple[str, bytes]]:
    """/data/<collection>.json|.csv|-nobom.csv, /data/schema/*, and one JSON per record,
    as (output path, chunk), one file or one batch of a collection's rows at a time:
    the build writes each and lets it go (the exports of 10,000 meetings are 2 GB)."""
    config = ex.config
    schemas = record_schemas()
    for name, schema in schemas.items():
        yield f"{SCHEMA_DIR}/{name}.schema.json", dump_schema(schema)
    for c in tables:
        schema_url = site_url(config, f"/{SCHEMA_DIR}/{c.name}.schema.json")
        yield f"{SCHEMA_DIR}/{c.name}.schema.json", dump_schema(collection_schema(c, schemas))
        yield from collection_files(c, schema_url)
    yield from record_files(ex)


def record_files(ex: Exporter) -> Iterator[tuple[str, bytes]]:
    """One JSON per record, beside its page: /a/meetings/b/2025-11-17.json. A record is
    its row of its collection, a meeting's with its proceedings added."""
    records = ex.site.records
    rows: dict[RecordRef, Callable[[], Json]] = {}
    for m in records.municipalities.values():
        rows[m.ref] = partial(ex.municipality, m)
    for b in records.bodies.values():
        rows[b.ref] = partial(ex.body, b)
    for meeting in records.meetings.values():
        rows[meeting.ref] = partial(ex.meeting_file, meeting)
    for w in records.wgs.values():
        rows[w.ref] = partial(ex.wg, w)
    for p in records.plans.values():
        rows[p.ref] = partial(ex.plan, p)
        for item, trail in plan_tree_items(p):
            rows[item_ref(p, item)] = partial(ex.item, p, item, trail)
    for d in records.documents.values():
        rows[d.ref] = partial(ex.document, d)
    for ref in sorted(rows, key=record_json_path):
        schema = site_url(ex.config, f"/{SCHEMA_DIR}/{ref.kind}.schema.json")  # kind = stem
        yield record_json_path(ref).lstrip("/"), dump_json({"$schema": schema, **rows[ref]()})


# --- JSON Schema of the exports -------------------------------------------------------


def _str(description: str, nullable: bool = False, **extra: Any) -> Json:
    return {
        "description": description,
        "type": ["string", "null"] if nullable else "string",
        **extra,
    }


def _int(description: str, nullable: bool = False) -> Json:
    return {"description": description, "type": ["integer", "null"] if nullable else "integer"}


def _array(description: str, items: Json) -> Json:
    return {"description": description, "type": "array", "items": items}


def _object(description: str, properties: dict[str, Json], nullable: bool = False) -> Json:
    return {
        "description": description,
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


ID = r"^(municipality|body|meeting|wg|plan|item|document):[a-z0-9-]+(/[a-z0-9-]+)*$"
STATEMENT_ID = r"^meeting:[a-z0-9-]+(/[a-z0-9-]+)+#[A-Za-z][\w-]*$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_OR_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}\+09:00)?$"


def _id(description: str, nullable: bool = False) -> Json:
    return _str(description, nullable, pattern=ID)


def _common(what: str) -> dict[str, Json]:
    return {
        "id": _id(f"{what}の識別子（種類:自治体/スラッグ）。ファイル名から決まり、変わらない"),
        "url": _str(f"{what}のページのURL", format="uri"),
    }


def _municipality_id() -> Json:
    return _id("自治体の識別子")


def _mentions() -> Json:
    return _array(
        "この記録に言及した記録と発言（被参照）",
        _object(
            "言及",
            {
                "source": _id("言及した記録の識別子"),
                "statement": _str(
                    "言及した発言の識別子（発言以外での言及はnull）", True, pattern=STATEMENT_ID
                ),
            },
        ),
    )


def _md_field(description: str) -> Json:
    return _str(f"{description}（Markdown。[[item:44]] などの相互参照記法を含むことがある）", True)


def _contact_schema() -> Json:
    return _object(
        "問い合わせ先",
        {
            "department": _str("担当課", True),
            "extension": _str("内線", True),
            "phone": _str("電話番号", True),
            "email": _str("メールアドレス", True),
            "url": _str("問い合わせページのURL", True),
        },
        nullable=True,
    )


def _agenda_schema() -> Json:
    return {
        "description": "議題・報告事項（OCD EventAgendaItem）",
        "type": "object",
        "properties": {
            "order": _int("順番（1から）"),
            "number": _str("番号（原本の表記: 1, (1), ①）", True),
            "description": _str("件名"),
            "id": _str("議事録の見出しと結び付けるid", True),
            "items": {"type": "array", "items": {"$ref": "#/definitions/agenda_item"}},
        },
        "required": ["order", "number", "description", "id", "items"],
        "additionalProperties": False,
    }


def _statement_schema() -> Json:
    return _object(
        "発言（Popolo Speech）",
        {
            "type": {"description": "Popolo Speech.type: 常に speech", "const": "speech"},
            "id": _str("発言の識別子（会議の識別子#アンカー）", pattern=STATEMENT_ID),
            "url": _str("発言へのリンク（会議ページのアンカー）", format="uri"),
            "event_id": _id("会議の識別子（Popolo Speech.event_id）"),
            "organization_id": _id("会議体の識別子"),
            "municipality": _municipality_id(),
            "date": _str("開催日（Popolo Speech.date）", pattern=DATE),
            "position": _int("会議内での発言の順番（1から。Popolo Speech.position）"),
            "attribution_text": _str(
                "発言者の表記（原本どおり。記載がなければnull。Popolo Speech.attribution_text）",
                True,
            ),
            "side": {
                "description": "発言者の側: member＝委員（○）、secretariat＝事務局（●）、"
                "unknown＝記載なし",
                "enum": ["member", "secretariat", "unknown"],
            },
            "marker": {"description": "原本の発言記号", "enum": ["○", "●", "・", ""]},
            "section": _str("発言を含む見出しのid"),
            "section_title": _str("発言を含む見出し"),
            "agenda_item": _str("発言が属する議題・報告事項のid", True),
            "agenda_title": _str("発言が属する議題・報告事項", True),
            "reply_to": _str("⇒ による回答のとき、質問の発言の識別子", True, pattern=STATEMENT_ID),
            "text": _str("発言の本文（Markdown。Popolo Speech.text）"),
            "cites": _array("発言が言及した記録（項番、WG、会議体など）の識別子", _id("識別子")),
        },
    )


def record_schemas() -> dict[str, Json]:
    """Schema stem → JSON Schema of one exported record (also of each collection's rows)."""
    agenda = {"type": "array", "items": {"$ref": "#/definitions/agenda_item"}}
    narrative = _object(
        "説明（発言以外の段落）",
        {"type": {"const": "narrative"}, "text": _str("本文（Markdown）")},
    )
    meeting = _object(
        "会議（Open Civic Data Event）",
        {
            **_common("会議"),
            "municipality": _municipality_id(),
            "organization_id": _id("会議体の識別子（Popolo Event.organization_id）"),
            "organization_name": _str("会議体の名称"),
            "name": _str("会議名（Event.name）"),
            "record_type": _str("記録の種類（会議録（要旨）など）", True),
            "ordinal": _int("回数（第3回→3）", True),
            "fiscal_year": _int("年度（その年度が始まる西暦年。令和7年度→2025）"),
            "start_date": _str(
                "開始日時（時刻があれば日本時間+09:00付き。Event.start_date）", pattern=DATE_OR_TIME
            ),
            "end_date": _str("終了日時（Event.end_date）", True, pattern=DATE_OR_TIME),
            "location": _object(
                "開催場所（Event.location）", {"name": _str("場所の名称")}, nullable=True
            ),
            "status": {
                "description": "状況（OCD Event.status）: passed＝開催済み、"
                "confirmed＝開催予定、cancelled＝中止",
                "enum": ["passed", "confirmed", "cancelled"],
            },
            "participants": _array(
                "出席者・欠席者・事務局（OCD Event.participants）",
                _object(
                    "参加者",
                    {
                        "name": _str("氏名または職名（原本どおり）"),
                        "role": _str("役職", True),
                        "participation": {
                            "description": "attendee＝出席、absentee＝欠席、secretariat＝事務局",
                            "enum": ["attendee", "absentee", "secretariat"],
                        },
                    },
                ),
            ),
            "observers": _int("傍聴者数", True),
            "disclosure": {
                "description": "会議の公開・非公開の別",
                "enum": ["公開", "一部公開", "非公開", None],
            },
            "disclosure_reason": _str("一部公開・非公開とした理由", True),
            "record_disclosure": {
                "description": "会議録の開示・非開示の別",
                "enum": ["開示", "一部開示", "非開示", None],
            },
            "record_disclosure_basis": _str("一部開示・非開示の根拠法令等", True),
            "reports": {**agenda, "description": "報告事項"},
            "agenda": {**agenda, "description": "議題・次第（OCD Event.agenda）"},
            "conclusions": _array(
                "結論",
                _object(
                    "議題ごとの結論",
                    {
                        "agenda_item": _str("議題のid", True),
                        "decided": _md_field("決定した方針"),
                        "open_issues": _md_field("残された問題点"),
                        "pending": _md_field("保留事項"),
                    },
                ),
            ),
            "documents": _array(
                "資料（OCD Event.documents）",
                _object(
                    "資料",
                    {
                        "note": _str("資料名（OCD EventDocument.note）"),
                        "number": _str("資料番号", True),
                        "url": _str("ファイルのURL", True),
                        "document_id": _id("本文を収録した資料の識別子", True),
                    },
                ),
            ),
            "plans": _array("「項番NN」が指す計画の識別子", _id("計画の識別子")),
            "contact": _contact_schema(),
            "editorial_note": _md_field("転記に関する注記"),
            "statement_count": _int("発言の数"),
        },
    )
    meeting["properties"]["preface"] = _array("最初の見出しより前の本文（Markdown）", _str("段落"))
    meeting["properties"]["sections"] = _array(
        "審議経過（会議ごとのJSONにだけ含まれる）",
        _object(
            "見出しとその下の発言・説明",
            {
                "id": _str("見出しのid（ページのアンカー）"),
                "title": _str("見出し"),
                "level": _int("見出しの階層（2または3）"),
                "agenda_item": _str("議題・報告事項のid", True),
                "parts": _array(
                    "発言と説明（原本の順）",
                    {"anyOf": [{"$ref": "#/definitions/statement"}, narrative]},
                ),
            },
        ),
    )
    return {
        "municipality": _record(
            _object(
                "自治体（Popolo Organization）",
                {
                    **_common("自治体"),
                    "name": _str("自治体名"),
                    "name_en": _str("英語名", True),
                    "prefecture": _str("都道府県", True),
                    "website": _str("公式サイトのURL", True),
                    "note": _md_field("注記"),
                },
            )
        ),
        "body": _record(
            _object(
                "会議体（Popolo Organization）",
                {
                    **_common("会議体"),
                    "municipality": _municipality_id(),
                    "name": _str("正式名称（Organization.name）"),
                    "short_name": _str("略称", True),
                    "classification": {
                        "description": "種別（Organization.classification）",
                        "enum": [
                            "committee",
                            "board",
                            "subcommittee",
                            "team",
                            "headquarters",
                            "council",
                        ],
                    },
                    "parent_id": _id("親会議体の識別子（Organization.parent_id）", True),
                    "description": _md_field("設置目的など"),
                    "plans": _array("この会議体が審議する計画の識別子", _id("計画の識別子")),
                    "secretariat": _str("事務局", True),
                    "contact": _contact_schema(),
                    "memberships": _array(
                        "委員（Popolo Membership）",
                        _object(
                            "委員",
                            {
                                "name": _str("氏名（原本どおり）"),
                                "role": _str("役職（Membership.role）"),
                                "start_date": _str("就任日", True, pattern=DATE),
                                "end_date": _str("退任日", True, pattern=DATE),
                            },
                        ),
                    ),
                    "editorial_note": _md_field("転記に関する注記"),
                    "mentions": _mentions(),
                },
            )
        ),
        "meeting": _record(meeting, required_only=("preface", "sections")),
        "statement": _record(_statement_schema()),
        "wg": _record(
            _object(
                "ワーキンググループ（Popolo Organization）",
                {
                    **_common("WG"),
                    "municipality": _municipality_id(),
                    "name": _str("WG名"),
                    "number": _int("WG一覧での番号", True),
                    "name_note": _str("名称の注記", True),
                    "other_names": _array(
                        "別名（Popolo other_names）", _object("別名", {"name": _str("別名")})
                    ),
                    "parent_id": _id("報告先の会議体の識別子", True),
                    "vision": _str("目指す未来", True),
                    "departments": _array("参加所属", _str("所属")),
                    "history": _md_field("再編の経緯"),
                    "sheets": _array(
                        "仮説検証シート（年度順）",
                        _object(
                            "年度ごとの仮説検証シート",
                            {
                                "fiscal_year": _int("年度（西暦の開始年）"),
                                "future": _md_field("①実現したい未来"),
                                "background": _md_field("②背景・現状"),
                                "issues": _md_field("③課題"),
                                "causes": _md_field("④原因"),
                                "solution": _md_field("⑤解決策"),
                                "effects": _md_field("⑥得られる効果"),
                                "effects_label": _str("⑥の見出しの原本表記", True),
                                "activities": _md_field("⑦その年度の取り組み"),
                                "next_steps": _md_field("⑧今後の展開（スケジュール）"),
                            },
                        ),
                    ),
                    "editorial_note": _md_field("転記に関する注記"),
                    "mentions": _mentions(),
                },
            )
        ),
        "plan": _record(
            _object(
                "計画",
                {
                    **_common("計画"),
                    "municipality": _municipality_id(),
                    "title": _str("計画名"),
                    "short_title": _str("略称", True),
                    "version": _str("版", True),
                    "status": _str("状態（素案など）", True),
                    "organization_id": _id("審議する会議体の識別子", True),
                    "description": _md_field("計画の説明"),
                    "pillars": {
                        "description": "計画の体系（柱の木）",
                        "type": "array",
                        "items": {"$ref": "#/definitions/pillar"},
                    },
                    "items": _array("項番の識別子（番号順）", _id("項番の識別子")),
                    "editorial_note": _md_field("転記に関する注記"),
                    "mentions": _mentions(),
                },
            ),
            pillar=_object(
                "柱",
                {
                    "number": _str("番号（原本の表記）", True),
                    "title": _str("名称"),
                    "items": _array("この柱の項番の識別子", _id("項番の識別子")),
                    "children": {"type": "array", "items": {"$ref": "#/definitions/pillar"}},
                },
            ),
        ),
        "item": _record(
            _object(
                "計画の項番（推進項目）",
                {
                    **_common("項番"),
                    "municipality": _municipality_id(),
                    "plan_id": _id("計画の識別子"),
                    "plan_title": _str("計画名"),
                    "number": _int("項番"),
                    "title": _str("推進項目名"),
                    "pillars": _array("上位の柱（上から順に）", _str("柱の番号と名称")),
                    "description": _md_field("取組内容"),
                    "criterion": _str("達成基準", True),
                    "department": _str("所管課", True),
                    "schedule": _array(
                        "年次計画",
                        _object("年度の予定", {"fiscal_year": _int("年度"), "plan": _str("予定")}),
                    ),
                    "source": _str("出典", True),
                    "related": _array(
                        "関連する項番",
                        _object(
                            "関連",
                            {
                                "item_id": _id("関連する項番の識別子"),
                                "number": _int("関連する項番"),
                                "note": _str("関係の説明", True),
                            },
                        ),
                    ),
                    "mentions": _mentions(),
                },
            )
        ),
        "document": _record(
            _object(
                "資料・報告",
                {
                    **_common("資料"),
                    "municipality": _municipality_id(),
                    "title": _str("表題"),
                    "number": _str("資料番号", True),
                    "organization_id": _id("会議体の識別子", True),
                    "date": _str("日付", True, pattern=DATE),
                    "fiscal_year": _int("年度", True),
                    "author": _str("作成者", True),
                    "source_url": _str("原本のURL", True),
                    "text": _str("本文（Markdown）"),
                    "editorial_note": _md_field("転記に関する注記"),
                    "mentions": _mentions(),
                },
            )
        ),
    }


def _record(schema: Json, required_only: tuple[str, ...] = (), **extra_definitions: Json) -> Json:
    """A self-contained record schema; fields in required_only may be left out."""
    schema = dict(schema)
    schema["properties"] = {
        "$schema": _str("このJSONのJSON Schema", format="uri"),
        **schema["properties"],
    }
    schema["required"] = [p for p in schema["properties"] if p not in ("$schema", *required_only)]
    definitions = {
        "agenda_item": _agenda_schema(),
        "statement": _statement_schema(),
        **extra_definitions,
    }
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        **schema,
        "definitions": dict(sorted(definitions.items())),
    }


def collection_schema(collection: Collection, schemas: dict[str, Json]) -> Json:
    """{"$schema": …, "<name>": [one record, …]} with the record schema inline."""
    record = schemas[collection.record]
    row = {k: v for k, v in record.items() if k not in ("$schema", "definitions")}
    row["properties"] = {k: v for k, v in row["properties"].items() if k != "$schema"}
    row["required"] = [r for r in row["required"] if r != "$schema"]
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "description": f"{collection.name}: 一覧のダウンロード（各要素は1件の記録）",
        "type": "object",
        "properties": {
            "$schema": _str("このJSONのJSON Schema", format="uri"),
            collection.name: {"type": "array", "items": row},
        },
        "required": ["$schema", collection.name],
        "additionalProperties": False,
        "definitions": record["definitions"],
    }
