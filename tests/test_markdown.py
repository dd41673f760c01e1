import random
import re
from collections import Counter
from dataclasses import dataclass

from site_builder.markdown import (
    ITEM_NUMBER,
    Env,
    Link,
    html_of,
    make_markdown,
    one_paragraph,
    plain_html,
    plain_paragraphs,
    render,
)


@dataclass
class FakeScope:
    """Items 38 and 44 exist; the WG 官民データ活用WG exists."""

    autolink: re.Pattern[str] | None = re.compile(ITEM_NUMBER + "|官民データ活用WG")

    def resolve(self, kind: str, target: str) -> Link | str:
        if kind == "item" and target.split("/")[-1] in ("38", "44"):
            return Link(f"/items/{target}/", f"項番{target}「題」", ("item", target))
        if kind in ("wgname", "wg") and target in ("官民データ活用WG", "kanmin"):
            return Link("/wgs/kanmin/", "官民データ活用WG", ("wg", "kanmin"))
        return f"unknown {kind} {target}"


def run(source: str) -> tuple[str, list]:
    rendered, found = render(make_markdown(), source, FakeScope())
    return html_of(source, rendered), found


def test_item_numbers_link_in_half_and_full_width_keeping_the_words() -> None:
    html, found = run("項番４４「歴史資料」と項番38、官民データ活用WGについて。\n")
    assert html == (
        '<p><a class="xref xref-item" href="/items/44/" title="項番44「題」">項番４４</a>'
        "「歴史資料」と"
        '<a class="xref xref-item" href="/items/38/" title="項番38「題」">項番38</a>、'
        '<a class="xref xref-wg" href="/wgs/kanmin/" title="官民データ活用WG">官民データ活用WG</a>'
        "について。</p>\n"
    )
    assert [(f.kind, f.target, f.line, f.column) for f in found] == [
        ("item", "44", 0, 0),
        ("item", "38", 0, 11),
        ("wgname", "官民データ活用WG", 0, 16),
    ]


def test_explicit_references_with_and_without_label() -> None:
    html, found = run("前文。\n\n[[item:44]]と[[wg:kanmin|WG]]、[[wg:none]]。\n")
    assert (
        '<a class="xref xref-item" href="/items/44/" title="項番44「題」">項番44「題」</a>' in html
    )
    assert ">WG</a>" in html
    assert "none" not in html.replace("[[wg:none]]", "")  # unresolved: plain label, no link
    assert [(f.target, f.line, f.column, f.error) for f in found] == [
        ("44", 2, 0, None),
        ("kanmin", 2, 12, None),
        ("none", 2, 29, "unknown wg none"),
    ]


def test_no_links_inside_links_or_code() -> None:
    html, found = run("[項番44の資料](https://example.org/) と `項番44`\n")
    assert html.count("<a ") == 1 and found == []


def test_raw_html_is_escaped() -> None:
    html, _ = run("<script>alert(1)</script>\n")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_tables_without_header_text_get_no_thead() -> None:
    html, _ = run("| | |\n|---|---|\n| 講座 | 64講座 |\n")
    assert "<thead>" not in html and "<th>" not in html
    assert "<td>講座</td>" in html
    html, _ = run("| 日時 | 場所 |\n|---|---|\n| 4月 | 会議室 |\n")
    assert "<thead>" in html


def test_an_empty_cell_in_a_header_row_is_no_header() -> None:
    # the 前橋 survey form: 「内容」 spans two columns in the PDF, leaving a gap
    html, _ = run("| 業務名 | 内容 | |\n|---|---|---|\n| | 現在 | デジタル化後 |\n")
    assert "<thead>\n<tr>\n<th>業務名</th>\n<th>内容</th>\n<td></td>\n</tr>\n</thead>" in html
    assert "<th></th>" not in html


def test_every_table_scrolls_in_a_focusable_named_group() -> None:
    html, _ = run("| 日時 | 場所 |\n|---|---|\n| 4月 | 会議室 |\n\n| a |\n|---|\n| b |\n")
    opening = '<div class="table-scroll" role="group" tabindex="0" aria-label="表">\n<table>'
    assert html.count(opening) == 2  # a group, not a landmark: two "表" need no own names


def test_one_paragraph_is_judged_from_the_first_character_of_each_line() -> None:
    assert one_paragraph("項番44について伺いたい。")
    assert one_paragraph("一行目。\n二行目も同じ段落。\n   字下げした行も。\n")
    for source in (
        "",
        " 字下げ",
        "　全角空白で始まる",
        "段落。\n\n次の段落。",
        "段落。\n   \n次",
        "# 見出し",
        "段落。\n- 箇条",
        "段落。\n1. 番号",
        "段落。\n===",
        "> 引用",
        "段落。\n```",
        "見出し | 列\n--- | ---",
        "[x]: https://example.org/",
        "改行が\r\nCRLF",
    ):
        assert not one_paragraph(source), source


