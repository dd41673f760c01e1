"""Page planning: long mention lists are split over pages with a pager."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.config import load_config

PLAN = "title: 計画\npillars:\n  - title: 柱\n    items:\n      - number: 1\n        title: 項目\n"


def meetings(count: int) -> dict[str, str]:
    """count meetings, each citing 項番1 once; 2025-01-01 is the oldest."""
    return {
        f"content/a/meetings/b/2025-01-{day:02d}.md": (
            f"---\ntitle: 第{day}回\ndate: 2025-01-{day:02d}\n---\n## 議題\n\n"
            f"○ 項番1について{day}日に伺う。\n"
        )
        for day in range(1, count + 1)
    }


def site_with(make_site, count: int) -> Path:
    return make_site(
        {
            "content/a/municipality.yaml": "name: 市\n",
            "content/a/bodies/b.yaml": "name: 委員会\nplans: [p]\n",
            "content/a/plans/p.yaml": PLAN,
            **meetings(count),
        }
    )


def test_a_mention_list_is_split_newest_first(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("site_builder.pages.MENTIONS_PER_PAGE", 2)
    root = site_with(make_site, 5)
    build(load_config(root), search=False)
    item = root / "output/a/plans/p/items/1"
    first = (item / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"項番1について(\d+)日", first) == ["5", "4"]
    assert (item / "mentions/2/index.html").is_file()
    third = (item / "mentions/3/index.html").read_text(encoding="utf-8")
    assert re.findall(r"項番1について(\d+)日", third) == ["1"]
    assert not (item / "mentions/4").exists()
    # Every page of the list links to every other; the current one is marked.
    for page, current in ((first, "1"), (third, "3")):
        pager = re.search(r'<nav class="pager".*?</nav>', page, re.S)
        assert pager is not None
        links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>(\d)</a>', pager[0])
        assert [(href, n) for href, _, n in links] == [
            ("/a/plans/p/items/1/", "1"),
            ("/a/plans/p/items/1/mentions/2/", "2"),
            ("/a/plans/p/items/1/mentions/3/", "3"),
        ]
        assert [n for _, mark, n in links if mark] == [current]
    assert "<title>項番1 項目（この項目に言及した会議・発言 3/3ページ）" in third


def test_a_short_mention_list_has_no_pager(make_site) -> None:
    root = site_with(make_site, 3)
    build(load_config(root), search=False)
    item = root / "output/a/plans/p/items/1"
    assert 'class="pager"' not in (item / "index.html").read_text(encoding="utf-8")
    assert not (item / "mentions").exists()


def test_a_fiscal_year_list_is_split(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("site_builder.pages.MEETINGS_PER_PAGE", 2)
    root = site_with(make_site, 3)
    build(load_config(root), search=False)
    year = root / "output/years/2024"  # January 2025 is in fiscal year 2024
    first = (year / "index.html").read_text(encoding="utf-8")
    second = (year / "2/index.html").read_text(encoding="utf-8")
    assert re.findall(r">第(\d+)回</a>", first) == ["3", "2"]
    assert re.findall(r">第(\d+)回</a>", second) == ["1"]
    assert '<nav class="pager" aria-label="会議一覧のページ">' in second
    assert "<h1>令和6年度の会議（2/2ページ）</h1>" in second
    assert not (year / "3").exists()
