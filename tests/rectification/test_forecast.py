"""The readiness forecast on hand-checked dates.

Today Monday 2026-06-01, window 4 weeks = 2026-05-05 … 2026-06-01. Closed: 04-20 (before the
window), 05-05 (its first day), 05-20, 06-01 → 3 in the window, 0.75 a week. 10 items, 4 closed,
6 remaining → ⌈6 / 0.75⌉ = 8 weeks → 2026-06-01 + 56 days = 2026-07-27.
"""

from __future__ import annotations

from datetime import date

from junheng.rectification.forecast import forecast

TODAY = date(2026, 6, 1)
CLOSED = [date(2026, 4, 20), date(2026, 5, 5), date(2026, 5, 20), date(2026, 6, 1), None]


def test_projected_date_at_the_recent_pace():
    f = forecast(CLOSED, total=10, today=TODAY, target=date(2026, 9, 1))
    assert (f.closed, f.closed_in_window, f.per_week) == (4, 3, 0.75)
    assert (f.remaining, f.weeks_needed, f.projected) == (6, 8, date(2026, 7, 27))
    assert f.on_track is True
    assert f.sentence() == (
        "近 4 周销号 3 项，平均每周 0.75 项；尚余 6 项，约需 8 周，预计 2026年07月27日 全部销号，"
        "早于目标日期 2026年09月01日，可以如期完成。"
    )


def test_late_against_an_earlier_target():
    f = forecast(CLOSED, total=10, today=TODAY, target=date(2026, 7, 26))
    assert f.on_track is False
    assert f.sentence().endswith("晚于目标日期 2026年07月26日，须加快进度。")
    # on the projected day itself it is on time
    assert forecast(CLOSED, total=10, today=TODAY, target=date(2026, 7, 27)).on_track is True


def test_no_closure_in_the_window_gives_no_date():
    f = forecast([date(2026, 1, 5)], total=3, today=TODAY, target=date(2026, 9, 1))
    assert (f.per_week, f.projected, f.on_track) == (0.0, None, None)
    assert "按此进度无法预计完成时间，尚余 2 项未销号" in f.sentence()


def test_everything_closed():
    f = forecast([date(2026, 5, 1)], total=1, today=TODAY, target=date(2026, 9, 1))
    assert (f.remaining, f.projected, f.on_track) == (0, TODAY, True)
    assert f.sentence() == "全部 1 项已销号。"
