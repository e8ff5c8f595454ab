"""An export record is named by its day in Beijing time, on both sides of midnight UTC+8."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.web.roster.models import FullExport

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        # 15:30 UTC is 23:30 in Beijing, still the 7th; 16:30 UTC is 00:30 on the 8th.
        (dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.UTC), "2026-12-07"),
        (dt.datetime(2026, 12, 7, 16, 30, tzinfo=dt.UTC), "2026-12-08"),
    ],
)
def test_the_export_is_named_by_its_local_day(loaded, utc, day):
    county, year = loaded
    record = FullExport.objects.create(county=county, year=year, user=None, teachers=3)
    FullExport.objects.filter(pk=record.pk).update(created_at=utc)
    record.refresh_from_db()
    assert str(record).endswith(day)
