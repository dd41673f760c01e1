"""search.py: the facets each record page gives the index, and Pagefind over the staged
site (the browser side is tests/test_search_browser.py)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from site_builder import search
from site_builder.__main__ import main
from site_builder.build import build, check
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.pages import plan_pages
from site_builder.render import load_theme

REPO = Path(__file__).resolve().parent.parent
PLAN = "武蔵村山市第八次行政改革大綱及び（仮称）武蔵村山市DX推進計画"
SEARCH_CONFIG = (
    "site:\n  title: テストサイト\n  base_url: https://example.org/gikai/\n"
    "search:\n  enabled: true\n  synonyms:\n    - term: マイナ\n"
    "      expand: [マイナンバーカード]\n"
)
SMALL = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\nplans: [p]\n",
    "content/a/plans/p.yaml": "title: 計画\npillars:\n  - title: 柱\n    items:\n"
    "      - number: 1\n        title: 歴史資料のデジタルアーカイブ化\n",
    "content/a/meetings/b/first.md": "---\ntitle: 第1回委員会\ndate: 2025-11-17\n---\n"
    "## 議題\n\n○ 項番1について、アーカイブの公開を求める。\n",
}


def fragments(output: Path, part: str = "") -> dict[str, dict]:
    """url → the record Pagefind stored for the page (its text, filters, meta, anchors),
    in the index or in one part of it (output/pagefind/<part>/)."""
    out = {}
    for path in sorted((output / "pagefind" / part / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        out[record["url"]] = record
    return out


@pytest.fixture(scope="module")
def example_pages():
    config = load_config(REPO)
    site = check(config)
    return {
        p.url: p for p in plan_pages(site, load_theme(config).labels, config.search.shard_records)
    }


# --- facets -------------------------------------------------------------------------


def test_a_meeting_is_filed_under_its_municipality_body_year_plan_and_wgs(example_pages) -> None:
    gyokaku = example_pages["/musashimurayama/meetings/gyokaku/2025-11-17/"].context["search"]
    assert gyokaku.filters() == {
        "municipality": ("武蔵村山市",),
        "kind": ("会議録",),
        "body": ("武蔵村山市行政改革推進委員会",),
        "year": ("令和7年度",),
        "plan": (PLAN,),
        "wg": (),
    }
    assert gyokaku.meta() == {
        "kind": "会議録",
        "municipality": "武蔵村山市",
        "body": "武蔵村山市行政改革推進委員会",
        "date": "令和7年11月17日",
    }
    maebashi = example_pages["/maebashi/meetings/dx-committee/2023-04-18/"].context["search"]
    assert maebashi.filters()["year"] == ("令和5年度",)
    assert "マイナンバーカード普及・活用WG" in maebashi.filters()["wg"]  # the WGs it names


def test_items_plans_wgs_bodies_and_documents_have_their_kind(example_pages) -> None:
    kinds = {
        "/musashimurayama/plans/dx-plan/items/44/": "推進項目",
        "/musashimurayama/plans/dx-plan/": "計画",
        "/maebashi/wgs/mynumber-card/": "WG",
        "/maebashi/bodies/dx-committee/": "会議体",
        "/maebashi/documents/2022-wg-activity-report/": "資料",
    }
    for url, kind in kinds.items():
        assert example_pages[url].context["search"].kind == kind, url
    item = example_pages["/musashimurayama/plans/dx-plan/items/44/"].context["search"]
    assert item.plans == (PLAN,)
    assert item.municipality == "武蔵村山市"
    assert example_pages["/maebashi/wgs/mynumber-card/"].context["search"].wgs == (
        "マイナンバーカード普及・活用WG",
    )


def test_only_records_are_indexed(example_pages) -> None:
    indexed = {url for url, p in example_pages.items() if "search" in p.context}
    kinds = {example_pages[url].kind for url in indexed}
    assert kinds == set(search.INDEXED_KINDS)
    for url in ("/", "/years/", "/search/", "/404.html", "/musashimurayama/"):
        assert url not in indexed


def test_the_search_page_offers_every_filter_value_in_order(example_pages) -> None:
    context = example_pages["/search/"].context
    options = {o.name: tuple(v.text for v in o.values) for o in context["filters"]}
    assert list(options) == ["municipality", "kind", "body", "year", "plan", "wg"]
    assert options["kind"] == ("会議録", "WG", "推進項目", "計画", "会議体", "資料")
    assert options["municipality"] == ("前橋市", "武蔵村山市", "自治体名不明")
    years = options["year"]
    assert years[0] == "令和7年度" and "令和5年度" in years  # newest first
    assert options["plan"] == (PLAN,)
    assert len(options["wg"]) == 13
    assert ("ホーム", "/") in context["browse"] and ("前橋市", "/maebashi/") in context["browse"]
    assert (
        context["messages"]["search_status_none"] == "「{q}」に一致する記録は見つかりませんでした。"
    )


def test_each_filter_value_names_the_municipalities_it_is_found_in(example_pages) -> None:
    where = {
        (o.name, v.text): v.municipalities
        for o in example_pages["/search/"].context["filters"]
        for v in o.values
    }
    assert where["municipality", "前橋市"] == ("maebashi",)
    assert where["municipality", "武蔵村山市"] == ("musashimurayama",)
    assert where["plan", PLAN] == ("musashimurayama",)
    assert where["kind", "会議録"] == ("maebashi", "musashimurayama")
    assert where["kind", "会議体"] == ()  # every municipality has a body: no narrowing


def test_a_page_depends_on_the_files_its_facets_quote(example_pages) -> None:
    meeting = example_pages["/musashimurayama/meetings/gyokaku/2025-11-17/"]
    assert {
        "content/musashimurayama/municipality.yaml",
        "content/musashimurayama/bodies/gyokaku.yaml",
        "content/musashimurayama/plans/dx-plan.yaml",
    } <= meeting.deps


# --- the index ----------------------------------------------------------------------


def test_build_indexes_only_the_record_content_segmented_into_words(example_site: Path) -> None:
    output = example_site / "output"
    records = fragments(output)
    item = records["/musashimurayama/plans/dx-plan/items/44/"]
    # The extended binary separates Japanese words (with zero-width spaces).
    words = item["content"].split("\u200b")
    assert {"歴史", "資料", "デジタル", "アーカイブ"} <= set(words)
    assert item["meta"]["title"] == "項番44 歴史資料のデジタルアーカイブ化の実施"
    assert item["filters"]["kind"] == ["推進項目"]
    assert item["filters"]["plan"] == [PLAN]
    chrome = (
        "本文へ移動",
        "会議録公開サイト",
        "年度別の会議",
        "このサイトは会議体",
        "この記録のデータ",
    )
    for record in records.values():
        text = record["content"].replace("\u200b", "")
        assert [c for c in chrome if c in text] == [], record["url"]
    # Pagefind's own UIs are not shipped: the search page has its own.
    assert sorted(p.name for p in (output / "pagefind").glob("*.js")) == [
        "pagefind-worker.js",
        "pagefind.js",
    ]
    # Lists, the home page and the search page are not results.
    assert "/" not in records and "/search/" not in records and "/years/" not in records
    assert len(records) == len(
        [p for p in output.rglob("index.html") if b"data-pagefind-body" in p.read_bytes()]
    )


def test_statements_are_anchored_for_sub_results(example_site: Path) -> None:
    meeting = fragments(example_site / "output")["/musashimurayama/meetings/gyokaku/2025-11-17/"]
    speakers = [a for a in meeting["anchors"] if a["id"].endswith("-speaker")]
    assert len(speakers) > 20
    assert all(re.fullmatch(r"s-[0-9a-f]{8}(-\d+)?-speaker", a["id"]) for a in speakers)
    assert {a["text"] for a in speakers} >= {"○委員", "●事務局"}
    # what every statement repeats is not indexed: the answer count, the permalink
    text = meeting["content"].replace("\u200b", "")
    assert "回答1件" not in text and "この発言へのリンク" not in text


def test_build_writes_synonyms_and_the_opensearch_description(make_site) -> None:
    root = make_site(SMALL, config=SEARCH_CONFIG)
    built = build(load_config(root))
    assert built.index_seconds is not None and built.index_seconds > 0  # what the CLI says
    output = root / "output"
    assert json.loads((output / "search/synonyms.json").read_text(encoding="utf-8")) == {
        "マイナ": ["マイナンバーカード"]
    }
    description = (output / "opensearch.xml").read_text(encoding="utf-8")
    assert (
        '<Url type="text/html" method="get" '
        'template="https://example.org/gikai/search/?q={searchTerms}"/>' in description
    )
    assert "<ShortName>テストサイト</ShortName>" in description
    page = (output / "a/meetings/b/first/index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="search" type="application/opensearchdescription+xml" title="テストサイト" '
        'href="/gikai/opensearch.xml">' in page
    )
    search_page = (output / "search/index.html").read_text(encoding="utf-8")
    assert 'data-bundles="/gikai/pagefind/"' in search_page
    assert 'data-base="/gikai/"' in search_page
    # One index serves any base path: it holds site-relative URLs.
    assert "/a/meetings/b/first/" in fragments(output)


def test_opensearch_short_name_is_cut_to_sixteen_characters(make_site) -> None:
    root = make_site({}, config="site:\n  title: " + "長" * 20 + "\n")
    xml = search.opensearch_xml(load_config(root)).decode()
    assert f"<ShortName>{'長' * 16}</ShortName>" in xml


def test_site_builder_build_indexes_without_a_separate_step(make_site, capsys) -> None:
    root = make_site(SMALL, config=SEARCH_CONFIG)
    assert main(["--root", str(root), "build"]) == 0
    assert (root / "output/pagefind/pagefind.js").is_file()
    assert "/a/plans/p/items/1/" in fragments(root / "output")


def test_a_pagefind_failure_stops_the_build_and_keeps_the_last_site(make_site, monkeypatch) -> None:
    root = make_site(SMALL, config=SEARCH_CONFIG)
    build(load_config(root))
    before = (root / "output/a/meetings/b/first/index.html").read_bytes()
    (root / "content/a/meetings/b/first.md").write_text(
        "---\ntitle: 第1回委員会（改）\ndate: 2025-11-17\n---\n○ 変更。\n", encoding="utf-8"
    )
    monkeypatch.setattr(search, "pagefind_binary", lambda: Path("/bin/false"))
    with pytest.raises(ContentError) as err:
        build(load_config(root))
    assert str(err.value) == "config.yaml:1:1: Pagefind could not index the site: exit status 1"
    assert (root / "output/a/meetings/b/first/index.html").read_bytes() == before
    assert not list(root.glob(".output.staging-*"))


def test_without_the_extended_binary_the_build_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", None)  # import fails
    with pytest.raises(ContentError) as err:
        search.pagefind_binary()
    assert str(err.value) == (
        "config.yaml:1:1: the search index needs Pagefind's extended binary, which segments "
        "Japanese into words; install it with: pip install 'pagefind[extended]' "
        "(or set search.enabled: false to publish without search)"
    )


def test_a_site_without_search_offers_none(make_site) -> None:
    """search.enabled: false makes no index: no search box, and the search page loads no
    script that would ask for one (a 404 and a console error before)."""
    root = make_site(
        {
            "content/a/municipality.yaml": "name: 市\n",
            "content/a/bodies/b.yaml": "name: 委員会\n",
        }
    )
    build(load_config(root))
    output = root / "output"
    assert not (output / "pagefind").exists()
    search_page = (output / "search/index.html").read_text(encoding="utf-8")
    assert "pagefind" not in search_page and "search.js" not in search_page
    assert "このサイトでは全文検索を提供していません" in search_page
    assert 'role="search"' not in (output / "a/bodies/b/index.html").read_text(encoding="utf-8")


# --- an index in parts -----------------------------------------------------------------


def towns(*slugs: str) -> dict[str, str]:
    """SMALL's four records (body, plan, item, meeting) in each of the municipalities."""
    return {
        rel.replace("content/a/", f"content/{slug}/"): text.replace("アーカイブ", f"{slug}の記録")
        for slug in slugs
        for rel, text in SMALL.items()
    }


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_index_is_in_parts_of_whole_municipalities_within_the_limit(make_site) -> None:
    records = check(load_config(make_site(towns("a", "b", "c")))).records
    assert search.plan_shards(records, 12) == (search.Shard("/pagefind/", ()),)
    parts = search.plan_shards(records, 8)
    assert [(s.bundle, s.folders) for s in parts] == [
        ("/pagefind/a/", ("a", "b")),
        ("/pagefind/c/", ("c",)),
    ]
    assert parts[0].glob() == "{a,b}/**/*.html" and parts[1].glob() == "c/**/*.html"
    # a municipality larger than the limit is a part of its own
    assert [s.folders for s in search.plan_shards(records, 1)] == [("a",), ("b",), ("c",)]


