"""The MarkdownIt factory and the cross-reference plugin.

Two ways to reach another record from prose:

* explicit: ``[[item:44]]``, ``[[wg:kanmin-data|官民データ活用WG]]``, ``[[body:gyokaku]]``,
  ``[[meeting:gyokaku/2025-11-17]]``, ``[[document:slug]]``, ``[[plan:dx-plan]]``;
* automatic: ``項番44`` (half- or full-width digits) within the plans the record
  refers to, and the names and aliases of the municipality's WGs.

The plugin only finds references; what they point to is decided by a ``Scope``
passed in ``env`` (markdown-it's per-render state), which ``graph.py`` builds for
each record. Automatic links keep the clerk's words as the link text, so linking
never alters a record's text. Raw HTML is off: records come from many hands and
are published as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, mdTrim
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

EXPLICIT = re.compile(r"\[\[(?P<kind>[a-z]+):(?P<target>[^\]|\n]+?)(?:\|(?P<label>[^\]\n]+))?\]\]")
ITEM_NUMBER = r"項番\s*(?P<number>[0-9０-９]+)"


@dataclass(frozen=True, slots=True)
class Link:
    """Where a resolved reference points."""

    href: str
    title: str  # the target's title, for the link's title attribute
    key: object  # the target's identity (a RecordRef), for backlinks


@dataclass(slots=True)
class Found:
    """A reference as written: kind, target, and where in the text (0-based line, column)."""

    kind: str
    target: str
    line: int
    column: int
    link: Link | None = None
    error: str | None = None


class Scope(Protocol):
    """What a text may refer to; built per record by graph.py."""

    autolink: re.Pattern[str] | None  # 項番NN and WG names of this record's scope

    def resolve(self, kind: str, target: str) -> Link | str: ...


@dataclass
class Env:
    """Per-render state: the scope in, the references found out."""

    scope: Scope
    found: list[Found] = field(default_factory=list)


def make_markdown(table_label: str = "表") -> MarkdownIt:
    """table_label names the scrollable region each table sits in (from the theme's labels)."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "xref", _xref_inline)
    md.core.ruler.after("inline", "xref_autolink", _autolink)
    md.core.ruler.after("xref_autolink", "xref_locate", _locate)
    md.core.ruler.after("xref_locate", "headerless_tables", _headerless_tables)
    md.add_render_rule("xref", _render_xref)
    # A wide table scrolls inside its own box on a phone instead of widening the page;
    # the box is focusable so that keyboard users can scroll it too, and named so that
    # focusing it says what it is. A group, not a region: a page may hold many tables
    # (a meeting's statements), and landmarks must each have a name of their own.
    opening = (
        f'<div class="table-scroll" role="group" tabindex="0" '
        f'aria-label="{_escape(table_label)}">\n<table>\n'
    )
    md.add_render_rule("table_open", lambda *args: opening)
    md.add_render_rule("table_close", lambda *args: "</table>\n</div>\n")
    return md


Links = tuple[tuple[int, int, str, Link], ...]
"""The resolved references of a plain text: (start, end, kind, link), by offset in its
source. What linking keeps of such a text instead of its HTML (see render)."""


def render(md: MarkdownIt, source: str, scope: Scope) -> tuple[str | Links, list[Found]]:
    """source's HTML, or its links if it is plain paragraphs (see plain_paragraphs), and
    the references in it. A plain text's HTML is ``plain_html(source, links)``, cheap
    enough to make when the page shows it rather than keep from linking on: most texts
    are plain (nine in ten of a generated archive), and at 1,000 meetings the plain
    ones with links had 11.4 of the 14.0 MB of HTML kept, which a render worker copies
    (forked.affordable). A match across lines (項番 at the end of one, its digits
    on the next) is not a reference, as for markdown-it."""
    env = Env(scope)
    state = {"xref": env}
    paragraphs = plain_paragraphs(md, source)
    if paragraphs and (scope.autolink is None or scope.autolink.search(source) is None):
        return (), []
    if paragraphs:
        return _plain_links(md, source, paragraphs, state), env.found
    if one_paragraph(source):
        # What md.render gives for one paragraph, without running the block rules over
        # every line: most statements are one paragraph (85 % of the texts of the
        # generated archive), and their block parse was a quarter of linking.
        # mdTrim is what markdown-it's paragraph rule does to the paragraph's lines.
        tokens = md.parseInline(mdTrim(source), state)
        html = "<p>" + md.renderer.render(tokens, md.options, state) + "</p>\n"
    else:
        html = md.render(source, state)
    return html, env.found


def html_of(source: str, rendered: str | Links) -> str:
    """A text's HTML from what render() gave for it."""
    return rendered if isinstance(rendered, str) else plain_html(source, rendered)


def plain_html(source: str, links: Links = ()) -> str:
    """What md.render gives for plain paragraphs (see plain_paragraphs) with these links:
    the paragraphs escaped, the lines of each kept apart by newlines (soft breaks). A
    link never spans lines, so the paragraphs break in the text between links."""
    if not links:
        paragraphs = re.split(r"\n\n+", source.strip("\n"))
        return "".join(f"<p>{escapeHtml(p)}</p>\n" for p in paragraphs)
    pieces: list[str] = []  # text, link, text, …, text
    at = 0
    for start, end, kind, link in links:
        pieces += [source[at:start], _anchor(kind, link, escapeHtml(source[start:end]))]
        at = end
    pieces.append(source[at:])
    pieces[0], pieces[-1] = pieces[0].lstrip("\n"), pieces[-1].rstrip("\n")
    paragraphs: list[list[str]] = [[]]
    for i, piece in enumerate(pieces):
        if i % 2:
            paragraphs[-1].append(piece)
            continue
        first, *others = re.split(r"\n\n+", piece)
        paragraphs[-1].append(escapeHtml(first))
        paragraphs += [[escapeHtml(p)] for p in others]
    return "".join(f"<p>{''.join(p)}</p>\n" for p in paragraphs)


# The characters that can begin a block other than a paragraph, or end a paragraph, when
# they come first on a line (after spaces and tabs): headings, quotes, lists (bullets and
# digits), fences, rules, setext underlines, table rows, link definitions, HTML.
BLOCK_START = frozenset("#>*+-_=`~|:[<0123456789")


def one_paragraph(source: str) -> bool:
    """Whether markdown-it reads source as a single paragraph, judged conservatively from
    the first character of each line: no blank line (but at the end), no line starting
    with a character of BLOCK_START, no whitespace before the first line (it could be an
    indented code block, and mdTrim would shift the lines). A new block rule (a plugin)
    needs its starting characters in BLOCK_START; tests/test_markdown.py compares both."""
    if not source or source[0].isspace() or "\r" in source:
        return False
    for line in source.rstrip("\n").split("\n"):
        rest = line.lstrip(" \t")
        if not rest or rest[0] in BLOCK_START:
            return False
    return True


def plain_paragraphs(md: MarkdownIt, source: str) -> list[tuple[int, list[str]]] | None:
    """The paragraphs of source as (first line, lines), if it is paragraphs of plain text
    only; else None. Plain: no line that could start another block (see one_paragraph),
    no character on which an inline rule of md could start (markdown-it's own list,
    ``terminator_re``: emphasis, links, code, entities, escapes, [[…]]), no whitespace
    at either end of a line (a hard break, an indent, spaces markdown-it drops), blank
    lines empty, no NUL or CR (markdown-it replaces them). Nine statements in ten of the
    generated archive are plain; so are most of the real minutes."""
    if "\x00" in source or "\r" in source:
        return None
    terminator = md.inline.terminator_re
    paragraphs: list[tuple[int, list[str]]] = []
    after_blank = True
    for number, line in enumerate(source.split("\n")):
        if not line:
            after_blank = True
            continue
        if line[0] in BLOCK_START or line != line.strip() or terminator.search(line):
            return None
        if after_blank:
            paragraphs.append((number, []))
        paragraphs[-1][1].append(line)
        after_blank = False
    return paragraphs or None


def _plain_links(
    md: MarkdownIt, source: str, paragraphs: list[tuple[int, list[str]]], state: dict
) -> Links:
    """The links of plain paragraphs (see plain_paragraphs), found without markdown-it's
    block and inline parsers: each paragraph's lines are text tokens with soft breaks
    between them, and the core rules of this module run over them as over any
    paragraph. tests/test_markdown.py compares plain_html with md.render on random texts."""
    starts = [0]  # the offset of each line in source
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    links: list[tuple[int, int, str, Link]] = []
    for first, lines in paragraphs:
        children = [_text(lines[0])]
        for line in lines[1:]:
            children += [Token("softbreak", "br", 0), _text(line)]
        paragraph = Token("inline", "", 0)
        paragraph.content = "\n".join(lines)
        paragraph.map, paragraph.children = [first, first + len(lines)], children
        core = StateCore(source, md, state)
        core.tokens.append(paragraph)
        _autolink(core)
        _locate(core)
        at = starts[first]
        for child in paragraph.children:
            length = 1 if child.type == "softbreak" else len(child.content)
            found = child.meta.get("found") if child.type == "xref" else None
            if found is not None and found.link is not None:
                links.append((at, at + length, _kind(found), found.link))
            at += length
    return tuple(links)


# --- parsing ----------------------------------------------------------------------


def _xref_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    m = EXPLICIT.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("xref", "", 0)
        token.meta = {
            "kind": m["kind"],
            "target": m["target"].strip(),
            "label": (m["label"] or "").strip(),
            "offset": state.pos,
        }
        token.content = m[0]
    state.pos = m.end()
    return True


def _autolink(state: StateCore) -> None:
    env = state.env.get("xref")
    if env is None or env.scope.autolink is None:
        return
    pattern = env.scope.autolink
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        search_from = 0
        for child in block.children:
            depth += child.type == "link_open"
            depth -= child.type == "link_close"
            if child.type != "text" or depth:
                children.append(child)
                continue
            pos = 0
            for m in pattern.finditer(child.content):
                if m.start() > pos:
                    children.append(_text(child.content[pos : m.start()]))
                token = Token("xref", "", 0)
                if m.groupdict().get("number"):
                    kind, target = "item", _half_width(m.group("number"))
                else:
                    kind, target = "wgname", m.group(0)
                offset = block.content.find(m.group(0), search_from)
                search_from = max(search_from, offset + 1)
                token.meta = {
                    "kind": kind,
                    "target": target,
                    "label": m.group(0),
                    "offset": max(offset, 0),
                    "auto": True,
                }
                token.content = m.group(0)
                children.append(token)
                pos = m.end()
            if pos == 0:
                children.append(child)
            elif pos < len(child.content):
                children.append(_text(child.content[pos:]))
        block.children = children


def _locate(state: StateCore) -> None:
    """Resolve each reference against the scope and record where it was written."""
    env = state.env.get("xref")
    if env is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children or not block.map:
            continue
        for child in block.children:
            if child.type != "xref":
                continue
            before = block.content[: child.meta["offset"]]
            line = block.map[0] + before.count("\n")
            column = len(before) - (before.rfind("\n") + 1)
            column += _indent(state.src, line)
            found = Found(child.meta["kind"], child.meta["target"], line, column)
            result = env.scope.resolve(found.kind, found.target)
            if isinstance(result, Link):
                found.link = result
            else:
                found.error = result
            child.meta["found"] = found
            env.found.append(found)


def _headerless_tables(state: StateCore) -> None:
    """A pipe table whose header row is empty (PDF tables often have none) gets no
    <thead>: empty header cells tell a screen reader nothing. In a header row with
    some text, an empty cell (the corner of a matrix, the gap under a spanning title)
    becomes <td>: a header with no text names nothing (axe: empty-table-header)."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "thead_open":
            continue
        end = next(j for j in range(i, len(tokens)) if tokens[j].type == "thead_close")
        if all(t.type != "inline" or not t.content.strip() for t in tokens[i:end]):
            for t in tokens[i : end + 1]:
                t.hidden = True
                t.type = "hidden_" + t.type
                t.tag = ""
                t.children = []
                t.content = ""
            continue
        for j in range(i, end):
            if tokens[j].type == "th_open" and not tokens[j + 1].content.strip():
                tokens[j].tag = tokens[j + 2].tag = "td"


def _indent(src: str, line: int) -> int:
    lines = src.split("\n")
    if line >= len(lines):
        return 0
    text = lines[line]
    return len(text) - len(text.lstrip(" "))


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _half_width(digits: str) -> str:
    return digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


# --- rendering --------------------------------------------------------------------


def _render_xref(self, tokens: list[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    found: Found | None = token.meta.get("found")
    label = token.meta["label"] or (found.link.title if found and found.link else token.content)
    escaped = self.escapeHtml(label) if hasattr(self, "escapeHtml") else _escape(label)
    if not found or not found.link:
        return escaped
    return _anchor(_kind(found), found.link, escaped)


def _kind(found: Found) -> str:
    """The kind a link's class names: item, wg (for WG names too), body, …"""
    return "wg" if found.kind == "wgname" else found.kind


def _anchor(kind: str, link: Link, label_html: str) -> str:
    return (
        f'<a class="xref xref-{kind}" href="{_escape(link.href)}"'
        f' title="{_escape(link.title)}">{label_html}</a>'
    )


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
