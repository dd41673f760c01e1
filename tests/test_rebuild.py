"""An incremental rebuild gives the same bytes as a full build of the edited tree."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.rebuild import Rebuilder

REPO = Path(__file__).resolve().parent.parent
MEETING = "content/musashimurayama/meetings/gyokaku/2025-11-17.md"
PLAN = "content/musashimurayama/plans/dx-plan.yaml"
NEW_MEETING = "content/musashimurayama/meetings/gyokaku/2025-12-15.md"
CONFIG = "site:\n  title: テスト\nsearch:\n  enabled: false\n"

Edit = Callable[[Path], set[str]]


def replace(root: Path, rel: str, old: str, new: str, count: int = 1) -> set[str]:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return {rel}


def edit_statement(root: Path) -> set[str]:
    return replace(
        root,
        MEETING,
        "全て実現できる予算があるかが気になる。",
        "全て実現できる予算があるかが気になる。項番38についても伺いたい。",
    )


def retitle_item(root: Path) -> set[str]:
    return replace(
        root,
        PLAN,
        "title: 歴史資料のデジタルアーカイブ化の実施",
        "title: 歴史資料のデジタルアーカイブ化",
    )


def add_meeting(root: Path) -> set[str]:
    (root / NEW_MEETING).write_text(
        "---\ntitle: 令和7年度第4回武蔵村山市行政改革推進委員会\ndate: 令和7年12月15日\n"
        "status: scheduled\nagenda:\n  - id: agenda-1\n    title: 素案について\n---\n"
        "## 議題1 {#agenda-1}\n\n○ 項番44と項番64について伺いたい。\n\n"
        "● 検討中である。\n",
        encoding="utf-8",
    )
    return {NEW_MEETING}


def delete_meeting(root: Path) -> set[str]:
    (root / NEW_MEETING).unlink(missing_ok=True)
    return {NEW_MEETING}


def rename_wg(root: Path) -> set[str]:
    return replace(
        root,
        "content/maebashi/wgs/kanmin-data.yaml",
        "name: 官民データ活用WG",
        "name: 官民データ利活用WG",
    )


def rename_body(root: Path) -> set[str]:
    return replace(
        root,
        "content/maebashi/bodies/dx-committee.yaml",
        "name: 前橋市DX推進委員会",
        "name: 前橋市デジタル推進委員会",
    )


def move_date(root: Path) -> set[str]:
    return replace(
        root,
        "content/maebashi/meetings/dx-committee/2023-04-18.md",
        "date: 令和5年4月18日",
        "date: 令和5年3月28日",
    )


MAEBASHI_MEETING = "content/maebashi/meetings/dx-committee/2023-04-18.md"
DOCUMENT = "content/maebashi/documents/2022-wg-activity-report.md"


def drop_mention(root: Path) -> set[str]:
    """The meeting no longer cites item 39 (its only mention) and one of four of 44."""
    replace(root, MEETING, "項番39「オープンデータの整備」", "オープンデータの整備")
    return replace(root, MEETING, "○ 項番44「歴史資料のデジタルアーカイブ化の実施」は", "○ これは")


def mention_wg_and_body(root: Path) -> set[str]:
    """A statement names another WG (linked automatically) and links the body."""
    return replace(
        root,
        MAEBASHI_MEETING,
        "⇒（事務局）承知した。修正する。",
        "⇒（事務局）承知した。窓口WGと[[body:dx-committee]]にも伝える。",
    )


def forget_wg(root: Path) -> set[str]:
    """The meeting no longer names a WG that the activity report also names."""
    return replace(root, MAEBASHI_MEETING, "官民データ活用WG", "官民データのWG", count=-1)


def edit_document(root: Path) -> set[str]:
    return replace(root, DOCUMENT, "- 1 WG活動の全体像", "- 1 WG活動の全体像（窓口WGを含む）")


def edit_template(root: Path) -> set[str]:
    rel = "themes/default/templates/home.html"
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + "{# edited #}\n", encoding="utf-8")
    return {rel}


EDITS: list[Edit] = [
    edit_statement,
    drop_mention,
    mention_wg_and_body,
    forget_wg,
    edit_document,
    retitle_item,
    add_meeting,
    delete_meeting,
    rename_wg,
    rename_body,
    move_date,
    edit_template,
    add_meeting,
]


def tree(output: Path) -> dict[str, str]:
    return {
        p.relative_to(output).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "incremental"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return root


def full_build_of(root: Path, tmp_path: Path) -> dict[str, str]:
    """A from-scratch build of the same tree, in a separate project folder."""
    other = tmp_path / "full"
    shutil.rmtree(other, ignore_errors=True)
    other.mkdir()
    for name in ("content", "themes", "config.yaml"):
        (other / name).symlink_to(root / name)
    build(load_config(other), drafts=True, search=False)
    return tree(other / "output")


@pytest.mark.parametrize("per_page", [20, 1])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_match_a_full_build(
    seed: int, per_page: int, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """per_page=1 splits every mention list of two records or more over pages: an edit
    that adds or drops a mention changes which pages exist."""
    monkeypatch.setattr("site_builder.pages.MENTIONS_PER_PAGE", per_page)
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    edits = random.Random(seed).sample(EDITS, k=8)
    for edit in edits:
        changed = edit(project)
        outcome = rebuilder.update({project / rel for rel in changed})
        assert tree(project / "output") == full_build_of(project, tmp_path), edit.__name__
        html = [p for p in outcome.written if p.endswith(".html")]
        assert len(html) < len(rebuilder.pages) or edit is edit_template


def test_a_statement_edit_rewrites_only_the_pages_that_show_it(project: Path) -> None:
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    outcome = rebuilder.update({project / rel for rel in edit_statement(project)})
    # Lists that show the meeting re-render to the same bytes and are not rewritten.
    # (Exports and feeds, furniture.py, are regenerated whole; only pages count here.)
    assert sorted(p for p in outcome.written if p.endswith(".html")) == [
        "musashimurayama/meetings/gyokaku/2025-11-17/index.html",
        "musashimurayama/plans/dx-plan/index.html",  # item 38's mention count
        "musashimurayama/plans/dx-plan/items/38/index.html",  # now mentioned here
    ]
    page = (project / "output/musashimurayama/plans/dx-plan/items/38/index.html").read_text()
    assert "項番38についても伺いたい" in page


def test_a_bad_edit_keeps_the_last_good_site_and_the_fix_recovers(project: Path) -> None:
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    before = tree(project / "output")
    replace(project, MEETING, "date: 令和7年11月17日", "date: 令和7年11月31日")
    with pytest.raises(ContentError) as err:
        rebuilder.update({project / MEETING})
    assert re.match(
        rf"{MEETING}:\d+:7: date: '令和7年11月31日' is not a date", str(err.value.problems[0])
    )
    assert tree(project / "output") == before
    replace(project, MEETING, "date: 令和7年11月31日", "date: 令和7年11月17日")
    rebuilder.update({project / MEETING})
    assert tree(project / "output") == before


TEXT_EDITS = [edit_statement, drop_mention, mention_wg_and_body, forget_wg, edit_document]


@pytest.mark.parametrize("edit", TEXT_EDITS, ids=lambda e: e.__name__)
def test_a_text_edit_replans_only_the_pages_that_show_it(
    edit: Edit, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole-site planning is what makes an edit slow on a large archive."""
    rebuilder = Rebuilder(project)
    rebuilder.build_all()

    def whole_site(*args: object) -> None:
        raise AssertionError("a text edit planned every page")

    monkeypatch.setattr("site_builder.rebuild.plan_pages", whole_site)
    rebuilder.update({project / rel for rel in edit(project)})
    assert tree(project / "output") == full_build_of(project, tmp_path)


