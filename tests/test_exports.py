"""Data exports: every record as JSON, collections as JSON and CSV, all valid against
the published JSON Schema; statements filterable by what they cite."""

from __future__ import annotations

import csv
import io
import json
import re
from operator import itemgetter
from pathlib import Path

import jsonschema
import pytest

from site_builder import exports
from site_builder.build import build
from site_builder.config import load_config
from site_builder.exports import Collection, collection_files, dump_json, record_schemas

COLLECTIONS = (
    "municipalities",
    "bodies",
    "meetings",
    "statements",
    "wgs",
    "plans",
    "items",
    "documents",
)
ITEM_44 = "item:musashimurayama/dx-plan/44"


def load(output: Path, path: str) -> dict:
    return json.loads((output / path).read_text(encoding="utf-8"))


def schema_for(output: Path, document: dict) -> dict:
    """The schema a JSON file names in "$schema", read from the built site."""
    url = document["$schema"]
    path = re.sub(r"^http://127\.0\.0\.1:8000/", "", url)
    assert path != url, url
    return load(output, path)


@pytest.fixture(scope="module")
def output(example_site: Path) -> Path:
    return example_site / "output"


@pytest.mark.parametrize("name", COLLECTIONS)
def test_every_collection_is_valid_against_its_schema(output: Path, name: str) -> None:
    document = load(output, f"data/{name}.json")
    schema = schema_for(output, document)
    jsonschema.Draft7Validator.check_schema(schema)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
    assert errors == []
    assert document[name], f"the example has no {name}"


def test_every_record_has_a_json_beside_its_page_valid_against_its_schema(output: Path) -> None:
    checked = 0
    for page in sorted(output.rglob("index.html")):
        record = page.parent.with_suffix(".json")
        if not record.is_file():
            continue
        document = json.loads(record.read_text(encoding="utf-8"))
        schema = schema_for(output, document)
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
        assert errors == [], record
        url = "http://127.0.0.1:8000/" + page.parent.relative_to(output).as_posix() + "/"
        assert document["url"] == url
        checked += 1
    ids = {
        r["id"]
        for name in COLLECTIONS
        if name != "statements"
        for r in load(output, f"data/{name}.json")[name]
    }
    assert checked == len(ids)


def test_a_meeting_file_holds_its_proceedings_in_order(output: Path) -> None:
    meeting = load(output, "musashimurayama/meetings/gyokaku/2025-11-17.json")
    assert meeting["id"] == "meeting:musashimurayama/gyokaku/2025-11-17"
    assert meeting["start_date"] == "2025-11-17T13:56:00+09:00"
    assert meeting["end_date"] == "2025-11-17T15:04:00+09:00"
    assert meeting["location"] == {"name": "301会議室"}
    assert meeting["status"] == "passed"
    assert {"name": "山口委員", "role": "副委員長", "participation": "absentee"} in meeting[
        "participants"
    ]
    speeches = [p for s in meeting["sections"] for p in s["parts"] if p["type"] == "speech"]
    assert [s["position"] for s in speeches] == list(range(1, meeting["statement_count"] + 1))
    statements = load(output, "data/statements.json")["statements"]
    assert speeches == [s for s in statements if s["event_id"] == meeting["id"]]
    page = (output / "musashimurayama/meetings/gyokaku/2025-11-17/index.html").read_text()
    for speech in speeches:  # each statement's anchor exists on the page
        assert f'id="{speech["url"].split("#")[1]}"' in page


def test_every_statement_about_an_item_is_one_filter_away(output: Path) -> None:
    statements = load(output, "data/statements.json")["statements"]
    about = [s for s in statements if ITEM_44 in s["cites"]]
    assert about
    for s in about:
        assert re.search(r"項番\s*44|\[\[item:44", s["text"]), s["text"]
        assert s["agenda_item"] == "agenda-1"
        assert s["side"] in ("member", "secretariat")
    item = next(i for i in load(output, "data/items.json")["items"] if i["id"] == ITEM_44)
    mentioned = {m["statement"] for m in item["mentions"] if m["statement"]}
    assert mentioned == {s["id"] for s in about}
    # the same filter in a spreadsheet: the cites column of the CSV
    rows = list(csv.DictReader(io.StringIO((output / "data/statements-nobom.csv").read_text())))
    assert {r["id"] for r in rows if ITEM_44 in r["cites"].split(" ")} == mentioned


def test_statements_follow_popolo_and_meetings_open_civic_data(output: Path) -> None:
    statement = load(output, "data/statements.json")["statements"][0]
    for key in ("id", "type", "attribution_text", "text", "date", "position", "event_id"):
        assert key in statement
    meeting = load(output, "data/meetings.json")["meetings"][0]
    for key in (
        "name",
        "start_date",
        "end_date",
        "location",
        "status",
        "agenda",
        "participants",
        "documents",
    ):
        assert key in meeting


