"""`site-builder new meeting|wg|plan-item …`: start a record the way the build expects it.

A clerk starting a record should not have to remember the next 回数 of this fiscal
year, the next WG number or the next 項番. The scaffold finds them in the existing
records, fills in today's date (the one place where the clock is read), and writes
only what is true: the other fields are left as YAML comments that show their
shape, so nothing invented is ever published. The result is checked with the same
validator as the build before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import wareki
from .config import Config
from .load import decode
from .model import (
    Body,
    ContentError,
    Location,
    MeetingMeta,
    Plan,
    Problem,
    WorkingGroup,
)
from .validate import SLUG, coerce
from .yamlio import Mapping, Node, Sequence, YamlProblems, parse_yaml, split_front_matter

KINDS = ("meeting", "wg", "plan-item")


@dataclass(frozen=True)
class Scaffolded:
    path: Path  # the file written
    line: int  # where the new record starts in it
    summary: str  # what was made, for the clerk


def today() -> dt.date:
    """The only clock in site_builder: a new record is dated today."""
    return dt.date.today()


def scaffold(
    config: Config,
    kind: str,
    target: str,
    day: dt.date | None = None,
    title: str | None = None,
    after: int | None = None,
) -> Scaffolded:
    """Make a new record of kind at target ('<municipality>/<body|wg|plan>')."""
    day = day or today()
    municipality, _, slug = target.partition("/")
    where = Location(f"{config.content_dir}/{municipality}", 1, 1)
    if not slug or "/" in slug or not SLUG.match(municipality) or not SLUG.match(slug):
        raise ContentError(
            [
                Problem(
                    where, f"'{target}' must be <municipality>/<slug>, e.g. maebashi/dx-committee"
                )
            ]
        )
    folder = config.content_path / municipality
    if not (folder / "municipality.yaml").is_file():
        known = sorted(p.parent.name for p in config.content_path.glob("*/municipality.yaml"))
        raise ContentError(
            [Problem(where, f"unknown municipality '{municipality}' (known: {', '.join(known)})")]
        )
    if kind == "meeting":
        return new_meeting(config, folder, slug, day, title)
    if kind == "wg":
        return new_wg(config, folder, slug, day, title)
    return new_plan_item(config, folder, slug, day, title, after)


# --- meeting ------------------------------------------------------------------------------


def new_meeting(
    config: Config, folder: Path, body_slug: str, day: dt.date, title: str | None
) -> Scaffolded:
    body_file = folder / "bodies" / f"{body_slug}.yaml"
    body = _read(config, body_file, Body, "body", _known(folder / "bodies", "*.yaml"))
    fiscal_year = wareki.fiscal_year_of(day)
    meetings = folder / "meetings" / body_slug
    ordinals = [
        meta.get("ordinal")
        for meta in _front_matters(meetings.glob("*.md"))
        if _fiscal_year(meta) == fiscal_year and isinstance(meta.get("ordinal"), int)
    ]
    ordinal = max(ordinals, default=0) + 1
    name = title or f"{wareki.fiscal_year_label(fiscal_year)}第{ordinal}回{body.name}"
    stem = day.isoformat()
    n = 1
    while (meetings / f"{stem}.md").exists():
        n += 1
        stem = f"{day.isoformat()}-{n}"
    lines = [
        "---",
        f"title: {_quote(name)}",
        f"ordinal: {ordinal}",
        f"date: {day.isoformat()}",
        *(["status: scheduled  # 開催したら held に直す"] if day > today() else []),
        '# start_time: "13:30"',
        '# end_time: "15:00"',
        "# place: 会議室",
        "# agenda:",
        "#   - id: agenda-1",
        '#     number: "1"',
        "#     title: 議題の件名",
        "---",
        "",
    ]
    text = "\n".join(lines)
    path = meetings / f"{stem}.md"
    split = split_front_matter(text)
    assert split is not None
    _check(config, path, split[0], MeetingMeta, "meeting", first_line=2)
    _write_new(path, text)
    return Scaffolded(path, 1, f"{name}（{wareki.wareki(day)}）")


def _front_matters(paths: Iterable[Path]) -> Iterable[dict]:
    """The front matter of each meeting as plain values; unreadable files are skipped
    (the build reports them)."""
    for path in sorted(paths):
        text, problem = decode(path.read_bytes(), path.name)
        split = split_front_matter(text) if problem is None else None
        if split is None:
            continue
        try:
            yield plain(parse_yaml(split[0], path.name, first_line=2))
        except YamlProblems:
            continue


def _fiscal_year(meta: dict) -> int | None:
    try:
        if meta.get("fiscal_year") is not None:
            return wareki.parse_fiscal_year(meta["fiscal_year"])
        return wareki.fiscal_year_of(wareki.parse_date(str(meta.get("date"))))
    except ValueError:
        return None


# --- working group ------------------------------------------------------------------------


def new_wg(config: Config, folder: Path, slug: str, day: dt.date, name: str | None) -> Scaffolded:
    path = folder / "wgs" / f"{slug}.yaml"
    if path.exists():
        raise ContentError(
            [
                Problem(
                    Location(_rel(config, path), 1, 1), "this WG exists already; pick another slug"
                )
            ]
        )
    if not name:
        raise ContentError(
            [Problem(Location(_rel(config, path), 1, 1), "give the WG's name: --title 〇〇WG")]
        )
    numbers = [
        v["number"]
        for p in sorted((folder / "wgs").glob("*.yaml"))
        if isinstance(v := _plain_file(p), dict) and isinstance(v.get("number"), int)
    ]
    number = max(numbers, default=0) + 1
    fiscal_year = wareki.fiscal_year_label(wareki.fiscal_year_of(day))
    text = "\n".join(
        [
            f"number: {number}",
            f"name: {_quote(name)}",
            "# body: 報告先の会議体のslug",
            "# vision: 目指す未来",
            "# departments: [参加所属]",
            "sheets:",
            f"  - fiscal_year: {fiscal_year}",
            "    # future: ①実現したい未来",
            "    # background: ②背景・現状",
            "    # issues: ③課題",
            "    # causes: ④原因",
            "    # solution: ⑤解決策",
            "    # effects: ⑥得られる効果",
            "    # activities: ⑦その年度の取り組み",
            "    # next_steps: ⑧今後の展開（スケジュール）",
            "",
        ]
    )
    _check(config, path, text, WorkingGroup, "working group")
    _write_new(path, text)
    return Scaffolded(path, 1, f"WG {number} {name}（{fiscal_year}のシート）")


# --- plan item ----------------------------------------------------------------------------


def new_plan_item(
    config: Config,
    folder: Path,
    plan_slug: str,
    day: dt.date,
    title: str | None,
    after: int | None,
) -> Scaffolded:
    """Add 項番<next> to the plan file, at the end of the items of the pillar that holds
    the highest number (or item `after`): text is inserted, so comments stay."""
    path = folder / "plans" / f"{plan_slug}.yaml"
    rel = _rel(config, path)
    plan = _read(config, path, Plan, "plan", _known(folder / "plans", "*.yaml"))
    if not title:
        raise ContentError([Problem(Location(rel, 1, 1), "give the item's title: --title 件名")])
    items = plan.items
    if not items:
        raise ContentError(
            [
                Problem(
                    Location(rel, 1, 1),
                    "the plan has no item yet: write the first one under a pillar's `items:` "
                    "by hand (see docs/content-format.md)",
                )
            ]
        )
    anchor_number = after if after is not None else max(i.number for i in items)
    if anchor_number not in {i.number for i in items}:
        raise ContentError(
            [Problem(Location(rel, 1, 1), f"--after {after}: the plan has no 項番{after}")]
        )
    number = max(i.number for i in items) + 1
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    sequence = _items_sequence(parse_yaml(text, rel), anchor_number)
    assert sequence is not None  # the item was found by the validator above
    last = sequence.items[-1].location
    dash = last.column - 3  # 0-based column of the '-' of `- number: …`
    end = last.line  # 1-based: the last line that belongs to the last item
    for index in range(last.line, len(lines)):  # the lines after the item's first
        line = lines[index]
        if not line.strip():
            continue
        if len(line) - len(line.lstrip(" ")) <= dash:  # a sibling, or the parent's next key
            break
        end = index + 1
    pad = " " * dash
    fiscal_year = wareki.fiscal_year_label(wareki.fiscal_year_of(day) + 1)
    new = [
        f"{pad}- number: {number}",
        f"{pad}  title: {_quote(title)}",
        f"{pad}  # description: 取組内容",
        f"{pad}  # criterion: 達成基準",
        f"{pad}  # department: 所管課",
        f"{pad}  # schedule:",
        f"{pad}  #   - fiscal_year: {fiscal_year}",
        f"{pad}  #     plan: 検討",
    ]
    updated = "\n".join([*lines[:end], *new, *lines[end:]])
    checked = _check(config, path, updated, Plan, "plan")
    if number not in {i.number for i in checked.items}:  # pragma: no cover - a bug here
        raise AssertionError(f"項番{number} was not inserted into {rel}")
    path.write_text(updated, encoding="utf-8")
    return Scaffolded(path, end + 1, f"項番{number} {title}")


def _items_sequence(root: Node, number: int) -> Sequence | None:
    """The `items:` list, anywhere in the plan, that holds the item with this number."""
    value = root.value
    if isinstance(value, Mapping):
        for key, _, node in value.items:
            if key == "items" and isinstance(node.value, Sequence):
                for item in node.value.items:
                    if isinstance(item.value, Mapping) and any(
                        k == "number" and n.value == number for k, _, n in item.value.items
                    ):
                        return node.value
            found = _items_sequence(node, number)
            if found:
                return found
    elif isinstance(value, Sequence):
        for node in value.items:
            found = _items_sequence(node, number)
            if found:
                return found
    return None


# --- shared -------------------------------------------------------------------------------


def plain(node: Node) -> object:
    """A located YAML tree as plain Python values (for JSON Schema and look-ups)."""
    value = node.value
    if isinstance(value, Mapping):
        return {key: plain(n) for key, _, n in value.items}
    if isinstance(value, Sequence):
        return [plain(n) for n in value.items]
    return value


def _plain_file(path: Path) -> object:
    text, problem = decode(path.read_bytes(), path.name)
    if problem:
        return None
    try:
        return plain(parse_yaml(text, path.name))
    except YamlProblems:
        return None


def _read(config: Config, path: Path, tp: type, what: str, known: list[str]):
    rel = _rel(config, path)
    if not path.is_file():
        raise ContentError(
            [Problem(Location(rel, 1, 1), f"no {what} '{path.stem}' (known: {', '.join(known)})")]
        )
    text, problem = decode(path.read_bytes(), rel)
    if problem:
        raise ContentError([problem])
    return _check(config, path, text, tp, what)


def _check(config: Config, path: Path, text: str, tp: type, what: str, first_line: int = 1):
    """Validate text as the build would; the record, or ContentError."""
    rel = _rel(config, path)
    problems: list[Problem] = []
    try:
        record = coerce(parse_yaml(text, rel, first_line=first_line), tp, problems, what)
    except YamlProblems as err:
        raise ContentError(err.problems) from None
    if problems or record is None:
        raise ContentError(problems)
    return record


def _known(folder: Path, pattern: str) -> list[str]:
    return sorted(p.stem for p in folder.glob(pattern)) or ["none yet"]


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _rel(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as f:
        f.write(text)