def test_plain_paragraphs_are_text_without_markup() -> None:
    md = make_markdown()
    assert plain_paragraphs(md, "項番44について。\n官民データ活用WGで。\n\n\n次の段落。\n") == [
        (0, ["項番44について。", "官民データ活用WGで。"]),
        (4, ["次の段落。"]),
    ]
    for source in (
        "",
        "\n\n",
        "**強調**",
        "[[item:44]]",
        "13:30に開始",
        "A&B",
        "段落。\n- 箇条",
        "段落。\n---",
        "行末に空白  \n次の行",
        "段落。\n \n空白だけの行",
        "\u3000全角空白の字下げ",
        "NUL\x00",
    ):
        assert plain_paragraphs(md, source) is None, source


def test_plain_text_without_references_is_left_for_the_page_to_render() -> None:
    md = make_markdown()
    source = '\n一行目は"引用"。\n二行目。\n\n\n次の段落。\n'
    assert render(md, source, FakeScope()) == ((), [])
    assert (
        plain_html(source)
        == md.render(source)
        == ("<p>一行目は&quot;引用&quot;。\n二行目。</p>\n<p>次の段落。</p>\n")
    )
    assert render(md, "**強調**", FakeScope())[0] == "<p><strong>強調</strong></p>\n"
    assert render(md, "項番\n44", FakeScope()) == ("<p>項番\n44</p>\n", [])  # no reference
    assert render(md, "項番44について。", FakeScope(autolink=None)) == ((), [])


def test_plain_text_keeps_its_links_not_its_html() -> None:
    md = make_markdown()
    source = "\n項番４４と「項番99」。\n官民データ活用WGで。\n\n\n項番38。\n"
    links, found = render(md, source, FakeScope())
    assert [(source[start:end], kind, link.href) for start, end, kind, link in links] == [
        ("項番４４", "item", "/items/44/"),
        ("官民データ活用WG", "wg", "/wgs/kanmin/"),
        ("項番38", "item", "/items/38/"),
    ]
    assert [f.target for f in found] == ["44", "99", "官民データ活用WG", "38"]
    assert plain_html(source, links) == md.render(source, {"xref": Env(FakeScope())})


def test_one_paragraph_renders_as_markdown_it_renders_it() -> None:
    """The shortcuts of render() for one paragraph and for plain paragraphs give md.render's
    HTML and references, for random texts made of the pieces that could tell them apart."""
    pieces = [
        *("a", "項番44", "項番99", "官民データ活用WG", "[[item:38]]", "[[wg:x|ラベル]]"),
        *(" ", "    ", "\t", "\n", "\n\n", "#", "- ", "*", "**太**", "_", "=", "---"),
        *("1. ", "> ", "```", "|", "a|b", ":", "[x]: /u", "[x]", "<div>", "\u3000", "\\"),
        *("`c`", "~~s~~", "\x00", "\xa0", "漢字", "\n次の行", "\n項番44", "  \n", " \n"),
        *("&amp;", "&", '"', "'", "\u2003", "項番４４", "ＷＧ", "\f"),
    ]
    # and pieces of which most texts are plain, of one paragraph or more
    plainer = [
        *("漢字", "項番44", "項番99", "項番４４", "官民データ活用WG"),
        *("\n", "\n\n", " ", "\u3000"),
    ]
    md = make_markdown()
    rng = random.Random(7)
    shortcuts = Counter()
    for n in range(20_000):
        chosen = plainer if n % 2 else pieces
        source = "".join(rng.choice(chosen) for _ in range(rng.randint(1, 10)))
        env = Env(FakeScope())
        expected = (md.render(source, {"xref": env}), env.found)
        rendered, found = render(md, source, FakeScope())
        if not isinstance(rendered, str):
            shortcuts["with links" if rendered else "without markup"] += 1
        assert (html_of(source, rendered), found) == expected
        plain = plain_paragraphs(md, source)
        shortcuts[len(plain) if plain else "one" if one_paragraph(source) else None] += 1
    assert shortcuts["one"] > 1_000, shortcuts
    assert shortcuts[1] > 500 and shortcuts[2] + shortcuts[3] > 100, shortcuts
    assert shortcuts["without markup"] > 300, shortcuts
    assert shortcuts["with links"] > 300, shortcuts
