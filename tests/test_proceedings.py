import random

from site_builder.markdown import make_markdown
from site_builder.model import Location, Statement, Text
from site_builder.proceedings import blocks, parse_proceedings, read_marker, simple_blocks

BODY = """\
以下の次第に従い、議事について協議を行った。

## (1) 設置要綱の改正について {#agenda-1}

・機構改革に伴う所属名称変更について、学校教育課長の箇所は誤り。

⇒（事務局）承知した。修正する。

## (2) 進捗状況 {#agenda-2}

（都市計画課長）新年度WG案について。

三次元モデルの説明が続く。

⇒（事務局）ぜひWGでの情報交換をお願いしたい。

⇒ (副市長) 期待できる。

### ③人材育成 {#agenda-2-3}

○ 伺いたい。

● 説明する。

(1) 市民サービスDXの推進

（仮称）計画の説明。

---

以上
"""


def parse(source: str = BODY):
    return parse_proceedings(make_markdown(), Text(source, Location("m.md", 10, 1)))


def test_markers_become_speaker_side_and_threads() -> None:
    parsed = parse()
    assert parsed.problems == ()
    statements = [b for s in parsed.sections for b in s.blocks if isinstance(b, Statement)]
    summary = [
        (s.speaker, s.side, s.marker, s.reply_to is not None, s.section, s.text.source)
        for s in statements
    ]
    assert summary == [
        (
            None,
            "unknown",
            "・",
            False,
            "agenda-1",
            "機構改革に伴う所属名称変更について、学校教育課長の箇所は誤り。",
        ),
        ("事務局", "secretariat", "", True, "agenda-1", "承知した。修正する。"),
        (
            "都市計画課長",
            "member",
            "",
            False,
            "agenda-2",
            "新年度WG案について。\n\n三次元モデルの説明が続く。",
        ),
        ("事務局", "secretariat", "", True, "agenda-2", "ぜひWGでの情報交換をお願いしたい。"),
        ("副市長", "member", "", True, "agenda-2", "期待できる。"),
        (None, "member", "○", False, "agenda-2-3", "伺いたい。"),
        (
            None,
            "secretariat",
            "●",
            False,
            "agenda-2-3",
            "説明する。\n\n(1) 市民サービスDXの推進\n\n（仮称）計画の説明。",
        ),
    ]
    # answers point at the question of their section
    assert statements[1].reply_to == statements[0].id
    assert statements[3].reply_to == statements[4].reply_to == statements[2].id


def test_text_locations_are_the_clerks_lines() -> None:
    parsed = parse()
    first = parsed.sections[0].blocks[0]
    assert first.text.location == Location("m.md", 14, 2)
    assert parsed.preface[0].location == Location("m.md", 10, 1)
    assert parsed.sections[-1].blocks[-1].source == "以上"  # narrative after ---


def test_anchors_survive_edits_elsewhere() -> None:
    before = {s.text.source: s.id for s in _statements(parse())}
    edited = BODY.replace("以下の次第に従い", "冒頭に一文を足した。\n\n以下の次第に従い").replace(
        "○ 伺いたい。", "○ 伺いたい。\n\n○ 新しい発言。"
    )
    after = {s.text.source: s.id for s in _statements(parse(edited))}
    assert all(after[text] == anchor for text, anchor in before.items())
    assert len(set(after.values())) == len(after)


def test_identical_statements_get_distinct_anchors() -> None:
    parsed = parse(
        "## 議題\n\n○ 質問。\n\n⇒（事務局）そのとおり。\n\n"
        "○ 別の質問。\n\n⇒（事務局）そのとおり。\n"
    )
    ids = [s.id for s in _statements(parsed)]
    assert len(set(ids)) == 4


def test_bracketed_text_that_is_not_a_title_is_not_a_speaker() -> None:
    assert read_marker("(1) 市民サービスDXの推進") is None
    assert read_marker("（ア）デジタルイズ") is None
    assert read_marker("（仮称）武蔵村山市DX推進計画") is None
    assert read_marker("（副市長）（ア）は").speaker == "副市長"
    assert read_marker("○（小暮委員）意見").speaker == "小暮委員"
    assert read_marker("●（デジタル推進課長）").side == "secretariat"


def _statements(parsed):
    return [b for s in parsed.sections for b in s.blocks if isinstance(b, Statement)]


def test_simple_blocks_are_the_blocks_markdown_it_finds() -> None:
    """The scan of plain minutes gives the blocks of markdown-it's block parser, for
    random texts made of the lines that could tell them apart; anything it does not
    know is left to markdown-it."""
    lines = [
        *(
            "○ 項番44について。",
            "● 回答する。",
            "（副市長）質問。",
            "⇒（事務局）回答。",
            "続きの段落。",
        ),
        *("## 議題1 素案 {#agenda-1}", "### 【質疑】", "# 見出し #", "##", "#見出しでない"),
        *("####### 七つ", "---", "----", "--", "***", "- 箇条", "1. 番号", "===", "> 引用"),
        *("| a | b |", "|---|---|", "a | b", "```", "    字下げ", "  二字下げ", "\t", "　全角"),
        *("", "", " ", "[x]: /u", "<div>", "\r"),
    ]
    plain = [*lines[:8], "# 見出し #", "##", "", "", "---", "----"]  # all simple
    md = make_markdown()
    rng = random.Random(3)
    simple = 0
    for n in range(6_000):
        chosen = plain if n % 2 else lines
        source = "\n".join(rng.choice(chosen) for _ in range(rng.randint(1, 12)))
        tokens: list = []
        md.block.parse(source, md, {}, tokens)
        expected = [
            (t.type, t.map[0], t.map[1], int(t.tag[1]) if t.type == "heading_open" else 0)
            for t in tokens
            if t.level == 0 and t.nesting != -1 and t.map is not None
        ]
        assert blocks(md, source) == expected, source
        simple += simple_blocks(source) is not None
    assert simple > 2_000, simple
