"""The content-model documentation names every field a clerk can write."""

import dataclasses
import re
from pathlib import Path

import pytest

from site_builder import model

DOC = (Path(__file__).resolve().parent.parent / "docs" / "content-format.md").read_text(
    encoding="utf-8"
)
AUTHORED = [
    model.Municipality,
    model.Body,
    model.Contact,
    model.Membership,
    model.MeetingMeta,
    model.Participant,
    model.AgendaItem,
    model.Conclusion,
    model.Material,
    model.WorkingGroup,
    model.Sheet,
    model.Plan,
    model.Pillar,
    model.PlanItem,
    model.ScheduleEntry,
    model.Relation,
    model.DocumentMeta,
]


@pytest.mark.parametrize("record", AUTHORED, ids=lambda t: t.__name__)
def test_every_field_is_documented_with_an_example(record: type) -> None:
    missing = [
        f.name
        for f in dataclasses.fields(record)
        if not f.metadata.get("derived")
        and not re.search(rf"^\s*(- )?{f.name}:", DOC, re.MULTILINE)
    ]
    assert missing == []
    assert all(
        f.metadata.get("doc") for f in dataclasses.fields(record) if not f.metadata.get("derived")
    )
