"""The evaluation a document names is dated in Beijing time on both sides of midnight UTC: in
the line printed on the 附表 and 一校一册 and on the 报告 page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.documents.generate import basis_text
from junheng.web.evaluation.models import Snapshot

UTC = dt.UTC


@pytest.mark.parametrize(
    ("utc", "text", "shown"),
    [
        # 15:30 UTC is 23:30 the same day in Beijing (UTC+8)
        (dt.datetime(2026, 12, 6, 15, 30, tzinfo=UTC), "2026年12月6日 23:30", "2026-12-06 23:30"),
        # 16:30 UTC is already 00:30 the next day in Beijing
        (dt.datetime(2026, 12, 6, 16, 30, tzinfo=UTC), "2026年12月7日 00:30", "2026-12-07 00:30"),
    ],
)
def test_the_evaluation_is_named_by_its_beijing_time(client, ledger, utc, text, shown):
    Snapshot.objects.filter(pk=ledger["snapshot"].pk).update(created_at=utc)
    snapshot = Snapshot.objects.get(pk=ledger["snapshot"].pk)
    assert basis_text(snapshot).startswith(f"评估依据：{text} 的评估结果（全部数据）")
    client.force_login(ledger["users"]["admin"])
    page = client.get(
        reverse("documents:reports", args=[ledger["county"].pk, ledger["year"].label])
    )
    assert shown in page.content.decode()
