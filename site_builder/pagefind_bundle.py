"""Pagefind's filter index, rewritten so that the same site gives the same bytes.

Pagefind 1.5 writes each filter's values in the order of a Rust HashMap, which is
seeded at random in every run: two builds of the same site give filter chunks with
the same content in a different order, hence different bytes, file names (a chunk is
named by the SHA-1 of its body), metadata and entry file. The site's rule is that the
same input gives byte-identical output, so after Pagefind runs, ``canonicalise``
sorts every filter chunk, renames it by its new hash, and rewrites the metadata (its
list of filters sorted by name) and the entry file that names the metadata.

The files are ``gzip("pagefind_dcd" + CBOR)``; the few CBOR types Pagefind uses are
decoded and encoded here (checked in tests: decoding and encoding a file Pagefind
wrote gives its bytes back). Everything else Pagefind writes is deterministic already.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

MAGIC = b"pagefind_dcd"


# --- CBOR (RFC 8949): unsigned and negative integers, text, arrays, maps, simple ------


def decode(data: bytes) -> Any:
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR value")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], at
        if info == 26:
            return struct.unpack(">f", data[at : at + 4])[0], at + 4
        if info == 27:
            return struct.unpack(">d", data[at : at + 8])[0], at + 8
        raise ValueError(f"CBOR simple value {info} is not supported")
    if info < 24:
        n = info
    elif 24 <= info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR length {info} (indefinite) is not supported")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major == 2:
        return data[at : at + n], at + n
    if major == 3:
        return data[at : at + n].decode("utf-8"), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(n):
            key, at = _decode(data, at)
            pairs[key], at = _decode(data, at)
        return pairs, at
    raise ValueError(f"CBOR major type {major} is not supported")


def encode(value: Any) -> bytes:
    if value is None or isinstance(value, bool):
        return {False: b"\xf4", True: b"\xf5", None: b"\xf6"}[value]
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        body = b"".join(encode(k) + encode(v) for k, v in value.items())
        return _head(5, len(value)) + body
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def _head(major: int, n: int) -> bytes:
    """The shortest head for n, as Pagefind's encoder writes it."""
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(f"{n} is too large for CBOR")


# --- the bundle -----------------------------------------------------------------------


def read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path} is not a Pagefind file")
    return decode(data[len(MAGIC) :])


def write(folder: Path, prefix: str, suffix: str, value: Any, digits: int) -> str:
    """Write value as prefix<sha1 of its CBOR>suffix in folder; return the hash part."""
    body = encode(value)
    name = f"{prefix}{hashlib.sha1(body).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(MAGIC + body, 9, mtime=0))
    return name


def canonicalise(bundle: Path) -> None:
    """Sort the filter index of the Pagefind bundle in folder `bundle` (see above)."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = read(meta_path)
        filters = meta[3]  # [[filter name, chunk name], …]
        sorted_filters = []
        for name, chunk in sorted(filters):
            old = bundle / "filter" / f"{chunk}.pf_filter"
            filter_name, values = read(old)
            canonical = [filter_name, sorted([v, sorted(pages)] for v, pages in values)]
            old.unlink()
            prefix = chunk.split("_")[0] + "_"
            sorted_filters.append([name, write(old.parent, prefix, ".pf_filter", canonical, 7)])
        meta[3] = sorted_filters
        meta_path.unlink()
        prefix = language["hash"].split("_")[0] + "_"
        language["hash"] = write(bundle, f"pagefind.{prefix}", ".pf_meta", meta, 10).removeprefix(
            "pagefind."
        )
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
