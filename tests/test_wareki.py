import datetime as dt

import pytest

from site_builder.wareki import (
    DateError,
    fiscal_year_label,
    fiscal_year_of,
    parse_date,
    parse_fiscal_year,
    parse_time,
    time_label,
    wareki,
)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2023, 4, 18), "令和5年4月18日（火）"),
        (dt.date(2019, 4, 30), "平成31年4月30日（火）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（水）"),
        (dt.date(1989, 1, 7), "昭和64年1月7日（土）"),
        (dt.date(1989, 1, 8), "平成元年1月8日（日）"),
        (dt.date(2025, 11, 17), "令和7年11月17日（月）"),
    ],
)
def test_wareki_round_trip_across_era_boundaries(day: dt.date, text: str) -> None:
    assert wareki(day) == text
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "平成31年5月1日",
            "'平成31年5月1日' does not exist: 平成 ended on 平成31年4月30日; "
            "did you mean 令和元年5月1日 (2019-05-01)?",
        ),
        (
            "令和元年4月30日",
            "'令和元年4月30日' does not exist: 令和 began on 令和元年5月1日; "
            "did you mean 平成31年4月30日 (2019-04-30)?",
        ),
        ("令和5年4月18日（水）", "'令和5年4月18日（水）': 2023-04-18 is a 火曜日, not 水曜日"),
        ("2025-02-30", "'2025-02-30' is not a date (day is out of range for month)"),
        ("11月17日", "'11月17日' is not a date; write 2025-11-17 or 令和7年11月17日"),
    ],
)
def test_impossible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(DateError) as err:
        parse_date(text)
    assert str(err.value) == message


def test_full_width_digits_and_spaces_from_pdfs_are_read() -> None:
    assert parse_date("令和 7 年 1 1 月 1 7 日") == dt.date(2025, 11, 17)
    assert parse_date("２０２５-１１-１７") == dt.date(2025, 11, 17)
    assert parse_time("１３:５６") == dt.time(13, 56)


def test_fiscal_years() -> None:
    assert parse_fiscal_year("令和7年度") == 2025
    assert parse_fiscal_year("令和元年度") == parse_fiscal_year("平成31年度") == 2019
    assert parse_fiscal_year(2025) == 2025
    assert fiscal_year_label(2019) == "令和元年度"
    assert fiscal_year_label(1989) == "平成元年度"
    assert fiscal_year_label(2025) == "令和7年度"
    assert fiscal_year_of(dt.date(2026, 3, 31)) == 2025
    assert fiscal_year_of(dt.date(2026, 4, 1)) == 2026


def test_time_label_reads_like_the_minutes() -> None:
    assert time_label(dt.time(13, 56)) == "午後1時56分"
    assert time_label(dt.time(15, 4)) == "午後3時4分"
    assert time_label(dt.time(10, 0)) == "午前10時"
    assert time_label(dt.time(12, 30)) == "午後12時30分"
