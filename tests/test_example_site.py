"""The example site: every seed record on its page, with all its text, cross-linked."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

from site_builder.build import check
from site_builder.config import load_config

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REPO = Path(__file__).resolve().parent.parent

# Lines of the seeds that are layout, not text: table headers that became fields or
# page labels, the PDF's form furniture, and the seeds' own speaker labels, which the
# site shows as the statement's speaker rather than inside its text.
STRUCTURE = re.compile(
    r"^(会 ?議 ?名|開 ?催|出席者|議 ?題\t|結 ?論|審 ?議 ?経 ?過|）|【質疑・意見等】 ○|"
    r"議題 ?[12] ?：|非公開|傍聴者|一部開示|非開示|庶務担当課|（日本産業規格|WG名\t|"
    r"⑦R3年度の取り組み|[123]\. |https://www\.youtube|# 【資料4】|日時：|午前10時|場所：|"
    r"第5回前橋市DX推進委員会 会議結果|[-\t ]+$)"
)
SPEAKER = re.compile(r"^(⇒\s*)?[（(][^）)]{2,12}[）)]\s*|^[○●・+\-]\s*")


def flat(text: str) -> str:
    """Compare text the way a reader does: NFKC, no tags, no whitespace, no list marks
    (・ and - bullets of the PDF are Markdown lists on the site)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", unicodedata.normalize("NFKC", text)))
    text = re.sub(r"(^|\s)[-・]\s*", r"\1", text)
    return re.sub(r"[\s*#|\\・]+", "", text)


@pytest.fixture(scope="module")
def site_text(example_site: Path) -> str:
    return "".join(
        flat(p.read_text(encoding="utf-8"))
        for p in sorted((example_site / "output").rglob("*.html"))
    )


SEED_FILES = [
    "000_c04314625325ac79.txt",
    "001_e8d6b3d96efe4c94.txt",
    "002_4ae1158ae4fb756d.txt",
    "004_830b750c099d350d.txt",
]


@pytest.mark.parametrize("name", SEED_FILES, ids=lambda n: n[:3])
def test_every_sentence_of_every_seed_is_published(name: str, site_text: str) -> None:
    seed = SEEDS / name
    assert seed.is_file(), f"{seed} not found: the seeds live in shared/ beside the checkout"
    text = re.sub(r"<[^>]+>", "\n", seed.read_text(encoding="utf-8"))
    missing = []
    for line in text.split("\n"):
        line = line.strip()
        if STRUCTURE.match(line):
            continue
        for sentence in line.split("。"):
            words = flat(SPEAKER.sub("", sentence.strip()))
            if len(words) >= 6 and words not in site_text:
                missing.append(sentence)
    assert missing == []


def test_every_record_has_its_page(example_site: Path) -> None:
    site = check(load_config(example_site))
    out = example_site / "output"
    for record in site.records.all():
        page = out / record.ref.url.strip("/") / "index.html"
        assert page.is_file(), record.ref
    for plan in site.records.plans.values():
        for item in plan.items:
            assert (
                out / plan.ref.url.strip("/") / "items" / str(item.number) / "index.html"
            ).is_file()
    assert len(site.records.wgs) == 13
    assert sorted(i.number for p in site.records.plans.values() for i in p.items) == [
        2,
        *range(38, 71),
    ]


def test_each_statement_is_on_its_meeting_page_under_its_anchor(example_site: Path) -> None:
    site = check(load_config(example_site))
    for meeting in site.records.meetings.values():
        page = (example_site / "output" / meeting.ref.url.strip("/") / "index.html").read_text()
        for statement in meeting.statements:
            start = page.index(f'id="{statement.id}"')
            end = page.index('class="permalink"', start)
            source = re.sub(r"\[\[[a-z]+:[^|\]]+\|?|\]\]|\\", "", statement.text.source)
            assert flat(source) in flat(page[start:end])


def test_item_44_lists_the_statements_that_discuss_it(example_site: Path) -> None:
    out = example_site / "output"
    item = (out / "musashimurayama/plans/dx-plan/items/44/index.html").read_text()
    meeting_url = "/musashimurayama/meetings/gyokaku/2025-11-17/"
    meeting = (out / meeting_url.strip("/") / "index.html").read_text()
    anchors = re.findall(re.escape(meeting_url) + r"#(s-[0-9a-f]{8}(?:-\d+)?)", item)
    assert len(anchors) >= 4  # the explanation, the UX remark, the 資料館 remark, 44 with 49
    for anchor in anchors:
        start = meeting.index(f'id="{anchor}"')
        statement = meeting[start : meeting.index('class="permalink"', start)]
        assert 'href="/musashimurayama/plans/dx-plan/items/44/"' in statement  # and back
    assert "項番44「歴史資料のデジタルアーカイブ化の実施」で歴史資料をただ並べるのではなく" in item


def test_wg_pages_list_meetings_that_name_them(example_site: Path) -> None:
    page = (example_site / "output/maebashi/wgs/kanmin-data/index.html").read_text()
    assert "/maebashi/meetings/dx-committee/2023-04-18/#s-" in page
    assert "都市計画課長" in page


def test_dates_are_wareki_inside_time_elements(example_site: Path) -> None:
    page = (
        example_site / "output/maebashi/meetings/dx-committee/2023-04-18/index.html"
    ).read_text()
    assert '<time datetime="2023-04-18">令和5年4月18日（火）</time>' in page
    assert (
        '<time datetime="10:00:00">午前10時</time>～<time datetime="11:20:00">午前11時20分</time>'
        in page
    )


def test_body_page_groups_meetings_by_fiscal_year(example_site: Path) -> None:
    page = (example_site / "output/musashimurayama/bodies/gyokaku/index.html").read_text()
    assert 'id="fy-2025">令和7年度（1件）</h3>' in page
    assert "小暮委員" in page and "企画財政部 企画政策課" in page