@pytest.mark.parametrize("name", COLLECTIONS)
def test_csv_for_excel_and_plain_csv(output: Path, name: str) -> None:
    excel = (output / f"data/{name}.csv").read_bytes()
    plain = (output / f"data/{name}-nobom.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf")
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert plain.endswith(b"\r\n") and plain.split(b"\r\n")[0].startswith(b"id,url,")
    rows = list(csv.reader(io.StringIO(plain.decode("utf-8"), newline="")))
    records = load(output, f"data/{name}.json")[name]
    assert len(rows) == len(records) + 1
    assert [r[0] for r in rows[1:]] == [r["id"] for r in records]
    excel_rows = list(csv.reader(io.StringIO(excel.decode("utf-8-sig"), newline="")))
    for a, b in zip(excel_rows, rows, strict=True):
        assert [x.removeprefix("'") if x.startswith("'") else x for x in a] == b


def test_every_schema_field_is_described_in_japanese() -> None:
    for name, schema in record_schemas().items():
        for field, prop in schema["properties"].items():
            assert re.search(r"[ぁ-んァ-ン一-龥]", prop.get("description", "")), (name, field)


SMALL = {
    "content/a/municipality.yaml": "name: 市\n",
    "content/a/bodies/b.yaml": "name: 委員会\nplans: [p]\n",
    "content/a/plans/p.yaml": "title: 計画\npillars:\n  - title: 柱\n    items:\n"
    "      - number: 1\n        title: 項目\n        description: |\n          - 箇条書き\n"
    "          - =SUM(A1)\n",
    "content/a/meetings/b/first.md": "---\ntitle: 第1回\ndate: 2025-11-17\n---\n## 議題\n\n"
    "○ 項番1について。\n",
}


def test_a_cell_excel_would_run_as_a_formula_is_quoted_only_for_excel(make_site) -> None:
    root = make_site(SMALL)
    build(load_config(root))
    excel = (root / "output/data/items.csv").read_text(encoding="utf-8-sig")
    plain = (root / "output/data/items-nobom.csv").read_text(encoding="utf-8")
    assert '"\'- 箇条書き\n- =SUM(A1)\n"' in excel
    assert '"- 箇条書き\n- =SUM(A1)\n"' in plain


def test_a_records_json_does_not_change_when_other_records_are_added(make_site) -> None:
    root = make_site(SMALL)
    build(load_config(root))
    first = (root / "output/a/meetings/b/first.json").read_bytes()
    (root / "content/a/meetings/b/second.md").write_text(
        "---\ntitle: 第2回\ndate: 2025-12-01\n---\n○ 次回は未定。\n", encoding="utf-8"
    )
    build(load_config(root))
    assert (root / "output/a/meetings/b/first.json").read_bytes() == first
    assert (root / "output/a/meetings/b/second.json").is_file()


def test_a_meeting_without_times_has_dates_only(make_site) -> None:
    root = make_site(SMALL)
    build(load_config(root))
    meeting = json.loads((root / "output/a/meetings/b/first.json").read_text(encoding="utf-8"))
    assert (meeting["start_date"], meeting["end_date"], meeting["location"]) == (
        "2025-11-17",
        None,
        None,
    )
    statement = meeting["sections"][0]["parts"][0]
    assert statement["cites"] == ["item:a/p/1"]
    assert statement["attribution_text"] is None and statement["side"] == "member"


@pytest.mark.parametrize("batch", [1000, 2])
def test_a_collections_files_in_batches_only_the_rows_with_a_formula_like_cell_differ_for_excel(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BATCH", batch)  # 2: three batches, c to e without formulas
    rows = [
        {"id": "a", "text": "plain", "n": 1},
        {"id": "b", "text": "=SUM(A1)", "n": None},
        {"id": "c", "text": "行\n- 箇条", "n": 2},
        {"id": "d", "text": "@x", "n": -3},
        {"id": "e", "text": None, "n": 0},
    ]
    columns = tuple((name, itemgetter(name)) for name in ("id", "text", "n"))
    table = Collection("t", "t", "t", len(rows), lambda: rows, columns)
    files: dict[str, bytes] = {}
    for path, chunk in collection_files(table, "http://example.org/t.schema.json"):
        files[path] = files.get(path, b"") + chunk
    excel, plain = files["data/t.csv"], files["data/t-nobom.csv"]
    assert files["data/t.json"] == dump_json(
        {"$schema": "http://example.org/t.schema.json", "t": rows}
    )
    assert plain.decode("utf-8") == (
        'id,text,n\r\na,plain,1\r\nb,=SUM(A1),\r\nc,"行\n- 箇条",2\r\nd,@x,-3\r\ne,,0\r\n'
    )
    assert excel.decode("utf-8") == (
        '\ufeffid,text,n\r\na,plain,1\r\nb,\'=SUM(A1),\r\nc,"行\n- 箇条",2\r\n'
        "d,'@x,'-3\r\ne,,0\r\n"
    )
