"""`site-builder build` skips a build whose inputs and output are as the last one left them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import site_builder.build
from site_builder.__main__ import main

SITE = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\n",
    "content/a/meetings/b/2025-01-01.md": "---\ntitle: 第1回\ndate: 2025-01-01\n---\n○ 発言。\n",
}
MEETING_PAGE = "output/a/meetings/b/2025-01-01/index.html"


def build(root: Path, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    assert main(["--root", str(root), "build", *options]) == 0
    return capsys.readouterr().out


@pytest.fixture
def site(make_site) -> Path:
    return make_site(SITE)


def test_nothing_changed_nothing_built(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(site, capsys).startswith("built ")
    before = (site / MEETING_PAGE).stat().st_mtime_ns
    assert build(site, capsys).startswith("output/ is up to date")
    assert (site / MEETING_PAGE).stat().st_mtime_ns == before
    assert (site / ".cache/site_builder/build.json").is_file()
    assert build(site, capsys, "--force").startswith("built ")


@pytest.mark.parametrize(
    "change",
    ["record", "template", "config", "output", "output deleted", "option"],
)
def test_any_change_builds_again(
    change: str, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(site, capsys)
    options: tuple[str, ...] = ()
    if change == "record":
        path = site / "content/a/meetings/b/2025-01-01.md"
        path.write_text(path.read_text(encoding="utf-8") + "\n○ 追記。\n", encoding="utf-8")
    elif change == "template":  # a copy of the theme, so that the repository's stays
        theme = site / "themes"
        target = theme.resolve()
        theme.unlink()
        shutil.copytree(target, theme)
        footer = theme / "default/templates/base.html"
        footer.write_text(footer.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "config":
        config = site / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    elif change == "output":  # someone edited the published page by hand
        (site / MEETING_PAGE).write_text("<p>hand-edited</p>", encoding="utf-8")
    elif change == "output deleted":
        (site / MEETING_PAGE).unlink()
    else:
        options = ("--drafts",)
    assert build(site, capsys, *options).startswith("built ")
    assert "hand-edited" not in (site / MEETING_PAGE).read_text(encoding="utf-8")
    assert build(site, capsys, *options).startswith("output/ is up to date")


def test_a_failed_build_is_not_remembered(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build(site, capsys)
    path = site / "content/a/meetings/b/2025-01-01.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("2025-01-01", "2025-02-30"), encoding="utf-8")
    assert main(["--root", str(site), "build"]) == 1
    path.write_text(good, encoding="utf-8")  # back to what the last good build had
    assert build(site, capsys).startswith("output/ is up to date")


def test_a_record_written_during_the_build_is_not_remembered(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if it is written back as it was: the build may have read it in between."""
    path = site / "content/a/meetings/b/2025-01-01.md"
    build_site = site_builder.build.build

    def edited_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        built = build_site(*args, **kwargs)
        path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        return built

    monkeypatch.setattr(site_builder.build, "build", edited_meanwhile)
    assert build(site, capsys).startswith("built ")
    monkeypatch.undo()
    assert build(site, capsys).startswith("built ")
    assert build(site, capsys).startswith("output/ is up to date")
