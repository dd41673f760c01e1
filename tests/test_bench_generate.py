"""bench/generate.py: a synthetic archive that is deterministic and that our build accepts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.__main__ import main
from site_builder.build import check
from site_builder.config import load_config

REPO = Path(__file__).resolve().parent.parent
GENERATE = REPO / "bench" / "generate.py"


def generate(out: Path, meetings: int = 20, seed: int = 1) -> None:
    cmd = [sys.executable, str(GENERATE), "--meetings", str(meetings), "--out", str(out)]
    result = subprocess.run(
        [*cmd, "--seed", str(seed)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes and every symlink's target, by path relative to root."""
    tree: dict[str, bytes] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                tree[rel] = b"-> " + os.readlink(path).encode()
            elif path.is_file():
                tree[rel] = path.read_bytes()
        dirs[:] = [d for d in dirs if not Path(folder, d).is_symlink()]
    return tree


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "archive"
    generate(out)
    return out


def test_same_arguments_give_a_byte_identical_tree(archive: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again)
    first, second = snapshot(archive), snapshot(again)
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    meetings = [p for p in first if "/meetings/" in p and p.endswith(".md")]
    assert len(meetings) == 20
    assert first["themes"] == b"-> " + str(REPO / "themes").encode()


def test_another_seed_gives_other_records(archive: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, seed=2)
    first, second = snapshot(archive), snapshot(other)
    assert first["config.yaml"] == second["config.yaml"]
    assert meeting_texts(first) != meeting_texts(second)


def meeting_texts(tree: dict[str, bytes]) -> list[bytes]:
    return [text for path, text in sorted(tree.items()) if "/meetings/" in path]


def test_the_archive_passes_site_builder_check(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(archive), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_the_archive_is_shaped_like_the_example_site(archive: Path) -> None:
    site = check(load_config(archive))
    records = site.records
    assert len(records.municipalities) == 3  # at least three, and N / 400 for large N
    assert len(records.meetings) == 20
    for meeting in records.meetings.values():
        assert 30 <= len(meeting.statements) <= 60, meeting.ref
        sides = {s.side for s in meeting.statements}
        assert "secretariat" in sides
        agenda_ids = {a.id for a in meeting.meta.agenda}
        assert agenda_ids <= {s.agenda for s in meeting.sections}, meeting.ref
        assert {c.agenda for c in meeting.meta.conclusions} == agenda_ids
    assert any(s.reply_to for m in records.meetings.values() for s in m.statements)
    for plan in records.plans.values():
        assert len(plan.items) == 60
        assert [i.number for i in plan.items] == list(range(1, 61))
    for body in records.bodies.values():
        assert body.plans == ("dx-plan",)
        assert body.memberships
    assert all(wg.sheets for wg in records.wgs.values())
    assert len(records.wgs) >= 30  # 10 to 14 WGs in each municipality
    cited = {ref.kind for ref, mentions in site.mentions.items() if mentions}
    assert {"item", "wg"} <= cited
    statements = sum(len(m.statements) for m in records.meetings.values())
    item_mentions = sum(
        len(mentions) for ref, mentions in site.mentions.items() if ref.kind == "item"
    )
    assert statements / 6 < item_mentions < statements  # about a third cite 項番NN


def test_meetings_grow_with_municipalities(tmp_path: Path) -> None:
    out = tmp_path / "wide"
    generate(out, meetings=5)
    result = subprocess.run(
        [
            sys.executable,
            str(GENERATE),
            "--meetings",
            "9",
            "--per-municipality",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    towns = [p for p in (out / "content").iterdir() if p.is_dir()]
    assert len(towns) == 5  # 9 meetings, 2 a municipality: replaced, not added to
    meetings = list((out / "content").glob("*/meetings/*/*.md"))
    assert len(meetings) == 9


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATE), "--meetings", "0", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--meetings and --per-municipality must be at least 1" in result.stderr
    assert not (tmp_path / "x").exists()


def test_it_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(GENERATE), "--meetings", "3", "--out", str(mine)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"refusing to replace {mine}: it is not an archive of generate.py" in result.stderr
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"
