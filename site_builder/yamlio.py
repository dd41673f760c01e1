"""Line-aware, strict YAML: every value remembers where it was written.

PyYAML's resolvers follow YAML 1.1, where ``13:56`` is the integer 836, ``no``
is ``False`` and a repeated key silently wins. Clerks write times, Japanese
words and long lists, so we compose the node tree ourselves and resolve plain
scalars the narrow way (YAML 1.2 core, less floats and timestamps): integers
without a leading zero, ``true``/``false``, ``null``/``~``/empty. Everything else
is a string, and the validator decides what a date or a time is.

The result is made of ``Mapping`` / ``Sequence`` nodes holding plain Python
scalars, each with its ``Location``; ``validate.py`` walks it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import yaml

from .model import Location, Problem

# libyaml's parser when PyYAML has it (ten times faster on long front matter); both keep
# every node's position, which is all we take from them.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}

Scalar = str | int | bool | None


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value and where it starts."""

    value: Scalar | Mapping | Sequence
    location: Location
    block_scalar: bool = False  # written as | or >: its text starts on the next line


@dataclass(frozen=True, slots=True)
class Mapping:
    """Keys in source order, each with the location of the key itself."""

    items: tuple[tuple[str, Location, Node], ...]


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Node, ...]


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def parse_yaml(text: str, path: str, first_line: int = 1) -> Node:
    """Parse one YAML document; raise YamlProblems with located messages.

    ``first_line`` is where the YAML starts in the file (2 for front matter).
    """
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line + first_line) if mark else first_line
        column = (mark.column + 1) if mark else 1
        what = (err.problem or err.context or "invalid YAML").strip()
        hint = _syntax_hint(what)
        problem = Problem(Location(path, line, column), f"YAML syntax: {what}{hint}")
        raise YamlProblems([problem]) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML raises marked errors for text
        raise YamlProblems([Problem(Location(path, first_line, 1), f"YAML: {err}")]) from err
    if root is None:
        return Node(Mapping(()), Location(path, first_line, 1))
    problems: list[Problem] = []
    node = _convert(root, path, first_line, problems)
    if problems:
        raise YamlProblems(problems)
    return node


def _syntax_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return (
            " — check this line's indentation against the line above, and quote a value "
            "that contains ': ' (place: \"会議室: 3階\")"
        )
    if "found character '\\t'" in what:
        return " — YAML indents with spaces, not tabs"
    if "expected <block end>" in what or "did not find expected key" in what:
        return " — check the indentation of this line against the lines above it"
    return ""


def _location(node: yaml.Node, path: str, first_line: int) -> Location:
    return Location(path, node.start_mark.line + first_line, node.start_mark.column + 1)


def _convert(node: yaml.Node, path: str, first_line: int, problems: list[Problem]) -> Node:
    loc = _location(node, path, first_line)
    if isinstance(node, yaml.ScalarNode):
        return Node(_resolve(node), loc, block_scalar=node.style in ("|", ">"))
    if isinstance(node, yaml.SequenceNode):
        return Node(
            Sequence(tuple(_convert(n, path, first_line, problems) for n in node.value)), loc
        )
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Location] = {}
        items = []
        for key_node, value_node in node.value:
            key_loc = _location(key_node, path, first_line)
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(key_loc, "a key must be a plain word, not a list or map"))
                continue
            key = str(key_node.value)
            if key == "<<":
                problems.append(
                    Problem(key_loc, "merge keys (<<) are not supported; write the fields out")
                )
                continue
            if key in seen:
                first = seen[key]
                problems.append(
                    Problem(
                        key_loc,
                        f"duplicated key '{key}' (first written at line {first.line}); "
                        "remove one of them",
                    )
                )
                continue
            seen[key] = key_loc
            items.append((key, key_loc, _convert(value_node, path, first_line, problems)))
        return Node(Mapping(tuple(items)), loc)
    problems.append(
        Problem(loc, "aliases and anchors (&, *) are not supported")
    )  # pragma: no cover
    return Node(None, loc)  # pragma: no cover


# Strings this short are interned: the same names, roles and stock phrases (委員長, 公開,
# 特になし。) recur in every record, and each copy lives as long as the build.
INTERNED_LENGTH = 64


def _resolve(node: yaml.ScalarNode) -> Scalar:
    text = node.value
    if len(text) <= INTERNED_LENGTH:
        text = sys.intern(text)
    if node.style is not None and node.style != "":  # quoted or block: always a string
        return text
    if node.tag not in (
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    ):
        return text  # an explicit tag such as !!binary: keep the text, the validator complains
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    return text


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split ``---`` front matter from a Markdown body.

    Returns (yaml, body, body_first_line) or None when the file has no front matter.
    """
    m = FRONT_MATTER.match(text)
    if not m:
        return None
    yaml_text = m.group(1) or ""
    body_first_line = text.count("\n", 0, m.end()) + 1
    return yaml_text, text[m.end() :], body_first_line
