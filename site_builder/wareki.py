"""Japanese era dates (和暦) and fiscal years (年度), both ways.

Records are dated in the era: 令和5年4月18日（火） is 2023-04-18. The site shows
dates that way and machines read the ISO form, so both live in one place.
The fiscal year starts on 1 April: 令和7年度 = 2025-04-01 … 2026-03-31.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# (era, first day). Meiji is left out: records older than 1912 are not published here.
ERAS: tuple[tuple[str, dt.date], ...] = (
    ("令和", dt.date(2019, 5, 1)),
    ("平成", dt.date(1989, 1, 8)),
    ("昭和", dt.date(1926, 12, 25)),
    ("大正", dt.date(1912, 7, 30)),
)
WEEKDAYS = "月火水木金土日"
_ERA_NAMES = "|".join(name for name, _ in ERAS)
_YEAR = r"(?:元|\d{1,2})"
_WAREKI_DATE = re.compile(
    rf"(?P<era>{_ERA_NAMES})(?P<year>{_YEAR})年(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日"
    r"(?:[（(](?P<weekday>[月火水木金土日])(?:曜日?)?[）)])?\Z"
)
_WAREKI_FY = re.compile(rf"(?P<era>{_ERA_NAMES})(?P<year>{_YEAR})年度\Z")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_TIME = re.compile(r"(\d{1,2}):(\d{2})\Z")


class DateError(ValueError):
    """A date that cannot be read; the message says how to write it."""


def _normalise(text: str) -> str:
    # Full-width digits and brackets (１１月１７日) are common in records.
    return unicodedata.normalize("NFKC", text).replace(" ", "").strip()


def era_of(day: dt.date) -> tuple[str, int]:
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise DateError(f"{day.isoformat()} is before 大正; dates before 1912 are not supported")


def _era_year(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def parse_date(text: str) -> dt.date:
    """Read 2025-11-17 or 令和7年11月17日（月）; check the era and the weekday if given."""
    s = _normalise(text)
    if m := _ISO_DATE.match(s):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as err:
            raise DateError(f"'{text}' is not a date ({err})") from None
    m = _WAREKI_DATE.match(s)
    if not m:
        raise DateError(f"'{text}' is not a date; write 2025-11-17 or 令和7年11月17日")
    era, start = next((n, d) for n, d in ERAS if n == m["era"])
    year = 1 if m["year"] == "元" else int(m["year"])
    try:
        day = dt.date(start.year + year - 1, int(m["month"]), int(m["day"]))
    except ValueError as err:
        raise DateError(f"'{text}' is not a date ({err})") from None
    if era_of(day)[0] != era:
        index = [n for n, _ in ERAS].index(era)
        if day < start:
            bound = f"{era} began on {wareki(start, weekday=False)}"
        else:
            last = ERAS[index - 1][1] - dt.timedelta(days=1)
            bound = f"{era} ended on {wareki(last, weekday=False)}"
        raise DateError(
            f"'{text}' does not exist: {bound}; did you mean {wareki(day, weekday=False)}"
            f" ({day.isoformat()})?"
        )
    if m["weekday"] and WEEKDAYS[day.weekday()] != m["weekday"]:
        raise DateError(
            f"'{text}': {day.isoformat()} is a {WEEKDAYS[day.weekday()]}曜日,"
            f" not {m['weekday']}曜日"
        )
    return day


def parse_time(text: str) -> dt.time:
    s = _normalise(text)
    m = _TIME.match(s)
    if not m or not (0 <= int(m[1]) <= 23 and 0 <= int(m[2]) <= 59):
        raise DateError(f"'{text}' is not a time; write it as \"13:56\" (24-hour, quoted)")
    return dt.time(int(m[1]), int(m[2]))


def parse_fiscal_year(text: str | int) -> int:
    """Read 2025 or 令和7年度 (also 平成31年度 / 令和元年度, both 2019)."""
    if isinstance(text, int):
        if 1900 <= text <= 2200:
            return text
        raise DateError(f"'{text}' is not a fiscal year; write 2025 or 令和7年度")
    s = _normalise(text)
    if s.isdigit() and len(s) == 4:
        return int(s)
    m = _WAREKI_FY.match(s)
    if not m:
        raise DateError(f"'{text}' is not a fiscal year; write 2025 or 令和7年度")
    start = next(d for n, d in ERAS if n == m["era"])
    return start.year + (1 if m["year"] == "元" else int(m["year"])) - 1


def fiscal_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def wareki(day: dt.date, weekday: bool = True) -> str:
    """令和5年4月18日（火）"""
    era, year = era_of(day)
    text = f"{_era_year(era, year)}{day.month}月{day.day}日"
    return f"{text}（{WEEKDAYS[day.weekday()]}）" if weekday else text


def fiscal_year_label(year: int) -> str:
    """令和7年度. A fiscal year is named by the era in force for most of it
    (1 May of its first year): 2019 → 令和元年度, 1989 → 平成元年度."""
    era, era_year = era_of(dt.date(year, 5, 1))
    return f"{_era_year(era, era_year)}度"


def time_label(t: dt.time) -> str:
    """Times the way minutes print them: 午後1時56分."""
    half = "午前" if t.hour < 12 else "午後"
    hour = t.hour if t.hour <= 12 else t.hour - 12
    return f"{half}{hour}時{t.minute}分" if t.minute else f"{half}{hour}時"
