"""The content model as JSON Schema: committed copies, editor settings, agreement with
the validator on the example content and on mistakes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from site_builder.load import decode
from site_builder.scaffold import plain
from site_builder.schema import CONTENT_KINDS, content_schemas, dump, schema_file_name
from site_builder.yamlio import parse_yaml, split_front_matter

REPO = Path(__file__).resolve().parent.parent


def test_committed_schemas_equal_the_generated_ones() -> None:
    generated = {schema_file_name(kind): dump(s) for kind, s in content_schemas().items()}
    committed = {p.name: p.read_bytes() for p in sorted((REPO / "schemas").glob("*.json"))}
    assert committed.keys() == generated.keys()
    for name, data in generated.items():
        assert committed[name] == data, (
            f"schemas/{name} is out of date: run `.venv/bin/python -m site_builder.schema schemas`"
        )


def test_vscode_maps_every_yaml_schema_to_its_files() -> None:
    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapped = settings["yaml.schemas"]
    for kind, (_, glob, _) in CONTENT_KINDS.items():
        if glob.endswith(".yaml"):
            assert mapped[f"./schemas/{schema_file_name(kind)}"] == [glob]
            assert list(REPO.glob(glob)), f"{glob} matches no file of the example"
    for path in mapped:
        assert (REPO / path).is_file()


def test_every_field_of_the_model_is_described() -> None:
    for kind, (tp, _, _) in CONTENT_KINDS.items():
        schema = content_schemas()[kind]
        fields = [f.name for f in dataclasses.fields(tp) if not f.metadata.get("derived")]
        assert list(schema["properties"]) == fields
        assert schema["additionalProperties"] is False
        assert all(p["description"] for p in schema["properties"].values())
        required = [f.name for f in dataclasses.fields(tp) if f.metadata.get("required")]
        assert schema.get("required", []) == required


def yaml_of(path: Path) -> object:
    """A content file as the validator reads it (front matter for Markdown files)."""
    text, problem = decode(path.read_bytes(), path.name)
    assert problem is None
    if path.suffix == ".md":
        split = split_front_matter(text)
        assert split is not None
        return plain(parse_yaml(split[0], path.name, first_line=2))
    return plain(parse_yaml(text, path.name))


@pytest.mark.parametrize("kind", list(CONTENT_KINDS))
def test_the_example_content_is_valid(kind: str) -> None:
    _, glob, _ = CONTENT_KINDS[kind]
    validator = jsonschema.Draft7Validator(content_schemas()[kind])
    files = sorted(REPO.glob(glob))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(yaml_of(path))]
        assert errors == [], path


def errors(kind: str, data: object) -> list[str]:
    validator = jsonschema.Draft7Validator(content_schemas()[kind])
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.validator}" for e in validator.iter_errors(data)
    )


def test_mistakes_a_clerk_makes_are_flagged() -> None:
    meeting = {"title": "第1回", "date": "2025-11-17"}
    assert errors("meeting", meeting) == []
    assert errors("meeting", {**meeting, "date": "令和7年11月17日（月）"}) == []
    assert errors("meeting", {**meeting, "date": "11月17日"}) == ["date: pattern"]
    assert errors("meeting", {**meeting, "titel": "x"}) == [": additionalProperties"]
    assert errors("meeting", {"date": "2025-11-17"}) == [": required"]
    assert errors("meeting", {**meeting, "status": "done"}) == ["status: enum"]
    assert errors("meeting", {**meeting, "start_time": "1356"}) == ["start_time: pattern"]
    assert errors("meeting", {**meeting, "fiscal_year": "令和7年度"}) == []
    assert errors("meeting", {**meeting, "attendees": "小暮委員"}) == ["attendees: type"]
    assert errors("meeting", {**meeting, "attendees": [{"role": "委員長"}]}) == [
        "attendees/0: required"
    ]
    assert errors("body", {"name": "会議", "plans": ["DX Plan"]}) == ["plans/0: pattern"]
    # what the validator accepts, the schema accepts: a number where text is expected
    assert errors("body", {"name": "会議", "contact": {"extension": 374}}) == []
    # an optional field may be left empty
    assert errors("body", {"name": "会議", "short_name": None, "parent": None}) == []


def test_nested_and_recursive_types_are_definitions() -> None:
    plan = content_schemas()["plan"]
    assert plan["properties"]["pillars"]["items"] == {"$ref": "#/definitions/Pillar"}
    pillar = plan["definitions"]["Pillar"]
    assert pillar["properties"]["children"]["items"] == {"$ref": "#/definitions/Pillar"}
    item = {"number": 44, "title": "デジタルアーカイブ", "related": [{"item": 38}]}
    data = {
        "title": "計画",
        "pillars": [{"title": "柱", "children": [{"title": "子", "items": [item]}]}],
    }
    assert errors("plan", data) == []
    item["related"] = [{"item": "38"}]
    assert errors("plan", data) == ["pillars/0/children/0/items/0/related/0/item: type"]
