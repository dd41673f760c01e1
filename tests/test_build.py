"""The pipeline end to end: determinism, drafts, the swap of output/."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from site_builder.build import available_cores, build
from site_builder.config import load_config
from site_builder.model import ContentError

REPO = Path(__file__).resolve().parent.parent

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


def built_tree(root: Path) -> dict[str, bytes]:
    output = root / "output"
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def test_a_parallel_build_is_byte_identical_to_a_serial_one(
    tmp_path: Path, example_project
) -> None:
    built, trees = {}, {}
    for jobs in (1, 3):
        root = tmp_path / f"jobs-{jobs}"
        root.mkdir()
        example_project(root)
        built[jobs] = build(load_config(root), search=False, jobs=jobs)
        trees[jobs] = built_tree(root)
    assert list(built[3].files) == list(built[1].files)  # the same files in the same order
    assert sorted(trees[3]) == sorted(trees[1])
    assert [name for name, data in trees[1].items() if trees[3][name] != data] == []
    assert len(trees[1]) > 100


MEETINGS = {
    f"content/a/meetings/b/m{n}.md": f"---\ntitle: 第{n}回\ndate: 2025-11-1{n}\n---\n○ 発言。\n"
    for n in range(1, 4)
}


@pytest.mark.parametrize("mistake", ["template", "folder", "both"])
def test_a_parallel_build_reports_the_problems_a_serial_one_does(
    tmp_path: Path, make_site, mistake: str
) -> None:
    """A template error on the workers, a collision found by the furniture beside them,
    or both: as in a serial build, the pages' problems come first."""
    shutil.copytree(REPO / "themes", tmp_path / "themes")
    files = {**SMALL, **MEETINGS}
    if mistake in ("template", "both"):
        meeting = tmp_path / "themes/default/templates/meeting.html"
        text = meeting.read_text(encoding="utf-8")
        meeting.write_text(text.replace("{% block main %}", "{% block main %}{{ nope }}", 1))
    if mistake in ("folder", "both"):
        files["content/data/municipality.yaml"] = "name: データ市\n"
    root = make_site(files)
    reported = {}
    for jobs in (1, 2):
        with pytest.raises(ContentError) as err:
            build(load_config(root), jobs=jobs)
        reported[jobs] = [str(p) for p in err.value.problems]
    assert reported[2] == reported[1]
    if mistake == "folder":
        assert reported[2] == [
            "content/data/municipality.yaml:1:1: the page /data/ is at the address of the "
            "site's own /data/index.html; rename the folder content/data/"
        ]
    else:
        assert reported[2] == [
            f"meeting.html:1:1: template error while rendering /a/meetings/b/{page}/: "
            "'nope' is undefined"
            for page in ("first", "m1", "m2", "m3")
        ]


@pytest.mark.parametrize(
    ("date", "statement", "first", "count"),
    [  # validating: a month 13; linking: an item and a WG that do not exist
        ("2025-13-1{n}", "発言。", "content/a/meetings/b/m1.md:3:7: ", 5),
        (
            "2025-11-1{n}",
            "[[item:9{n}]]と[[wg:none-{n}]]。",
            "content/a/meetings/b/m1.md:5:3: ",
            10,
        ),
    ],
)
def test_records_checked_on_several_processes_report_the_problems_one_does(
    tmp_path: Path, make_site, date: str, statement: str, first: str, count: int
) -> None:
    """Problems in records that the validating or linking processes share between them:
    the same problems, in the same order, as in one process."""
    meetings = {
        f"content/a/meetings/b/m{n}.md": (
            f"---\ntitle: 第{n}回\ndate: {date.format(n=n)}\n---\n○ {statement.format(n=n)}\n"
        )
        for n in range(1, 6)
    }
    root = make_site({**SMALL, **meetings})
    reported = {}
    for jobs in (1, 2, 3):
        with pytest.raises(ContentError) as err:
            build(load_config(root), search=False, jobs=jobs)
        reported[jobs] = [str(p) for p in err.value.problems]
    assert len(reported[1]) == count, reported[1]
    assert reported[1][0].startswith(first), reported[1][0]
    assert reported[2] == reported[1] and reported[3] == reported[1]


def test_the_default_jobs_are_the_cores_available_up_to_a_cap() -> None:
    assert 1 <= available_cores() <= 8
    assert available_cores(cap=1) == 1
