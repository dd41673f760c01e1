"""Search in a real browser: Japanese queries against the built example site, through
the search page (static/search.js over Pagefind), in Debian's headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

from site_builder.build import build
from site_builder.config import load_config

REPO = Path(__file__).resolve().parent.parent
ITEMS = "/musashimurayama/plans/dx-plan/items/"
GYOKAKU = "/musashimurayama/meetings/gyokaku/2025-11-17/"
MAEBASHI = "/maebashi/meetings/dx-committee/2023-04-18/"


def plan_items() -> list[tuple[int, str]]:
    """(number, title) of every item of the example plan, read from its YAML."""
    plan = yaml.safe_load((REPO / "content/musashimurayama/plans/dx-plan.yaml").read_text("utf-8"))
    items: list[tuple[int, str]] = []

    def walk(pillar: dict) -> None:
        items.extend((i["number"], i["title"]) for i in pillar.get("items") or ())
        for child in pillar.get("children") or ():
            walk(child)

    for pillar in plan["pillars"]:
        walk(pillar)
    return sorted(items)


@pytest.fixture
def site(example_site: Path, serve_dir) -> str:
    return serve_dir(example_site / "output")


def search(page, base: str, query: str, **filters: str) -> list[str]:
    """Open the search page for query (and filters) by its address, as a bookmark would;
    return the paths of the results shown, in order."""
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items())
    page.goto(f"{base}/search/?{params}")
    return shown(page)


def shown(page) -> list[str]:
    """Wait until the status says how the search went; the result paths, in order."""
    page.wait_for_function(
        "() => /検索結果|見つかりませんでした/.test(document.getElementById('search-status')"
        ".textContent) && !document.getElementById('search-results').hasAttribute('aria-busy')"
    )
    links = page.eval_on_selector_all(".search-result__title a", "as => as.map(a => a.href)")
    return [unquote(urlsplit(link).path) for link in links]


def status(page) -> str:
    return page.inner_text("#search-status")


def count(page) -> int:
    """The number of results the status announces."""
    return int(re.search(r"：(\d+)件", status(page))[1])


@pytest.mark.parametrize(
    ("number", "title"), [pytest.param(n, t, id=f"item{n}") for n, t in plan_items()]
)
def test_a_plan_item_title_brings_its_page_first(page, site, number, title) -> None:
    assert search(page, site, title)[0] == f"{ITEMS}{number}/"


def test_the_example_plan_has_its_34_items() -> None:
    assert [n for n, _ in plan_items()] == [2, *range(38, 71)]


def test_my_number_card_finds_the_meetings_of_both_municipalities(page, site) -> None:
    results = search(page, site, "マイナンバーカード")
    assert {GYOKAKU, MAEBASHI} <= set(results)
    assert status(page) == f"「マイナンバーカード」の検索結果：{len(results)}件"
    # the match is highlighted in the excerpt, as a whole word
    marks = page.eval_on_selector_all(".search-result mark", "ms => ms.map(m => m.textContent)")
    assert "マイナンバーカード" in marks


def test_a_full_width_query_finds_what_half_width_does(page, site) -> None:
    half = search(page, site, "DX")
    total = count(page)
    full = search(page, site, "ＤＸ")
    assert full == half and count(page) == total > 10
    assert status(page).startswith("「DX」の検索結果")
    assert page.input_value("#search-q") == "ＤＸ"  # what was typed stays as typed
    assert search(page, site, "項番４４")[0] == f"{ITEMS}44/"


def test_history_materials_lead_to_item_44_and_to_statements(page, site) -> None:
    results = search(page, site, "歴史資料")
    assert results[0] == f"{ITEMS}44/"
    assert GYOKAKU in results
    meeting = page.locator(".search-result", has=page.locator(f'a[href="{GYOKAKU}"]'))
    # the meeting's matching statements are sub-results, each linking to its anchor
    subs = meeting.locator(".search-sub--statement a")
    assert subs.count() >= 1
    href = subs.first.get_attribute("href")
    assert re.fullmatch(re.escape(GYOKAKU) + r"#s-[0-9a-f]{8}(-\d+)?", href)
    assert subs.first.locator("mark").count() >= 1
    assert re.match(r"[○●]", subs.first.locator(".search-sub__title").inner_text())
    subs.first.click()
    page.wait_for_url(f"**{href}")
    anchor = href.split("#")[1]
    assert page.evaluate(f"document.getElementById('{anchor}').matches(':target')")
    assert "歴史資料" in page.inner_text(f"#{anchor}")


def test_a_query_can_be_narrowed_by_kind_and_by_municipality(page, site) -> None:
    search(page, site, "DX")
    everything = count(page)
    items = search(page, site, "DX", kind="推進項目")
    assert 0 < count(page) < everything
    assert all(r.startswith(ITEMS) for r in items)
    assert status(page) == f"「DX」の検索結果：{len(items)}件（絞り込み：推進項目）"
    assert page.input_value("#search-filter-kind") == "推進項目"
    assert page.get_attribute("#search-filters", "open") is not None
    maebashi = search(page, site, "DX", municipality="前橋市")
    assert maebashi and all(r.startswith("/maebashi/") for r in maebashi)
    # narrowing by WG keeps the WG and the records that name it
    wg = search(page, site, "カード", wg="マイナンバーカード普及・活用WG")
    assert "/maebashi/wgs/mynumber-card/" in wg and MAEBASHI in wg
    assert GYOKAKU not in wg


def test_choosing_a_filter_updates_the_results_and_the_address(page, site) -> None:
    search(page, site, "デジタル")
    assert page.get_attribute("#search-filters", "open") is None  # no filter: closed
    page.click("#search-filters summary")
    page.select_option("#search-filter-kind", "会議録")
    page.wait_for_function("() => location.search.includes('kind=')")
    results = shown(page)
    assert set(results) == {GYOKAKU, MAEBASHI}
    assert "kind=%E4%BC%9A%E8%AD%B0%E9%8C%B2" in page.url  # 会議録
    page.fill("#search-q", "マイナンバーカード")
    page.wait_for_function("() => location.search.includes('q=%E3%83%9E')")
    page.wait_for_function(
        "() => document.getElementById('search-status').textContent"
        ".startsWith('「マイナンバーカード」')"
    )
    assert set(shown(page)) == {GYOKAKU, MAEBASHI}


def test_a_synonym_of_the_clerk_widens_the_query(page, site) -> None:
    results = search(page, site, "マイナ")
    assert {GYOKAKU, MAEBASHI, f"{ITEMS}41/"} <= set(results)
    assert (
        page.inner_text("#search-synonyms")
        == "「マイナ」を「マイナンバーカード」でも検索しました。"
    )


def test_no_result_says_so_in_japanese_and_offers_the_browsing_pages(page, site) -> None:
    assert search(page, site, "ほげほげ") == []
    assert status(page) == "「ほげほげ」に一致する記録は見つかりませんでした。"
    assert page.is_hidden("#search-results")
    help = page.locator("#search-help")
    assert help.is_visible()
    assert "別の言い方で探す" in help.inner_text()
    links = help.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert {"/", "/years/", "/maebashi/", "/musashimurayama/"} <= set(links)
    # with a filter on, the way out is to take it off
    assert search(page, site, "ほげほげ", kind="資料") == []
    page.click("#search-clear-filters")
    page.wait_for_function("() => !location.search.includes('kind=')")
    assert page.input_value("#search-filter-kind") == ""


def test_voiced_and_semi_voiced_kana_stay_distinct(make_site, serve_dir, page) -> None:
    files = {
        "content/a/municipality.yaml": "name: 市\n",
        "content/a/bodies/b.yaml": "name: 委員会\n",
    }
    for slug, word in (("bus", "バス"), ("pass", "パス"), ("lotus", "ハス")):
        files[f"content/a/meetings/b/{slug}.md"] = (
            f"---\ntitle: 第1回{slug}\ndate: 2025-11-17\n---\n○ {word}について話した。\n"
        )
    root = make_site(files, config="site:\n  title: t\nsearch:\n  enabled: true\n")
    build(load_config(root))
    base = serve_dir(root / "output")
    for slug, word in (("bus", "バス"), ("pass", "パス"), ("lotus", "ハス")):
        assert search(page, base, word) == [f"/a/meetings/b/{slug}/"], word


def test_a_site_under_a_sub_path_searches_there(make_site, serve_dir, page, tmp_path) -> None:
    files = {
        "content/a/municipality.yaml": "name: 市\n",
        "content/a/bodies/b.yaml": "name: 委員会\n",
        "content/a/meetings/b/first.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n"
        "○ 歴史資料のデジタルアーカイブ化について。\n",
    }
    root = make_site(files, config="site:\n  title: t\n  base_url: http://127.0.0.1/gikai/\n")
    build(load_config(root))
    served = tmp_path / "served"
    served.mkdir()
    (served / "gikai").symlink_to(root / "output")
    base = serve_dir(served)
    assert search(page, f"{base}/gikai", "アーカイブ") == ["/gikai/a/meetings/b/first/"]
    page.click(".search-result__title a")
    page.wait_for_url("**/gikai/a/meetings/b/first/")


def test_keyboard_only_header_box_to_a_result(page, site) -> None:
    page.goto(f"{site}/musashimurayama/")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("歴史資料")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = shown(page)
    assert results[0] == f"{ITEMS}44/"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#search-results-list')"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == f"{ITEMS}44/"
    # the focus is visible: the theme's ring (an outline) is drawn around the link
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{ITEMS}44/")


def test_typing_on_the_search_page_searches_and_updates_the_address(page, site) -> None:
    page.goto(f"{site}/search/")
    assert status(page) == ""
    page.fill("#search-q", "歴史資料")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '歴史資料'")
    assert shown(page)[0] == f"{ITEMS}44/"
    page.fill("#search-q", "")
    page.wait_for_function("() => location.search === ''")
    page.wait_for_function(
        "() => document.getElementById('search-status').textContent"
        " === '検索する言葉を入力してください。'"
    )


def test_more_results_are_shown_on_request_with_the_focus_on_the_first_new_one(page, site) -> None:
    results = search(page, site, "DX")
    assert len(results) == 10 < count(page)
    page.click("#search-more")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length > 10")
    focused = page.evaluate(
        "document.activeElement.closest('.search-result') === "
        "document.querySelectorAll('.search-result')[10]"
    )
    assert focused


def test_without_javascript_the_page_says_so_and_links_to_browsing(browser, site) -> None:
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/search/?q=DX")
        text = page.inner_text("main")
        assert "検索にはJavaScriptが必要です" in text
        links = page.eval_on_selector_all("main a", "as => as.map(a => a.getAttribute('href'))")
        assert {"/", "/years/", "/maebashi/"} <= set(links)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_passes_axe(page, site, scheme) -> None:
    page.emulate_media(color_scheme=scheme)
    search(page, site, "歴史資料")
    page.click("#search-filters summary")  # the filters open, so that they are checked too
    result = Axe().run(page)
    assert result.response["violations"] == [], result.generate_report()


def test_the_live_region_and_labels_are_there_for_screen_readers(page, site) -> None:
    search(page, site, "歴史資料")
    assert page.get_attribute("#search-status", "role") == "status"
    label = page.inner_text("label[for='search-q']")
    assert label == "検索する言葉"
    for select in page.query_selector_all("#search-form select"):
        assert page.text_content(f"label[for='{select.get_attribute('id')}']")
    subs = page.locator(".search-result__subs").first
    assert subs.get_attribute("aria-label").endswith("一致した発言・項目")


def test_the_query_functions(page, site) -> None:
    page.goto(f"{site}/404.html")
    got = page.evaluate(
        """async () => {
        const s = await import('/static/search.js');
        return {
          normalised: s.normaliseQuery('　ＤＸ　４４ ｶﾞｲﾄﾞ ①'),
          widened: s.queryVariants('マイナ保険証', {'マイナ': ['マイナンバーカード']}),
          kept: s.queryVariants('マイナンバーカード', {'マイナ': ['マイナンバーカード']}),
          runs: s.segment('スマホ講座2040年', 'runs'),
          kanji: s.segment('スマホ講座2040年', 'kanji'),
        };
    }"""
    )
    assert got["normalised"] == "DX 44 ガイド ①"
    assert [v["query"] for v in got["widened"]] == ["マイナ保険証", "マイナンバーカード保険証"]
    assert [v["query"] for v in got["kept"]] == ["マイナンバーカード"]
    assert got["runs"] == ["スマホ", "講座", "2040", "年"]
    assert got["kanji"] == ["スマホ", "講", "座", "2", "0", "4", "0", "年"]


@pytest.fixture(scope="module")
def parted_example(tmp_path_factory: pytest.TempPathFactory, example_project) -> Path:
    """The example site built with its index in parts, a municipality each (search.py)."""
    root = example_project(tmp_path_factory.mktemp("parted"), lambda c: c + "  shard_records: 30\n")
    build(load_config(root))
    return root


def test_an_index_in_parts_finds_what_the_whole_index_finds(
    page, site, parted_example, serve_dir
) -> None:
    parted = serve_dir(parted_example / "output")
    bundles = sorted(p.name for p in (parted_example / "output/pagefind").iterdir())
    assert bundles == ["maebashi", "musashimurayama", "unnamed-city"]
    for query, filters in (
        ("マイナンバーカード", {}),
        ("DX", {}),
        ("歴史資料", {}),
        ("行政改革推進委員会", {}),
        ("ほげほげ", {}),
        ("DX", {"municipality": "前橋市"}),
        ("カード", {"wg": "マイナンバーカード普及・活用WG"}),
    ):
        whole = search(page, site, query, **filters)
        expected = status(page)
        in_parts = search(page, parted, query, **filters)
        assert status(page) == expected, (query, filters)  # the same number of results
        if len(whole) < 10:  # all shown: the same results (their order is each part's)
            assert set(in_parts) == set(whole), (query, filters)
    # a plan item's title still brings its page first
    for number, title in plan_items()[::5]:
        assert search(page, parted, title)[0] == f"{ITEMS}{number}/"


def test_a_filtered_search_fetches_only_the_parts_that_can_answer_it(
    page, parted_example, serve_dir
) -> None:
    parted = serve_dir(parted_example / "output")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))

    def parts_fetched() -> set[str]:
        return {p.split("/")[2] for p in fetched if p.startswith("/pagefind/")}

    assert search(page, parted, "DX", municipality="前橋市")
    assert parts_fetched() == {"maebashi"}
    fetched.clear()
    body = "武蔵村山市行政改革推進委員会"
    assert search(page, parted, "カード", body=body)[0].startswith("/musashimurayama/")
    assert parts_fetched() == {"musashimurayama"}
    fetched.clear()
    before = status(page)
    page.select_option("#search-filter-body", "")  # every part, opened now
    page.wait_for_function(
        "(before) => document.getElementById('search-status').textContent !== before",
        arg=before,
    )
    shown(page)
    assert parts_fetched() == {"maebashi", "musashimurayama", "unnamed-city"}


def test_the_parts_a_search_needs(page, site) -> None:
    page.goto(f"{site}/404.html")
    got = page.evaluate(
        """async () => {
        const s = await import('/static/search.js');
        const b = ['/g/pagefind/aoi/', '/g/pagefind/kita/', '/g/pagefind/naka/'];
        return {
          any: s.bundlesFor(b, []),
          everywhere: s.bundlesFor(b, [[]]),
          first: s.bundlesFor(b, [['aoi']]),
          inside: s.bundlesFor(b, [['kita', 'minami']]),
          spread: s.bundlesFor(b, [['kawa', 'zushi']]),
          both: s.bundlesFor(b, [['kawa', 'minami'], ['minami', 'zushi']]),
          none: s.bundlesFor(b, [['kawa'], ['zushi']]),
          whole: s.bundlesFor(['/pagefind/'], [['kawa']]),
        };
    }"""
    )
    every = ["/g/pagefind/aoi/", "/g/pagefind/kita/", "/g/pagefind/naka/"]
    assert got["any"] == got["everywhere"] == every
    assert got["first"] == ["/g/pagefind/aoi/"]
    assert got["inside"] == ["/g/pagefind/kita/"]  # minami comes after kita, before naka
    assert got["spread"] == ["/g/pagefind/aoi/", "/g/pagefind/naka/"]  # kawa: before kita
    assert got["both"] == ["/g/pagefind/kita/"]  # minami is the one both filters have
    assert got["none"] == ["/g/pagefind/aoi/"]  # no record has both: one part says so
    assert got["whole"] == ["/pagefind/"]


def test_unchecked_matches_follow_when_nearly_all_checked_ones_hold_the_query(page, site) -> None:
    """searchSite over a stand-in for Pagefind: 40 pages found, of which the ones listed
    do not hold the query. The 20 best are checked; the other 20 follow unchecked when
    at least three quarters of the checked held it."""
    page.goto(f"{site}/404.html")
    got = page.evaluate(
        """async () => {
        const s = await import('/static/search.js');
        const fake = (missing) => ({
          search: async () => ({
            results: Array.from({ length: 40 }, (_, i) => ({
              id: `p${i}`,
              data: async () => ({
                url: `/p${i}/`,
                meta: { title: `記録${i}` },
                content: missing.includes(i) ? '行政の改革' : '行政改革について',
                weighted_locations: [],
              }),
            })),
          }),
        });
        const count = async (missing) =>
          (await s.searchSite(fake(missing), '行政改革', { ways: ['browser'] })).results.length;
        return {
          all: await count([]),
          one: await count([3]),
          five: await count([1, 3, 5, 7, 9]),
          six: await count([1, 3, 5, 7, 9, 11]),
          none: await count([...Array(40).keys()]),
        };
    }"""
    )
    assert got["all"] == 40
    assert got["one"] == 39  # the one checked page without the query is left out
    assert got["five"] == 35  # 15 of 20 held: the unchecked 20 are trusted
    assert got["six"] == 14  # 14 of 20: only those that were checked and held
    assert got["none"] == 0
