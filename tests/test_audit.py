"""audit.py, conformance.py and audit.js, piece by piece: the criteria table, the
verdicts, the checks across pages, the report's data, the in-page detectors (on small
pages in Chromium) and the Nu Html Checker's findings. The whole example site is
audited in test_accessibility_browser.py."""

import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from site_builder import audit, conformance
from site_builder.__main__ import main
from site_builder.audit import Finding, PageAudit, site_findings
from site_builder.conformance import (
    FAIL,
    NEEDS_HUMAN,
    NOT_APPLICABLE,
    PASS,
    criteria_of_tags,
    judge,
)

# --------------------------------------------------------------------------- the standard


def test_the_table_holds_every_level_a_and_aa_criterion_of_jis_x_8341_3_2016() -> None:
    numbers = [c.number for c in conformance.CRITERIA]
    assert len(numbers) == len(set(numbers)) == 38
    assert sum(c.level == "A" for c in conformance.CRITERIA) == 25
    assert [c.number for c in conformance.CRITERIA if c.level == "AA"] == [
        "1.2.4",
        "1.2.5",
        "1.4.3",
        "1.4.4",
        "1.4.5",
        "2.4.5",
        "2.4.6",
        "2.4.7",
        "3.1.2",
        "3.2.3",
        "3.2.4",
        "3.3.3",
        "3.3.4",
    ]
    assert numbers == sorted(numbers, key=conformance.criterion_key)
    named = {c.number: c.name for c in conformance.CRITERIA}
    assert named["1.1.1"] == "非テキストコンテンツ"
    assert named["1.4.3"] == "コントラスト（最低限レベル）"
    assert named["4.1.1"] == "構文解析"
    assert all(c.how for c in conformance.CRITERIA)
    assert all(c.absent and c.human for c in conformance.CRITERIA if c.method == "absent")


def test_criteria_that_no_tool_can_judge_are_left_to_a_person() -> None:
    human = {c.number for c in conformance.CRITERIA if c.method == "human"}
    # alternative text, headings, link purpose, labels: judgement, not measurement
    assert {"1.3.1", "1.3.3", "2.4.4", "2.4.6", "3.2.4", "3.3.2", "4.1.2"} <= human


def test_axe_tags_become_success_criteria() -> None:
    tags = ["cat.color", "wcag2aa", "wcag143", "wcag2411", "TTv5", "EN-9.1.4.3"]
    assert criteria_of_tags(tags) == ("1.4.3", "2.4.11")
    assert criteria_of_tags(["best-practice"]) == ()


def _verdicts(failures=None, reviews=None, evidence=None, content=None) -> dict[str, str]:
    found = judge(failures or {}, reviews or {}, evidence or {}, content or {})
    return {v.number: v.result for v in found}


def test_a_human_criterion_is_never_passed_on_automated_evidence() -> None:
    every = {c.number: ("axe-core x",) for c in conformance.CRITERIA}
    verdicts = _verdicts(evidence=every)
    for c in conformance.CRITERIA:
        if c.method == "human":
            assert verdicts[c.number] == NEEDS_HUMAN, c.number


def test_an_automated_criterion_passes_only_with_evidence_and_nothing_undecided() -> None:
    assert _verdicts(evidence={"4.1.1": ("vnu",)})["4.1.1"] == PASS
    assert _verdicts()["4.1.1"] == NEEDS_HUMAN  # nothing examined it
    assert _verdicts(evidence={"1.4.3": ("axe",)}, reviews={"1.4.3": 2})["1.4.3"] == NEEDS_HUMAN


def test_any_failure_fails_the_criterion_whatever_its_method() -> None:
    verdicts = _verdicts(failures={"4.1.1": 1, "2.4.4": 3, "1.2.1": 1})
    assert verdicts["4.1.1"] == verdicts["2.4.4"] == verdicts["1.2.1"] == FAIL
    failed = next(v for v in judge({"2.4.4": 3}, {}, {}, {}) if v.number == "2.4.4")
    assert failed.how == "自動試験で3件の問題が見つかった（「見つかった問題」を参照）"


