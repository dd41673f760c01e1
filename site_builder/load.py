"""content/ → sources: which files are records, and their text.

Only reading problems are found here (not UTF-8, a file in no known place);
what the text says is the validator's business.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .model import ContentError, Location, Problem

# Where each kind of record lives, relative to content/<municipality>/.
KINDS = {
    ("municipality.yaml",): "municipality",
    ("bodies", "*.yaml"): "body",
    ("meetings", "*", "*.md"): "meeting",
    ("wgs", "*.yaml"): "wg",
    ("plans", "*.yaml"): "plan",
    ("documents", "*.md"): "document",
}
LAYOUT_HELP = (
    "records go in content/<municipality>/ as municipality.yaml, bodies/<body>.yaml, "
    "meetings/<body>/<slug>.md, wgs/<wg>.yaml, plans/<plan>.yaml or documents/<slug>.md"
)
# Encodings a Japanese clerk's file may be in when it is not UTF-8, most likely first.
LEGACY_ENCODINGS = (("cp932", "Shift_JIS"), ("euc_jp", "EUC-JP"), ("iso2022_jp", "ISO-2022-JP"))


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # posix path relative to the project root, as printed in messages
    kind: str
    municipality: str
    slug: str
    text: str
    digest: str  # of the raw bytes: what an incremental build compares


def is_ignored(name: str) -> bool:
    """Editor and system leftovers that are never records (vim swap, backups, …)."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak", ".orig"))
        or name.lower() in ("readme.md", "thumbs.db")
    )


def load_content(root: Path, content_dir: Path) -> list[Source]:
    """Read every record file under content_dir; raise ContentError with all problems."""
    if not content_dir.is_dir():
        rel = _rel(root, content_dir)
        raise ContentError(
            [
                Problem(
                    Location(rel, 1, 1),
                    "content directory not found; create it or set content_dir in config.yaml",
                )
            ]
        )
    sources: list[Source] = []
    problems: list[Problem] = []
    for path in sorted(content_dir.rglob("*")):
        if path.is_dir() or not is_record_candidate(content_dir, path):
            continue
        result = load_file(root, content_dir, path)
        (problems if isinstance(result, Problem) else sources).append(result)
    if problems:
        raise ContentError(problems)
    return sources


def is_record_candidate(content_dir: Path, path: Path) -> bool:
    """Inside content_dir and not an editor's or system's leftover."""
    try:
        parts = path.relative_to(content_dir).parts
    except ValueError:
        return False
    return bool(parts) and not any(is_ignored(p) for p in parts)


def load_file(root: Path, content_dir: Path, path: Path) -> Source | Problem:
    """One file: its kind and slug from where it is, its text decoded."""
    parts = path.relative_to(content_dir).parts
    rel = _rel(root, path)
    kind = _kind(parts[1:]) if len(parts) > 1 else None
    if kind is None:
        return Problem(Location(rel, 1, 1), f"not a record file: {LAYOUT_HELP}")
    raw = path.read_bytes()
    text, problem = decode(raw, rel)
    if problem:
        return problem
    if kind == "municipality":
        slug = ""
    elif kind == "meeting":
        slug = f"{parts[2]}/{path.stem}"
    else:
        slug = path.stem
    return Source(rel, kind, parts[0], slug, text, hashlib.sha1(raw).hexdigest())


def _kind(parts: tuple[str, ...]) -> str | None:
    for pattern, kind in KINDS.items():
        if len(pattern) == len(parts) and all(
            Path(part).match(p) for part, p in zip(parts, pattern, strict=True)
        ):
            return kind
    return None


def decode(raw: bytes, path: str) -> tuple[str, Problem | None]:
    """UTF-8 (a BOM is allowed), with line ends made \\n; or a problem naming the
    encoding the bytes look like and how to convert them."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        guess = _guess_encoding(raw)
        if guess:
            codec, name = guess
            hint = (
                f"the file looks like {name}; save it as UTF-8 in your editor, or run "
                f"`iconv -f {codec.upper()} -t UTF-8 {path} > tmp && mv tmp {path}`"
            )
        else:
            hint = "save it as UTF-8 in your editor"
        return "", Problem(Location(path, line, column), f"not UTF-8 text: {hint}")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _guess_encoding(raw: bytes) -> tuple[str, str] | None:
    for codec, name in LEGACY_ENCODINGS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        # Real Japanese text decodes to mostly kana/kanji; reject lucky decodes.
        japanese = sum(1 for ch in text if "\u3040" <= ch <= "\u9fff")
        if japanese >= max(1, len(text) // 10):
            return codec, name
    return None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
