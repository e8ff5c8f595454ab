"""Dates are Beijing dates although the server's clock runs in UTC.

The clock (`django.utils.timezone.now`) is frozen at instants on both sides of midnight UTC and of
the Monday that starts a bulletin week. Beijing is UTC+8 all year (no daylight saving), so:

    2026-12-06 15:59 UTC = Sunday 2026-12-06 23:59 in Beijing (UTC date: the 6th, local: the 6th)
    2026-12-06 16:00 UTC = Monday 2026-12-07 00:00 in Beijing (UTC date: the 6th, local: the 7th)
    2026-12-06 23:30 UTC = Monday 2026-12-07 07:30 in Beijing (UTC date: the 6th, local: the 7th)

2026-12-07 is a Monday (2026-01-01 is a Thursday; day 341 of the year → 340 days later, 340 =
48 weeks + 4 days, Thursday + 4 = Monday), so its bulletin week is Monday 12-07 to today, and the
week of Sunday 12-06 is Monday 11-30 to Sunday 12-06. The last two instants have the UTC date
12-06: any date taken from UTC would put them in the Sunday's week.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from junheng.rectification.tasks import is_overdue
from junheng.web import clock
from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification import services
from junheng.web.rectification.models import ProblemSource, Unit, UnitKind
from junheng.web.services import run_evaluation
from tests.reports.docx_reading import all_text

SUNDAY_LAST_MINUTE = dt.datetime(2026, 12, 6, 15, 59, tzinfo=dt.UTC)
MONDAY_MIDNIGHT = dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC)
MONDAY_MORNING = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def freeze(monkeypatch):
    """Set the site's clock to an instant: pages, stored timestamps and dates all follow it."""

    def at(instant: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return at


# ---- the clock itself (no database) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "day", "stamp"),
    [
        (SUNDAY_LAST_MINUTE, dt.date(2026, 12, 6), "2026-12-06 23:59"),
        (MONDAY_MIDNIGHT, dt.date(2026, 12, 7), "2026-12-07 00:00"),
        (MONDAY_MORNING, dt.date(2026, 12, 7), "2026-12-07 07:30"),
    ],
)
def test_the_clock_reads_beijing_time(freeze, instant, day, stamp):
    freeze(instant)
    assert clock.today() == day
    assert clock.now().date() == day and clock.now().utcoffset() == dt.timedelta(hours=8)
    assert clock.stamp() == stamp
    assert clock.local_date(instant) == day and clock.stamp(instant) == stamp


def test_a_naive_datetime_is_refused():
    # a naive value has no instant: reading it as UTC or as local time would both be guesses
    with pytest.raises(ValueError):
        clock.local_date(dt.datetime(2026, 12, 6, 23, 30))


