"""创建目标（班额） in the database: stored by load_dataset per county and loaded school year,
rebuilt exactly by dataset_for, replaced only by a dataset that carries targets, counted by the
fingerprint only when given, and listed and edited on the 规划数据 pages like the other tables."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl
import pytest
from django.urls import reverse
from polars.testing import assert_frame_equal

from junheng.core.county_targets import county_targets
from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import STORED_TABLES, ChangeLog, ClassTarget
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for, fingerprint, stored_rows
from junheng.web.services import load_dataset
from tests.web.sites import unchanged_grid

pytestmark = pytest.mark.django_db

PLAN = "《示范县推进义务教育优质均衡发展实施方案》"


def targets(county: str = DEMO_COUNTY) -> pl.DataFrame:
    """Both levels' 56+ target of 2025, the 2026 standard-size target for both levels and for
    初中 with a share, in a stored order that is not the order of the targets."""
    return Dataset.build(
        pl.DataFrame(),
        pl.DataFrame(),
        class_targets=pl.DataFrame(
            {
                "county": [county] * 3,
                "year": [2026, 2025, 2026],
                "band": ["over_standard", "large", "over_standard"],
                "level": [None, None, "junior"],
                "max_classes": [0, None, 2],
                "max_share": [None, None, 2.5],
                "source": [PLAN] * 3,
            }
        ),
    ).class_targets


def _load(dataset: Dataset):
    counts = load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    return counts, County.objects.get(name=DEMO_COUNTY), SchoolYear.objects.get(label=DEMO_YEAR)


def test_targets_round_trip_exactly_and_judge_the_same(demo):
    planned = replace(demo, class_targets=targets())
    counts, county, year = _load(planned)
    assert counts.plans == 3
    assert ClassTarget.objects.filter(county=county, year=year).count() == 3
    back = dataset_for(county, year)
    assert_frame_equal(back.class_targets, planned.class_targets)
    assert fingerprint(back) == fingerprint(planned)
    assert county_targets(back, DEMO_COUNTY) == county_targets(planned, DEMO_COUNTY)
    assert str(ClassTarget.objects.get(band="large")) == f"{DEMO_COUNTY} 2025 年 56人以上大班额"


def test_the_fingerprint_counts_targets_only_when_given(demo):
    assert fingerprint(demo) == fingerprint(replace(demo, class_targets=targets().clear()))
    assert fingerprint(demo) != fingerprint(replace(demo, class_targets=targets()))
    reordered = replace(demo, class_targets=targets().reverse())
    assert fingerprint(reordered) == fingerprint(replace(demo, class_targets=targets()))


def test_a_dataset_without_targets_keeps_them_and_one_with_them_replaces_them(demo):
    _, county, year = _load(replace(demo, class_targets=targets()))
    assert _load(demo)[0].changes == 0
    assert len(stored_rows(county, year, "class_targets")) == 3
    # Only the 2025 target now: the two 2026 rows go, each logging its values.
    fewer = targets().filter(pl.col("year") == 2025)
    counts, _, _ = _load(replace(demo, class_targets=fewer))
    assert [(r["year"], r["band"]) for r in stored_rows(county, year, "class_targets")] == [
        (2025, "large")
    ]
    logs = ChangeLog.objects.filter(model="ClassTarget")
    # Named by the target year alone (the band and level are stored keys, not Chinese).
    assert {log.object_id for log in logs} == {"2026"}
    # 2026 both levels: year, band, count and source (4); 初中: year, band, level, count,
    # share and source (6).
    assert logs.count() == counts.changes == 10


@pytest.fixture(name="admin")
def admin_fixture(demo, django_user_model, client):
    _load(replace(demo, class_targets=targets()))
    county = County.objects.get(name=DEMO_COUNTY)
    user = django_user_model.objects.create_user("cadmin", password="pw-均衡-2026")
    Profile.objects.create(user=user, role=Role.COUNTY_ADMIN, county=county)
    client.force_login(user)
    return county


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_plan_data_pages_list_and_show_the_table_in_chinese(client, admin):
    assert list(STORED_TABLES)[-1] == "class_targets"
    listing = client.get(reverse("plan_data", args=[admin.pk, DEMO_YEAR]))
    assert listing.status_code == 200
    text = _text(listing)
    assert "创建目标（班额）" in text and "class_targets" not in text
    url = reverse("plan_table", args=[admin.pk, DEMO_YEAR, "class_targets"])
    grid = client.get(url)
    assert grid.status_code == 200
    html = grid.content.decode()
    assert "目标年份（年）" in html and "最多保留比例（%）" in html and "目标依据" in html
    assert '<option value="56人以上大班额" selected>56人以上大班额</option>' in html
    assert '<option value="初中" selected>初中</option>' in html
    assert "over_standard" not in _text(grid)


def test_a_whole_share_is_refused_at_its_cell_and_a_good_row_is_saved(client, admin):
    url = reverse("plan_table", args=[admin.pk, DEMO_YEAR, "class_targets"])
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    data = unchanged_grid(client.get(url))
    # The third stored row is 初中's 2026 target with 2.5 %; 100 % would allow every class.
    data["rows-2-max_share"] = "100"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "100" in response.context["formset"].forms[2].errors["max_share"][0]
    assert [r["max_share"] for r in stored_rows(admin, year, "class_targets")][2] == 2.5
    # Just below the line is a share.
    data["rows-2-max_share"] = "99.5"
    assert client.post(url, data).status_code == 302
    assert [r["max_share"] for r in stored_rows(admin, year, "class_targets")][2] == 99.5
