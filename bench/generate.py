#!/usr/bin/env python3
"""A synthetic archive of N meetings in our content format, for benchmarks.

    python3 bench/generate.py --meetings 10000 --out bench/archive-10000 [--seed 1]

writes a whole project folder: config.yaml (search on), a ``themes`` symlink to this
repository's themes/, and content/ shaped like the example site — several
municipalities, each with bodies (memberships, ``plans:``, a 本部 with a チーム under
it), a DX plan of pillars and 60 items (項番), about 13 WGs with yearly hypothesis
sheets, a document, and its share of the meetings. A meeting has the front matter of
the example minutes (attendees, reports, agenda with ids, conclusions, materials) and
30–60 statements under ``## … {#agenda-N}`` sections, written in one of the two
styles of the seeds (○/● minutes, or （副市長）/⇒（事務局） Q&A threads); about a third
of the statements cite 項番NN of the body's plan, some name a WG.

Why municipalities grow with N: a real archive of 100,000 meetings is the records of
many municipalities, not 100,000 meetings of one committee; so each municipality
holds about ``--per-municipality`` meetings (400) and plan-item and WG pages stay the
size they are on a real site, while site-wide lists (fiscal years, home) grow.

The text is sentences of the example content (bench/corpus.txt, extracted once with
``--write-corpus``; frozen so that figures stay comparable when the example changes),
drawn by a random generator seeded per record from ``--seed``: the same arguments give
a byte-identical tree (tests/test_bench_generate.py checks this and runs
``site-builder check`` on it).

Stdlib only, so that it runs with any python3 ≥ 3.11.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus.txt"

ITEMS_PER_PLAN = 60
LATEST_MEETING = dt.date(2026, 3, 16)  # the newest meeting of every body (令和7年度)

# --- name pools ---------------------------------------------------------------------

# (kanji, romaji): municipality names are prefix + stem + 市/町, unique by construction.
PREFIXES = (
    ("東", "higashi"), ("西", "nishi"), ("南", "minami"), ("北", "kita"),
    ("新", "shin"), ("大", "oo"), ("小", "ko"), ("高", "taka"),
    ("中", "naka"), ("上", "kami"), ("下", "shimo"), ("若", "waka"),
    ("青", "ao"), ("白", "shira"), ("桜", "sakura"), ("緑", "midori"),
)  # fmt: skip
STEMS = (
    ("山", "yama"), ("川", "kawa"), ("野", "no"), ("原", "hara"),
    ("田", "da"), ("浜", "hama"), ("岡", "oka"), ("島", "jima"),
    ("沢", "sawa"), ("森", "mori"), ("谷", "tani"), ("里", "sato"),
    ("津", "tsu"), ("崎", "saki"), ("井", "ii"), ("宮", "miya"),
)  # fmt: skip
KINDS = (("市", ""), ("町", "-machi"))
PREFECTURES = ("東京都", "群馬県", "埼玉県", "千葉県", "神奈川県", "栃木県", "茨城県", "静岡県")
SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本",
    "阿部", "石川", "小暮", "坂野", "島", "田邊", "谷治", "岡田", "前田", "藤田",
)  # fmt: skip
SECRETARIAT = (
    "企画財政部長", "企画政策課長", "行政管理係長", "行政管理係主任", "デジタル推進課長",
    "デジタル推進係長", "デジタル企画係長", "デジタル企画係主事", "総務部長", "情報戦略課長",
    "情報政策課長", "職員課長", "財政課長",
)  # fmt: skip
TITLED_SPEAKERS = (
    "副市長", "都市計画課長", "財政課長", "未来創造部長", "職員課長", "政策推進課長",
    "情報政策課長", "市民課長", "教育総務課長", "福祉部長", "会計管理者",
)  # fmt: skip
DEPARTMENTS = (
    "情報政策課", "デジタル推進課", "企画政策課", "行政管理課", "市民課", "財政課", "職員課",
    "会計課", "都市計画課", "福祉総務課", "介護保険課", "子育て支援課", "教育総務課", "生涯学習課",
    "防災危機管理課",
)  # fmt: skip
PLACES = ("301会議室", "庁議室", "第1委員会室", "大会議室", "本庁舎5階 会議室", "市民会館 会議室")
MATERIALS = (
    "次第", "委員名簿", "前回会議録（要旨）", "DX推進計画の進捗状況", "WG活動報告",
    "DX人材育成の方向性", "コミュニケーションポリシー（案）", "推進項目一覧",
)  # fmt: skip
# (slug, name, vision, name_note): the thirteen WGs of the example and some more.
WGS = (
    ("online-procedures", "行政手続オンライン化WG", "書かない、待たない、行かない窓口", ""),
    ("mynumber-card", "マイナンバーカード普及・活用WG", "DXのスタートライン", ""),
    ("finance-document-system", "財務・文書システムWG", "ペーパーレス、はんこレス", ""),
    ("kanmin-data", "官民データ活用WG", "データ駆動型社会", ""),
    ("core-network", "コアネットワーク（外で働く）WG", "現場で仕事が完結する", ""),
    ("health-welfare-systems", "業務システム（健康・福祉）WG", "専門職がつながる", ""),
    ("reservation-systems", "業務システム（予約システム）WG", "キャッシュレス、キーレス", ""),
    ("bpr-rpa", "BPR（RPA）推進WG", "自分の部下を自分で増やそう", "Business Process Re-engineering"),  # noqa: E501
    ("mirise", "ミライズ策定WG", "これからの時代に合った形に見直す", ""),
    ("abw", "ABW（新議会棟）WG", "場所や時間に捉われない自由な働き方", "Activity-Based Working"),
    ("counter", "窓口WG", "行政手続オンライン化後の窓口のあり方", ""),
    ("community-dx", "地域社会のDX推進WG", "共助のあり方を再構築", ""),
    ("digital-divide", "デジタルデバイド解消WG", "誰も取り残されない", ""),
    ("open-data", "オープンデータ推進WG", "データで地域の課題を解く", ""),
    ("cashless", "キャッシュレス推進WG", "現金を扱わない窓口", ""),
    ("telework", "テレワーク推進WG", "どこでも働ける市役所", ""),
    ("gis", "地図情報活用WG", "地図で見える行政", ""),
    ("education-ict", "教育ICT活用WG", "一人一台端末を学びの道具に", ""),
    ("disaster-dx", "防災DX推進WG", "災害に強いデジタル基盤", ""),
    ("ai-use", "生成AI活用WG", "職員が創造的な仕事に集中できる", ""),
)  # fmt: skip
EXAMPLE_ITEM_TITLES = (  # the items of the example plan (content/musashimurayama)
    "市公式デジタルツール導入の検討",
    "オープンデータの整備",
    "行政手続のオンライン化の推進",
    "マイナンバーカードの新たな利活用策の検討",
    "フロントヤード改革の推進",
    "公金収納におけるデジタル化（eL-QRの活用）の拡充",
    "歴史資料のデジタルアーカイブ化の実施",
    "防災分野におけるデジタル化・DXの検討（防災DX）",
    "地域活動におけるICT化の検討",
    "民生・児童委員活動のICT化",
    "デジタルデバイド対策の推進",
    "子ども向けデジタル体験事業の実施",
    "子ども・高齢者の新たな見守りサービスの検討",
    "市議会のインターネット生配信の実施",
    "公共施設利用時の利便性向上策の検討",
    "学校教育における定期テスト等のCBT化の検討",
    "AI・RPAの活用",
    "新たなノーコード、ローコードツール導入の検討",
    "テレワークの推進",
    "情報システムの標準化・共通化の推進",
    "電話対応業務の効率化の検討",
    "「条例等の公布の電子化の実施」の策定",
    "訪問業務等の効率化策の検討",
    "まちづくり分野におけるデジタル化の推進",
    "財務会計事務における電子決裁の導入",
    "EBPMの推進体制の構築",
    "ペーパーレス化の推進",
    "デジタル関連予算等の最適化",
    "DX推進部門による所管課支援体制の検討",
    "ネットワーク環境の再構築及びセキュリティ対策の強化の検討",
    "デジタル人材の確保・育成の推進",
    "人事管理業務の最適化の検討",
    "介護認定業務におけるデジタル化の検討",
)
EXTRA_ITEM_TITLES = (
    "電子契約の導入", "キャッシュレス決済の拡大", "施設予約システムの更新",
    "庁内チャットツールの活用", "会議録作成支援ツールの導入", "Web会議環境の整備",
    "電子申請システムの利用拡大", "窓口キャッシュレス化の推進", "公共施設の鍵管理のスマート化",
    "図書館サービスのデジタル化", "子育て支援手続のオンライン化", "介護保険手続のオンライン化",
    "GISを活用した情報提供", "地域ポイント制度の検討", "ごみ分別アプリの導入",
    "観光情報のデジタル発信", "市公式SNSの活用", "行政情報のオープン化", "統計データの可視化",
    "職員のICTリテラシー向上", "情報セキュリティ研修の実施", "クラウドサービスの活用方針の策定",
    "業務量調査の実施", "業務プロセスの可視化", "文書管理システムの更新", "電子決裁率の向上",
    "自治体情報システムの共同利用", "公印の押印見直し", "書面規制の見直し",
    "保育所入所手続の電子化", "学校連絡のデジタル化", "健康診断予約のオンライン化",
    "避難所運営のデジタル化", "道路損傷通報システムの導入", "水道スマートメーターの検討",
    "公共交通のデータ活用",
)  # fmt: skip
PILLARS = (
    ("改革の柱①", "組織力の強化", ("人材の育成", "働き方の改革")),
    ("改革の柱②", "DXの推進", ("市民サービスDXの推進", "庁内DXの推進")),
    ("改革の柱③", "持続可能な行財政運営", ("財源の確保", "公共施設の最適化")),
)
LEAVES = ("スマート行政サービスDX", "市民にやさしいDX", "業務効率化DX", "職員・職場環境DX")
# (slug, name suffix, classification, parent, style of the minutes)
BODIES = (
    ("dx-committee", "DX推進委員会", "committee", None, "threads"),
    ("gyokaku", "行政改革推進委員会", "committee", None, "marks"),
    ("digital-honbu", "デジタル化推進本部", "headquarters", None, "threads"),
    ("suishin-team", "デジタル化推進チーム", "team", "digital-honbu", "marks"),
    ("joho-bukai", "情報化推進部会", "subcommittee", "digital-honbu", "marks"),
)
BODY_WEIGHTS = (3, 3, 2, 1, 1)  # share of a municipality's meetings
AGENDA_TITLES = (
    "{plan}の進捗状況について",
    "{plan}の素案について",
    "{wg}の活動報告について",
    "WG活動の再編案について",
    "DX人材育成の方向性について",
    "コミュニケーションポリシー（案）について",
    "設置要綱の改正について",
    "令和{year}年度の取組方針について",
    "{item}の取組状況について",
)
SUB_ITEMS = ("これまでの総括", "今後の予定", "WG活動報告", "課題の整理")


# --- a deterministic YAML writer -----------------------------------------------------

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9~][^\n]*\Z")


def scalar(value: object) -> str:
    """A YAML scalar that our strict loader reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (
        _PLAIN.match(text)
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and text not in ("true", "false", "null", "True", "False", "Null", "yes", "no")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def dump_yaml(value: object, indent: int = 0) -> str:
    """Block-style YAML as a clerk writes it; multi-line strings become `|` blocks."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, v in value.items():
            lines.extend(_entry(f"{pad}{key}:", v, indent))
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and v:
                body = dump_yaml(v, indent + 2).split("\n")
                lines.append(f"{pad}- {body[0].lstrip()}")
                lines.extend(body[1:])
            else:
                lines.extend(_entry(f"{pad}-", v, indent))
    return "\n".join(lines)


def _entry(head: str, v: object, indent: int) -> list[str]:
    if isinstance(v, dict):
        return [head, dump_yaml(v, indent + 2)] if v else [f"{head} {{}}"]
    if isinstance(v, list):
        if not v:
            return [f"{head} []"]
        if all(isinstance(x, (str, int)) and "\n" not in str(x) for x in v):
            return [f"{head} [{', '.join(scalar(x) for x in v)}]"]
        return [head, dump_yaml(v, indent + 2)]
    if isinstance(v, str) and "\n" in v:
        pad = " " * (indent + 2)
        block = "\n".join(pad + line if line else "" for line in v.rstrip("\n").split("\n"))
        return [f"{head} |", block]
    return [f"{head} {scalar(v)}"]


# --- dates ---------------------------------------------------------------------------

ERAS = (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8)))


def wareki(day: dt.date) -> str:
    """令和7年11月17日 (平成 before 2019-05-01), the way the minutes date themselves."""
    era, start = next((n, s) for n, s in ERAS if day >= s)
    year = day.year - start.year + 1
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int) -> str:
    era, start = next((n, s) for n, s in ERAS if dt.date(year, 5, 1) >= s)
    n = year - start.year + 1
    return f"{era}{'元' if n == 1 else n}年度"


# --- the archive ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    number: int
    title: str


@dataclass(frozen=True)
class Town:
    """One municipality of the archive and what its texts may cite."""

    slug: str
    name: str
    prefecture: str
    items: tuple[Item, ...]
    item_weights: tuple[float, ...]  # how often each item is discussed (a few very often)
    wgs: tuple[tuple[str, str, str, str], ...]
    members: dict[str, tuple[tuple[str, str], ...]]  # body slug → (name, role)


class Writer:
    """Draws every text of the archive from the corpus, seeded per record."""

    def __init__(self, seed: int, corpus: list[str]) -> None:
        self.seed = seed
        self.corpus = corpus

    def rng(self, *key: object) -> random.Random:
        # A str seed is hashed with SHA-512: stable across runs and PYTHONHASHSEED.
        return random.Random(":".join(map(str, (self.seed, *key))))

    def sentences(self, rng: random.Random, low: int, high: int) -> str:
        return "".join(rng.choice(self.corpus) for _ in range(rng.randint(low, high)))

    def paragraphs(self, rng: random.Random, low: int, high: int) -> str:
        return "\n\n".join(self.sentences(rng, 1, 3) for _ in range(rng.randint(low, high)))


def generate(out: Path, meetings: int, seed: int = 1, per_municipality: int = 400) -> int:
    """Write the project folder `out` (replaced if it exists); return the files written."""
    if meetings < 1 or per_municipality < 1:
        raise ValueError("--meetings and --per-municipality must be at least 1")
    writer = Writer(seed, load_corpus())
    if out.is_symlink() or out.is_file():
        raise ValueError(f"{out} is not a folder")
    if out.exists() and any(out.iterdir()):
        config = out / "config.yaml"
        if not (config.is_file() and config.read_text(encoding="utf-8").startswith(CONFIG)):
            raise ValueError(f"refusing to replace {out}: it is not an archive of generate.py")
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)
    (out / "themes").symlink_to(ROOT / "themes", target_is_directory=True)
    (out / "config.yaml").write_text(CONFIG, encoding="utf-8")
    count = 1
    towns = max(3, math.ceil(meetings / per_municipality))
    names = _town_names(writer.rng("towns"), towns)
    for index, (slug, name) in enumerate(names):
        share = meetings // towns + (1 if index < meetings % towns else 0)
        for rel, text in town_files(writer, index, slug, name, share):
            path = out / "content" / slug / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            count += 1
    return count


CONFIG = """\
# A synthetic archive written by bench/generate.py for benchmarks; not real records.
site:
  title: 会議録公開サイト（ベンチマーク用の合成データ）
  description: bench/generate.py が書いた合成データです。実在の会議録ではありません。
  publisher: site_builder ベンチマーク
  base_url: http://127.0.0.1:8000/
  language: ja
content_dir: content
theme: default
output_dir: output
search:
  enabled: true
"""


def _town_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    combos = [
        (f"{pk}{sk}{kk}", f"{pr}{sr}{kr}")
        for pk, pr in PREFIXES
        for sk, sr in STEMS
        for kk, kr in KINDS
    ]
    rng.shuffle(combos)
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} municipalities; raise --per-municipality")
    return sorted((slug, name) for name, slug in combos[:count])


def town_files(
    writer: Writer, index: int, slug: str, name: str, meetings: int
) -> Iterator[tuple[str, str]]:
    """Every file of one municipality, as (path under content/<slug>/, text)."""
    rng = writer.rng(slug)
    titles = [*EXAMPLE_ITEM_TITLES, *EXTRA_ITEM_TITLES]
    rng.shuffle(titles)
    items = tuple(Item(n, t) for n, t in enumerate(titles[:ITEMS_PER_PLAN], start=1))
    weights = [1 / (rank + 1) for rank in range(len(items))]
    rng.shuffle(weights)
    wgs = sorted(rng.sample(WGS, rng.randint(10, 14)), key=lambda w: w[0])
    members = {
        body: tuple(
            (f"{surname}委員", role)
            for surname, role in zip(
                rng.sample(SURNAMES, 8),
                ("委員長", "副委員長", *["委員"] * 6),
                strict=True,
            )
        )
        for body, *_ in BODIES
    }
    town = Town(
        slug,
        name,
        PREFECTURES[index % len(PREFECTURES)],
        items,
        tuple(weights),
        tuple(wgs),
        members,
    )
    yield "municipality.yaml", dump_yaml(_municipality(town)) + "\n"
    for body in BODIES:
        yield f"bodies/{body[0]}.yaml", dump_yaml(_body(town, body)) + "\n"
    yield "plans/dx-plan.yaml", dump_yaml(_plan(writer, town)) + "\n"
    for number, wg in enumerate(wgs, start=1):
        yield f"wgs/{wg[0]}.yaml", dump_yaml(_wg(writer, town, wg, number)) + "\n"
    yield "documents/team-activities.md", _document(writer, town)
    yield from _meetings(writer, town, meetings)


def _municipality(town: Town) -> dict:
    return {
        "name": town.name,
        "name_en": f"{town.slug.replace('-machi', '').title()} (synthetic)",
        "prefecture": town.prefecture,
        "note": "ベンチマーク用の合成データです。",
    }


def _body(town: Town, body: tuple) -> dict:
    slug, suffix, classification, parent, _style = body
    record: dict = {"name": f"{town.name}{suffix}", "classification": classification}
    if parent:
        record["parent"] = parent
    record["plans"] = ["dx-plan"]
    record["secretariat"] = "企画財政部 企画政策課"
    record["contact"] = {"department": "企画財政部 企画政策課", "extension": "374"}
    record["memberships"] = [{"name": n, "role": r} for n, r in town.members[slug]]
    return record


def _plan(writer: Writer, town: Town) -> dict:
    rng = writer.rng(town.slug, "plan")
    items = list(town.items)
    per_leaf = len(items) // (len(PILLARS) * 4)
    pillars = []
    for number, title, sections in PILLARS:
        children = []
        for s, section in enumerate(sections, start=1):
            leaves = []
            for k, leaf in enumerate(rng.sample(LEAVES, 2)):
                chunk, items = items[:per_leaf], items[per_leaf:]
                leaves.append(
                    {
                        "number": "①②"[k],
                        "title": leaf,
                        "items": [_plan_item(writer, town, item) for item in chunk],
                    }
                )
            children.append({"number": f"({s})", "title": section, "children": leaves})
        pillars.append({"number": number, "title": title, "children": children})
    if items:  # what does not divide evenly hangs from the last pillar
        pillars[-1]["items"] = [_plan_item(writer, town, item) for item in items]
    return {
        "title": f"{town.name}DX推進計画",
        "short_title": "DX推進計画",
        "version": "第1.0版",
        "status": "策定済",
        "body": "gyokaku",
        "description": writer.paragraphs(rng, 2, 3) + "\n",
        "pillars": pillars,
    }


def _plan_item(writer: Writer, town: Town, item: Item) -> dict:
    rng = writer.rng(town.slug, "item", item.number)
    start = rng.randint(2023, 2025)
    record: dict = {
        "number": item.number,
        "title": item.title,
        "description": writer.paragraphs(rng, 1, 2) + "\n",
        "criterion": rng.choice(("実施", "検討結果報告書提出")),
        "department": rng.choice(DEPARTMENTS),
        "schedule": [
            {"fiscal_year": fiscal_year_label(year), "plan": plan}
            for year, plan in zip(
                range(start, start + 3), ("検討", "検討結果報告書提出", "実施"), strict=True
            )
        ],
    }
    if rng.random() < 0.2:
        other = rng.choice([i for i in town.items if i.number != item.number])
        record["related"] = [{"item": other.number, "note": "連携して進めるよう委員から意見"}]
    return record


def _wg(writer: Writer, town: Town, wg: tuple, number: int) -> dict:
    slug, name, vision, note = wg
    rng = writer.rng(town.slug, "wg", slug)
    record: dict = {"number": number, "name": name}
    if note:
        record["name_note"] = note
    record["body"] = "dx-committee"
    record["vision"] = vision
    record["departments"] = rng.sample(DEPARTMENTS, rng.randint(2, 4))
    first = rng.randint(2021, 2024)
    sheets = []
    for year in range(first, min(first + rng.randint(1, 3), 2026)):
        sheet = {"fiscal_year": fiscal_year_label(year)}
        for key in ("future", "background", "issues", "causes", "solution", "effects"):
            sheet[key] = writer.sentences(rng, 1, 3)
        sheet["activities"] = _activities(writer, rng)
        sheet["next_steps"] = "\n".join(f"- {writer.sentences(rng, 1, 1)}" for _ in range(2)) + "\n"
        sheets.append(sheet)
    record["sheets"] = sheets
    return record


def _activities(writer: Writer, rng: random.Random) -> str:
    text = writer.sentences(rng, 1, 2)
    if rng.random() < 0.5:
        return text
    rows = "\n".join(
        f"| {writer.sentences(rng, 1, 1)} | {rng.randint(5, 80)}講座（{rng.randint(50, 999)}名） |"
        for _ in range(rng.randint(2, 4))
    )
    return f"{text}\n\n| | |\n|---|---|\n{rows}\n"


def _document(writer: Writer, town: Town) -> str:
    rng = writer.rng(town.slug, "document")
    meta = {
        "title": "デジタル化推進チームの活動について",
        "number": "資料4",
        "body": "suishin-team",
        "fiscal_year": "令和4年度",
        "author": "デジタル化推進本部事務局",
    }
    parts = []
    for n, heading in enumerate(("取組事項", "反省点", "今年度の方向性"), start=1):
        bullets = "\n".join(f"- {writer.sentences(rng, 1, 2)}" for _ in range(rng.randint(2, 5)))
        parts.append(f"## ({n}) {heading}\n\n{bullets}\n")
    return f"---\n{dump_yaml(meta)}\n---\n" + "\n".join(parts)


# --- meetings ------------------------------------------------------------------------


def _meetings(writer: Writer, town: Town, count: int) -> Iterator[tuple[str, str]]:
    total = sum(BODY_WEIGHTS)
    shares = [count * w // total for w in BODY_WEIGHTS]
    for i in range(count - sum(shares)):
        shares[i % len(shares)] += 1
    for body, share in zip(BODIES, shares, strict=True):
        rng = writer.rng(town.slug, body[0], "dates")
        days: list[dt.date] = []
        day = LATEST_MEETING - dt.timedelta(days=rng.randint(0, 20))
        for _ in range(share):
            days.append(day)
            day -= dt.timedelta(days=rng.randint(20, 52))
        days.sort()
        ordinals: dict[int, int] = {}
        used: dict[str, int] = {}
        for day in days:
            fy = fiscal_year(day)
            ordinals[fy] = ordinals.get(fy, 0) + 1
            slug = day.isoformat()
            used[slug] = used.get(slug, 0) + 1
            if used[slug] > 1:
                slug = f"{slug}-{used[slug]}"
            text = _meeting(writer, town, body, slug, day, ordinals[fy])
            yield f"meetings/{body[0]}/{slug}.md", text


def _meeting(writer: Writer, town: Town, body: tuple, slug: str, day: dt.date, ordinal: int) -> str:
    body_slug, suffix, _classification, _parent, style = body
    rng = writer.rng(town.slug, body_slug, slug)
    year = fiscal_year(day)
    members = list(town.members[body_slug])
    absent = rng.sample(members, rng.randint(0, 2))
    reports = ordinal > 1 and rng.random() < 0.7  # the previous meeting's result
    titles = _agenda_titles(rng, town, year)
    agenda = []
    for n, title in enumerate(titles, start=1):
        entry: dict = {"id": f"agenda-{n}", "number": str(n), "title": title}
        if style == "threads" and n < len(titles) and rng.random() < 0.3:
            entry["items"] = [
                {"number": "①②③④"[k], "title": t}
                for k, t in enumerate(rng.sample(SUB_ITEMS, rng.randint(2, 4)))
            ]
        agenda.append(entry)
    meta: dict = {
        "title": f"{fiscal_year_label(year)}第{ordinal}回{town.name}{suffix}",
        "record_type": "会議録（要旨）" if style == "marks" else "会議結果（要旨）",
        "ordinal": ordinal,
        "fiscal_year": fiscal_year_label(year),
        "date": wareki(day),
        "start_time": f"{rng.randint(9, 15)}:{rng.choice(('00', '30', '56'))}",
        "end_time": f"{rng.randint(16, 17)}:{rng.choice(('04', '20', '45'))}",
        "place": rng.choice(PLACES),
        "attendees": [
            {"name": n, "role": r} if r != "委員" else {"name": n}
            for n, r in members
            if (n, r) not in absent
        ],
    }
    if absent:
        meta["absentees"] = [{"name": n, "role": r} for n, r in absent]
    meta["secretariat"] = [{"name": t} for t in rng.sample(SECRETARIAT, rng.randint(3, 8))]
    meta["observers"] = rng.choice((0, 0, 0, 1, 2, 5))
    meta["disclosure"] = "公開"
    meta["record_disclosure"] = "開示"
    if reports:
        previous = f"{fiscal_year_label(year)}第{ordinal - 1}回{town.name}{suffix}"
        meta["reports"] = [{"title": f"{previous}の会議結果について", "id": "report-1"}]
    meta["agenda"] = agenda
    meta["conclusions"] = [
        {
            "agenda": a["id"],
            "decided": f"{a['title'].removesuffix('について')}について、委員から意見を頂いた。",
        }
        for a in agenda[:-1]
    ] + [{"agenda": agenda[-1]["id"], "decided": "特になし。"}]
    meta["materials"] = [
        {"number": f"資料{k}", "title": t}
        for k, t in enumerate(rng.sample(MATERIALS, rng.randint(2, 4)), start=1)
    ]
    proceedings = _proceedings(writer, rng, town, style, reports, agenda, meta)
    return f"---\n{dump_yaml(meta)}\n---\n{proceedings}"


def _agenda_titles(rng: random.Random, town: Town, year: int) -> list[str]:
    n = rng.randint(1, 3)
    titles = []
    for template in rng.sample(AGENDA_TITLES, n):
        item = _cited(rng, town)
        wg = rng.choice(town.wgs)[1]
        era_year = year - 2018
        titles.append(
            template.format(
                plan=f"{town.name}DX推進計画",
                wg=wg,
                item=f"項番{item.number}「{item.title}」",
                year=era_year if era_year > 1 else "元",
            )
        )
    return [*titles, "その他"]


def _cited(rng: random.Random, town: Town) -> Item:
    return rng.choices(town.items, weights=town.item_weights)[0]


def _proceedings(
    writer: Writer,
    rng: random.Random,
    town: Town,
    style: str,
    reports: bool,
    agenda: list[dict],
    meta: dict,
) -> str:
    budget = rng.randint(29, 59)  # and the closing その他: 30 to 60 statements
    out: list[str] = []
    if style == "threads":
        out.append("以下の次第に従い、議事について共有・協議を行った。\n")
    if reports:
        title = meta["reports"][0]["title"]
        out.append(f"## 報告事項 {title} {{#report-1}}\n")
        out.append(f"{title.removesuffix('について')}について事務局から報告した。\n")
        out.append("### 【質疑・意見等】\n")
        out.append(f"{_mark(style, 'member')} 特になし。\n")
        budget -= 1
    discussed = agenda[:-1]
    for n, item in enumerate(discussed, start=1):
        share = budget // len(discussed) if n < len(discussed) else budget
        budget -= share
        heading = f"議題{item['number']}" if style == "marks" else f"({item['number']})"
        out.append(f"## {heading} {item['title']} {{#{item['id']}}}\n")
        lead = "● " if style == "marks" else "（事務局）"
        out.append(f"{lead}{item['title'].removesuffix('について')}について説明する。\n")
        out.extend(p + "\n" for p in writer.paragraphs(rng, 2, 6).split("\n\n"))
        out.append("### 【質疑・意見等】\n")
        out.extend(_thread(writer, rng, town, style, share - 1))
    last = agenda[-1]
    heading = f"議題{last['number']}" if style == "marks" else f"({last['number']})"
    out.append(f"## {heading} {last['title']} {{#{last['id']}}}\n")
    out.append("会議録の取扱い、次回の会議日程等について周知した。\n")
    out.append("### 【質疑・意見等】\n")
    out.append(f"{_mark(style, 'member')} 特になし。\n")
    return "\n".join(out)


def _mark(style: str, side: str, speaker: str = "") -> str:
    """The speaker marker of a member's statement, or of the secretariat's answer."""
    if style == "marks":
        return "○" if side == "member" else "●"
    if side == "member":
        return f"（{speaker}）" if speaker else "・"
    return "⇒（事務局）"


def _thread(
    writer: Writer, rng: random.Random, town: Town, style: str, count: int
) -> Iterator[str]:
    """Questions and answers: a member asks, the secretariat answers (sometimes twice),
    the member follows up; a third of them cite 項番NN, some name a WG."""
    while count > 0:
        speaker = rng.choice(TITLED_SPEAKERS)
        question = _statement_text(writer, rng, town)
        if style == "marks":
            yield f"○ {question}\n"
        else:
            yield f"{_mark(style, 'member', speaker if rng.random() < 0.85 else '')}{question}\n"
        count -= 1
        for _ in range(min(count, rng.choice((1, 1, 1, 2)))):
            answer = _statement_text(writer, rng, town)
            yield f"{'● ' if style == 'marks' else '⇒（事務局）'}{answer}\n"
            count -= 1
            if rng.random() < 0.25:  # a continuation paragraph of the same statement
                yield writer.sentences(rng, 1, 3) + "\n"
        if count > 0 and style == "threads" and rng.random() < 0.3:
            yield f"⇒（{speaker}）{writer.sentences(rng, 1, 2)}\n"
            count -= 1


def _statement_text(writer: Writer, rng: random.Random, town: Town) -> str:
    text = writer.sentences(rng, 1, 4)
    roll = rng.random()
    if roll < 0.25:
        item = _cited(rng, town)
        text = f"項番{item.number}「{item.title}」について、{text}"
    elif roll < 0.33:
        a, b = _cited(rng, town), _cited(rng, town)
        text += f"項番{a.number}「{a.title}」と項番{b.number}は連携して進めていくほうが良い。"
    if rng.random() < 0.12:
        text += f"{rng.choice(town.wgs)[1]}でも検討していきたい。"
    return text


# --- the corpus ----------------------------------------------------------------------


def load_corpus() -> list[str]:
    return [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


_SENTENCE = re.compile(r"[^。]+。")
_LEADER = re.compile(r"^(?:[-*+]\s+|[a-z_]+:\s*\|?\s*|⇒\s*|[○●・]\s*|（[^）]{1,12}）)+")
_PAIRS = ("「」", "（）", "()", "『』")
_UNSAFE = re.compile(r"[|\[\]#*_`<>{}\\]|WG|項番|項目\d|https?:|武蔵村山|前橋")


def extract_corpus(content: Path) -> list[str]:
    """Sentences of the example content that are safe anywhere in a statement: no
    Markdown syntax, no 項番 or WG names (the generator adds its own citations),
    no real place names, starting with a Japanese character."""
    seen: dict[str, None] = {}
    for path in sorted(content.rglob("*")):
        if path.suffix not in (".md", ".yaml"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = _LEADER.sub("", line.strip())
            for sentence in _SENTENCE.findall(line):
                sentence = sentence.strip()
                if (
                    20 <= len(sentence) <= 220
                    and not _UNSAFE.search(sentence)
                    and re.match(r"[\u3040-\u30ff\u4e00-\u9fff「]", sentence)
                    and all(sentence.count(a) == sentence.count(b) for a, b in _PAIRS)
                ):
                    seen.setdefault(sentence)
    return list(seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, help="number of meetings (e.g. 10000)")
    parser.add_argument("--out", type=Path, help="project folder to write (replaced)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--per-municipality",
        type=int,
        default=400,
        help="meetings per municipality (default 400); municipalities = N / this, at least 3",
    )
    parser.add_argument(
        "--write-corpus",
        action="store_true",
        help="re-extract bench/corpus.txt from the example content/ and exit",
    )
    args = parser.parse_args(argv)
    if args.write_corpus:
        sentences = extract_corpus(ROOT / "content")
        CORPUS.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        print(f"wrote {len(sentences)} sentences to {CORPUS.relative_to(ROOT)}")
        return 0
    if args.meetings is None or args.out is None:
        parser.error("--meetings and --out are required")
    try:
        files = generate(args.out, args.meetings, args.seed, args.per_municipality)
    except ValueError as err:
        parser.error(str(err))
    print(f"wrote {files} files ({args.meetings} meetings) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
