"""Atom feeds (RFC 4287 rules checked one by one), iCalendar (parsed with `icalendar`,
folding and CRLF checked by octet), sitemap.xml and robots.txt."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest

from site_builder.build import build
from site_builder.config import load_config
from site_builder.feeds import fold, ics_text

A = "{http://www.w3.org/2005/Atom}"
BASE = "http://127.0.0.1:8000/"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")


def atom_problems(root: ET.Element) -> list[str]:
    """What RFC 4287 says a feed MUST (and the SHOULDs we promise) that this one breaks."""
    problems: list[str] = []

    def one(parent: ET.Element, name: str, where: str) -> ET.Element | None:
        found = parent.findall(A + name)
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}, must be exactly 1")
            return None
        return found[0]

    def check_common(element: ET.Element, where: str) -> None:
        ident = one(element, "id", where)
        if ident is not None and not urlsplit(ident.text or "").scheme:
            problems.append(f"{where}: atom:id '{ident.text}' is not an absolute IRI")
        title = one(element, "title", where)
        if title is not None and not (title.text or "").strip():
            problems.append(f"{where}: empty atom:title")
        updated = one(element, "updated", where)
        if updated is not None and not RFC3339.match(updated.text or ""):
            problems.append(f"{where}: atom:updated '{updated.text}' is not an RFC 3339 date-time")
        alternates: set[tuple[str, str]] = set()
        for link in element.findall(A + "link"):
            if not link.get("href"):
                problems.append(f"{where}: atom:link without href")
            if link.get("rel", "alternate") == "alternate":
                key = (link.get("type", ""), link.get("hreflang", ""))
                if key in alternates:
                    problems.append(f"{where}: two alternate links with the same type and hreflang")
                alternates.add(key)
        if not alternates and element.find(A + "content") is None:
            problems.append(f"{where}: no alternate link and no content")

    if root.tag != A + "feed":
        return [f"root element is {root.tag}, not atom:feed"]
    check_common(root, "feed")
    selfs = [link for link in root.findall(A + "link") if link.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append("feed: must have one rel=self link")
    entries = root.findall(A + "entry")
    feed_author = root.find(A + "author")
    if feed_author is not None and not (feed_author.findtext(A + "name") or "").strip():
        problems.append("feed: atom:author without atom:name")
    ids = []
    for n, entry in enumerate(entries):
        where = f"entry {n + 1}"
        check_common(entry, where)
        ids.append(entry.findtext(A + "id"))
        if feed_author is None and entry.find(A + "author") is None:
            problems.append(f"{where}: no atom:author, and the feed has none")
        if entry.find(A + "summary") is None and entry.find(A + "content") is None:
            problems.append(f"{where}: neither summary nor content")
    if len(set(ids)) != len(ids):
        problems.append("entries with the same atom:id")
    return problems


@pytest.fixture(scope="module")
def output(example_site: Path) -> Path:
    return example_site / "output"


def feeds_of(output: Path) -> list[Path]:
    return sorted(output.rglob("feed.xml"))


def test_every_feed_keeps_the_rules_of_rfc_4287(output: Path) -> None:
    feeds = feeds_of(output)
    assert len(feeds) > 20  # the site, every body, WG and item
    for path in feeds:
        root = ET.parse(path).getroot()
        assert atom_problems(root) == [], path
        self_link = next(link for link in root.findall(A + "link") if link.get("rel") == "self")
        assert self_link.get("href") == BASE + path.relative_to(output).as_posix()
        for link in root.iter(A + "link"):  # every link leads to a page of the site
            target = urlsplit(link.get("href", "")).path.removeprefix("/")
            file = output / target / ("index.html" if target.endswith("/") or not target else "")
            assert file.is_file(), (path, link.get("href"))


def test_the_rule_checker_catches_broken_feeds() -> None:
    broken = ET.fromstring(
        f'<feed xmlns="{A[1:-1]}"><title>t</title><updated>2025-11-17</updated>'
        "<entry><id>x</id><title>a</title><updated>2025-11-17T00:00:00+09:00</updated>"
        '<link href="/a"/><link rel="alternate" href="/b"/></entry></feed>'
    )
    assert atom_problems(broken) == [
        "feed: 0 atom:id, must be exactly 1",
        "feed: atom:updated '2025-11-17' is not an RFC 3339 date-time",
        "feed: no alternate link and no content",
        "feed: must have one rel=self link",
        "entry 1: atom:id 'x' is not an absolute IRI",
        "entry 1: two alternate links with the same type and hreflang",
        "entry 1: no atom:author, and the feed has none",
        "entry 1: neither summary nor content",
    ]


def test_a_citizen_follows_item_44_and_gets_the_statements_about_it(output: Path) -> None:
    root = ET.parse(output / "musashimurayama/plans/dx-plan/items/44/feed.xml").getroot()
    entries = root.findall(A + "entry")
    assert [e.findtext(A + "title") for e in entries] == [
        "令和7年度第3回武蔵村山市行政改革推進委員会"
    ]
    link = entries[0].find(A + "link").get("href")
    page, anchor = link.split("#")
    html = (output / urlsplit(page).path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in html
    assert "項番44" in entries[0].findtext(A + "summary")
    assert root.findtext(A + "updated") == "2025-11-17T00:00:00+09:00"


def test_the_site_feed_lists_dated_records_newest_first(output: Path) -> None:
    root = ET.parse(output / "feed.xml").getroot()
    updated = [e.findtext(A + "updated") for e in root.findall(A + "entry")]
    assert updated == sorted(updated, reverse=True) and len(updated) == 2
    assert root.findtext(A + "updated") == updated[0]


def ics_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines), "a bare LF or CR"
    return lines


def test_calendars_parse_fold_at_75_octets_and_use_crlf(output: Path) -> None:
    calendars = sorted(output.rglob("meetings.ics"))
    assert len(calendars) == 1 + 4  # the site and each body
    for path in calendars:
        data = path.read_bytes()
        lines = ics_lines(data)
        assert max(len(line) for line in lines) <= 75
        for line in lines:
            line.decode("utf-8")  # never folded inside a character
        calendar = icalendar.Calendar.from_ical(data)
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        events = list(calendar.walk("VEVENT"))
        uids = [str(e["UID"]) for e in events]
        assert len(set(uids)) == len(uids)
        for event in events:
            assert event["DTSTAMP"] and event["DTSTART"] and event["SUMMARY"]
    data = (output / "meetings.ics").read_bytes()
    assert any(line.startswith(b" ") for line in ics_lines(data))  # Japanese text did fold
    site = icalendar.Calendar.from_ical(data)
    event = next(e for e in site.walk("VEVENT") if "武蔵村山" in str(e["SUMMARY"]))
    assert str(event["SUMMARY"]) == "令和7年度第3回武蔵村山市行政改革推進委員会"
    start = event.decoded("DTSTART")
    assert start == dt.datetime(2025, 11, 17, 13, 56, tzinfo=start.tzinfo)
    assert start.utcoffset() == dt.timedelta(hours=9)
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=68)
    assert str(event["LOCATION"]) == "301会議室"
    assert str(event["URL"]) == BASE + "musashimurayama/meetings/gyokaku/2025-11-17/"


def test_folding_never_splits_a_character_and_unfolds_to_the_original() -> None:
    line = "SUMMARY:" + "令和7年度第3回武蔵村山市行政改革推進委員会、" * 5 + "a" * 100
    folded = fold(line).encode("utf-8")
    physical = folded.split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    assert b"".join([physical[0], *(p[1:] for p in physical[1:])]).decode() == line


def test_folding_cuts_at_75_octets_exactly_or_before_a_character() -> None:
    assert fold("a" * 75) == "a" * 75
    assert fold("a" * 76) == "a" * 75 + "\r\n a"
    # 項 is 3 octets: at 74 + 3 it would end at octet 77, so it starts the next line
    assert fold("a" * 74 + "項" + "b" * 80) == "a" * 74 + "\r\n 項" + "b" * 71 + "\r\n " + "b" * 9
    assert fold("") == ""


def test_text_values_are_escaped(make_site) -> None:
    value = "議題：a,b;c\\d\n次"
    calendar = icalendar.Calendar.from_ical(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:"
        + ics_text(value)
        + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert str(next(iter(calendar.walk("VEVENT")))["SUMMARY"]) == value


SITE = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\n",
    "content/a/meetings/b/past.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n○ 発言。\n",
    "content/a/meetings/b/next.md": "---\ntitle: 第2回\ndate: 2025-12-08\nstatus: scheduled\n"
    'start_time: "10:00"\nplace: 第1会議室\n---\n',
    "content/a/meetings/b/off.md": "---\ntitle: 第3回\ndate: 2025-12-15\nstatus: cancelled\n---\n",
}


def test_scheduled_and_cancelled_meetings_in_the_calendar(make_site) -> None:
    root = make_site(SITE)
    build(load_config(root))
    calendar = icalendar.Calendar.from_ical((root / "output/a/bodies/b/meetings.ics").read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["第1回", "第2回", "第3回"]
    assert str(events["第2回"]["STATUS"]) == "CONFIRMED"
    assert events["第2回"].decoded("DTSTART").hour == 10
    assert str(events["第3回"]["STATUS"]) == "CANCELLED"
    # a meeting without a time is a whole day: DTEND is the next day
    assert events["第1回"].decoded("DTSTART") == dt.date(2025, 11, 17)
    assert events["第1回"].decoded("DTEND") == dt.date(2025, 11, 18)
    feed = ET.parse(root / "output/a/bodies/b/feed.xml").getroot()
    titles = [e.findtext(A + "title") for e in feed.findall(A + "entry")]
    assert titles == ["第3回（中止）", "第2回（開催予定）", "第1回"]
    assert atom_problems(feed) == []


def test_the_site_calendar_is_in_date_order_across_bodies(make_site) -> None:
    root = make_site(
        {
            **SITE,
            "content/a/bodies/c.yaml": "name: 審議会\n",
            "content/a/meetings/c/first.md": "---\ntitle: 審1\ndate: 2025-11-20\n---\n",
            "content/a/meetings/c/second.md": "---\ntitle: 審2\ndate: 2025-12-10\n---\n",
        }
    )
    build(load_config(root))
    site = icalendar.Calendar.from_ical((root / "output/meetings.ics").read_bytes())
    titles = [str(e["SUMMARY"]) for e in site.walk("VEVENT")]
    assert titles == ["第1回", "審1", "第2回", "審2", "第3回"]
    body = icalendar.Calendar.from_ical((root / "output/a/bodies/c/meetings.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in body.walk("VEVENT")] == ["審1", "審2"]


def test_a_feed_without_entries_is_still_valid(make_site) -> None:
    root = make_site(
        {
            **SITE,
            "content/a/plans/p.yaml": "title: 計画\npillars:\n  - title: 柱\n    items:\n"
            "      - number: 1\n        title: 項目\n",
        }
    )
    build(load_config(root))
    feed = ET.parse(root / "output/a/plans/p/items/1/feed.xml").getroot()
    assert feed.findall(A + "entry") == []
    assert atom_problems(feed) == []
    assert feed.findtext(A + "updated") == "2025-12-15T00:00:00+09:00"  # the newest record


def test_sitemap_lists_every_page_and_only_pages(output: Path) -> None:
    root = ET.parse(output / "sitemap.xml").getroot()
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == sorted(locs) and len(set(locs)) == len(locs)
    paths = {urlsplit(loc).path for loc in locs}
    pages = {
        "/" + p.parent.relative_to(output).as_posix().removeprefix(".") + "/"
        for p in output.rglob("index.html")
        if b'http-equiv="refresh"' not in p.read_bytes()
    }
    pages = {p.replace("//", "/") for p in pages}
    assert paths == pages
    assert {"/data/", "/upcoming/", "/"} <= paths
    assert "/404.html" not in paths


def test_robots_txt_points_at_the_sitemap(output: Path) -> None:
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert robots.splitlines() == ["User-agent: *", "Disallow:", "", f"Sitemap: {BASE}sitemap.xml"]
