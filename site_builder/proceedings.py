"""Proceedings (審議経過) written the way clerks write them, read into statements.

Clerks mark who speaks at the start of a paragraph:

* ``○ …`` a member, ``● …`` the secretariat (optionally ``○（小暮委員）…``);
* ``（副市長）…`` a speaker named by title; 事務局 in the label means the secretariat;
* ``⇒`` before any of these: an answer to the last question of the section;
* ``・ …`` a statement whose speaker the record does not give.

A statement runs on over the following blocks until the next marker, heading or
``---``. ``##`` headings are sections (an agenda item when they end in ``{#id}``),
``###`` sub-sections. We let markdown-it find the blocks (its token maps give
each block's lines; minutes of only headings and plain paragraphs are read by a scan
of their lines that gives the same), then slice the clerk's own source so that every
statement keeps its exact text and line number.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass

from markdown_it import MarkdownIt

from .markdown import BLOCK_START
from .model import Location, Problem, Section, Side, Statement, Text

# A bracketed label at the start of a paragraph is a speaker only when it reads as a
# title or a name: (副市長), (事務局), (都市計画課長), (小暮委員). Anything else, such as
# (1), (ア) or (仮称), is ordinary text. ○/● with a bracket always name a speaker.
TITLE_ENDINGS = ("長", "員", "局", "監", "官", "者", "役", "士", "様", "氏", "さん", "事務局")
MARKER = re.compile(
    r"(?P<reply>⇒\s*)?"
    r"(?:(?P<mark>[○●・])\s*(?:[（(](?P<marked_label>[^）)\n]{1,30})[）)])?"
    r"|[（(](?P<label>[^）)\n]{2,30})[）)])"
    r"\s*"
)
HEADING_ID = re.compile(r"\s*\{#(?P<id>[A-Za-z][\w-]*)\}\s*\Z")


@dataclass(frozen=True, slots=True)
class Parsed:
    preface: tuple[Text, ...]
    sections: tuple[Section, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class _Marker:
    speaker: str | None
    side: Side
    mark: str
    reply: bool
    length: int  # characters of the first line taken by the marker


def read_marker(line: str) -> _Marker | None:
    """The speaker marker at the start of a paragraph's first line, if any."""
    m = MARKER.match(line)
    if not m:
        return None
    if m["label"] is not None and not m["label"].endswith(TITLE_ENDINGS):
        return None
    mark = m["mark"] or ""
    speaker = m["marked_label"] or m["label"]
    if mark == "●" or (speaker and "事務局" in speaker):
        side: Side = "secretariat"
    elif mark == "・" and not speaker:
        side = "unknown"
    else:
        side = "member"
    if not (m["mark"] or m["label"]):
        return None
    # Interned: ●, 事務局 and the officers' titles recur in every meeting, and a statement
    # keeps its speaker as long as the build (at 1,000 meetings, 3 MB of copies).
    speaker = sys.intern(speaker) if speaker else speaker
    return _Marker(speaker, side, sys.intern(mark), bool(m["reply"]), m.end())


Block = tuple[str, int, int, int]  # a top-level block: type, first line, end line, level


def blocks(md: MarkdownIt, source: str) -> list[Block]:
    """The top-level blocks of source as markdown-it reads them: the type of the block's
    first token, its first line, the line after it, and a heading's level (else 0).
    Their lines are all that
    parse_proceedings needs; markdown-it's block parser finds them, unless every line is
    one that needs no parser to tell what it is (simple_blocks)."""
    found = simple_blocks(source)
    if found is not None:
        return found
    tokens: list = []
    md.block.parse(source, md, {}, tokens)
    return [
        (t.type, t.map[0], t.map[1], int(t.tag[1]) if t.type == "heading_open" else 0)
        for t in tokens
        if t.level == 0 and t.nesting != -1 and t.map is not None
    ]


ATX_HEADING = re.compile(r"#{1,6}(?: |\Z)")


def simple_blocks(source: str) -> list[Block] | None:
    """The blocks of minutes written as most are: ATX headings (## 議題1), paragraphs of
    lines that start with no character that could begin another block (markdown.BLOCK_START)
    and with no indent, blank lines, and rules (---) after a blank line or a heading. The
    blocks as markdown-it's block parser gives them (the block parse was half the cost of
    checking a meeting); None for anything else, which markdown-it then reads.
    tests/test_proceedings.py compares the two on random texts."""
    if "\r" in source or "\x00" in source:
        return None
    found: list[Block] = []
    in_paragraph = False
    for number, line in enumerate(source.split("\n")):
        if not line.strip(" \t"):
            in_paragraph = False
            continue
        if line[0] == "#" and (heading := ATX_HEADING.match(line)):
            found.append(("heading_open", number, number + 1, heading.group().count("#")))
            in_paragraph = False
        elif len(line) >= 3 and line.strip("-") == "" and not in_paragraph:
            found.append(("hr", number, number + 1, 0))
        elif line[0] in BLOCK_START or line[0] in " \t":
            return None
        elif in_paragraph:
            found[-1] = ("paragraph_open", found[-1][1], number + 1, 0)
        else:
            found.append(("paragraph_open", number, number + 1, 0))
            in_paragraph = True
    return found


