"""The 主要做法与成效 page: sections with their hints and the engine's figures, who may read and
write, saving one section or all, and the conflict when a colleague saved meanwhile."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from junheng.reports.story import load_sections
from junheng.web.practice.models import PracticeText
from junheng.web.practice.services import MAX_CHARS, digest

pytestmark = pytest.mark.django_db

# 41 primary segments in scope; three short of 7.5 m² of sports ground per student:
# 126.0 + 183.8 + 142.5 = 452.30 m² (the gap figures of tests/reports/test_self_evaluation.py)
R5_PRIMARY = (
    "小学生均体育运动场馆面积：纳入评估的41个学段中38个达到7.5平方米的标准；"
    "校际差异系数为0.253（限值0.50，达到要求）；"
    "尚需新建小学体育运动场馆452.30平方米（涉及3所学校）。"
)
# the demo county's facts: 6,500 yuan per special-school student against 6,000
G7 = "特殊教育学校生均公用经费6500元（要求不低于6000元），达到要求。"


def url(county, year):
    return reverse("practice:edit", args=[county.pk, year.label])


def page(client, user, county, year):
    client.force_login(user)
    return client.get(url(county, year))


def form(response, **texts):
    """The page's form as a browser would post it, with some sections' texts changed."""
    html = response.content.decode()
    data = {}
    for key, value in re.findall(r'name="((?:version|digest)-\w+)" value="([^"]*)"', html):
        data[key] = value
    for spec in load_sections():
        found = re.search(
            rf'<textarea name="text-{spec.key}"[^>]*>(.*?)</textarea>', html, flags=re.S
        )
        data[f"text-{spec.key}"] = found.group(1) if found else ""
    for key, text in texts.items():
        data[f"text-{key}"] = text
    return data


def test_the_admin_sees_every_section_its_hint_and_the_figures_to_insert(client, evaluated, users):
    county, year, _ = evaluated
    response = page(client, users["admin"], county, year)
    assert response.status_code == 200
    html = response.content.decode()
    headings = [s.heading for s in load_sections()]
    assert headings == ["组织领导", "经费投入", "学校建设", "教师队伍", "教育质量", "社会认可"]
    positions = [html.index(f"{n}. {h}") for n, h in enumerate(headings, start=1)]
    assert positions == sorted(positions)
    assert load_sections()[1].hint in html
    assert "已填写 0 / 6 节" in html
    # the figures beside 学校建设 and 经费投入, each with its insert button
    assert R5_PRIMARY in html
    assert f'data-insert="{R5_PRIMARY}" data-target="text-schools"' in html
    assert f'data-insert="{G7}" data-target="text-funding"' in html
    # the script is a static file (CSP: no inline script)
    assert "junheng/practice.js" in html
    assert re.search(r"<script>(?!</script>)", html) is None
    assert html.count("<textarea") == 6


def test_without_an_evaluation_no_figures_are_offered(client, loaded, users_without_snapshot):
    county, year = loaded
    html = page(client, users_without_snapshot, county, year).content.decode()
    assert "本学年尚未评估，暂无可插入的数据句子" in html
    assert "data-insert" not in html


@pytest.fixture
def users_without_snapshot(loaded, django_user_model):
    from junheng.web.accounts.models import Profile, Role

    county, _ = loaded
    u = django_user_model.objects.create_user("fresh", password="pw-均衡-2026")
    Profile.objects.create(user=u, role=Role.COUNTY_ADMIN, county=county)
    return u


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_leaders_and_inspectors_read_but_cannot_write(client, evaluated, users, who):
    county, year, _ = evaluated
    PracticeText.objects.create(county=county, year=year, key="leadership", text="成立领导小组。")
    response = page(client, users[who], county, year)
    assert response.status_code == 200
    html = response.content.decode()
    assert "成立领导小组。" in html
    assert "（经费投入）尚未填写。" in html
    assert "<textarea" not in html and "data-insert" not in html
    assert R5_PRIMARY in html  # the figures are there to read
    posted = client.post(url(county, year), {"save": "funding", "text-funding": "改了"})
    assert posted.status_code == 404
    assert not PracticeText.objects.filter(key="funding").exists()


@pytest.mark.parametrize("who", ["school", "department", "other_admin", "far_inspector", "nobody"])
def test_everyone_else_gets_the_404_of_an_unknown_page(client, evaluated, users, who):
    county, year, _ = evaluated
    assert page(client, users[who], county, year).status_code == 404
    response = client.post(url(county, year), {"save": "all", "text-funding": "改了"})
    assert response.status_code == 404
    assert not PracticeText.objects.exists()


def test_anonymous_users_are_sent_to_login(client, evaluated):
    county, year, _ = evaluated
    response = client.get(url(county, year))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_county_or_year_is_404(client, evaluated, users):
    county, year, _ = evaluated
    client.force_login(users["sysadmin"])
    unknown_county = reverse("practice:edit", args=[county.pk + 999, year.label])
    assert client.get(unknown_county).status_code == 404
    assert client.get(reverse("practice:edit", args=[county.pk, "1999"])).status_code == 404


def test_saving_one_section(client, evaluated, users):
    county, year, _ = evaluated
    shown = page(client, users["admin"], county, year)
    data = form(shown, funding="经费逐年增长。\r\n\r\n公用经费按时拨付。")
    data["save"] = "funding"
    response = client.post(url(county, year), data, follow=True)
    row = PracticeText.objects.get(county=county, year=year, key="funding")
    assert row.text == "经费逐年增长。\n\n公用经费按时拨付。"
    assert (row.version, row.updated_by) == (1, users["admin"])
    assert "已保存：经费投入。" in response.content.decode()
    assert PracticeText.objects.count() == 1
    # saved again unchanged: nothing written, the version stays
    again = form(page(client, users["admin"], county, year))
    again["save"] = "funding"
    client.post(url(county, year), again)
    assert PracticeText.objects.get(key="funding").version == 1


def test_saving_all_sections_writes_only_the_changed_ones(client, evaluated, users):
    county, year, _ = evaluated
    data = form(page(client, users["admin"], county, year), leadership="甲", quality="乙")
    data["save"] = "all"
    client.post(url(county, year), data)
    assert dict(PracticeText.objects.values_list("key", "text")) == {
        "leadership": "甲",
        "quality": "乙",
    }


def test_a_colleagues_save_meanwhile_is_not_overwritten(client, evaluated, users):
    county, year, _ = evaluated
    PracticeText.objects.create(county=county, year=year, key="teachers", text="原稿")
    mine = form(page(client, users["admin"], county, year), teachers="我的修改")
    mine["save"] = "teachers"
    # 李四 saves the same section after the page was opened
    theirs = form(page(client, users["admin2"], county, year), teachers="李四的修改")
    theirs["save"] = "teachers"
    client.post(url(county, year), theirs)
    client.force_login(users["admin"])
    response = client.post(url(county, year), mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“教师队伍”在您打开本页后已由李四于" in html
    assert "李四的修改" in html  # their text, shown for comparison
    assert re.search(r'<textarea name="text-teachers"[^>]*>我的修改</textarea>', html)
    row = PracticeText.objects.get(key="teachers")
    assert (row.text, row.version) == ("李四的修改", 2)
    # saving again after reading theirs is a deliberate choice: it wins
    again = form(response)
    again["save"] = "teachers"
    client.post(url(county, year), again)
    row.refresh_from_db()
    assert (row.text, row.version, row.updated_by) == ("我的修改", 3, users["admin"])


def test_saving_all_does_not_trip_over_a_section_changed_by_someone_else(client, evaluated, users):
    county, year, _ = evaluated
    PracticeText.objects.create(county=county, year=year, key="teachers", text="原稿")
    mine = form(page(client, users["admin"], county, year), funding="经费")
    PracticeText.objects.filter(key="teachers").update(text="李四的修改", version=2)
    mine["save"] = "all"
    client.post(url(county, year), mine)
    assert dict(PracticeText.objects.values_list("key", "text")) == {
        "teachers": "李四的修改",
        "funding": "经费",
    }
    assert mine["digest-teachers"] == digest("原稿")


def test_a_text_over_the_limit_is_refused_with_a_sentence(client, evaluated, users):
    county, year, _ = evaluated
    data = form(page(client, users["admin"], county, year), schools="字" * (MAX_CHARS + 1))
    data["save"] = "schools"
    response = client.post(url(county, year), data)
    assert "“学校建设”有 20,001 个字，超过每节 20,000 字的上限" in response.content.decode()
    assert not PracticeText.objects.exists()
    at_limit = form(page(client, users["admin"], county, year), schools="字" * MAX_CHARS)
    at_limit["save"] = "schools"
    client.post(url(county, year), at_limit)
    assert len(PracticeText.objects.get(key="schools").text) == MAX_CHARS


def test_the_admin_site_lists_sections_by_heading_and_changes_nothing(
    client, evaluated, django_user_model
):
    county, year, _ = evaluated
    row = PracticeText.objects.create(
        county=county, year=year, key="funding", text="经费逐年增长。"
    )
    root = django_user_model.objects.create_superuser("root", password="pw-均衡-2026")
    client.force_login(root)
    listing = client.get(reverse("admin:practice_practicetext_changelist")).content.decode()
    assert "经费投入" in listing and "funding" not in listing
    detail = client.get(reverse("admin:practice_practicetext_change", args=[row.pk]))
    assert detail.status_code == 200 and "经费逐年增长。" in detail.content.decode()
    client.post(reverse("admin:practice_practicetext_change", args=[row.pk]), {"text": "改了"})
    row.refresh_from_db()
    assert row.text == "经费逐年增长。"
    assert client.get(reverse("admin:practice_practicetext_add")).status_code == 403


def test_the_page_leads_back_to_the_countys_reports(client, evaluated, users):
    county, year, _ = evaluated
    html = page(client, users["leader"], county, year).content.decode()
    assert f'href="/counties/{county.pk}/{year.label}/reports/"' in html
