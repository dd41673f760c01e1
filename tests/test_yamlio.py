import pytest

from site_builder.model import Location
from site_builder.yamlio import Mapping, Sequence, YamlProblems, parse_yaml, split_front_matter


def values(text: str) -> dict:
    node = parse_yaml(text, "x.yaml")
    assert isinstance(node.value, Mapping)
    return {k: v.value for k, _, v in node.value.items}


def test_scalars_stay_what_the_clerk_wrote() -> None:
    got = values(
        "start: 13:56\nanswer: no\ndate: 2025-11-17\next: 0374\nn: 3\n"
        'ok: true\nempty:\nq: "12"\nratio: 1.5\n'
    )
    assert got == {
        "start": "13:56",
        "answer": "no",
        "date": "2025-11-17",
        "ext": "0374",
        "n": 3,
        "ok": True,
        "empty": None,
        "q": "12",
        "ratio": "1.5",
    }


def test_every_value_knows_its_line_and_column() -> None:
    node = parse_yaml("a: 1\nlist:\n  - x\n  - y\n", "f.yaml", first_line=2)
    (_, key_a, a), (_, _key_list, lst) = node.value.items
    assert key_a == Location("f.yaml", 2, 1)
    assert a.location == Location("f.yaml", 2, 4)
    assert isinstance(lst.value, Sequence)
    assert [n.location.line for n in lst.value.items] == [4, 5]


def test_block_scalars_are_marked() -> None:
    node = parse_yaml("text: |\n  一行目\n  二行目\n", "f.yaml")
    ((_, _, text),) = node.value.items
    assert text.block_scalar and text.value == "一行目\n二行目\n"


def test_duplicated_keys_are_all_reported() -> None:
    with pytest.raises(YamlProblems) as err:
        parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yaml")
    assert [str(p) for p in err.value.problems] == [
        "f.yaml:4:3: duplicated key 'c' (first written at line 3); remove one of them",
        "f.yaml:5:1: duplicated key 'a' (first written at line 1); remove one of them",
    ]


def test_anchors_and_merge_keys_are_refused() -> None:
    with pytest.raises(YamlProblems) as err:
        parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml")
    assert "merge keys (<<) are not supported" in str(err.value)


def test_front_matter_split_keeps_body_line_numbers() -> None:
    text = "---\ntitle: t\n---\n本文\n"
    yaml_text, body, first_line = split_front_matter(text)
    assert (yaml_text, body, first_line) == ("title: t\n", "本文\n", 4)
    assert split_front_matter("本文だけ\n") is None
