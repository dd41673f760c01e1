"""Feeds, calendars and the files crawlers read: Atom, iCalendar, sitemap.xml, robots.txt.

Citizens follow a body, a WG or a plan item (項番44) the way other civic sites offer
keyword alerts: every record that can be followed has a feed beside its page
(``…/feed.xml``), whose entries are the meetings and documents that discuss it.
Bodies and the whole site also have a calendar (``meetings.ics``) with past and
scheduled meetings, for a phone's calendar app.

There is no clock in a build (same input, same bytes), so every time here comes
from the records: an entry's ``updated`` is its record's date at 00:00 in Japan,
a feed's is its newest entry's, and a calendar event's DTSTAMP is its meeting's
date. Records without a date (most plans, WGs, some documents) are in no feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from . import wareki
from .config import Config
from .exports import JST, meeting_end, meeting_start, record_id, site_url
from .graph import Mention, Site
from .model import AgendaItem, Document, Meeting, RecordRef, Statement
from .pages import Page, item_ref

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_FILE = "feed.xml"
CALENDAR_FILE = "meetings.ics"
MAX_ENTRIES = 50  # a feed tells what is new; the archive is the site and /data/


@dataclass(frozen=True)
class Entry:
    """One item of a feed: a dated record, or the statements of one about the target."""

    id: str  # absolute URL: permanent, since record URLs are
    title: str
    updated: dt.date
    link: str  # absolute URL of the page (and anchor) the entry is about
    summary: str
    category: str  # meeting | document


@dataclass(frozen=True)
class Feed:
    path: str  # site path of the feed file: /a/bodies/b/feed.xml
    title: str
    page: str  # site path of the page the feed follows
    entries: tuple[Entry, ...]


# --- what each feed holds -------------------------------------------------------------


def dated(record: Meeting | Document) -> dt.date | None:
    return record.meta.date


def record_entry(site: Site, config: Config, record: Meeting | Document, labels: dict) -> Entry:
    """A meeting or document as a feed entry, summarised in words a citizen reads."""
    day = dated(record)
    assert day is not None
    url = site_url(config, record.ref.url)
    if isinstance(record, Meeting):
        body = site.records.bodies[RecordRef("body", record.ref.municipality, record.body)]
        parts = [body.name, wareki.wareki(day)]
        if record.meta.place:
            parts.append(record.meta.place)
        if record.meta.status != "held":
            parts.append(labels[f"status_{record.meta.status}"])
        agenda = agenda_line(record)
        summary = "、".join(parts) + (
            "。" + labels["agenda"] + "：" + " ／ ".join(agenda) if agenda else ""
        )
        title = record.meta.title
        if record.meta.status != "held":
            title = f"{title}（{labels[f'status_{record.meta.status}']}）"
        return Entry(url, title, day, url, summary, "meeting")
    return Entry(
        url,
        record.meta.title,
        day,
        url,
        "、".join(filter(None, (record.meta.number, record.meta.author, wareki.wareki(day)))),
        "document",
    )


def mention_entries(
    mentions: Iterable[Mention],
    entries: dict[RecordRef, Entry],
    statements: dict[RecordRef, dict[str, Statement]],
    labels: dict,
) -> list[Entry]:
    """The dated records among the mentions' sources: per meeting, the statements that
    mention the target. entries holds every dated record's own entry and statements
    every meeting's statements by anchor (both made once for all feeds)."""
    by_source: dict[RecordRef, dict[str | None, None]] = {}  # anchors as an ordered set
    for m in mentions:
        by_source.setdefault(m.source, {})[m.statement] = None
    out = []
    for source, anchors in by_source.items():
        base = entries.get(source)
        if base is None:
            continue
        quoting = [a for a in anchors if a]
        texts = statements.get(source)  # None for a document
        if texts is not None and quoting:
            quoted = [_excerpt(texts[a].text.source) for a in quoting if a in texts]
            link = f"{base.link}#{quoting[0]}"
            summary = labels["feed_mentions"].replace("{n}", str(len(quoting)))
            summary = f"{base.summary}\n{summary}\n" + "\n".join(f"・{q}" for q in quoted)
            out.append(Entry(link, base.title, base.updated, link, summary, base.category))
        else:
            out.append(base)
    return out


