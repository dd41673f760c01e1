"""JIS X 8341-3:2016: its level A and AA success criteria, and how `site-builder audit`
judges each one from what the audit found.

Japanese public bodies publish their test results (試験結果) criterion by criterion:
適合, 非適合 or 適用なし, with how each was judged. An automated audit can prove some
criteria and only find failures of others, so each criterion here says which it is:

- ``AUTO``: the audit's checks decide it on every page (4.1.1 by the Nu Html Checker,
  2.4.7 by focusing every element with the Tab key …) → 適合 or 非適合;
- ``ABSENT``: it applies only to some kind of content (video, forms that report input
  errors …); the audit counts that content on every page → 適用なし with the reason
  when there is none, otherwise a person must judge it;
- ``HUMAN``: no tool can judge it (is the alternative text right, is the heading
  descriptive) → 要人手確認, never 適合; a failure a tool did find still makes it 非適合.

The names are those of the standard (JIS X 8341-3:2016 = WCAG 2.0), which is why they
live here with the rules that judge them and not in the theme's labels.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

AUTO, ABSENT, HUMAN = "auto", "absent", "human"

# Verdicts, as the report shows them.
PASS, FAIL, NOT_APPLICABLE, NEEDS_HUMAN = "適合", "非適合", "適用なし", "要人手確認"


@dataclass(frozen=True)
class Criterion:
    number: str  # "1.4.3"
    name: str  # the standard's name: コントラスト（最低限レベル）
    level: str  # "A" or "AA"
    method: str  # AUTO, ABSENT or HUMAN
    how: str  # AUTO: what proves it; ABSENT: why nothing applies; HUMAN: what a person checks
    absent: tuple[str, ...] = ()  # ABSENT: the evidence counts that must all be 0
    human: str = ""  # ABSENT: what a person checks when there is such content


# fmt: off
MEDIA = ("media",)
MEDIA_HUMAN = "音声・映像にキャプション・音声解説・代替コンテンツがあるか"
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "1.1.1", "非テキストコンテンツ", "A", ABSENT,
        "画像・図・アイコンなどの非テキストコンテンツを使っていない（装飾のCSSを除く）",
        ("images",), "画像などの代替テキストが同じ目的を果たすか",
    ),
    Criterion(
        "1.2.1", "音声だけ及び映像だけ（収録済み）", "A", ABSENT,
        "音声・映像のコンテンツを掲載していない", MEDIA, MEDIA_HUMAN,
    ),
    Criterion(
        "1.2.2", "キャプション（収録済み）", "A", ABSENT,
        "音声・映像のコンテンツを掲載していない", MEDIA, MEDIA_HUMAN,
    ),
    Criterion(
        "1.2.3", "音声解説又はメディアに対する代替コンテンツ（収録済み）", "A", ABSENT,
        "音声・映像のコンテンツを掲載していない", MEDIA, MEDIA_HUMAN,
    ),
    Criterion(
        "1.2.4", "キャプション（ライブ）", "AA", ABSENT,
        "ライブ配信の音声・映像を掲載していない", MEDIA, MEDIA_HUMAN,
    ),
    Criterion(
        "1.2.5", "音声解説（収録済み）", "AA", ABSENT,
        "音声・映像のコンテンツを掲載していない", MEDIA, MEDIA_HUMAN,
    ),
    Criterion(
        "1.3.1", "情報及び関係性", "A", HUMAN,
        "見出し・リスト・表の構造がマークアップで示されているか（自動試験は構造の誤りを検出する）",
    ),
    Criterion(
        "1.3.2", "意味のある順序", "A", HUMAN,
        "読み上げの順序で意味が通じるか（自動試験は語の途中のレイアウト用の空白を検出する）",
    ),
    Criterion(
        "1.3.3", "感覚的な特徴", "A", HUMAN,
        "「右の表」「赤い文字」のように、形・位置・色だけで説明していないか",
    ),
    Criterion(
        "1.4.1", "色の使用", "A", HUMAN,
        "色だけで情報を伝えていないか（自動試験は発言者の区別とリンクの下線を確認する）",
    ),
    Criterion(
        "1.4.2", "音声の制御", "A", ABSENT,
        "自動で再生される音声がない", MEDIA, "自動で再生される音声を止められるか",
    ),
    Criterion(
        "1.4.3", "コントラスト（最低限レベル）", "AA", AUTO,
        "全ページの全テキストについて、文字色と背景色のコントラスト比をライトとダークの両方の"
        "配色で計算した",
    ),
    Criterion(
        "1.4.4", "テキストのサイズ変更", "AA", AUTO,
        "全ページで文字サイズを200%にして、横スクロールが生じないこと、枠からはみ出して"
        "切れる文字がないことを確認した",
    ),
    Criterion(
        "1.4.5", "文字画像", "AA", ABSENT,
        "文字を画像で表示していない（画像を使っていない）", ("images",),
        "画像の中に文字が含まれていないか",
    ),
    Criterion(
        "2.1.1", "キーボード", "A", HUMAN,
        "すべての機能をキーボードだけで操作できるか（自動試験はTabキーで全要素に到達できる"
        "ことを確認する）",
    ),
    Criterion(
        "2.1.2", "キーボードトラップなし", "A", AUTO,
        "全ページで、Tabキーを押し続けるとフォーカスがページの最後まで進み、ページの外へ出る"
        "ことを確認した",
    ),
    Criterion(
        "2.2.1", "タイミング調整可能", "A", ABSENT,
        "制限時間を設けていない（時間をおいて自動で移動・更新するページがない）",
        ("time_limit",), "制限時間を解除・延長できるか",
    ),
    Criterion(
        "2.2.2", "一時停止、停止及び非表示", "A", ABSENT,
        "動く・点滅する・自動で更新されるコンテンツがない", ("animation", "media"),
        "動くコンテンツを一時停止・停止・非表示にできるか",
    ),
    Criterion(
        "2.3.1", "3回の閃光、又は閾値以下", "A", ABSENT,
        "点滅・閃光するコンテンツがない", ("animation", "media"),
        "1秒間に3回を超える閃光がないか",
    ),
    Criterion(
        "2.4.1", "ブロックスキップ", "A", AUTO,
        "全ページで、Tabキーで最初に移動する先が「本文へ移動」リンクであり、それを押すと"
        "フォーカスが本文へ移ることを確認した",
    ),
    Criterion(
        "2.4.2", "ページタイトル", "A", HUMAN,
        "タイトルがページの主題を表しているか（自動試験は空・重複したタイトルを検出する）",
    ),
    Criterion(
        "2.4.3", "フォーカス順序", "A", HUMAN,
        "フォーカスの移動順が意味・操作に沿っているか（自動試験は文書の順序との食い違いを"
        "検出する）",
    ),
    Criterion(
        "2.4.4", "リンクの目的（コンテキスト内）", "A", HUMAN,
        "リンクの文言（と前後の文脈）から行き先がわかるか",
    ),
    Criterion(
        "2.4.5", "複数の手段", "AA", AUTO,
        "全ページにサイト内検索とナビゲーションがあることを確認した",
    ),
    Criterion("2.4.6", "見出し及びラベル", "AA", HUMAN, "見出しとラベルが内容・目的を表しているか"),
    Criterion(
        "2.4.7", "フォーカスの可視化", "AA", AUTO,
        "全ページで、Tabキーでフォーカスしたすべての要素にフォーカス枠が表示され、画面内に"
        "あることを確認した",
    ),
    Criterion(
        "3.1.1", "ページの言語", "A", AUTO,
        "全ページで、html要素のlang属性がサイトの言語と一致することを確認した",
    ),
    Criterion(
        "3.1.2", "一部分の言語", "AA", HUMAN,
        "日本語以外の語句に言語が指定されているか（自動試験は言語指定のない外国語の文を"
        "検出する）",
    ),
    Criterion(
        "3.2.1", "フォーカス時", "A", AUTO,
        "全ページで、Tabキーでフォーカスを移してもページの移動や新しいウィンドウが起きない"
        "ことを確認した",
    ),
    Criterion(
        "3.2.2", "入力時", "A", HUMAN,
        "入力や選択をしただけで、予告なくページの移動や送信が起きないか",
    ),
    Criterion(
        "3.2.3", "一貫したナビゲーション", "AA", AUTO,
        "全ページのヘッダーとフッターのリンクと検索フォームが同じ順序であることを確認した",
    ),
    Criterion("3.2.4", "一貫した識別性", "AA", HUMAN, "同じ機能に同じ名前を使っているか"),
    Criterion(
        "3.3.1", "エラーの特定", "A", ABSENT,
        "入力エラーを検出するフォームがない（サイト内検索はどんな語句も受け付ける）",
        ("input_errors",), "入力エラーの箇所と内容を文字で示しているか",
    ),
    Criterion(
        "3.3.2", "ラベル又は説明", "A", HUMAN,
        "入力欄のラベル・説明が十分か（自動試験はラベルのない入力欄を検出する）",
    ),
    Criterion(
        "3.3.3", "エラー修正の提案", "AA", ABSENT,
        "入力エラーを検出するフォームがない", ("input_errors",),
        "入力エラーの修正方法を示しているか",
    ),
    Criterion(
        "3.3.4", "エラー回避（法的、金融及びデータ）", "AA", ABSENT,
        "契約・金銭・データの送信を行うフォームがない（検索フォームのみ）", ("transactions",),
        "送信の前に確認・修正・取り消しができるか",
    ),
    Criterion("4.1.1", "構文解析", "A", AUTO, "全ページのHTMLとCSSをNu Html Checkerで検証した"),
    Criterion(
        "4.1.2", "名前（name）、役割（role）及び値（value）", "A", HUMAN,
        "操作できる部品の名前・役割・状態が支援技術に伝わるか（自動試験は名前のない部品や"
        "ARIAの誤りを検出する）",
    ),
)
# fmt: on
CRITERIA_BY_NUMBER = {c.number: c for c in CRITERIA}


@dataclass(frozen=True)
class Check:
    """One automated check of the audit, as the report lists it."""

    id: str
    title: str
    criteria: tuple[str, ...]  # the success criteria (WCAG numbering) it gives evidence on


# fmt: off
CHECKS: tuple[Check, ...] = (
    Check("axe", "axe-core：WCAG 2.0・2.1・2.2 のレベルA・AAの規則とベストプラクティス"
          "（ライト・ダークの両方の配色）", ()),
    Check("vnu", "Nu Html Checker：HTMLとCSSの構文", ("4.1.1",)),
    Check("lang", "ページの言語（html要素のlang属性）", ("3.1.1",)),
    Check("lang-parts", "日本語以外の文の言語指定", ("3.1.2",)),
    Check("layout-space", "語の途中にレイアウト用の空白を入れていない", ("1.3.2",)),
    Check("skip-link", "「本文へ移動」リンクが最初にあり、本文へ移動できる", ("2.4.1",)),
    Check("keyboard", "キーボード操作：Tabキーで全要素に到達し、文書の順に進み、"
          "ページの外へ出られ、フォーカスで移動が起きない", ("2.1.1", "2.1.2", "2.4.3", "3.2.1")),
    Check("focus-visible", "フォーカス枠がすべての要素で見える", ("2.4.7",)),
    Check("reflow", "幅320 CSS pxで横スクロールが生じず、切れる文字がない", ("1.4.10",)),
    Check("table-scroll", "表は枠の中で横スクロールし、その枠をキーボードで操作できる",
          ("1.4.10", "2.1.1")),
    Check("text-resize", "文字サイズ200%で横スクロール・切れる文字がない", ("1.4.4",)),
    Check("contrast-aaa", "文字のコントラスト比7:1以上（ライト・ダーク）", ("1.4.6",)),
    Check("reduced-motion", "「視差効果を減らす」設定で動きがない", ("2.3.3",)),
    Check("colour-only", "発言者の区別・状態を色だけで伝えない", ("1.4.1",)),
    Check("page-title", "ページタイトルが空でなく、ほかのページと重複しない", ("2.4.2",)),
    Check("consistent-nav", "ヘッダーとフッターのナビゲーションが全ページで同じ", ("3.2.3",)),
    Check("multiple-ways", "サイト内検索とナビゲーションが全ページにある", ("2.4.5",)),
    Check("page-errors", "読み込みエラーがない（JavaScriptのエラー・読み込めないファイル）", ()),
)
# fmt: on
CHECKS_BY_ID = {c.id: c for c in CHECKS}

WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria_of_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """axe-core's tags → success criteria: "wcag143" → "1.4.3", "wcag2411" → "2.4.11"."""
    found = {".".join(m.groups()) for t in tags if (m := WCAG_TAG.match(t))}
    return tuple(sorted(found, key=criterion_key))


