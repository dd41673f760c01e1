"""sources → records: check every field against the content model.

The model's dataclasses are the schema: ``coerce`` walks a located YAML tree
against a dataclass's type hints, so a new field is one line in model.py.
Every problem of every file is collected and raised together.

Declared normalisation (docs/content-model.md): full-width Latin letters and
digits become half-width in every text (ＤＸ → DX, ４４ → 44), as the municipal
web guidelines ask. Nothing else in a clerk's text is changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import types
import typing
from functools import cache, partial
from typing import Any, Literal, TypeVar

from markdown_it import MarkdownIt

from . import wareki
from .forked import start_sharing
from .load import Source
from .model import (
    Body,
    ContentError,
    Document,
    DocumentMeta,
    FiscalYear,
    LocatedInt,
    LocatedStr,
    Location,
    Meeting,
    MeetingMeta,
    Municipality,
    Plan,
    Problem,
    Record,
    RecordRef,
    Records,
    Slug,
    Text,
    WorkingGroup,
)
from .proceedings import parse_proceedings
from .yamlio import Mapping, Node, Sequence, YamlProblems, parse_yaml, split_front_matter

T = TypeVar("T")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_FULL_WIDTH_ALNUM = str.maketrans(
    {
        chr(c): chr(c - 0xFEE0)
        for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
    }
)

KIND_NAMES = {
    "municipality": "municipality",
    "body": "body",
    "meeting": "meeting",
    "wg": "working group",
    "plan": "plan",
    "document": "document",
}


_FULL_WIDTH_RUN = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def normalise(text: str) -> str:
    """The one declared change to a clerk's text: full-width Latin letters/digits.
    Only the runs of them are translated: str.translate would look every character of
    a meeting's body up in the table (a fifth of validating), and they are few."""
    return _FULL_WIDTH_RUN.sub(lambda m: m[0].translate(_FULL_WIDTH_ALNUM), text)


def validate_sources(
    sources: list[Source], md: MarkdownIt, include_drafts: bool, workers: int = 0
) -> Records:
    """Every source validated (with workers > 0, on that many forked processes beside
    this one), then checked across files."""
    problems: list[Problem] = []
    records: dict[str, Record] = {}
    for source, (record, found) in zip(sources, validate_all(sources, md, workers), strict=True):
        problems.extend(found)
        if record is not None:
            records[source.path] = record
    return assemble_records(sources, records, problems, include_drafts)


def validate_all(
    sources: list[Source], md: MarkdownIt, workers: int
) -> list[tuple[Record | None, list[Problem]]]:
    """validate_source of each source, in their order, whatever the workers.

    The workers send their records back pickled: they are plain data classes. Pickling
    costs about a third of validating (measured on the 1,000-meeting archive: 6.0 s to
    validate, 2.1 s to pickle, 0.9 s to unpickle), which the sources taken a batch at a
    time leave to the workers (forked.start_sharing): at 10,000 meetings, on two
    processes, this process's half of every other file took 6.4 s and then it waited
    5.9 s for the worker's; shared so, validating takes 9.3 s."""
    return start_sharing(partial(validate_source, md=md), sources, workers)()


def validate_source(source: Source, md: MarkdownIt) -> tuple[Record | None, list[Problem]]:
    """One source → its record, or None and the problems that stop it."""
    problems: list[Problem] = []
    try:
        record = _validate_one(source, md, problems)
    except YamlProblems as err:
        return None, err.problems
    return (None if problems else record), problems


def assemble_records(
    sources: list[Source],
    records: dict[str, Record],
    problems: list[Problem],
    include_drafts: bool,
) -> Records:
    """Checks across files (every municipality declared) and the tables by kind."""
    problems = list(problems)
    declared = {s.municipality for s in sources if s.kind == "municipality"}
    for municipality in sorted({s.municipality for s in sources} - declared):
        path = min(s.path for s in sources if s.municipality == municipality)
        problems.append(
            Problem(
                Location(path, 1, 1),
                f"municipality '{municipality}' has no municipality.yaml; create "
                f"content/{municipality}/municipality.yaml with at least `name:`",
            )
        )
    if problems:
        raise ContentError(problems)
    found: dict[str, dict] = {k: {} for k in KIND_NAMES}
    for source in sources:
        record = records[source.path]
        if getattr(getattr(record, "meta", None), "draft", False) and not include_drafts:
            continue
        key = source.municipality if source.kind == "municipality" else record.ref
        found[source.kind][key] = record
    return Records(
        municipalities=found["municipality"],
        bodies=found["body"],
        meetings=found["meeting"],
        wgs=found["wg"],
        plans=found["plan"],
        documents=found["document"],
    )


def _validate_one(source: Source, md: MarkdownIt, problems: list[Problem]):
    start = Location(source.path, 1, 1)
    ref = RecordRef(source.kind, source.municipality, source.slug)  # type: ignore[arg-type]
    if source.slug and not all(SLUG.match(part) for part in source.slug.split("/")):
        problems.append(
            Problem(
                start,
                f"file name '{source.slug}' is not a slug: use lower-case "
                "ASCII letters, digits and '-' (e.g. 2025-11-17.md)",
            )
        )
        return None
    if source.kind in ("meeting", "document"):
        split = split_front_matter(source.text)
        if split is None:
            problems.append(
                Problem(
                    start,
                    "missing front matter: start the file with a line "
                    "'---', the YAML fields, and another '---'",
                )
            )
            return None
        yaml_text, body_text, body_line = split
        root = parse_yaml(yaml_text, source.path, first_line=2)
        body = Text(normalise(body_text), Location(source.path, body_line, 1))
        meta_type = MeetingMeta if source.kind == "meeting" else DocumentMeta
        meta = coerce(root, meta_type, problems, KIND_NAMES[source.kind])
        if meta is None:
            return None
        if source.kind == "document":
            return Document(meta, body, ref, start)
        parsed = parse_proceedings(md, body)
        problems.extend(parsed.problems)
        return Meeting(meta, source.slug.split("/")[0], parsed.preface, parsed.sections, ref, start)
    root = parse_yaml(source.text, source.path)
    record_type = {"municipality": Municipality, "body": Body, "wg": WorkingGroup, "plan": Plan}[
        source.kind
    ]
    record = coerce(root, record_type, problems, KIND_NAMES[source.kind])
    if record is None:
        return None
    return dataclasses.replace(record, ref=ref, location=start)


