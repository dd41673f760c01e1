"""The browser toolchain works: Debian's Chromium renders Japanese, in a ja-JP locale,
from a page served on 127.0.0.1, with no console error or failed request."""

import pytest
from playwright.sync_api import expect

FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" fill="#264d73"/></svg>'
)
INDEX = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>会議録</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body><h1>前橋市議会 会議録</h1></body>
</html>
"""

# Canvas width of 会議録 at 16px in the given font; CJK ideographs are one em wide.
MEASURE = """font => {
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = font;
  return ctx.measureText('会議録').width;
}"""


def test_japanese_page_renders_in_chromium(tmp_path, serve_dir, page):
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    base = serve_dir(tmp_path)

    page.goto(f"{base}/index.html")

    expect(page.locator("h1")).to_have_text("前橋市議会 会議録")
    assert page.title() == "会議録"
    assert page.evaluate("navigator.language").startswith("ja")
    # fonts-noto-cjk is installed and used: three full-width glyphs, 16px each
    # (a missing font would draw narrower .notdef boxes or nothing).
    width = page.evaluate(MEASURE, '16px "Noto Sans CJK JP"')
    assert width == pytest.approx(48, abs=0.01), f"会議録 is {width}px wide, not 48px"
