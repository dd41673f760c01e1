"""The pipeline end to end: determinism, drafts, the swap of output/."""

from __future__ import annotations

import hashlib
from pathlib import Path

from site_builder.build import build
from site_builder.config import load_config

SMALL = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\nplans: [p]\n",
    "content/a/plans/p.yaml": "title: 計画\npillars:\n  - title: 柱\n    items:\n"
    "      - number: 1\n        title: 項目\n",
    "content/a/meetings/b/first.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n## 議題\n\n"
    "○ 項番1について。\n",
    "content/a/meetings/b/draft.md": "---\ntitle: 第2回\ndate: 2025-12-01\ndraft: true\n---\n"
    "○ 下書き。\n",
}


def tree(path: Path) -> dict[str, str]:
    return {
        p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical_including_the_search_index(example_site: Path) -> None:
    first = tree(example_site / "output")
    build(load_config(example_site))
    assert tree(example_site / "output") == first
    assert any(name.startswith("pagefind/") for name in first)


def test_drafts_are_left_out_of_a_published_build(make_site) -> None:
    root = make_site(SMALL)
    build(load_config(root))
    assert (root / "output/a/meetings/b/first/index.html").is_file()
    assert not (root / "output/a/meetings/b/draft").exists()
    build(load_config(root), drafts=True)
    page = (root / "output/a/meetings/b/draft/index.html").read_text(encoding="utf-8")
    assert "この記録は下書きです" in page


def test_a_site_under_a_sub_path_links_under_it(make_site) -> None:
    root = make_site(
        SMALL,
        config="site:\n  title: t\n  base_url: https://example.org/gikai/\n"
        "search:\n  enabled: false\n",
    )
    build(load_config(root))
    page = (root / "output/a/meetings/b/first/index.html").read_text(encoding="utf-8")
    assert 'href="/gikai/static/site.css"' in page
    assert 'href="/gikai/a/plans/p/items/1/"' in page
    assert 'href="/a/' not in page


def test_output_is_replaced_whole_and_no_staging_is_left(make_site) -> None:
    root = make_site(SMALL)
    (root / "output").mkdir()
    (root / "output/stale.html").write_text("old", encoding="utf-8")
    build(load_config(root))
    assert not (root / "output/stale.html").exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".output")] == []