# --- the generic walk -------------------------------------------------------------


def coerce(node: Node, tp: Any, problems: list[Problem], what: str) -> Any:
    """Check node against type tp; return the value, or None after adding problems."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if node.value is None:
            return None
        return coerce(node, args[0], problems, what)
    if dataclasses.is_dataclass(tp) and tp is not Text:
        return _coerce_dataclass(node, tp, problems, what)
    if origin is tuple:
        if not isinstance(node.value, Sequence):
            problems.append(
                Problem(
                    node.location,
                    f"{what} must be a list, e.g. "
                    f"[{_example(typing.get_args(tp)[0])}] or one '- ' per line",
                )
            )
            return None
        inner = typing.get_args(tp)[0]
        values = [coerce(n, inner, problems, what) for n in node.value.items]
        return tuple(v for v in values if v is not None)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if node.value in allowed:
            return node.value
        problems.append(
            Problem(
                node.location,
                f"{what} must be one of {', '.join(allowed)}{_did_you_mean(node.value, allowed)}",
            )
        )
        return None
    value = node.value
    if isinstance(value, (Mapping, Sequence)):
        problems.append(
            Problem(
                node.location,
                f"{what} must be a single value, not a "
                f"{'list' if isinstance(value, Sequence) else 'map'}",
            )
        )
        return None
    try:
        return _scalar(node, tp)
    except (ValueError, TypeError) as err:
        problems.append(Problem(node.location, f"{what}: {err}"))
        return None


def _coerce_dataclass(node: Node, tp: type[T], problems: list[Problem], what: str) -> T | None:
    if not isinstance(node.value, Mapping):
        problems.append(Problem(node.location, f"{what} must be a map of fields (key: value)"))
        return None
    fields = {f.name: f for f in dataclasses.fields(tp) if not f.metadata.get("derived")}
    hints = _hints(tp)
    values: dict[str, Any] = {}
    failed: set[str] = set()
    for key, key_loc, value_node in node.value.items:
        if key not in fields:
            problems.append(
                Problem(
                    key_loc,
                    f"unknown field '{key}' in {what}"
                    f"{_did_you_mean(key, list(fields), list_all=True)}",
                )
            )
            failed.add(key)
            continue
        count = len(problems)
        value = coerce(value_node, hints[key], problems, key)
        if len(problems) != count:
            failed.add(key)
        values[key] = value
    for name, f in fields.items():
        if f.metadata.get("required") and values.get(name) is None and name not in failed:
            problems.append(
                Problem(
                    node.location,
                    f"{what} is missing the required field '{name}' ({f.metadata['doc']})",
                )
            )
            failed.add(name)
    if failed:
        return None
    return tp(**{k: v for k, v in values.items() if v is not None})


def _scalar(node: Node, tp: Any) -> Any:
    value = node.value
    if tp is Text:
        if not isinstance(value, (str, int)):
            raise ValueError("must be text")
        location = node.location
        if node.block_scalar:  # the text of `key: |` starts on the next line
            location = Location(location.path, location.line + 1, location.column)
        return Text(normalise(str(value)), location)
    if tp is str:
        if isinstance(value, bool):
            raise ValueError(
                f"{str(value).lower()} is read as yes/no; put it in quotes if you mean the word"
            )
        if not isinstance(value, (str, int)):
            raise ValueError("must be text")
        return normalise(str(value))
    if tp is Slug:
        if not isinstance(value, str) or not SLUG.match(value):
            raise ValueError(f"'{value}' is not a slug (lower-case ASCII letters, digits, '-')")
        return LocatedStr.at(value, node.location)
    if tp is bool:
        if not isinstance(value, bool):
            raise ValueError(f"'{value}' must be true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"'{value}' must be a whole number written with digits 0-9")
        return LocatedInt.at(value, node.location)
    if tp is FiscalYear:
        if isinstance(value, bool) or value is None:
            raise ValueError("must be a fiscal year such as 2025 or 令和7年度")
        return FiscalYear(wareki.parse_fiscal_year(value))
    if tp is dt.date:
        return wareki.parse_date(str(value))
    if tp is dt.time:
        if isinstance(value, int):  # 1356 or similar
            raise ValueError(f'{value} is not a time; write it as "13:56"')
        return wareki.parse_time(str(value))
    raise TypeError(f"unsupported field type {tp!r}")  # a bug in model.py, not in content


@cache
def _hints(tp: type) -> dict[str, Any]:
    return typing.get_type_hints(tp)


def _did_you_mean(word: object, choices: typing.Iterable[str], list_all: bool = False) -> str:
    choices = list(choices)
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; known fields: {', '.join(choices)}" if list_all else ""


def _example(tp: Any) -> str:
    return "dx-plan" if tp is Slug else "…"