def test_not_applicable_needs_the_content_to_be_absent_from_every_page() -> None:
    assert _verdicts(content={"media": 0})["1.2.2"] == NOT_APPLICABLE
    verdict = next(v for v in judge({}, {}, {}, {"media": 2}) if v.number == "1.2.2")
    assert verdict.result == NEEDS_HUMAN
    assert verdict.how.startswith("該当するコンテンツが2箇所ある。")
    assert _verdicts(content={"animation": 0, "media": 1})["2.2.2"] == NEEDS_HUMAN


# --------------------------------------------------------------------------- across pages


def _page(
    url: str,
    title: str,
    nav: tuple[str, ...] = ("a|ホーム|/", "a|検索|/search/"),
    search: bool = True,
    navs: int = 1,
    redirect: int = 0,
) -> PageAudit:
    return PageAudit(
        url,
        url.strip("/") + "/index.html",
        title,
        (),
        (),
        (),
        (("redirect", redirect),),
        nav,
        3,
        search,
        navs,
    )


def test_duplicate_and_empty_titles_are_found_but_redirect_notices_share_theirs() -> None:
    pages = [
        _page("/a/", "会議 | サイト"),
        _page("/b/", "会議 | サイト"),
        _page("/c/", " "),
        _page("/old/", "ページが移動しました", redirect=1),
        _page("/old2/", "ページが移動しました", redirect=1),
    ]
    found = site_findings(pages)
    assert sorted((f.page, f.rule) for f in found) == [
        ("/a/", "duplicate-title"),
        ("/b/", "duplicate-title"),
        ("/c/", "empty-title"),
    ]
    assert all(f.criteria == ("2.4.2",) for f in found)


def test_navigation_may_leave_an_item_out_but_not_reorder_it() -> None:
    usual = ("a|ホーム|/", "input|", "a|年度別|/years/")
    pages = [
        _page("/1/", "1", usual),
        _page("/2/", "2", usual),
        _page("/search/", "検索", ("a|ホーム|/", "a|年度別|/years/")),  # no search box: fine
        _page("/odd/", "odd", ("a|年度別|/years/", "a|ホーム|/", "input|")),
    ]
    found = site_findings(pages)
    assert [(f.page, f.rule, f.criteria) for f in found] == [
        ("/odd/", "navigation-order", ("3.2.3",))
    ]


def test_every_ordinary_page_needs_search_and_navigation() -> None:
    found = site_findings(
        [
            _page("/a/", "a", search=False),
            _page("/b/", "b", navs=0),
            _page("/r/", "r", search=False, navs=0, redirect=1),
        ]
    )
    assert [(f.page, f.rule) for f in found] == [("/a/", "one-way-only"), ("/b/", "one-way-only")]


# --------------------------------------------------------------------------- the site on disk


