"""The content model as JSON Schema, generated from model.py's dataclasses.

Clerks write YAML; an editor that knows the schema (VS Code's YAML extension maps
``yaml.schemas`` in .vscode/settings.json to the copies in schemas/) completes field
names, shows each field's ``doc`` and flags a misspelt key or a malformed date while
the clerk types — before the build would. The schema says what validate.py accepts,
no more and no less, so both read the same type hints: a new field in model.py is a
new property here after ``python -m site_builder.schema schemas/``, and a test fails
until the committed copies are regenerated.

Draft-07, because that is the draft every YAML editor integration supports fully.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

from .model import (
    Body,
    DocumentMeta,
    FiscalYear,
    MeetingMeta,
    Municipality,
    Plan,
    Slug,
    Text,
    WorkingGroup,
)

DRAFT = "http://json-schema.org/draft-07/schema#"
ERAS = "(令和|平成|昭和|大正)"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
DATE_PATTERN = (
    rf"^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|{ERAS}(元|[0-9]{{1,2}})年[0-9]{{1,2}}月[0-9]{{1,2}}日"
    r"([（(][月火水木金土日](曜日?)?[）)])?)$"
)
TIME_PATTERN = r"^[0-9]{1,2}:[0-9]{2}$"
FISCAL_YEAR_PATTERN = rf"^([0-9]{{4}}|{ERAS}(元|[0-9]{{1,2}})年度)$"

# file name in schemas/ → (the dataclass a file holds, where such files live, title)
CONTENT_KINDS: dict[str, tuple[type, str, str]] = {
    "municipality": (Municipality, "content/*/municipality.yaml", "自治体 (municipality.yaml)"),
    "body": (Body, "content/*/bodies/*.yaml", "会議体 (bodies/<slug>.yaml)"),
    "meeting": (
        MeetingMeta,
        "content/*/meetings/*/*.md",
        "会議のフロントマター (meetings/<body>/<slug>.md)",
    ),
    "wg": (WorkingGroup, "content/*/wgs/*.yaml", "ワーキンググループ (wgs/<slug>.yaml)"),
    "plan": (Plan, "content/*/plans/*.yaml", "計画と項番 (plans/<slug>.yaml)"),
    "document": (
        DocumentMeta,
        "content/*/documents/*.md",
        "資料のフロントマター (documents/<slug>.md)",
    ),
}


def content_schemas() -> dict[str, dict[str, Any]]:
    """kind → JSON Schema of the file a clerk writes for that kind of record."""
    return {kind: schema_for(tp, title) for kind, (tp, _, title) in CONTENT_KINDS.items()}


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def schema_for(root: type, title: str) -> dict[str, Any]:
    """The schema of one dataclass: its object inline, nested dataclasses as definitions."""
    definitions: dict[str, Any] = {}
    body = _object(root, definitions)
    schema: dict[str, Any] = {"$schema": DRAFT, "title": title, **body}
    if definitions:
        schema["definitions"] = dict(sorted(definitions.items()))
    return schema


def dump(schema: dict[str, Any]) -> bytes:
    """The bytes of a schema file: stable key order, UTF-8, readable Japanese."""
    return (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_schemas(folder: Path) -> list[Path]:
    """(Re)write the committed copies that editors read."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in content_schemas().items():
        path = folder / schema_file_name(kind)
        path.write_bytes(dump(schema))
        written.append(path)
    return written


def _object(tp: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(tp)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(tp):
        if f.metadata.get("derived"):
            continue
        prop = _type(hints[f.name], definitions)
        if "doc" in f.metadata:
            prop = {"description": f.metadata["doc"], **prop}
        default = f.default
        if default is not dataclasses.MISSING and default is not None:
            prop["default"] = list(default) if isinstance(default, tuple) else default
        if f.metadata.get("required"):
            required.append(f.name)
        properties[f.name] = prop
    out: dict[str, Any] = {"type": "object"}
    if tp.__doc__ and not tp.__doc__.startswith(f"{tp.__name__}("):
        out["description"] = " ".join(tp.__doc__.split())
    out["properties"] = properties
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _type(tp: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    """The schema of one type hint, mirroring validate.coerce and validate._scalar."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _nullable(_type(args[0], definitions))
    if tp is Text:
        return {"type": ["string", "integer"]}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in definitions:
            definitions[name] = {}  # placeholder: a dataclass may contain itself
            definitions[name] = _object(tp, definitions)
        return {"$ref": f"#/definitions/{name}"}
    if origin is tuple:
        return {"type": "array", "items": _type(typing.get_args(tp)[0], definitions)}
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if tp is Slug:
        return {"type": "string", "pattern": SLUG_PATTERN}
    if tp is FiscalYear:
        return {
            "anyOf": [
                {"type": "integer", "minimum": 1900, "maximum": 2200},
                {"type": "string", "pattern": FISCAL_YEAR_PATTERN},
            ]
        }
    if tp is dt.date:
        return {"type": "string", "pattern": DATE_PATTERN}
    if tp is dt.time:
        return {"type": "string", "pattern": TIME_PATTERN}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:  # validate accepts a number where text is expected (extension: 374)
        return {"type": ["string", "integer"]}
    raise TypeError(f"no JSON Schema for {tp!r}: add it to schema._type")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional field may be left empty (`key:` is null in YAML)."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    if "type" in schema:  # a pattern or a bound applies to its own type only
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*kinds, "null"]}
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    for path in write_schemas(target):
        print(path.as_posix())
