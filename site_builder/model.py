"""The records, their source locations and the problems found in them.

Plain frozen dataclasses: every stage of the pipeline takes some of these and
returns others, so a stage can be read, tested and (later) run in parallel on
its own. The dataclasses that a clerk writes (the ``authored`` ones) double as
the content model: ``validate.py`` reads their type hints to check YAML, and
``docs/content-model.md`` documents each field (a test keeps the two in step).
Field metadata ``doc`` is the one-line description the JSON Schema and docs use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NewType


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file; prints the way compilers print it."""

    path: str  # posix path relative to the project root
    line: int = 1  # 1-based
    column: int = 1  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class LocatedStr(str):
    """A str that remembers where it was written, so that a later stage (a dangling
    slug found while linking) can still point at the line. Compares as a str."""

    __slots__ = ("location",)
    location: Location

    @classmethod
    def at(cls, value: str, location: Location) -> LocatedStr:
        s = cls(value)
        s.location = location
        return s


class LocatedInt(int):
    """An int that remembers where it was written (item numbers in relations)."""

    location: Location

    @classmethod
    def at(cls, value: int, location: Location) -> LocatedInt:
        i = cls(value)
        i.location = location
        return i


def where(value: object, fallback: Location) -> Location:
    """The location a value was written at, if it knows it."""
    return getattr(value, "location", fallback)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, where it is, and how to fix it."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ContentError(Exception):
    """All the problems a stage found; the next stage never runs after one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.location, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Text:
    """Markdown as the clerk wrote it, with where it starts (for located errors)."""

    source: str
    location: Location

    def __bool__(self) -> bool:
        return bool(self.source.strip())


def doc(text: str, default: object = None, **extra: object) -> object:
    """A dataclass field carrying its documentation (used by docs and JSON Schema)."""
    meta = {"doc": text, **extra}
    if isinstance(default, (list, tuple)):
        return field(default=tuple(default), metadata=meta)
    return field(default=default, metadata=meta)


def derived(default: object = None) -> object:
    """A field the loader fills in (slug, location …), never read from YAML."""
    return field(default=default, metadata={"derived": True}, compare=False)


# The Western year in which a fiscal year (年度) starts: 令和7年度 = 2025.
FiscalYear = NewType("FiscalYear", int)
# A file-name-like identifier: lower-case ASCII letters, digits and '-'.
Slug = NewType("Slug", str)


@dataclass(frozen=True, slots=True)
class RecordRef:
    """Identity of a record: its kind, municipality and slug; also its URL."""

    kind: Literal["municipality", "body", "meeting", "wg", "plan", "item", "document"]
    municipality: str
    slug: str = ""  # for a meeting: "<body>/<file stem>"; for an item: "<plan>/<number>"

    @property
    def url(self) -> str:
        folder = {
            "body": "bodies",
            "meeting": "meetings",
            "wg": "wgs",
            "plan": "plans",
            "document": "documents",
        }
        if self.kind == "municipality":
            return f"/{self.municipality}/"
        if self.kind == "item":
            plan, number = self.slug.split("/")
            return f"/{self.municipality}/plans/{plan}/items/{number}/"
        return f"/{self.municipality}/{folder[self.kind]}/{self.slug}/"

    def __str__(self) -> str:
        return f"{self.kind}:{self.municipality}/{self.slug}" if self.slug else self.municipality


# --- authored records -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contact:
    """Where citizens ask about a body or meeting (問い合わせ先)."""

    department: str | None = doc("担当課 — the responsible department (庶務担当課)")
    extension: str | None = doc("内線 — internal telephone extension")
    phone: str | None = doc("電話番号")
    email: str | None = doc("メールアドレス")
    url: str | None = doc("問い合わせページのURL")


@dataclass(frozen=True, slots=True)
class Municipality:
    name: str = doc("自治体名 (Popolo Organization.name)", required=True)
    name_en: str | None = doc("English name")
    prefecture: str | None = doc("都道府県")
    url: str | None = doc("公式サイトのURL")
    note: Text | None = doc("注記 (Markdown)")
    ref: RecordRef = derived()
    location: Location = derived()


@dataclass(frozen=True, slots=True)
class Membership:
    """A person's seat on a body over a period (Popolo Membership)."""

    name: str = doc("氏名 as printed (e.g. 小暮委員)", required=True)
    role: str = doc("役職: 委員長, 副委員長, 委員 … (Popolo Membership.role)", "委員")
    start_date: dt.date | None = doc("就任日 (Popolo start_date)")
    end_date: dt.date | None = doc("退任日 (Popolo end_date)")