def criterion_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


@dataclass(frozen=True)
class Verdict:
    """One row of the report's checklist (達成基準チェックリスト)."""

    number: str
    name: str
    level: str
    result: str  # PASS, FAIL, NOT_APPLICABLE or NEEDS_HUMAN
    how: str  # the criterion's text
    evidence: tuple[str, ...]  # the automated checks and axe rules that examined it
    failures: int  # findings against it
    reviews: int  # places axe-core could not decide


def judge(
    failures: dict[str, int],
    reviews: dict[str, int],
    evidence: dict[str, tuple[str, ...]],
    content: dict[str, int],
) -> tuple[Verdict, ...]:
    """Every criterion's verdict.

    failures / reviews: criterion → how many findings / undecided places; evidence:
    criterion → the checks and rules that examined it on at least one page; content:
    evidence count (media, images …) → its total over all pages.
    """
    out = []
    for c in CRITERIA:
        failed, unsure, seen = (
            failures.get(c.number, 0),
            reviews.get(c.number, 0),
            evidence.get(c.number, ()),
        )
        if failed:
            result = FAIL
        elif c.method == ABSENT:
            result = (
                NOT_APPLICABLE if all(content.get(k, 0) == 0 for k in c.absent) else NEEDS_HUMAN
            )
        elif c.method == AUTO and seen and not unsure:
            result = PASS
        else:
            result = NEEDS_HUMAN
        how = c.how
        if result == FAIL:
            how = f"自動試験で{failed}件の問題が見つかった（「見つかった問題」を参照）"
        elif c.method == ABSENT and result == NEEDS_HUMAN:
            found = sum(content.get(k, 0) for k in c.absent)
            how = f"該当するコンテンツが{found}箇所ある。{c.human}を人が確認する"
        elif c.method == AUTO and result == NEEDS_HUMAN and unsure:
            how = f"{c.how}。自動試験で判定できなかった箇所（{unsure}箇所）を人が確認する"
        elif c.method == AUTO and result == NEEDS_HUMAN:
            how = "自動試験の対象となる箇所がなかった。人が確認する"
        out.append(Verdict(c.number, c.name, c.level, result, how, seen, failed, unsure))
    return tuple(out)


def tally(items: Iterable[tuple[str, ...]]) -> dict[str, int]:
    """criteria tuples (one per finding) → criterion → count."""
    counts: dict[str, int] = defaultdict(int)
    for criteria in items:
        for number in criteria:
            counts[number] += 1
    return dict(counts)