def parse_proceedings(md: MarkdownIt, body: Text) -> Parsed:
    lines = body.source.split("\n")
    problems: list[Problem] = []
    preface: list[Text] = []
    sections: list[_SectionBuilder] = []
    ids: dict[str, int] = {}

    def loc(line: int, column: int = 0) -> Location:
        return Location(body.location.path, body.location.line + line, column + 1)

    def text(start: int, end: int, skip: int = 0) -> Text:
        chunk = lines[start:end]
        chunk[0] = chunk[0][skip:]
        return Text("\n".join(chunk).strip("\n"), loc(start, skip))

    current: _SectionBuilder | None = None
    agenda_section: str | None = None  # the agenda id statements are grouped under
    chapter_agenda: str | None = None  # that of the enclosing ## heading
    question: str | None = None
    open_block: list[int] | None = None  # [start, end, skip] of a statement or narrative
    open_marker: _Marker | None = None

    def close() -> None:
        nonlocal open_block, open_marker, question, current
        if open_block is None:
            return
        start, end, skip = open_block
        chunk = text(start, end, skip)
        if open_marker is None:
            (current.blocks if current else preface).append(chunk)
        else:
            section_id = agenda_section or (current.id if current else "")
            reply_to = None
            if open_marker.reply:
                if question is None:
                    problems.append(
                        Problem(
                            chunk.location,
                            "an answer (⇒) with no statement "
                            "before it in this section; remove ⇒ or move it "
                            "under the question it answers",
                        )
                    )
                reply_to = question
            statement = Statement(
                id=_statement_id(section_id, open_marker, chunk.source, ids),
                section=section_id,
                speaker=open_marker.speaker,
                side=open_marker.side,
                marker=open_marker.mark,
                reply_to=reply_to,
                text=chunk,
            )
            if not open_marker.reply:
                question = statement.id
            if not chunk:
                problems.append(
                    Problem(
                        chunk.location,
                        "a statement with no text after its "
                        "speaker marker; write what was said after the marker",
                    )
                )
            if current is None:
                current = _SectionBuilder("", "", 2, None, [], loc(start))
                sections.append(current)
            current.blocks.append(statement)
        open_block, open_marker = None, None

    for kind, start, end, level in blocks(md, body.source):
        if kind == "heading_open":
            close()
            raw = lines[start].lstrip("#").strip().rstrip("#").strip()
            m = HEADING_ID.search(raw)
            title = raw[: m.start()] if m else raw
            section_id = m["id"] if m else _heading_id(title, ids)
            if level <= 2:
                chapter_agenda = section_id if m else None
                question = None
            agenda_section = section_id if m else chapter_agenda
            current = _SectionBuilder(section_id, title, level, agenda_section, [], loc(start))
            sections.append(current)
            continue
        if kind == "hr":
            close()
            continue
        marker = read_marker(lines[start]) if kind == "paragraph_open" else None
        if marker is not None:
            close()
            open_block, open_marker = [start, end, marker.length], marker
        elif open_block is not None:
            open_block[1] = end
        else:
            open_block = [start, end, 0]
    close()
    built = tuple(
        Section(s.id, sys.intern(s.title), s.level, s.agenda, tuple(s.blocks), s.location)
        for s in sections
    )
    return Parsed(tuple(preface), built, tuple(problems))


@dataclass
class _SectionBuilder:
    id: str
    title: str
    level: int
    agenda: str | None
    blocks: list[Text | Statement]
    location: Location


def _statement_id(section: str, marker: _Marker, source: str, ids: dict[str, int]) -> str:
    """Stable anchor: a digest of the section, speaker and text only, so that edits
    elsewhere in the record never move it. Identical statements in one section
    (そのとおり。) are told apart by their order."""
    digest = hashlib.sha1(
        f"{section}\x00{marker.speaker or marker.mark}\x00{' '.join(source.split())}".encode()
    ).hexdigest()[:8]
    return _unique(f"s-{digest}", ids)


def _heading_id(title: str, ids: dict[str, int]) -> str:
    digest = hashlib.sha1(" ".join(title.split()).encode()).hexdigest()[:6]
    return _unique(f"h-{digest}", ids)


def _unique(base: str, ids: dict[str, int]) -> str:
    ids[base] = ids.get(base, 0) + 1
    return base if ids[base] == 1 else f"{base}-{ids[base]}"
