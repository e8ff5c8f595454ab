"""Organisation entered on the page and imported from a table: all of it or nothing, with the
cell of every error; the bulletin's Word file carries the page's numbers."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.rectification.models import Person, Unit

pytestmark = pytest.mark.django_db

HEADER = ("单位类型", "单位名称", "职责", "姓名", "职务", "联系电话")


def _table(*rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "组织机构"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("组织机构.xlsx", out.getvalue())


def test_import_writes_units_and_people(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_organisation", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    response = client.post(
        url,
        {
            "action": "import",
            "table": _table(
                ("领导小组", "县创建工作领导小组", "统筹推进", "赵一", "组长", ""),
                ("成员单位", "县财政局", "保障经费", "孙三", "局长", "13800000000"),
            ),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已导入 2 个单位、2 名人员" in page
    assert "县创建工作领导小组" in page and "13800000000" in page
    finance = Unit.objects.get(county=county, name="县财政局")
    assert finance.duties == "保障经费"
    assert list(finance.people.values_list("name", flat=True)) == ["孙三"]
    # the unit of existing tasks is the same row, updated in place
    assert finance.pk == ledger["units"]["fin"].pk


def test_a_bad_table_writes_nothing_and_names_the_cells(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_organisation", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    units, people = Unit.objects.count(), Person.objects.count()
    response = client.post(
        url,
        {
            "action": "import",
            "table": _table(
                ("成员单位", "县自然资源局", "保障用地", "钱二", "局长", ""),
                ("委员会", "县编办", "", "", "", ""),
            ),
        },
    )
    page = response.content.decode()
    assert "表格有错误，未导入任何内容" in page
    assert (
        "组织机构.xlsx 工作表「组织机构」第 3 行「单位类型」列（单元格 A3）：值“委员会”不是可选值"
        in page
    )
    assert (Unit.objects.count(), Person.objects.count()) == (units, people)


def test_units_and_people_entered_on_the_page(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_organisation", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    client.post(url, {"action": "unit", "unit-kind": "town", "unit-name": "城关镇"})
    town = Unit.objects.get(county=county, name="城关镇")
    client.post(
        url,
        {"action": "person", "person-unit": town.pk, "person-name": "周四", "person-post": "镇长"},
    )
    assert list(town.people.values_list("name", "post")) == [("周四", "镇长")]
    form = client.get(reverse("rectification_task_new", args=[ledger["problem"].pk]))
    assert '<option value="周四">城关镇 镇长</option>' in form.content.decode()
    response = client.post(url, {"action": "unit", "unit-kind": "town", "unit-name": "城关镇"})
    assert "本县已有单位“城关镇”" in response.content.decode()
    assert Unit.objects.filter(county=county, name="城关镇").count() == 1


def test_bulletin_docx_has_the_pages_numbers(client, ledger):
    county, year = ledger["county"], ledger["year"]
    client.force_login(ledger["users"]["leader"])
    page = client.get(reverse("rectification_bulletin", args=[county.pk, year.label]))
    response = client.get(reverse("rectification_bulletin_docx", args=[county.pk, year.label]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "示范县义务教育优质均衡发展整改工作周通报" in text
    summary = next(p.text for p in document.paragraphs if p.text.startswith("截至"))
    assert "全县整改任务 2 项，已销号 0 项（0.0%）" in summary
    assert summary in page.content.decode()
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "县教育局" in cells and "县财政局" in cells


def test_a_department_login_is_made_on_the_page(client, ledger, django_user_model):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_organisation", args=[county.pk, year.label])
    finance = ledger["units"]["fin"]
    data = {
        "action": "member",
        "member-unit": finance.pk,
        "member-username": "czj-li",
        "member-full_name": "李会计",
        "member-password": "Junheng-2026-czj",
    }
    for role in ("leader", "fin"):
        client.force_login(ledger["users"][role])
        assert client.post(url, data).status_code == 404
    client.force_login(ledger["users"]["admin"])
    weak = client.post(url, {**data, "member-password": "123"})
    assert "密码" in weak.content.decode()
    assert not django_user_model.objects.filter(username="czj-li").exists()
    response = client.post(url, data, follow=True)
    assert "已为“县财政局”建立单位用户“czj-li”" in response.content.decode()
    user = django_user_model.objects.get(username="czj-li")
    assert user.check_password("Junheng-2026-czj") and user.first_name == "李会计"
    assert user.rectification_membership.unit == finance
    taken = client.post(url, data)
    assert "登录名“czj-li”已被使用" in taken.content.decode()
    # the new login edits the finance bureau's task and not the education bureau's
    client.force_login(user)
    fin_task, edu_task = ledger["fin_task"], ledger["edu_task"]
    assert client.get(reverse("rectification_task_edit", args=[fin_task.pk])).status_code == 200
    assert client.get(reverse("rectification_task_edit", args=[edu_task.pk])).status_code == 404
    # a unit of another county cannot be chosen
    client.force_login(ledger["users"]["admin"])
    foreign = ledger["users"]["foreign"].rectification_membership.unit
    client.post(url, {**data, "member-username": "x2", "member-unit": foreign.pk})
    assert not django_user_model.objects.filter(username="x2").exists()