def test_a_broken_file_stays_reported_until_fixed(project: Path, tmp_path: Path) -> None:
    """Edits after a failed rebuild include the failed one's files: a good edit of
    another record neither hides the error nor loses the first edit."""
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    mention_wg_and_body(project)
    replace(project, MAEBASHI_MEETING, "date: 令和5年4月18日", "date: 令和5年4月31日")
    with pytest.raises(ContentError):
        rebuilder.update({project / MAEBASHI_MEETING})
    with pytest.raises(ContentError) as err:
        rebuilder.update({project / rel for rel in edit_statement(project)})
    assert str(err.value.problems[0]).startswith(MAEBASHI_MEETING)
    replace(project, MAEBASHI_MEETING, "date: 令和5年4月31日", "date: 令和5年4月18日")
    rebuilder.update({project / MAEBASHI_MEETING})
    assert tree(project / "output") == full_build_of(project, tmp_path)


def test_an_edited_partial_shows_after_the_first_rebuild(project: Path, tmp_path: Path) -> None:
    """The environment does not re-check template files (auto_reload is off, render.py):
    a partial included in a loop, edited after the first build, must still show, as the
    preview makes a new environment when the theme changes."""
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    rel = "themes/default/templates/partials/statement.html"
    changed = replace(
        project, rel, '<div class="statement-text">', '<div class="statement-text said">'
    )
    rebuilder.update({project / rel for rel in changed})
    meeting = project / "output/musashimurayama/meetings/gyokaku/2025-11-17/index.html"
    assert 'class="statement-text said"' in meeting.read_text(encoding="utf-8")
    assert tree(project / "output") == full_build_of(project, tmp_path)


def test_a_template_error_stays_reported_after_other_edits(project: Path) -> None:
    """A template that fails on some pages keeps failing the rebuilds that follow, even
    when the next edit is a record's text: every page is rendered until a build is good."""
    rebuilder = Rebuilder(project)
    rebuilder.build_all()
    before = tree(project / "output")
    item = project / "themes/default/templates/item.html"
    good = item.read_text(encoding="utf-8")
    item.write_text(good.replace("{{ item.title }}", "{{ item.no_such_field }}"), encoding="utf-8")
    with pytest.raises(ContentError):
        rebuilder.update({item})
    with pytest.raises(ContentError):  # a page that does not use item.html
        rebuilder.update({project / rel for rel in edit_document(project)})
    assert tree(project / "output") == before
    item.write_text(good, encoding="utf-8")
    rebuilder.update({item})
    assert "WG活動の全体像（" in (
        project / "output/maebashi/documents/2022-wg-activity-report/index.html"
    ).read_text(encoding="utf-8")
