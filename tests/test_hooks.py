"""The git hooks, driven by real pushes to a real bare repository (no web server here:
tests/test_publish_integration.py adds nginx)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from site_builder.__main__ import main
from site_builder.hooks import MARKER, RefUpdate, Settings, install_hooks, parse_updates
from site_builder.publish import PublishError, list_releases, publish_lock

MEETING = "content/maebashi/meetings/dx-committee/2023-04-18.md"
BROKEN_MUNICIPALITY = "name: 前橋市\nprefectur: 群馬県\n"


def bare_head(site, ref: str = "refs/heads/main") -> str:
    return site.git("rev-parse", ref, cwd=site.bare).stdout.strip()


def retitle(site, title: str) -> dict[str, str]:
    """The example meeting with another title, as a `files` argument of commit()."""
    text = (site.work / MEETING).read_text(encoding="utf-8")
    head, rest = text.split("\ntitle: ", 1)
    return {MEETING: head + f"\ntitle: {title}\n" + rest.split("\n", 1)[1]}


def test_parse_updates_reads_old_new_ref_lines() -> None:
    zero, one = "0" * 40, "1" * 40
    updates = parse_updates([f"{zero} {one} refs/heads/main\n", "\n", f"{one} {zero} refs/tags/v1"])
    assert updates == [
        RefUpdate(zero, one, "refs/heads/main"),
        RefUpdate(one, zero, "refs/tags/v1"),
    ]
    assert [u.deletes for u in updates] == [False, True]


def test_install_hooks_writes_both_hooks_and_rewrites_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "site repo.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    www = tmp_path / "w w"

    assert main(["install-hooks", str(bare), "--releases", str(www), "--keep", "4"]) == 0

    out = capsys.readouterr().out
    assert f"installed {bare / 'hooks/pre-receive'}\n" in out
    assert out.endswith(f"published to {www / 'current'} (point the web server's root there)\n")
    for name in ("pre-receive", "post-receive"):
        hook = bare / "hooks" / name
        assert os.access(hook, os.X_OK)
        text = hook.read_text(encoding="utf-8")
        assert f"-m site_builder.hooks {name} --releases '{www}' --keep 4 --branch main\n" in text
    assert (www / "releases").is_dir() and (www / "incoming").is_dir()
    # Ours are rewritten with new settings.
    install_hooks(bare, Settings(www, keep=2, branch="kokai"))
    assert "--keep 2 --branch kokai" in (bare / "hooks/post-receive").read_text()


def test_install_hooks_refuses_what_it_should_not_touch(tmp_path: Path) -> None:
    bare = tmp_path / "site.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    settings = Settings(tmp_path / "www", keep=3, branch="main")

    (bare / "hooks/pre-receive").write_text("#!/bin/sh\nexit 0\n")
    with pytest.raises(PublishError) as error:
        install_hooks(bare, settings)
    assert str(error.value) == (
        f"{bare / 'hooks/pre-receive'} exists and was not written by site-builder: "
        "move it away (or merge it by hand) and run install-hooks again"
    )
    assert MARKER not in (bare / "hooks/pre-receive").read_text()

    with pytest.raises(PublishError) as error:
        install_hooks(bare, Settings(tmp_path / "www", keep=1, branch="main"))
    assert str(error.value) == (
        "--keep 1: keep at least 2 releases (the live one and one to roll back to)"
    )

    work = tmp_path / "work"
    subprocess.run(["git", "init", "--quiet", str(work)], check=True)
    with pytest.raises(PublishError) as error:
        install_hooks(work, settings)
    assert str(error.value) == (
        f"{work} is not a bare git repository (make one with: git init --bare {work})"
    )


def test_a_good_push_is_published_and_a_broken_one_refused(push_site) -> None:
    site = push_site()
    first = site.commit("第5回の会議録")

    pushed = site.push()

    assert pushed.returncode == 0, pushed.stderr
    assert site.remote_lines(pushed) == [
        f"checked {first[:12]}: no problems",
        f"published 0001-{first[:12]}: the site now shows commit {first[:12]}",
    ]
    assert site.live == site.releases / "releases" / f"0001-{first[:12]}"
    assert (site.live / "index.html").is_file()

    broken = site.commit(
        "誤りのある記録", {"content/maebashi/municipality.yaml": BROKEN_MUNICIPALITY}
    )
    refused = site.push()

    assert refused.returncode == 1
    assert site.remote_lines(refused) == [
        "content/maebashi/municipality.yaml:2:1: unknown field 'prefectur' in municipality; "
        "did you mean 'prefecture'?",
        f"push refused: 1 problem in commit {broken[:12]}; nothing was published. "
        "Fix it, commit, and push again.",
    ]
    assert "[remote rejected] main -> main (pre-receive hook declined)" in refused.stderr
    assert bare_head(site) == first
    assert site.live.name == f"0001-{first[:12]}"
    assert [r.name for r in list_releases(site.releases)] == [f"0001-{first[:12]}"]
    assert list((site.releases / "incoming").iterdir()) == []


def test_deleting_the_published_branch_is_refused(push_site) -> None:
    site = push_site()
    first = site.commit("初版")
    assert site.push().returncode == 0

    refused = site.push(":main")

    assert refused.returncode == 1
    assert site.remote_lines(refused) == [
        "refusing to delete the branch main: the published site is built from it. "
        "To take a page down, delete its record and push."
    ]
    assert bare_head(site) == first


def test_other_branches_are_neither_checked_nor_published(push_site) -> None:
    site = push_site()
    site.commit("初版")
    assert site.push().returncode == 0
    live = site.live
    site.git("checkout", "--quiet", "-b", "draft")
    draft = site.commit("下書き", {"content/maebashi/municipality.yaml": BROKEN_MUNICIPALITY})

    pushed = site.push("draft")

    assert pushed.returncode == 0, pushed.stderr
    assert site.remote_lines(pushed) == []
    assert bare_head(site, "refs/heads/draft") == draft
    assert site.live == live
    # Deleting a branch other than the published one is the clerk's business.
    assert site.push(":draft").returncode == 0


def test_a_push_waits_for_a_publish_in_progress(push_site) -> None:
    site = push_site()
    first = site.commit("初版")
    assert site.push().returncode == 0
    second = site.commit("第2版", retitle(site, "第5回 DX推進委員会（第2版）"))
    lines: list[str] = []
    waiting = threading.Event()

    with publish_lock(site.releases):
        push = subprocess.Popen(
            ["git", "push", "origin", "main"],
            cwd=site.work,
            env=site.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

        def read() -> None:
            assert push.stderr is not None
            for line in push.stderr:
                lines.append(line.rstrip())
                if "waiting for it to finish" in line:
                    waiting.set()

        reader = threading.Thread(target=read)
        reader.start()
        try:
            assert waiting.wait(timeout=120), lines
            assert push.poll() is None
            assert bare_head(site) == first
            assert site.live.name == f"0001-{first[:12]}"
        except BaseException:
            push.kill()
            raise
    assert push.wait(timeout=300) == 0, lines
    reader.join(timeout=30)
    assert "remote: another publish is running; waiting for it to finish…" in lines
    assert bare_head(site) == second
    assert site.live.name == f"0002-{second[:12]}"


def test_two_pushes_at_once_leave_the_site_equal_to_the_branch(push_site, tmp_path) -> None:
    site = push_site()
    site.commit("初版")
    assert site.push().returncode == 0
    other = tmp_path / "other"
    site.git("clone", "--quiet", str(site.bare), str(other), cwd=tmp_path)
    (other / MEETING).write_text(retitle(site, "訂正B")[MEETING], encoding="utf-8")
    site.git("commit", "--quiet", "-am", "訂正B", cwd=other)
    commits = {
        site.commit("訂正A", retitle(site, "訂正A")): "訂正A",
        site.git("rev-parse", "HEAD", cwd=other).stdout.strip(): "訂正B",
    }

    pushes = [
        subprocess.Popen(
            ["git", "push", "--force", "origin", "main"],
            cwd=cwd,
            env=site.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cwd in (site.work, other)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in pushes]

    assert any(code == 0 for code, _ in results), results
    head = bare_head(site)
    assert site.live.name.endswith(f"-{head[:12]}")
    page = (site.live / "maebashi/meetings/dx-committee/2023-04-18/index.html").read_text()
    assert commits[head] in page
    assert list((site.releases / "incoming").iterdir()) == []


def test_a_link_out_of_the_tree_is_refused_not_followed(push_site) -> None:
    site = push_site()
    (site.work / "content/maebashi/secrets").symlink_to("/etc")
    commit = site.commit("外部へのリンク")

    refused = site.push()

    assert refused.returncode == 1
    assert site.remote_lines(refused) == [
        f"site-builder: commit {commit[:12]} cannot be exported: "
        "'content/maebashi/secrets' is a link to an absolute path"
    ]
    assert list_releases(site.releases) == []
    assert list((site.releases / "incoming").iterdir()) == []