BodyClass = Literal["committee", "board", "subcommittee", "team", "headquarters", "council"]


@dataclass(frozen=True, slots=True)
class Body:
    """A council, committee, board or team (会議体; Popolo/OCD Organization)."""

    name: str = doc("正式名称 (Organization.name)", required=True)
    short_name: str | None = doc("略称")
    classification: BodyClass = doc("種別 (Organization.classification)", "committee")
    parent: Slug | None = doc("親会議体のslug (Organization.parent_id): 部会 under 本部")
    description: Text | None = doc("設置目的など (Markdown)")
    plans: tuple[Slug, ...] = doc("このbodyの会議録で「項番NN」が指す計画のslug", ())
    secretariat: str | None = doc("事務局 (department)")
    contact: Contact | None = doc("問い合わせ先")
    memberships: tuple[Membership, ...] = doc("委員 over time (Popolo memberships)", ())
    editorial_note: Text | None = doc("転記者注 shown to readers (Markdown)")
    ref: RecordRef = derived()
    location: Location = derived()


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone present at (or absent from) a meeting (OCD Event participant)."""

    name: str = doc("氏名または職名 as printed", required=True)
    role: str | None = doc("役職 (委員長 …)")


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An item of the agenda (次第/議題; OCD EventAgendaItem), possibly nested."""

    title: str = doc("件名 (EventAgendaItem.description)", required=True)
    number: str | None = doc("番号 as printed: 1, (1), ①")
    id: Slug | None = doc("anchor id; ties a proceedings section (## … {#id}) to this item")
    items: tuple[AgendaItem, ...] = doc("sub-items", ())


@dataclass(frozen=True, slots=True)
class Conclusion:
    """結論 for an agenda item (OParl Consultation.result, in prose)."""

    agenda: Slug | None = doc("id of the agenda item it concludes")
    decided: Text | None = doc("決定した方針 (Markdown)")
    open_issues: Text | None = doc("残された問題点 (Markdown)")
    pending: Text | None = doc("保留事項 (Markdown)")


@dataclass(frozen=True, slots=True)
class Material:
    """資料 handed out at a meeting (OCD EventDocument)."""

    title: str = doc("資料名", required=True)
    number: str | None = doc("資料番号 as printed (資料1)")
    url: str | None = doc("URL of the file (PDF …)")
    document: Slug | None = doc("slug of a document record holding its text")


MeetingStatus = Literal["held", "scheduled", "cancelled"]
Disclosure = Literal["公開", "一部公開", "非公開"]
RecordDisclosure = Literal["開示", "一部開示", "非開示"]