def agenda_line(meeting: Meeting) -> str:
    """The whole agenda on one line, sub-items included: '1 開会 ／ (1) 設置要綱の改正'."""

    def walk(items: tuple[AgendaItem, ...]) -> Iterable[str]:
        for item in items:
            yield " ".join(filter(None, (item.number, item.title)))
            yield from walk(item.items)

    return " ／ ".join(walk(meeting.meta.agenda))


def _excerpt(markdown: str, width: int = 80) -> str:
    plain = " ".join(markdown.split())
    return plain if len(plain) <= width else plain[:width] + "…"


def plan_feeds(site: Site, config: Config, labels: dict) -> list[Feed]:
    """The site's feed, and one per body, WG and plan item."""
    records = site.records
    dated_records = [
        r for r in (*records.meetings.values(), *records.documents.values()) if dated(r)
    ]
    entry = {r.ref: record_entry(site, config, r, labels) for r in dated_records}
    of_body: dict[tuple[str, str | None], list[Entry]] = {}  # (municipality, body slug)
    for r in dated_records:
        body = r.body if isinstance(r, Meeting) else r.meta.body
        of_body.setdefault((r.ref.municipality, body), []).append(entry[r.ref])
    statements = {
        ref: {s.id: s for s in meeting.statements} for ref, meeting in records.meetings.items()
    }

    def mentioning(target: RecordRef) -> tuple[Entry, ...]:
        return tuple(mention_entries(site.mentions.get(target, ()), entry, statements, labels))

    feeds = [
        Feed(f"/{FEED_FILE}", config.site.title, "/", tuple(entry.values())),
    ]
    for ref, body in records.bodies.items():
        own = tuple(of_body.get((ref.municipality, ref.slug), ()))
        feeds.append(Feed(f"{ref.url}{FEED_FILE}", body.name, ref.url, own))
    for ref, wg in records.wgs.items():
        feeds.append(Feed(f"{ref.url}{FEED_FILE}", wg.name, ref.url, mentioning(ref)))
    for plan in records.plans.values():
        for item in plan.items:
            ref = item_ref(plan, item)
            feeds.append(
                Feed(
                    f"{ref.url}{FEED_FILE}",
                    f"項番{item.number} {item.title}（{plan.short_title or plan.title}）",
                    ref.url,
                    mentioning(ref),
                )
            )
    return sorted(feeds, key=lambda f: f.path)


def site_updated(site: Site) -> dt.date:
    """The newest date any record gives: what a feed with no entries says it was updated."""
    days = [
        d
        for r in (*site.records.meetings.values(), *site.records.documents.values())
        if (d := dated(r))
    ]
    return max(days, default=dt.date(2000, 1, 1))


# --- Atom (RFC 4287) -------------------------------------------------------------------


def atom_time(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0, 0), JST).isoformat()


def render_atom(feed: Feed, config: Config, fallback: dt.date, labels: dict) -> bytes:
    entries = sorted(feed.entries, key=lambda e: (e.updated, e.id), reverse=True)[:MAX_ENTRIES]
    updated = max((e.updated for e in entries), default=fallback)
    self_url = site_url(config, feed.path)
    author = config.site.publisher or config.site.title
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="{config.site.language}">',
        f"  <id>{escape(self_url)}</id>",
        f"  <title>{escape(feed.title)}</title>",
    ]
    if feed.path != f"/{FEED_FILE}":
        lines.append(f"  <subtitle>{escape(config.site.title)}</subtitle>")
    elif config.site.description:
        lines.append(f"  <subtitle>{escape(config.site.description)}</subtitle>")
    lines += [
        f"  <updated>{atom_time(updated)}</updated>",
        f"  <author><name>{escape(author)}</name></author>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(site_url(config, feed.page))}/>',
        "  <generator>site_builder</generator>",
    ]
    for e in entries:
        lines += [
            "  <entry>",
            f"    <id>{escape(e.id)}</id>",
            f"    <title>{escape(e.title)}</title>",
            f"    <updated>{atom_time(e.updated)}</updated>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(e.link)}/>',
            f'    <category term="{e.category}" label={quoteattr(labels[e.category])}/>',
            f"    <summary>{escape(e.summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- iCalendar (RFC 5545) ---------------------------------------------------------------

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Tokyo",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
)
ICS_STATUS = {"held": "CONFIRMED", "scheduled": "CONFIRMED", "cancelled": "CANCELLED"}


