"""Excel exports of the dashboard tables: the same rows as the page, Chinese headers, numbers
stored as numbers, and the same scope checks as the pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.web.test_dashboards import _table_rows, site_fixture  # noqa: F401  (fixture "site")

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet, first_header: str) -> tuple[list, list[list]]:
    """Header row (found by its first cell) and the rows under it, as stored values."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    return rows[start], rows[start + 1 :]


def _cell(sheet, first_header: str, row: int, col: int):
    cells = list(sheet.iter_rows())
    start = next(i for i, r in enumerate(cells) if r[0].value == first_header)
    return cells[start + 1 + row][col]


def _county_export(site, table, year="2026", county="jia"):
    return reverse("county_export", args=[site[county].pk, year, table])


def test_cv_table_export_holds_numbers_as_numbers(client, site):
    client.force_login(site["users"]["leader"])
    book = _book(client.get(_county_export(site, "cv")))
    sheet = book["校际差异系数"]
    assert sheet["A1"].value.startswith("甲县 2026 学年 · 评估快照")
    header, rows = _rows(sheet, "指标")
    assert header == [
        "指标",
        "指标名称",
        "小学差异系数",
        "小学上限",
        "小学结论",
        "初中差异系数",
        "初中上限",
        "初中结论",
    ]
    assert [r[0] for r in rows] == [f"R{i}" for i in range(1, 8)]
    r4 = rows[3]
    assert r4[1] == "生均教学及辅助用房面积"
    assert r4[2] == pytest.approx(0.413793, abs=1e-6) and isinstance(r4[2], float)
    assert (r4[3], r4[4], r4[5], r4[6], r4[7]) == (0.5, "达标", 0.0, 0.45, "达标")
    assert _cell(sheet, "指标", 3, 2).number_format == "0.000"
    page = client.get(reverse("county", args=[site["jia"].pk, "2026"])).content.decode()
    assert len(_table_rows(page, "cv")) == len(rows)