@dataclass(frozen=True, slots=True)
class MeetingMeta:
    """A meeting's front matter (会議; OCD Event). The proceedings follow in Markdown."""

    title: str = doc("会議名 (Event.name)", required=True)
    date: dt.date = doc("開催日 (Event.start_date): 2025-11-17 or 令和7年11月17日", required=True)
    record_type: str | None = doc("記録の種類 as printed: 会議録（要旨）, 会議結果（要旨）")
    ordinal: int | None = doc("回数: 第3回 → 3")
    fiscal_year: FiscalYear | None = doc("年度: 2025 or 令和7年度; derived from date when omitted")
    start_time: dt.time | None = doc('開始時刻 "13:56"')
    end_time: dt.time | None = doc('終了時刻 "15:04"')
    place: str | None = doc("開催場所 (Event.location)")
    status: MeetingStatus = doc("held | scheduled | cancelled (Event.status)", "held")
    draft: bool = doc("true: shown in preview, left out of a published build", False)
    plans: tuple[Slug, ...] = doc("計画のslug that 項番NN refers to; default: the body's", ())
    attendees: tuple[Participant, ...] = doc("出席者 (members present)", ())
    absentees: tuple[Participant, ...] = doc("欠席者", ())
    secretariat: tuple[Participant, ...] = doc("事務局 attendees", ())
    observers: int | None = doc("傍聴者数")
    disclosure: Disclosure | None = doc("会議の公開・非公開の別")
    disclosure_reason: str | None = doc("一部公開・非公開とした理由")
    record_disclosure: RecordDisclosure | None = doc("会議録の開示・非開示の別")
    record_disclosure_basis: str | None = doc("一部開示・非開示の根拠法令等")
    reports: tuple[AgendaItem, ...] = doc("報告事項", ())
    agenda: tuple[AgendaItem, ...] = doc("議題・次第 (Event.agenda)", ())
    conclusions: tuple[Conclusion, ...] = doc("結論 per agenda item", ())
    materials: tuple[Material, ...] = doc("資料 (Event.documents)", ())
    contact: Contact | None = doc("問い合わせ先; default: the body's contact")
    editorial_note: Text | None = doc("転記者注 shown to readers (Markdown)")
    redirect_from: tuple[str, ...] = doc("old URLs of this record, kept as redirects", ())


Side = Literal["member", "secretariat", "unknown"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One speech in the proceedings (Popolo Speech; OParl Consultation)."""

    id: str  # stable anchor: depends only on this statement's speaker and text
    section: str  # id of the enclosing ## section
    speaker: str | None  # the label as written (副市長), None when not given
    side: Side
    marker: str  # ○ ● ・ or "" (a bracketed title)
    reply_to: str | None  # id of the question this answers (⇒)
    text: Text


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the proceedings and what follows it, in source order."""

    id: str
    title: str
    level: int  # 2 for ##, 3 for ###
    agenda: str | None  # the agenda/report item id it belongs to
    blocks: tuple[Text | Statement, ...]
    location: Location


@dataclass(frozen=True)
class Meeting:
    meta: MeetingMeta
    body: str  # body slug
    preface: tuple[Text, ...]  # proceedings text before the first heading
    sections: tuple[Section, ...]
    ref: RecordRef
    location: Location

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Statement))

    @property
    def fiscal_year(self) -> FiscalYear:
        d = self.meta.date
        return self.meta.fiscal_year or (d.year if d.month >= 4 else d.year - 1)


@dataclass(frozen=True, slots=True)
class Sheet:
    """A WG's hypothesis sheet (仮説検証シート) for one fiscal year."""

    fiscal_year: FiscalYear = doc("年度", required=True)
    future: Text | None = doc("①実現したい未来")
    background: Text | None = doc("②背景・現状")
    issues: Text | None = doc("③課題")
    causes: Text | None = doc("④原因")
    solution: Text | None = doc("⑤解決策")
    effects: Text | None = doc("⑥得られる効果")
    effects_label: str | None = doc("the ⑥ row label as printed, when it differs")
    activities: Text | None = doc("⑦その年度の取り組み (may contain a table)")
    next_steps: Text | None = doc("⑧今後の展開（スケジュール）")


@dataclass(frozen=True, slots=True)
class WorkingGroup:
    """A working group (WG) and its yearly sheets."""

    name: str = doc("WG名", required=True)
    number: int | None = doc("WG一覧での番号 (⑬ → 13)")
    name_note: str | None = doc("名称の注記 (英語の原語など)")
    aliases: tuple[str, ...] = doc("別名 (also auto-linked), e.g. after a reorganisation", ())
    body: Slug | None = doc("報告先の会議体のslug")
    vision: str | None = doc("目指す未来")
    departments: tuple[str, ...] = doc("参加所属", ())
    history: Text | None = doc("再編の経緯 (Markdown)")
    sheets: tuple[Sheet, ...] = doc("仮説検証シート per fiscal year", ())
    editorial_note: Text | None = doc("転記者注 shown to readers (Markdown)")
    redirect_from: tuple[str, ...] = doc("old URLs of this record, kept as redirects", ())
    ref: RecordRef = derived()
    location: Location = derived()


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    fiscal_year: FiscalYear = doc("年度", required=True)
    plan: str = doc("その年度の予定 (検討, 実施, 検討結果報告書提出 …)", required=True)


