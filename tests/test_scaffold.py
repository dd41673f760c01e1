"""`site-builder new`: the next number, today's date, a record the build accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.__main__ import main
from site_builder.build import build, check
from site_builder.config import load_config
from site_builder.model import ContentError
from site_builder.scaffold import scaffold, today

PLAN = """title: 計画
pillars:
  # 柱の説明（コメントは残る）
  - number: 改革の柱①
    title: 組織力の強化
    items:
      - number: 2
        title: ペーパーレス化
        description: |
          説明の一行目。

          説明の二行目。
    children:
      - title: 子
        items:
          - number: 38
            title: 市公式デジタルツール
  - number: 改革の柱②
    title: DXの推進
    items:
      - number: 44
        title: デジタルアーカイブ
        related:
          - item: 2
"""

SITE = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 市DX推進委員会\nplans: [p]\n",
    "content/a/plans/p.yaml": PLAN,
    "content/a/wgs/first.yaml": "number: 3\nname: 一つ目WG\n",
    "content/a/meetings/b/2025-05-12.md": "---\ntitle: 第1回\nordinal: 1\ndate: 2025-05-12\n---\n",
    "content/a/meetings/b/2025-08-04.md": "---\ntitle: 第2回\nordinal: 2\ndate: 2025-08-04\n---\n",
    "content/a/meetings/b/2025-03-10.md": "---\ntitle: 前年度\nordinal: 9\ndate: 2025-03-10\n---\n",
}


@pytest.fixture
def root(make_site) -> Path:
    return make_site(SITE)


def test_a_meeting_gets_the_next_ordinal_of_its_fiscal_year(root: Path) -> None:
    made = scaffold(load_config(root), "meeting", "a/b", dt.date(2025, 11, 17))
    assert made.path == root / "content/a/meetings/b/2025-11-17.md"
    text = made.path.read_text(encoding="utf-8")
    assert text.startswith(
        '---\ntitle: "令和7年度第3回市DX推進委員会"\nordinal: 3\ndate: 2025-11-17\n'
    )
    assert "status: scheduled" not in text  # a past date: held
    meeting = check(load_config(root)).records.meetings
    assert {m.meta.ordinal for m in meeting.values()} == {1, 2, 3, 9}
    # the same day again: a second file, the next ordinal; a new fiscal year starts at 1
    second = scaffold(load_config(root), "meeting", "a/b", dt.date(2025, 11, 17))
    assert second.path.name == "2025-11-17-2.md"
    assert "ordinal: 4" in second.path.read_text(encoding="utf-8")
    april = scaffold(load_config(root), "meeting", "a/b", dt.date(2026, 4, 20))
    assert 'title: "令和8年度第1回市DX推進委員会"' in april.path.read_text(encoding="utf-8")


def test_a_future_meeting_is_scheduled_and_today_is_the_default(root: Path) -> None:
    before = today()
    made = scaffold(load_config(root), "meeting", "a/b")
    assert made.path.stem in {before.isoformat(), today().isoformat()}
    future = scaffold(load_config(root), "meeting", "a/b", today() + dt.timedelta(days=7))
    assert "status: scheduled" in future.path.read_text(encoding="utf-8")
    build(load_config(root))
    upcoming = (root / "output/upcoming/index.html").read_text(encoding="utf-8")
    assert f'href="/a/meetings/b/{future.path.stem}/"' in upcoming


def test_a_wg_gets_the_next_number_and_this_years_sheet(root: Path) -> None:
    made = scaffold(load_config(root), "wg", "a/second", dt.date(2025, 11, 17), "二つ目WG")
    assert made.path.read_text(encoding="utf-8").startswith(
        'number: 4\nname: "二つ目WG"\n# body: 報告先の会議体のslug\n'
    )
    wg = check(load_config(root)).records.wgs
    second = next(w for w in wg.values() if w.ref.slug == "second")
    assert [s.fiscal_year for s in second.sheets] == [2025]


def test_a_plan_item_is_inserted_with_the_next_number_keeping_the_file(root: Path) -> None:
    path = root / "content/a/plans/p.yaml"
    made = scaffold(load_config(root), "plan-item", "a/p", dt.date(2025, 11, 17), "新しい項目")
    assert made.summary == "項番45 新しい項目"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(PLAN)  # appended after 44, the last item of the last pillar
    assert text[len(PLAN) :].startswith('      - number: 45\n        title: "新しい項目"\n')
    made = scaffold(load_config(root), "plan-item", "a/p", dt.date(2025, 11, 17), "柱①へ", after=2)
    text = path.read_text(encoding="utf-8")
    assert "説明の二行目。\n      - number: 46\n" in text  # after item 2's block scalar
    assert made.line == text.split("\n").index("      - number: 46") + 1
    assert "# 柱の説明（コメントは残る）" in text
    plan = next(iter(check(load_config(root)).records.plans.values()))
    assert [i.number for i in plan.pillars[0].items] == [2, 46]
    assert [i.number for i in plan.pillars[1].items] == [44, 45]


def problem(root: Path, *args: object) -> str:
    with pytest.raises(ContentError) as err:
        scaffold(load_config(root), *args)  # type: ignore[arg-type]
    return "\n".join(map(str, err.value.problems))


def test_mistakes_are_explained(root: Path) -> None:
    day = dt.date(2025, 11, 17)
    assert problem(root, "meeting", "a/nope", day) == (
        "content/a/bodies/nope.yaml:1:1: no body 'nope' (known: b)"
    )
    assert problem(root, "meeting", "x/b", day) == (
        "content/x:1:1: unknown municipality 'x' (known: a)"
    )
    assert problem(root, "meeting", "b", day) == (
        "content/b:1:1: 'b' must be <municipality>/<slug>, e.g. maebashi/dx-committee"
    )
    assert problem(root, "wg", "a/first", day, "x") == (
        "content/a/wgs/first.yaml:1:1: this WG exists already; pick another slug"
    )
    assert problem(root, "plan-item", "a/p", day, "t", 99) == (
        "content/a/plans/p.yaml:1:1: --after 99: the plan has no 項番99"
    )
    assert problem(root, "plan-item", "a/p", day, None) == (
        "content/a/plans/p.yaml:1:1: give the item's title: --title 件名"
    )


def test_the_command_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--root", str(root), "new", "meeting", "a/b", "--date", "令和7年11月17日"]
    assert main(args) == 0
    assert capsys.readouterr().out == (
        "content/a/meetings/b/2025-11-17.md:1: new meeting: "
        "令和7年度第3回市DX推進委員会（令和7年11月17日（月））\n"
    )
    assert main(["--root", str(root), "new", "plan-item", "a/p", "--title", "項目"]) == 0
    assert "new plan-item: 項番45 項目" in capsys.readouterr().out
    assert main(["--root", str(root), "new", "meeting", "a/b", "--date", "11月17日"]) == 2
    assert main(["--root", str(root), "new", "wg", "a/w"]) == 1
    assert "give the WG's name" in capsys.readouterr().err