def ics_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character;
    continuation lines start with one space, which counts towards their 75.

    Cut in the encoded bytes: a cut that lands on a continuation byte (0b10xxxxxx)
    moves back to the first byte of its character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def render_calendar(name: str, events: Iterable[str], config: Config) -> bytes:
    """A calendar of events already folded by vevent(), in the order given."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//site_builder//{ics_text(config.site.title)}//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
        "X-WR-TIMEZONE:Asia/Tokyo",
        *VTIMEZONE,
    ]
    head = "".join(fold(line) + "\r\n" for line in lines)
    return (head + "".join(events) + "END:VCALENDAR\r\n").encode("utf-8")


def vevent(meeting: Meeting, site: Site, config: Config, host: str, labels: dict) -> str:
    """A meeting's VEVENT, folded and with CRLFs: the site's calendar and its body's
    calendar share it."""
    meta = meeting.meta
    body = site.records.bodies[RecordRef("body", meeting.ref.municipality, meeting.body)]
    url = site_url(config, meeting.ref.url)
    start, end = meeting_start(meeting), meeting_end(meeting)
    if isinstance(start, dt.datetime):
        times = [f"DTSTART;TZID=Asia/Tokyo:{start:%Y%m%dT%H%M%S}"]
        if end is not None and end > start:
            times.append(f"DTEND;TZID=Asia/Tokyo:{end:%Y%m%dT%H%M%S}")
    else:  # a whole day: DTEND is the next day (exclusive)
        times = [
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + dt.timedelta(days=1):%Y%m%d}",
        ]
    description = [body.name]
    if agenda := agenda_line(meeting):
        description.append(f"{labels['agenda']}：{agenda}")
    description.append(url)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{record_id(meeting.ref)}@{host}",
        f"DTSTAMP:{meta.date:%Y%m%d}T000000Z",
        *times,
        f"SUMMARY:{ics_text(meta.title)}",
    ]
    if meta.place:
        lines.append(f"LOCATION:{ics_text(meta.place)}")
    lines += [
        f"DESCRIPTION:{ics_text(chr(10).join(description))}",
        f"URL:{url}",
        f"STATUS:{ICS_STATUS[meta.status]}",
        "END:VEVENT",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_files(site: Site, config: Config, labels: dict) -> dict[str, bytes]:
    """/meetings.ics for the site and …/bodies/<body>/meetings.ics for each body."""
    host = urlsplit(config.site.base_url).netloc
    meetings = sorted(site.records.meetings.values(), key=lambda m: (m.meta.date, record_id(m.ref)))
    events = {m.ref: vevent(m, site, config, host, labels) for m in meetings}
    of_body: dict[tuple[str, str], list[str]] = {}  # (municipality, body slug) → its VEVENTs
    for m in meetings:
        of_body.setdefault((m.ref.municipality, m.body), []).append(events[m.ref])
    files = {CALENDAR_FILE: render_calendar(config.site.title, events.values(), config)}
    for ref, body in site.records.bodies.items():
        own = of_body.get((ref.municipality, ref.slug), [])
        files[f"{ref.url.lstrip('/')}{CALENDAR_FILE}"] = render_calendar(body.name, own, config)
    return files


def feed_files(site: Site, config: Config, labels: dict) -> Iterator[tuple[str, bytes]]:
    fallback = site_updated(site)
    for feed in plan_feeds(site, config, labels):
        yield feed.path.lstrip("/"), render_atom(feed, config, fallback, labels)


# --- crawlers -------------------------------------------------------------------------


def render_sitemap(paths: Iterable[str], config: Config) -> bytes:
    """Every page worth indexing (never the 404 page or a redirect), in URL order."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    lines += [f"  <url><loc>{escape(site_url(config, p))}</loc></url>" for p in sorted(set(paths))]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_paths(pages: Iterable[Page]) -> list[str]:
    return [p.url for p in pages if p.kind != "error"]


def render_robots(config: Config) -> bytes:
    sitemap = site_url(config, "/sitemap.xml")
    return f"User-agent: *\nDisallow:\n\nSitemap: {sitemap}\n".encode()