@dataclass(frozen=True, slots=True)
class Relation:
    item: int = doc("関連する項番", required=True)
    note: str | None = doc("関係の説明")


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A numbered item of a plan (項番)."""

    number: int = doc("項番", required=True)
    title: str = doc("推進項目名", required=True)
    description: Text | None = doc("取組内容 (Markdown)")
    criterion: str | None = doc("達成基準: 実施, 検討結果報告書提出 …")
    department: str | None = doc("所管課")
    schedule: tuple[ScheduleEntry, ...] = doc("年次計画", ())
    source: str | None = doc("where the text was taken from")
    related: tuple[Relation, ...] = doc("関連項目", ())


@dataclass(frozen=True, slots=True)
class Pillar:
    """A node of the plan tree: 改革の柱 → (1) → ①; items hang from any node."""

    title: str = doc("名称", required=True)
    number: str | None = doc("番号 as printed: 改革の柱②, (1), ①")
    children: tuple[Pillar, ...] = doc("下位の柱", ())
    items: tuple[PlanItem, ...] = doc("推進項目", ())


@dataclass(frozen=True, slots=True)
class Plan:
    title: str = doc("計画名", required=True)
    short_title: str | None = doc("略称")
    version: str | None = doc("版: 第1.0版")
    status: str | None = doc("状態: 素案, 策定済 …")
    body: Slug | None = doc("審議する会議体のslug")
    description: Text | None = doc("計画の説明 (Markdown)")
    pillars: tuple[Pillar, ...] = doc("柱の木", ())
    editorial_note: Text | None = doc("転記者注 shown to readers (Markdown)")
    redirect_from: tuple[str, ...] = doc("old URLs of this record, kept as redirects", ())
    ref: RecordRef = derived()
    location: Location = derived()

    @property
    def items(self) -> tuple[PlanItem, ...]:
        def walk(p: Pillar) -> list[PlanItem]:
            return [*p.items, *(i for c in p.children for i in walk(c))]

        return tuple(sorted((i for p in self.pillars for i in walk(p)), key=lambda i: i.number))


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """A document's front matter (資料/報告; OCD EventDocument)."""

    title: str = doc("表題", required=True)
    number: str | None = doc("資料番号 as printed (資料4)")
    body: Slug | None = doc("会議体のslug")
    date: dt.date | None = doc("日付")
    fiscal_year: FiscalYear | None = doc("年度")
    author: str | None = doc("作成者 (担当課)")
    source_url: str | None = doc("原本のURL (PDF …)")
    draft: bool = doc("true: shown in preview, left out of a published build", False)
    editorial_note: Text | None = doc("転記者注 shown to readers (Markdown)")
    redirect_from: tuple[str, ...] = doc("old URLs of this record, kept as redirects", ())


@dataclass(frozen=True, slots=True)
class Document:
    meta: DocumentMeta
    text: Text
    ref: RecordRef
    location: Location


Record = Municipality | Body | Meeting | WorkingGroup | Plan | Document


@dataclass(frozen=True, slots=True)
class Records:
    """Everything validated, keyed by RecordRef; the input of the link stage."""

    municipalities: dict[str, Municipality]
    bodies: dict[RecordRef, Body]
    meetings: dict[RecordRef, Meeting]
    wgs: dict[RecordRef, WorkingGroup]
    plans: dict[RecordRef, Plan]
    documents: dict[RecordRef, Document]

    def all(self) -> list[Record]:
        return [
            *self.municipalities.values(),
            *self.bodies.values(),
            *self.meetings.values(),
            *self.wgs.values(),
            *self.plans.values(),
            *self.documents.values(),
        ]