def _site(tmp_path: Path, zone: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A manage.py command in a fresh process whose environment names `zone`."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env = keep | {
        "JUNHENG_DEBUG": "1",
        "JUNHENG_VAR_DIR": str(tmp_path),
        "JUNHENG_TIME_ZONE": zone,
    }
    return subprocess.run(
        [sys.executable, "-m", "junheng.web.manage", *args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_sites_zone_is_configurable_and_checked(tmp_path):
    shown = _site(
        tmp_path, "UTC", "shell", "-c", "from django.conf import settings as s; print(s.TIME_ZONE)"
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[-1] == "UTC"
    refused = _site(tmp_path, "北京", "check")
    assert refused.returncode != 0
    assert (
        "环境变量 JUNHENG_TIME_ZONE 的值“北京”不是有效的时区，应如 Asia/Shanghai" in refused.stderr
    )


# ---- the ledger: bulletin week, 逾期, the Word bulletin -----------------------------------------


@pytest.fixture
def ledger(loaded, django_user_model):
    county, year = loaded
    admin = django_user_model.objects.create_user("cadmin", first_name="县管理员")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    return {"county": county, "year": year, "admin": admin, "unit": unit}


def _problem(ledger, title: str):
    return services.add_problem(
        ledger["county"],
        ledger["year"],
        source=ProblemSource.INSPECTION,
        title=title,
        description="",
        found_on=None,
        found_by="督导组",
        item="",
        school_name="",
        user=ledger["admin"],
    )


def _bulletin(client, ledger, period: str = "week") -> str:
    url = reverse("rectification_bulletin", args=[ledger["county"].pk, ledger["year"].label])
    response = client.get(url + f"?period={period}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_closure_on_monday_morning_is_in_mondays_bulletin(client, ledger, freeze):
    freeze(MONDAY_MORNING)
    problem = services.close_problem(_problem(ledger, "东关小学操场未硬化"), ledger["admin"])
    # stored as the instant it happened; only what people read is converted
    assert problem.closed_at == MONDAY_MORNING
    client.force_login(ledger["admin"])
    page = _bulletin(client, ledger)
    assert "2026年12月07日至2026年12月07日" in page  # Monday's week, not Sunday's
    assert "本期销号问题（1 个）" in page
    assert "东关小学操场未硬化（，2026-12-07）" in page
    assert "截至2026年12月07日" in page

    url = reverse("rectification_bulletin_docx", args=[ledger["county"].pk, ledger["year"].label])
    response = client.get(url)
    assert response.status_code == 200
    # the file is named by the local day (UTC says 20261206)
    expected = quote(f"{ledger['county'].name}整改周通报20261207.docx")
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{expected}"
    text = all_text(Document(io.BytesIO(response.content)))
    assert "（2026年12月07日至2026年12月07日）" in text
    assert "截至2026年12月07日" in text and "本期销号问题 1 个" in text
    assert "2026-12-07" in text and "2026-12-06" not in text


def test_the_week_turns_at_beijing_midnight(client, ledger, freeze):
    client.force_login(ledger["admin"])
    freeze(SUNDAY_LAST_MINUTE)
    services.close_problem(_problem(ledger, "西村教学点图书不足"), ledger["admin"])
    page = _bulletin(client, ledger)
    # Sunday 12-06 is weekday 6: its week began six days earlier, Monday 11-30
    assert "2026年11月30日至2026年12月06日" in page
    assert "本期销号问题（1 个）" in page and "西村教学点图书不足（，2026-12-06）" in page

    freeze(MONDAY_MIDNIGHT)
    page = _bulletin(client, ledger)
    assert "2026年12月07日至2026年12月07日" in page
    assert "本期销号问题（0 个）" in page  # Sunday's closure belongs to last week

    services.close_problem(_problem(ledger, "南山中学大班额"), ledger["admin"])
    page = _bulletin(client, ledger)
    # a minute after the other closure, but on the next local day: this week's only closure
    assert "本期销号问题（1 个）" in page and "南山中学大班额（，2026-12-07）" in page
    assert "西村教学点图书不足" not in page
    # the month (12-01 … 12-07) holds both: Sunday the 6th and Monday the 7th
    month = _bulletin(client, ledger, "month")
    assert "2026年12月01日至2026年12月07日" in month and "本期销号问题（2 个）" in month


def test_overdue_begins_at_beijing_midnight_after_the_deadline(client, ledger, freeze):
    county, year = ledger["county"].pk, ledger["year"].label
    client.force_login(ledger["admin"])
    task = services.save_task(
        _problem(ledger, "北岭小学实验室不足"),
        services.TaskFields(
            ledger["unit"], [], "张三", "", "改建实验室", dt.date(2026, 12, 6), None
        ),
        ledger["admin"],
    )
    due_url = reverse("rectification_due", args=[county, year]) + "?days=7"

    freeze(SUNDAY_LAST_MINUTE)  # the deadline day itself, 23:59 local: still on time
    assert services.today() == dt.date(2026, 12, 6)
    assert not is_overdue(services.core_task(task), services.today())
    assert "逾期任务（0 项）" in _bulletin(client, ledger)
    assert "已逾期（0 项）" in client.get(due_url).content.decode()

    freeze(MONDAY_MIDNIGHT)  # UTC still says the 6th; Beijing is on the 7th
    assert services.today() == dt.date(2026, 12, 7)
    assert is_overdue(services.core_task(task), services.today())
    assert "逾期任务（1 项）" in _bulletin(client, ledger)
    assert "已逾期（1 项）" in client.get(due_url).content.decode()


# ---- the Excel export header ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "stamp"),
    [
        (SUNDAY_LAST_MINUTE, "2026-12-06 23:59"),
        (MONDAY_MIDNIGHT, "2026-12-07 00:00"),
        (MONDAY_MORNING, "2026-12-07 07:30"),
    ],
)
def test_the_export_header_shows_the_snapshots_local_time(client, ledger, freeze, instant, stamp):
    freeze(instant)
    snapshot = run_evaluation(ledger["county"], ledger["year"], ledger["admin"])
    assert snapshot.created_at == instant
    assert str(snapshot).endswith(stamp)
    client.force_login(ledger["admin"])
    url = reverse("county_export", args=[ledger["county"].pk, ledger["year"].label, "cv"])
    response = client.get(url)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["校际差异系数"]
    assert f"评估快照 {stamp} · " in sheet["A1"].value
