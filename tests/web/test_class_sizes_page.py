"""班额 page (`/counties/<id>/<year>/classes/`): who may open it, its numbers against
`junheng.core.class_sizes.class_sizes_to_dict` on the same dataset, and the message without
class rows."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from django.urls import reverse

from junheng.core.class_sizes import class_sizes_to_dict
from junheng.demo import DEMO_COUNTY
from junheng.standards import load_standard
from junheng.web.pages.class_sizes import unmet_lines
from junheng.web.registry.management.commands.junheng_demo import DEMO_YEAR
from junheng.web.selectors import dataset_for
from tests.browser.identifiers import unexpected_identifiers
from tests.web.sites import demo_site

pytestmark = pytest.mark.django_db


@pytest.fixture(name="site")
def site_fixture(planned_demo, django_user_model):
    return demo_site(planned_demo, django_user_model)


def _get(client, site, who):
    client.force_login(site["users"][who])
    return client.get(reverse("class_sizes", args=[site["county"].pk, DEMO_YEAR]))


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("leader", 200), ("other_admin", 404), ("school", 404)]
)
def test_who_may_open_the_page(client, site, who, status):
    response = _get(client, site, who)
    assert response.status_code == status
    if status == 200:
        assert "全县各班额段班级数（个）" in response.content.decode()


def test_anonymous_is_sent_to_login(client, site):
    response = client.get(reverse("class_sizes", args=[site["county"].pk, DEMO_YEAR]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_shows_the_class_sizes_of_the_same_dataset(client, site):
    response = _get(client, site, "leader")
    assert response.status_code == 200
    dataset = dataset_for(site["county"], site["year"])
    focus = response.context["focus"]
    expected = class_sizes_to_dict(
        dataset, DEMO_COUNTY, year=focus, standard=load_standard("national-2017")
    )
    assert expected is not None
    text = _text(response)
    # One row per year and level with every band's count, in the core's order.
    table = response.context["county_table"]
    assert len(table.rows) == len(expected["county"])
    for row, record in zip(table.rows, expected["county"], strict=True):
        counts = [cell.value for cell in row[2 : 2 + len(record["bands"])]]
        assert counts == list(record["bands"].values())
    # Every target's sentence, and the G5 sentence, as the core words them.
    for target in expected["targets"]:
        assert target["sentence"] in text
    assert expected["g5"]["sentence"] in text
    # The demo keeps one 56-student class at 石桥镇中心小学 (its story): it is listed.
    assert "石桥镇中心小学" in [row[0].text for row in response.context["schools_table"].rows]
    # Two targets failing in the same year are one year short: years are counted.
    short = {t["year"] for t in expected["targets"] if t["met"] is False}
    assert response.context["unmet"] == len(short)
    # The headline names the missed targets and their years, not a bare count of years. The demo
    # county's own targets (its 实施方案, the 创建目标 table) replace the national ones: no 56+
    # class from autumn 2025 — missed in 2025 and 2026 by 石桥镇中心小学's class of 56 — and no
    # class above the standard size from 2026 — missed in 2026.
    assert "2 个目标未如期实现" in text
    assert "目标“到2025年秋季，56人以上大班额为 0 个”：2025—2026 年秋季均未实现" in text
    assert (
        "目标“到2026年秋季，超过标准班额（小学46人以上、初中51人以上）为 0 个”：2026 年秋季未实现"
        in text
    )
    assert "到2020年秋季" not in text
    assert "个学年未实现" not in text
    # Band keys stay in the data: the page names bands in Chinese only.
    assert unexpected_identifiers(text, allowed={"leader"}) == []


def test_without_class_rows_the_page_says_what_is_missing(client, planned_demo, django_user_model):
    site = demo_site(replace(planned_demo, classes=planned_demo.classes.clear()), django_user_model)
    response = _get(client, site, "admin")
    assert response.status_code == 200
    text = _text(response)
    assert "缺少“班级学生数”数据，无法统计班额" in text
    assert "下载县级填报模板" in text


def test_counts_carry_thousands_separators_and_only_nonzero_large_counts_are_red(client, site):
    response = _get(client, site, "leader")
    county = response.context["county_table"]
    # Student totals of a county are in the tens of thousands: printed 23,654-style.
    students = [row[-1] for row in county.rows]
    assert all(cell.text == f"{cell.value:,}" for cell in students)
    assert any("," in cell.text for cell in students)
    schools = response.context["schools_table"]
    # 大班额 and 超大班额 columns: red for 1 and more, plain for 0 (zero is the goal).
    for row in schools.rows:
        for cell in row[3:-1]:
            assert ("fail" in cell.css) == (cell.value > 0)
    # The 石桥镇中心小学 row has one 56-student class and no 66+ class (the demo's story).
    shiqiao = next(r for r in schools.rows if r[0].text == "石桥镇中心小学")
    assert [(c.value, "fail" in c.css) for c in shiqiao[3:-1]] == [(1, True), (0, False)]


def test_the_band_tables_stack_on_a_phone(client, site):
    response = _get(client, site, "leader")
    for key in ("county_table", "townships_table", "schools_table", "targets_table"):
        assert response.context[key].stack, key
    assert 'data-label="学段"' in response.content.decode()


@pytest.mark.parametrize(
    ("results", "line"),
    [
        # every judged year missed: one span with 均
        ([(2022, False), (2023, False)], "目标“T”：2022—2023 年秋季均未实现"),
        # one year judged and missed: no 均 for a single year
        ([(2022, False)], "目标“T”：2022 年秋季未实现"),
        # a gap: spans joined by 、, no 均 since 2024 was met
        (
            [(2022, False), (2023, False), (2024, True), (2025, False)],
            "目标“T”：2022—2023、2025 年秋季未实现",
        ),
        # undecided years are not counted as missed
        ([(2022, None), (2023, False)], "目标“T”：2023 年秋季未实现"),
    ],
)
def test_unmet_lines_word_each_target(results, line):
    targets = [{"target": "T", "year": y, "met": met} for y, met in results]
    assert unmet_lines(targets) == [line]


def test_a_target_met_every_year_gives_no_line():
    assert unmet_lines([{"target": "T", "year": 2022, "met": True}]) == []
