"""The CLI and the reports it writes date by the county's zone (JUNHENG_TIME_ZONE, Asia/Shanghai
when unset), not by the machine's clock zone. `junheng.clock.utc_now` is frozen:

    2026-11-30 15:30 UTC = Monday 2026-11-30 23:30 in Beijing (November in both zones)
    2026-11-30 16:30 UTC = Tuesday 2026-12-01 00:30 in Beijing (UTC: still November)
    2026-12-06 15:59 UTC = Sunday 2026-12-06 23:59 in Beijing
    2026-12-06 16:00 UTC = Monday 2026-12-07 00:00 in Beijing (UTC: still the 6th)

Beijing is UTC+8 all year. The self-evaluation report is dated by month on its cover, 一校一册 by
day after 编印日期, so their boundaries are the turn of a month and of a day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document
from typer.testing import CliRunner

from junheng import clock
from junheng.cli import app
from junheng.intake.writer import write_csv_folder
from junheng.rectification.ledger_xlsx import LedgerRow, write_ledger
from tests.builders import dataset, school, segment
from tests.reports.docx_reading import all_text

runner = CliRunner()

NOVEMBER_LAST_EVENING = dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.UTC)
DECEMBER_FIRST_NIGHT = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)
SUNDAY_LAST_MINUTE = dt.datetime(2026, 12, 6, 15, 59, tzinfo=dt.UTC)
MONDAY_MIDNIGHT = dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def freeze(monkeypatch):
    monkeypatch.delenv(clock.TIME_ZONE_VARIABLE, raising=False)

    def at(instant: dt.datetime) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: instant)

    return at


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (NOVEMBER_LAST_EVENING, dt.date(2026, 11, 30)),
        (DECEMBER_FIRST_NIGHT, dt.date(2026, 12, 1)),
        (SUNDAY_LAST_MINUTE, dt.date(2026, 12, 6)),
        (MONDAY_MIDNIGHT, dt.date(2026, 12, 7)),
    ],
)
def test_today_is_the_beijing_day(freeze, instant, day):
    freeze(instant)
    assert clock.today() == day
    assert clock.now().utcoffset() == dt.timedelta(hours=8)
    assert clock.local_date(instant) == day


def test_the_zone_comes_from_the_environment(freeze, monkeypatch):
    freeze(MONDAY_MIDNIGHT)
    monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, "UTC")
    assert clock.today() == dt.date(2026, 12, 6)  # 16:00 UTC is still the 6th in UTC
    monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, "  ")
    assert clock.today() == dt.date(2026, 12, 7)  # blank is unset: Asia/Shanghai
    monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, "北京")
    with pytest.raises(clock.TimeZoneError, match="JUNHENG_TIME_ZONE 的值“北京”不是有效的时区"):
        clock.today()


def test_the_web_reads_the_same_zone():
    from django.conf import settings

    assert settings.TIME_ZONE == clock.DEFAULT_TIME_ZONE == "Asia/Shanghai"


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        clock.local(dt.datetime(2026, 12, 6, 16, 0))


# ---- junheng ledger check without --today ----------------------------------------------------


def test_ledger_check_turns_overdue_at_beijing_midnight(freeze, tmp_path):
    ledger = write_ledger(
        [
            LedgerRow(
                problem="东关小学操场未硬化",
                lead_unit="县教体局",
                person="张三",
                deadline=dt.date(2026, 12, 6),
                measures="硬化操场",
            )
        ],
        tmp_path / "台账.xlsx",
    )
    freeze(SUNDAY_LAST_MINUTE)  # the deadline day, 23:59 local
    result = runner.invoke(app, ["ledger", "check", str(ledger)])
    assert result.exit_code == 0, result.output
    assert "共 1 条整改任务（未开始 1 条）" in result.output

    freeze(MONDAY_MIDNIGHT)  # the UTC date is still the deadline day; Beijing's is the next
    result = runner.invoke(app, ["ledger", "check", str(ledger)])
    assert result.exit_code == 0, result.output
    assert "共 1 条整改任务（逾期 1 条）" in result.output
    assert "逾期 东关小学操场未硬化（牵头单位 县教体局，完成时限 2026-12-06）" in result.output


def test_a_bad_zone_is_a_chinese_error(freeze, monkeypatch, tmp_path):
    monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, "Mars/Olympus")
    result = runner.invoke(app, ["ledger", "check", str(tmp_path / "台账.xlsx")])
    assert result.exit_code == 2
    assert "JUNHENG_TIME_ZONE 的值“Mars/Olympus”不是有效的时区" in result.output


# ---- junheng report: the dates printed in the documents --------------------------------------


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "甲县数据"
    write_csv_folder(dataset([school("P1")], [segment("P1")]), folder)
    return folder


def _report(data, out, kind: str):
    result = runner.invoke(app, ["report", str(data), "--kind", kind, "--out", str(out)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("instant", "zone", "month"),
    [
        (NOVEMBER_LAST_EVENING, None, "二〇二六年十一月"),
        (DECEMBER_FIRST_NIGHT, None, "二〇二六年十二月"),  # UTC would still say November
        (DECEMBER_FIRST_NIGHT, "UTC", "二〇二六年十一月"),
    ],
)
def test_the_self_evaluation_cover_carries_the_local_month(
    freeze, monkeypatch, data, tmp_path, instant, zone, month
):
    freeze(instant)
    if zone:
        monkeypatch.setenv(clock.TIME_ZONE_VARIABLE, zone)
    _report(data, tmp_path / "out", "self-evaluation")
    cover = [
        p.text for p in Document(str(tmp_path / "out" / "甲县" / "甲县自评报告.docx")).paragraphs
    ]
    assert month in cover


@pytest.mark.parametrize(
    ("instant", "day"),
    [(SUNDAY_LAST_MINUTE, "二〇二六年十二月六日"), (MONDAY_MIDNIGHT, "二〇二六年十二月七日")],
)
def test_the_school_book_is_dated_by_the_local_day(freeze, data, tmp_path, instant, day):
    freeze(instant)
    _report(data, tmp_path / "out", "school")
    books = list((tmp_path / "out" / "甲县" / "一校一册").glob("*.docx"))
    assert len(books) == 1
    assert f"编印日期：{day}" in all_text(Document(str(books[0])))
