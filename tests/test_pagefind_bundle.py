"""pagefind_bundle.py: Pagefind's filter index made byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from site_builder import pagefind_bundle as bundle


def cbor_files(output: Path) -> list[Path]:
    folder = output / "pagefind"
    return sorted(
        p for p in folder.rglob("*") if p.suffix in (".pf_meta", ".pf_filter", ".pf_index")
    )


def test_decoding_and_encoding_gives_pagefinds_bytes_back(example_site: Path) -> None:
    files = cbor_files(example_site / "output")
    assert {p.suffix for p in files} == {".pf_meta", ".pf_filter", ".pf_index"}
    for path in files:
        body = gzip.decompress(path.read_bytes())[len(bundle.MAGIC) :]
        assert bundle.encode(bundle.decode(body)) == body, path.name


@pytest.mark.parametrize(
    ("value", "cbor"),
    [
        (0, b"\x00"),
        (23, b"\x17"),
        (24, b"\x18\x18"),
        (256, b"\x19\x01\x00"),
        (-1, b"\x20"),
        ("会議", b"\x66\xe4\xbc\x9a\xe8\xad\xb0"),
        ([1, [2]], b"\x82\x01\x81\x02"),
        ({"a": None, "b": True}, b"\xa2\x61a\xf6\x61b\xf5"),
    ],
)
def test_cbor_values_encode_in_their_shortest_form(value, cbor: bytes) -> None:
    assert bundle.encode(value) == cbor
    assert bundle.decode(cbor) == value


def test_filters_are_sorted_and_named_by_their_content(example_site: Path) -> None:
    folder = example_site / "output" / "pagefind"
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta_name = entry["languages"]["ja"]["hash"]
    meta = bundle.read(folder / f"pagefind.{meta_name}.pf_meta")
    names = [name for name, _ in meta[3]]
    assert names == sorted(names) == ["body", "kind", "municipality", "plan", "wg", "year"]
    for _, chunk in meta[3]:
        name, values = bundle.read(folder / "filter" / f"{chunk}.pf_filter")
        assert [v for v, _ in values] == sorted(v for v, _ in values), name
    kinds = dict(bundle.read(folder / "filter" / f"{dict(meta[3])['kind']}.pf_filter")[1])
    assert sorted(kinds) == ["WG", "会議体", "会議録", "推進項目", "計画", "資料"]
    # canonical already: doing it again changes nothing
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    bundle.canonicalise(folder)
    assert {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
