"""Releases: build into incoming/, swap `current` in one rename, prune, roll back, lock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from site_builder.__main__ import main
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.publish import (
    PublishError,
    Release,
    activate,
    clear_incoming,
    current_release,
    list_releases,
    prepare_release,
    prune,
    publish_lock,
    release_name,
    rollback,
    switch_to,
)

SITE = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\n",
    "content/a/meetings/b/first.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n○ 発言。\n",
}
COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


def fake_releases(root: Path, count: int) -> list[Release]:
    """Release folders 0001-…0000c1 … with one index.html each, none live yet."""
    releases = []
    for number in range(1, count + 1):
        path = root / "releases" / release_name(number, f"{number:012x}")
        path.mkdir(parents=True)
        (path / "index.html").write_text(f"release {number}", encoding="utf-8")
        releases.append(Release(number, f"{number:012x}", path))
    return releases


def names(root: Path) -> list[str]:
    return [r.name for r in list_releases(root)]


def test_a_checked_build_goes_live_by_one_symlink_swap(make_site, tmp_path: Path) -> None:
    project = make_site(SITE)
    www = tmp_path / "www"

    first = activate(www, prepare_release(www, load_config(project), COMMIT_A), COMMIT_A)
    assert first.name == "0001-aaaaaaaaaaaa"
    assert os.readlink(www / "current") == "releases/0001-aaaaaaaaaaaa"
    assert (www / "current/a/meetings/b/first/index.html").is_file()
    assert list((www / "incoming").iterdir()) == []

    (project / "content/a/meetings/b/first.md").write_text(
        SITE["content/a/meetings/b/first.md"].replace("第1回", "第1回（訂正）"), encoding="utf-8"
    )
    second = activate(www, prepare_release(www, load_config(project), COMMIT_B), COMMIT_B)
    assert os.readlink(www / "current") == "releases/0002-bbbbbbbbbbbb"
    assert current_release(www) == second
    page = (www / "current/a/meetings/b/first/index.html").read_text(encoding="utf-8")
    assert "第1回（訂正）" in page
    # The release that was live stays whole: requests already reading it finish.
    old = (first.path / "a/meetings/b/first/index.html").read_text(encoding="utf-8")
    assert "第1回（訂正）" not in old
    assert names(www) == ["0001-aaaaaaaaaaaa", "0002-bbbbbbbbbbbb"]


def test_invalid_records_build_nothing_and_change_nothing(make_site, tmp_path: Path) -> None:
    project = make_site(SITE)
    www = tmp_path / "www"
    activate(www, prepare_release(www, load_config(project), COMMIT_A), COMMIT_A)
    (project / "content/a/municipality.yaml").write_text("name: 市\nprefectur: 東京都\n")

    with pytest.raises(ContentError) as error:
        prepare_release(www, load_config(project), COMMIT_B)

    assert [str(p) for p in error.value.problems] == [
        "content/a/municipality.yaml:2:1: unknown field 'prefectur' in municipality; "
        "did you mean 'prefecture'?"
    ]
    assert list((www / "incoming").iterdir()) == []
    assert names(www) == ["0001-aaaaaaaaaaaa"]
    assert os.readlink(www / "current") == "releases/0001-aaaaaaaaaaaa"


def test_current_is_never_missing_while_it_is_swapped(tmp_path: Path) -> None:
    releases = fake_releases(tmp_path, 2)
    switch_to(tmp_path, releases[0])
    failures: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def read() -> None:
        for _ in range(20_000):
            if stop.is_set():
                return
            try:
                seen.add((tmp_path / "current/index.html").read_text(encoding="utf-8"))
            except OSError as err:
                failures.append(repr(err))

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(300):
        switch_to(tmp_path, releases[i % 2])
    stop.set()
    reader.join(timeout=30)
    assert failures == []
    assert seen <= {"release 1", "release 2"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".current")] == []


def test_prune_keeps_the_newest_and_always_the_live_release(tmp_path: Path) -> None:
    releases = fake_releases(tmp_path, 5)
    switch_to(tmp_path, releases[1])  # rolled back to 0002

    deleted = prune(tmp_path, keep=2)

    assert [r.number for r in deleted] == [1, 3]
    assert [r.number for r in list_releases(tmp_path)] == [2, 4, 5]
    assert current_release(tmp_path) == releases[1]


def test_list_releases_ignores_staging_and_other_entries(tmp_path: Path) -> None:
    fake_releases(tmp_path, 1)
    (tmp_path / "releases/.0002-bbbb.staging-123").mkdir()
    (tmp_path / "releases/notes.txt").write_text("x")
    (tmp_path / "releases/0003-cccc").symlink_to("0001-000000000001")
    assert names(tmp_path) == ["0001-000000000001"]


def test_clear_incoming_removes_builds_that_never_went_live(tmp_path: Path) -> None:
    (tmp_path / "incoming" / COMMIT_A / "a").mkdir(parents=True)
    (tmp_path / "incoming" / ".x.staging-1").mkdir()
    clear_incoming(tmp_path)
    assert list((tmp_path / "incoming").iterdir()) == []


def test_rollback_goes_to_the_previous_release_then_further(tmp_path: Path) -> None:
    releases = fake_releases(tmp_path, 3)
    switch_to(tmp_path, releases[2])

    assert rollback(tmp_path) == (releases[2], releases[1])
    assert (tmp_path / "current/index.html").read_text() == "release 2"
    assert rollback(tmp_path) == (releases[1], releases[0])
    with pytest.raises(PublishError) as error:
        rollback(tmp_path)
    assert str(error.value) == (
        f"0001-000000000001 is the oldest release kept in {tmp_path / 'releases'}: "
        "there is nothing earlier to roll back to"
    )


def test_rollback_to_a_named_or_numbered_release(tmp_path: Path) -> None:
    releases = fake_releases(tmp_path, 3)
    switch_to(tmp_path, releases[0])
    assert rollback(tmp_path, "0003-000000000003")[1] == releases[2]
    assert rollback(tmp_path, "2")[1] == releases[1]
    with pytest.raises(PublishError) as error:
        rollback(tmp_path, "0009-x")
    assert str(error.value) == (
        f"no release '0009-x' in {tmp_path / 'releases'} "
        "(kept: 0001-000000000001, 0002-000000000002, 0003-000000000003)"
    )
    assert current_release(tmp_path) == releases[1]


def test_rollback_before_any_publish_says_so(tmp_path: Path) -> None:
    with pytest.raises(PublishError) as error:
        rollback(tmp_path)
    assert str(error.value) == f"{tmp_path} has no live release: nothing to roll back"


HOLD_LOCK = """
import sys
from pathlib import Path
from site_builder.publish import publish_lock
with publish_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_the_lock_makes_a_second_publisher_wait(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        waiting, acquired = threading.Event(), threading.Event()

        def second() -> None:
            with publish_lock(tmp_path, on_wait=waiting.set):
                acquired.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert waiting.wait(timeout=30)
        assert not acquired.wait(timeout=0.5)
        assert holder.stdin is not None
        holder.stdin.write("done\n")
        holder.stdin.flush()
        assert acquired.wait(timeout=30)
        thread.join(timeout=30)
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_rollback_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    releases = fake_releases(tmp_path, 2)
    switch_to(tmp_path, releases[1])

    assert main(["rollback", "--releases", str(tmp_path), "--list"]) == 0
    assert capsys.readouterr().out == "  0001-000000000001\n* 0002-000000000002\n"
    assert main(["rollback", "--releases", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "now live: 0001-000000000001 (was 0002-000000000002)\n"
    assert main(["rollback", "--releases", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("site-builder: 0001-000000000001 is the oldest")