def test_schools_gaps_and_trend_exports(client, site):
    client.force_login(site["users"]["admin"])
    schools = _book(client.get(_county_export(site, "schools"))).active
    header, rows = _rows(schools, "学校标识码")
    assert header == ["学校标识码", "学校名称", "小学", "初中", "未达标或不纳入评估的原因"]
    assert rows[0][:4] == ["d", "北关小学", "未达标", None]
    assert {r[0] for r in rows} == {"a", "b", "c", "d", "j"}

    gaps = _book(client.get(_county_export(site, "gaps"))).active
    header, rows = _rows(gaps, "学段")
    assert header == ["学段", "指标", "差距", "数量", "单位", "涉及学校数"]
    assert rows == [["小学", "R4", "新建小学教学及辅助用房 200 ㎡（涉及 2 所学校）", 200, "㎡", 2]]

    trend = _book(client.get(_county_export(site, "trend")))
    assert trend.sheetnames == ["历年评估结论", "小学差异系数（历年）", "初中差异系数（历年）"]
    header, rows = _rows(trend["历年评估结论"], "学年")
    assert [r[0] for r in rows] == ["2025", "2026"]
    assert rows[1][3:6] == [1, 0, pytest.approx(0.413793, abs=1e-6)]
    header, rows = _rows(trend["小学差异系数（历年）"], "学年")
    assert header == ["学年", "R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    assert rows[1][4] == pytest.approx(0.413793, abs=1e-6)

    everything = _book(client.get(_county_export(site, "all")))
    assert everything.sheetnames[:4] == [
        "校际差异系数",
        "学校资源配置结论",
        "差距测算",
        "历年评估结论",
    ]


def test_indicator_export_matches_the_page(client, site):
    client.force_login(site["users"]["inspector"])
    url = reverse("indicator_export", args=[site["jia"].pk, "2026", "R4", "primary"])
    book = _book(client.get(url))
    sheet = book.worksheets[0]
    header, rows = _rows(sheet, "序号")
    assert header == [
        "序号",
        "学校",
        "数值",
        "占加权方差比例",
        "结论",
        "在校生数",
        "标准",
        "相对均值",
    ]
    assert [r[1] for r in rows] == ["南关小学", "北关小学", "东关小学", "西关小学"]
    assert rows[0] == [1, "南关小学", 10.0, pytest.approx(0.6125), "达标", 100, 4.5, "高于均值"]
    assert rows[1][4] == "低于标准的 85%" and rows[3][5] == 200
    assert _cell(sheet, "序号", 0, 3).number_format == "0.0%"
    facts = dict(_rows(book.worksheets[1], "项目")[1])
    assert facts["差异系数"] == pytest.approx(0.413793, abs=1e-6)
    assert (facts["加权平均值"], facts["加权标准差"]) == (5.8, 2.4)
    assert facts["85% 底线"] == pytest.approx(3.825)
    page = client.get(reverse("indicator", args=[site["jia"].pk, "2026", "R4", "primary"]))
    assert len(_table_rows(page.content.decode(), "schools")) == len(rows)


def test_school_export_for_its_own_user(client, site):
    client.force_login(site["users"]["school"])
    book = _book(client.get(reverse("school_export", args=["a", "2026"])))
    header, rows = _rows(book.active, "学段")
    assert header[:7] == [
        "学段",
        "指标",
        "指标名称",
        "本校数值",
        "标准",
        "85% 底线",
        "占标准的比例",
    ]
    r4 = next(r for r in rows if r[1] == "R4")
    assert r4[:8] == [
        "小学",
        "R4",
        "生均教学及辅助用房面积",
        4.0,
        4.5,
        pytest.approx(3.825),
        pytest.approx(4.0 / 4.5),
        "未达标",
    ]
    assert r4[8] == "新建教学及辅助用房 50 ㎡"
    assert len(rows) == 7
    response = client.get(reverse("school_export", args=["b", "2026"]))
    assert response.status_code == 404 and response["Content-Type"] != XLSX


def test_compare_export(client, site):
    client.force_login(site["users"]["city_inspector"])
    book = _book(client.get(reverse("compare_export", args=["2026"])))
    sheet = book.active
    assert "排名规则" in sheet["A1"].value
    header, rows = _rows(sheet, "排名")
    assert header[:4] == ["排名", "县区", "所属市", "结论"]
    assert [r[:2] for r in rows] == [[1, "乙县"], [2, "甲县"], [None, "丙县"]]
    jia = rows[1]
    assert jia[3:9] == ["未达标", "未达标", "达标", "达标", "达标", "无否决情形"]
    assert jia[9:12] == [1, 1, 0]
    assert jia[12] == pytest.approx(0.413793, abs=1e-6)
    assert rows[2][3] == "尚未评估"


def test_exports_keep_the_pages_scope(client, site):
    jia = site["jia"]
    urls = [
        _county_export(site, "cv"),
        _county_export(site, "all"),
        reverse("indicator_export", args=[jia.pk, "2026", "R4", "primary"]),
        reverse("school_export", args=["a", "2026"]),
        reverse("compare_export", args=["2026"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.force_login(site["users"]["school"])
    for url in urls[:3] + urls[4:]:
        assert client.get(url).status_code == 404, url
    client.force_login(site["users"]["other_admin"])
    for url in urls[:4]:
        assert client.get(url).status_code == 404, url
    book = _book(client.get(urls[4]))
    assert [r[1] for r in _rows(book.active, "排名")[1]] == ["乙县"]
    client.force_login(site["users"]["leader"])
    assert client.get(_county_export(site, "nonsense")).status_code == 404
    assert client.post(urls[0]).status_code == 405
    client.force_login(site["users"]["sysadmin"])
    assert client.get(_county_export(site, "cv", county="bing")).status_code == 404