def test_pages_are_every_html_file_with_their_address_under_the_base_path(tmp_path: Path) -> None:
    for rel in ("index.html", "404.html", "a/b/index.html", "pagefind/x.js"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("<!DOCTYPE html>", encoding="utf-8")
    assert audit.site_pages(tmp_path, "/gikai/") == [
        ("404.html", "/gikai/404.html"),
        ("a/b/index.html", "/gikai/a/b/"),
        ("index.html", "/gikai/"),
    ]


def test_the_site_is_served_under_its_base_path_only(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")
    with audit.serve_site(tmp_path, "/gikai/") as origin:
        assert origin.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{origin}/gikai/a/") as response:
            assert response.read() == b"<p>a</p>"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{origin}/a/")
        assert err.value.code == 404


def test_missing_tools_are_named_with_the_command_that_installs_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(audit, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(audit.shutil, "which", lambda name: None)
    monkeypatch.setattr(audit, "vnu_jar", lambda root: None)
    with pytest.raises(audit.AuditError) as err:
        audit.find_tools(tmp_path)
    message = str(err.value)
    assert f"Chromium ({tmp_path / 'no-chromium'})" in message
    assert "a Java runtime (java)" in message
    assert "vnu-jar" in message
    assert message.endswith("Install them with: python3 dev.py setup --browser")


def test_the_audit_command_explains_missing_tools_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, make_site, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"content/a/municipality.yaml": "name: 市\n"})
    monkeypatch.setattr(audit, "CHROMIUM", root / "no-chromium")
    assert main(["--root", str(root), "audit"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("site-builder audit: site-builder audit needs Chromium (")
    assert "python3 dev.py setup --browser" in err
    assert "Traceback" not in err


def test_the_validator_reports_each_error_with_its_line_and_criterion(tmp_path: Path) -> None:
    tools = audit.find_tools(Path(__file__).resolve().parent.parent)
    good = '<!DOCTYPE html><html lang="ja"><title>t</title><p>ok</p></html>\n'
    bad = '<!DOCTYPE html><html lang="ja"><title>t</title>\n<p id="x"><p id="x">two</p>\n'
    (tmp_path / "index.html").write_text(good, encoding="utf-8")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "index.html").write_text(bad, encoding="utf-8")
    (tmp_path / "site.css").write_text("a { colr: red; }\n", encoding="utf-8")
    version, found = audit.run_vnu(tools, tmp_path, base_path="/gikai/")
    assert version
    where = sorted((f.page, f.target, f.criteria) for f in found)
    assert ("/gikai/bad/", "2:11", ("4.1.1",)) in where  # the second id="x"
    assert ("/gikai/site.css", "1:11", ("4.1.1",)) in where
    assert not any(f.page == "/gikai/" for f in found)


# --------------------------------------------------------------------------- the report


def _result(findings=(), reviews=()) -> audit.AuditResult:
    page = PageAudit(
        "/a/",
        "a/index.html",
        "a",
        tuple(findings),
        tuple(reviews),
        ("image-alt",),
        (("images", 0), ("media", 0), ("scripts", 0)),
        ("a|ホーム|/",),
        5,
        True,
        1,
    )
    return audit.AuditResult(
        date=dt.date(2025, 11, 23),
        tools=audit.Tools("4.12.1", "26.9.27", "156", "0.1.0"),
        pages=(page,),
        validator=(),
        site_findings=(),
        rule_criteria=(("image-alt", ("1.1.1",)),),
    )


def test_the_json_result_is_stable_and_complete() -> None:
    result = _result(
        [
            Finding(
                "axe",
                "/a/",
                "image-alt",
                "Images must have alternate text",
                "img",
                ("1.1.1",),
                "light",
            )
        ]
    )
    data = json.loads(audit.result_json(result))
    assert audit.result_json(result) == audit.result_json(result)
    assert data["date"] == "2025-11-23"
    assert data["summary"] == {"axe": 1, "vnu": 0, "other": 0}
    assert data["pages"][0]["findings"][0]["rule"] == "image-alt"
    verdict = next(v for v in data["verdicts"] if v["number"] == "1.1.1")
    assert verdict["result"] == FAIL
    assert verdict["evidence"] == ["axe-core image-alt"]


def test_the_report_counts_verdicts_and_lists_javascript_only_when_used() -> None:
    report = audit.build_report(_result())
    assert report.technologies == ("HTML", "CSS")
    assert not report.failed
    assert sum(n for _, n in report.tally) == 38
    assert report.needs_human == dict(report.tally)[NEEDS_HUMAN] > 0
    assert [c.title for c in report.checks][:2] == [c.title for c in conformance.CHECKS][:2]


# --------------------------------------------------------------------------- audit.js


def _probe(page, html: str, probe: str, *args):
    page.set_content(html)
    page.evaluate(audit.PROBE)
    return audit._call(page, probe, *args)


SPACED = """<!DOCTYPE html><html lang="ja"><body>
<h1>会 議 録</h1>
<p>D X 推 進について</p>
<p>令和7年度 第5回</p>
<p>出席者：山田 太郎、林 一郎</p>
<p>氏　名</p>
<p>令 和 7 年 度 予 算、第 5 回</p>
</body></html>"""


def test_layout_spaces_inside_words_are_found_and_spaces_between_words_are_not(page) -> None:
    found = _probe(page, SPACED, "layoutSpaces")
    assert [hit["match"] for hit in found] == [
        "会 議 録",
        "D X 推",
        "氏　名",
        "令 和",
        "年 度 予 算",
    ]
    assert found[1]["text"] == "D X 推 進について"


LANGUAGES = """<!DOCTYPE html><html lang="ja"><body>
<p>This report is published in English as well.</p>
<p lang="en">This report is published in English as well.</p>
<p>JSON Schema</p>
<p>Nu Html Checker 26.9.27 (c6ba02c)</p>
<p>https://example.org/this/is/a/long/path</p>
<p><code>the code is not prose at all</code></p>
<p>会議録（Digital Transformation of the city）</p>
<p lang="en">会議録です</p>
</body></html>"""


def test_passages_in_another_language_need_a_lang_attribute(page) -> None:
    found = _probe(page, LANGUAGES, "languageFindings")
    assert [(hit["rule"], hit["text"]) for hit in found] == [
        ("latin-without-lang", "This report is published in English as well."),
        ("japanese-marked-other", "会議録です"),
    ]


def test_speakers_must_be_told_in_words(page) -> None:
    html = """<!DOCTYPE html><html lang="ja"><body>
    <div class="statement side-member"><span class="speaker-tag">○委員</span></div>
    <div class="statement side-secretariat"><span class="speaker-tag">●事務局</span></div>
    <div class="statement side-member"><span class="speaker-tag">山田</span></div>
    <div class="statement side-member"></div>
    <span class="status-badge" style="display:inline-block;width:1em;background:red">&nbsp;</span>
    <span class="status" aria-live="polite"></span>
    </body></html>"""
    found = _probe(page, html, "colourOnly", ["○", "●", "委員", "事務局"])
    assert [hit["text"] for hit in found] == ["山田", "", ""]


def test_tables_must_scroll_in_a_focusable_named_box(page) -> None:
    html = """<!DOCTYPE html><html lang="ja"><body style="margin:0">
    <div style="overflow-x:auto" tabindex="0" role="group" aria-label="表"><table id="good">
      <tr><td>とても長いセルの内容がここに入ります。とても長いセルの内容がここに入ります。</td></tr>
    </table></div>
    <div style="overflow-x:auto"><table id="unfocusable"><tr><td>a</td></tr></table></div>
    <table id="loose"><tr><td>b</td></tr></table>
    </body></html>"""
    page.set_viewport_size({"width": 320, "height": 640})
    found = {t["target"]: t for t in _probe(page, html, "tables")}
    assert found["#good"] == {
        "target": "#good",
        "scroller": True,
        "overflows": False,
        "focusable": True,
        "named": True,
    }
    assert found["#unfocusable"]["scroller"] and not found["#unfocusable"]["focusable"]
    assert not found["#loose"]["scroller"]


def test_symbols_get_their_contrast_measured(page) -> None:
    html = """<!DOCTYPE html><html lang="ja"><body style="background:#fff">
    <span id="dark" style="color:#1a1a1c">①</span>
    <span id="pale" style="color:#cccccc">②</span>
    <span id="image" style="color:#000;background-image:linear-gradient(#fff,#000)">③</span>
    </body></html>"""
    _probe(page, html, "structure")
    dark = audit._call(page, "contrast", "#dark")
    assert dark["ratio"] == pytest.approx(17.4, abs=0.1)
    assert audit._call(page, "contrast", "#pale")["ratio"] == pytest.approx(1.6, abs=0.1)
    assert audit._call(page, "contrast", "#image") is None  # a person has to look


def test_clipped_text_is_found(page) -> None:
    html = """<!DOCTYPE html><html lang="ja"><body>
    <p id="cut" style="width:4em;height:1.2em;overflow:hidden">とても長い文章が切れてしまう</p>
    <p style="width:4em;overflow:hidden">折り返すので切れない文章です</p>
    </body></html>"""
    found = _probe(page, html, "clipped")
    assert [hit["target"] for hit in found] == ["#cut"]


# --------------------------------------------------------------------------- the pages


def test_the_build_publishes_the_policy_and_a_report_page_awaiting_the_audit(make_site) -> None:
    from site_builder.build import build
    from site_builder.config import load_config

    root = make_site({"content/a/municipality.yaml": "name: 市\n"})
    build(load_config(root))
    policy = (root / "output/accessibility/index.html").read_text(encoding="utf-8")
    report = (root / "output/accessibility/report/index.html").read_text(encoding="utf-8")
    assert "<h1>ウェブアクセシビリティ方針</h1>" in policy
    for heading in ("対象範囲", "目標とする適合レベル", "例外事項", "試験結果"):
        assert f">{heading}</h2>" in policy
    assert "JIS X 8341-3:2016" in policy
    assert 'href="/accessibility/report/"' in policy
    assert "このサイトの試験結果はまだ掲載していません。" in report
    home = (root / "output/index.html").read_text(encoding="utf-8")
    assert '<a href="/accessibility/">ウェブアクセシビリティ方針</a>' in home
