"""redirect_from: old URLs of renamed records keep working, and mistakes are reported
where the clerk wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.build import build, check
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.pages import plan_pages
from site_builder.render import load_theme

BASE = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\nplans: [p]\n",
    "content/a/plans/p.yaml": "title: 計画\nredirect_from:\n  - /a/plans/old-plan/\n"
    "pillars:\n  - title: 柱\n    items:\n      - number: 1\n        title: 項目\n",
    "content/a/meetings/b/first.md": "---\ntitle: 第1回\ndate: 2025-11-17\nredirect_from:\n"
    "  - /a/meetings/b/2025-11-17\n---\n○ 項番1について。\n",
}


def test_an_old_url_leads_to_the_record(make_site) -> None:
    root = make_site(BASE)
    build(load_config(root))
    out = root / "output"
    page = (out / "a/meetings/b/2025-11-17/index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=/a/meetings/b/first/">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:8000/a/meetings/b/first/">' in page
    assert '<a href="/a/meetings/b/first/">第1回</a>' in page
    assert '<meta name="robots" content="noindex">' in page
    # a plan's old URL takes its items' old URLs along
    item = (out / "a/plans/old-plan/items/1/index.html").read_text(encoding="utf-8")
    assert "url=/a/plans/p/items/1/" in item
    assert "old-plan" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "meetings/b/2025-11-17" not in (out / "a/bodies/b/index.html").read_text("utf-8")


def test_redirects_under_a_sub_path(make_site) -> None:
    root = make_site(
        BASE,
        config="site:\n  title: t\n  base_url: https://example.org/gikai/\n"
        "search:\n  enabled: false\n",
    )
    build(load_config(root))
    page = (root / "output/a/meetings/b/2025-11-17/index.html").read_text(encoding="utf-8")
    assert 'url=/gikai/a/meetings/b/first/"' in page
    assert 'href="https://example.org/gikai/a/meetings/b/first/"' in page


def problems(make_site, files: dict[str, str]) -> list[str]:
    root = make_site({**BASE, **files})
    (root / "output").mkdir()
    (root / "output/keep.html").write_text("last good site", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        build(load_config(root))
    assert (root / "output/keep.html").is_file()  # the last good output is untouched
    return [str(p) for p in err.value.problems]


def test_mistakes_are_reported_at_their_line(make_site) -> None:
    wg = (
        "name: 新WG\nredirect_from:\n  - old-wg\n  - https://elsewhere.example/a/\n"
        "  - /a/bodies/b/\n"
    )
    document = "---\ntitle: 資料\nredirect_from: [/a/meetings/b/2025-11-17/]\n---\n本文\n"
    assert problems(
        make_site, {"content/a/wgs/w.yaml": wg, "content/a/documents/d.md": document}
    ) == [
        "content/a/meetings/b/first.md:5:5: redirect_from: '/a/meetings/b/2025-11-17/' is "
        "also declared by content/a/documents/d.md (line 3); an old address can lead to one "
        "record only",
        "content/a/wgs/w.yaml:3:5: redirect_from: 'old-wg' must be a path starting with '/', "
        "e.g. /city/meetings/body/old-name/",
        "content/a/wgs/w.yaml:4:5: redirect_from: 'https://elsewhere.example/a/' is not an "
        "address of this site (http://127.0.0.1:8000/)",
        "content/a/wgs/w.yaml:5:5: redirect_from: '/a/bodies/b/' is the address of the page "
        "/a/bodies/b/; an old address must be one that no record uses now",
    ]


def test_a_folder_named_like_a_page_of_the_site_is_reported(make_site) -> None:
    assert problems(make_site, {"content/data/municipality.yaml": "name: データ市\n"}) == [
        "content/data/municipality.yaml:1:1: the page /data/ is at the address of the site's "
        "own /data/index.html; rename the folder content/data/"
    ]


def test_the_browser_follows_an_old_url(make_site, serve_dir, page) -> None:
    root = make_site(BASE)
    build(load_config(root))
    base = serve_dir(root / "output")
    page.goto(f"{base}/a/meetings/b/2025-11-17/")
    page.wait_for_url(f"{base}/a/meetings/b/first/")
    assert page.locator("h1").inner_text() == "第1回"


def test_no_record_is_hidden_by_a_redirect(tmp_path: Path, make_site) -> None:
    root = make_site(BASE)
    built = build(load_config(root))
    output = root / "output"
    redirects = [p for p in built.files if b'http-equiv="refresh"' in (output / p).read_bytes()]
    assert sorted(redirects) == [
        "a/meetings/b/2025-11-17/index.html",
        "a/plans/old-plan/index.html",
        "a/plans/old-plan/items/1/index.html",
    ]
    config = load_config(root)
    pages = plan_pages(check(config), load_theme(config).labels, 1)
    assert not {p.output_path for p in pages} & set(redirects)