PARTS_CONFIG = SEARCH_CONFIG + "  shard_records: 4\n"


def test_each_part_indexes_its_municipalities_and_the_search_page_opens_all(make_site) -> None:
    root = make_site(towns("a", "b", "c"), config=PARTS_CONFIG)
    build(load_config(root))
    output = root / "output"
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == ["a", "b", "c"]
    for slug in ("a", "b", "c"):
        indexed = fragments(output, slug)
        assert sorted(indexed) == sorted(
            f"/{slug}/{path}"
            for path in ("bodies/b/", "meetings/b/first/", "plans/p/", "plans/p/items/1/")
        )
        text = indexed[f"/{slug}/meetings/b/first/"]["content"].replace("\u200b", "")
        assert f"{slug}の記録の公開" in text  # (words are segmented by zero-width spaces)
    search_page = (output / "search/index.html").read_text(encoding="utf-8")
    assert 'data-bundles="/gikai/pagefind/a/ /gikai/pagefind/b/ /gikai/pagefind/c/"' in search_page


def test_an_unchanged_part_is_not_indexed_again(make_site, monkeypatch, tmp_path_factory) -> None:
    root = make_site(towns("a", "b", "c"), config=PARTS_CONFIG)
    build(load_config(root))
    (root / "content/c/meetings/b/first.md").write_text(
        "---\ntitle: 第1回委員会\ndate: 2025-11-17\n---\n## 議題\n\n○ 項番1の進み具合を問う。\n",
        encoding="utf-8",
    )
    ran = []
    run_pagefind = search.run_pagefind
    monkeypatch.setattr(
        search,
        "run_pagefind",
        lambda site, shard, target: ran.append(shard.folders) or run_pagefind(site, shard, target),
    )
    build(load_config(root))
    assert ran == [("c",)]
    text = fragments(root / "output", "c")["/c/meetings/b/first/"]["content"]
    assert "進み具合" in text.replace("\u200b", "")
    # the cache holds the parts of the last build only
    assert len(list((root / ".cache/site_builder/pagefind").iterdir())) == 3
    # and the index is the one a build without a cache makes, byte for byte
    kept = tree(root / "output/pagefind")
    shutil.rmtree(root / ".cache")
    build(load_config(root))
    assert ran == [("c",), ("a",), ("b",), ("c",)]
    assert tree(root / "output/pagefind") == kept


def test_a_part_limit_below_one_is_refused(make_site) -> None:
    root = make_site(SMALL, config=SEARCH_CONFIG + "  shard_records: 0\n")
    with pytest.raises(ContentError) as err:
        load_config(root)
    assert "search.shard_records is 0; it must be a positive number of records" in str(err.value)
