"""The furniture of every page (canonical URL, Open Graph, schema.org JSON-LD, feed and
data alternates) and the pages that explain the data: /data/ and /upcoming/."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.config import load_config

BASE = "http://127.0.0.1:8000/"


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.meta: dict[str, str | None] = {}
        self.json_ld: list[dict] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link":
            self.links.append(values)
        elif tag == "meta" and values.get("property"):
            self.meta[values["property"] or ""] = values.get("content")
        self._in_json_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))
            self._in_json_ld = False

    def link(self, rel: str, type_: str | None = None) -> list[str | None]:
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and (type_ is None or link.get("type") == type_)
        ]


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def output(example_site: Path) -> Path:
    return example_site / "output"


MEETING = "musashimurayama/meetings/gyokaku/2025-11-17/"


def test_a_meeting_page_is_an_event_with_its_canonical_url(output: Path) -> None:
    page = head(output / MEETING / "index.html")
    assert page.link("canonical") == [BASE + MEETING]
    assert page.meta["og:url"] == BASE + MEETING
    assert page.meta["og:title"] == "令和7年度第3回武蔵村山市行政改革推進委員会"
    assert page.meta["og:locale"] == "ja_JP" and page.meta["og:site_name"]
    assert page.link("alternate", "application/json") == ["/" + MEETING.rstrip("/") + ".json"]
    assert page.link("alternate", "application/atom+xml") == ["/feed.xml"]
    (event,) = page.json_ld
    assert event == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "令和7年度第3回武蔵村山市行政改革推進委員会",
        "url": BASE + MEETING,
        "inLanguage": "ja",
        "startDate": "2025-11-17T13:56:00+09:00",
        "endDate": "2025-11-17T15:04:00+09:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": "301会議室"},
        "organizer": {
            "@type": "GovernmentOrganization",
            "name": "武蔵村山市行政改革推進委員会",
            "url": BASE + "musashimurayama/bodies/gyokaku/",
        },
    }


def test_a_body_page_is_a_government_organization_with_feed_and_calendar(output: Path) -> None:
    page = head(output / "unnamed-city/bodies/suishin-team/index.html")
    (organization,) = page.json_ld
    assert organization["@type"] == "GovernmentOrganization"
    assert organization["url"] == BASE + "unnamed-city/bodies/suishin-team/"
    assert organization["parentOrganization"]["url"] == BASE + "unnamed-city/bodies/digital-honbu/"
    assert page.link("alternate", "text/calendar") == [
        "/unnamed-city/bodies/suishin-team/meetings.ics"
    ]
    assert "/unnamed-city/bodies/suishin-team/feed.xml" in page.link(
        "alternate", "application/atom+xml"
    )


def test_item_and_wg_pages_offer_their_feed_in_the_head_and_in_the_page(output: Path) -> None:
    for path in ("musashimurayama/plans/dx-plan/items/44/", "maebashi/wgs/kanmin-data/"):
        html = (output / path / "index.html").read_text(encoding="utf-8")
        assert '<link rel="alternate" type="application/atom+xml" title=' in html
        assert f'href="/{path}feed.xml" type="application/atom+xml">更新情報（Atom）</a>' in html
        assert f'href="/{path.rstrip("/")}.json" type="application/json">JSON</a>' in html


def test_every_page_but_the_404_has_one_canonical_url_to_itself(output: Path) -> None:
    for path in output.rglob("*.html"):
        rel = path.relative_to(output).as_posix()
        canonical = head(path).link("canonical")
        if rel == "404.html":
            assert canonical == []
        elif b'http-equiv="refresh"' not in path.read_bytes():
            assert canonical == [BASE + rel.removesuffix("index.html")], rel


def test_the_data_page_lists_every_download_with_its_size(output: Path) -> None:
    html = (output / "data/index.html").read_text(encoding="utf-8")
    for name in ("meetings", "statements", "wgs", "items"):
        rows = json.loads((output / f"data/{name}.json").read_text(encoding="utf-8"))[name]
        assert re.search(
            rf'<a href="#fields-{name}">[^<]+</a></th>\s*<td>{len(rows)}</td>', html
        ), name
        for file in (f"{name}.json", f"{name}.csv", f"{name}-nobom.csv"):
            assert f'href="/data/{file}"' in html
        assert f'href="/data/schema/{name}.schema.json"' in html
    assert "<code>attribution_text</code>" in html  # the fields, described in Japanese
    assert "BOM付きUTF-8" in html
    assert 'href="/data/schema/content/meeting.schema.json"' in html


UPCOMING = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\n",
    "content/a/meetings/b/held.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n",
    "content/a/meetings/b/later.md": "---\ntitle: 第3回\ndate: 2026-01-19\n"
    "status: scheduled\n---\n",
    "content/a/meetings/b/next.md": "---\ntitle: 第2回\ndate: 2025-12-08\nstatus: scheduled\n"
    'start_time: "10:00"\nplace: 第1会議室\n---\n',
}


def test_the_upcoming_page_lists_scheduled_meetings_soonest_first(make_site) -> None:
    root = make_site(UPCOMING)
    build(load_config(root))
    html = (root / "output/upcoming/index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<a href="/a/meetings/b/[a-z]+/">([^<]+)</a>', html)
    assert titles == ["第2回", "第3回"]
    assert "第1会議室" in html and "午前10時" in html
    assert 'href="/a/bodies/b/meetings.ics"' in html
    assert '<a href="/upcoming/" aria-current="page">' in html


def test_the_upcoming_page_says_when_nothing_is_scheduled(output: Path) -> None:
    html = (output / "upcoming/index.html").read_text(encoding="utf-8")
    assert "現在、開催予定の会議はありません。" in html
