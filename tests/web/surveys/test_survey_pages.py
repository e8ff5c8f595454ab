"""The county's survey pages over HTTP: who may see and do what, and what the pages show."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from junheng.web.collection.models import SurveyCount
from junheng.web.surveys import services
from junheng.web.surveys.models import AccessCode, CodeBatch, Response, Survey, SurveyStatus

PASSWORD = "pw-均衡-2026"

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def _answers(values):
    return {f"q_P{i:02d}": str(v) for i, v in enumerate(values, start=1)}


@pytest.fixture
def batch(survey, schools):
    return services.generate_codes(survey, "parents", 10, school=schools[0])


def _read_urls(survey, batch):
    return [
        reverse("surveys"),
        reverse("survey", args=[survey.pk]),
        reverse("survey_results", args=[survey.pk]),
        reverse("survey_progress", args=[survey.pk]),
        reverse("survey_export", args=[survey.pk]),
    ]


def _manage_gets(survey, batch):
    return [
        reverse("survey_new", args=[survey.county.pk]),
        reverse("survey_sheet", args=[survey.pk, batch.pk, "pdf"]),
        reverse("survey_sheet", args=[survey.pk, batch.pk, "png"]),
    ]


def _posts(survey, schools):
    return [
        (reverse("survey_new", args=[survey.county.pk]), {"action": "create"}),
        (reverse("survey_status", args=[survey.pk]), {"status": "closed"}),
        (
            reverse("survey_codes", args=[survey.pk]),
            {"group": "parents", "school": schools[0].school_id, "count": "5"},
        ),
        (reverse("survey_exclude", args=[survey.pk]), {"flag": []}),
        (reverse("survey_feed", args=[survey.pk]), {}),
        (reverse("survey_codes_all", args=[survey.pk]), {}),
        (
            reverse("survey_dates", args=[survey.pk]),
            {"opens_at": "2026-05-01T08:00", "closes_at": "2026-05-20T18:00"},
        ),
    ]


def test_anonymous_is_sent_to_login(survey, batch, schools):
    client = _client()
    for url in _read_urls(survey, batch) + _manage_gets(survey, batch):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url, data in _posts(survey, schools):
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert Survey.objects.get().status == SurveyStatus.OPEN
    assert CodeBatch.objects.count() == 1


@pytest.mark.parametrize("who", ["admin", "sysadmin", "leader", "inspector"])
def test_county_roles_read_the_survey_and_its_results(users, survey, batch, who):
    client = _client(users[who])
    for url in _read_urls(survey, batch):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("survey", args=[survey.pk])).content.decode()
    assert survey.title in page and "家长及社会公众卷" in page
    # codes are ballots: only those who manage the survey see batches and sheets
    assert ("二维码纸条" in page) == (who in ("admin", "sysadmin"))


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_read_only_roles_may_not_change_or_print_codes(users, survey, batch, schools, who):
    client = _client(users[who])
    for url in _manage_gets(survey, batch):
        assert client.get(url).status_code == 403, url
    for url, data in _posts(survey, schools):
        assert client.post(url, data).status_code == 403, url
    assert Survey.objects.get().status == SurveyStatus.OPEN
    assert CodeBatch.objects.count() == 1
    # the demo's seven groups are still the county's survey data
    assert SurveyCount.objects.filter(county=survey.county, year=survey.year).count() == 7


@pytest.mark.parametrize("who", ["other_admin", "other_inspector"])
def test_other_counties_get_404(users, survey, batch, schools, who):
    client = _client(users[who])
    assert client.get(reverse("surveys")).status_code == 200
    assert survey.title not in client.get(reverse("surveys")).content.decode()
    for url in _read_urls(survey, batch)[1:] + _manage_gets(survey, batch)[1:]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("survey_new", args=[survey.county.pk])).status_code == 404
    for url, data in _posts(survey, schools):
        assert client.post(url, data).status_code == 404, url


def test_school_users_have_no_survey_pages(users, survey, batch, schools):
    client = _client(users["school"])
    assert client.get(reverse("surveys")).status_code == 403
    for url in _read_urls(survey, batch)[1:] + _manage_gets(survey, batch)[1:]:
        assert client.get(url).status_code == 404, url
    for url, data in _posts(survey, schools)[1:]:
        assert client.post(url, data).status_code == 404, url


def test_csrf_is_required_for_every_change(users, survey, schools):
    client = Client(enforce_csrf_checks=True)
    client.login(username="cadmin", password=PASSWORD)
    for url, data in _posts(survey, schools):
        assert client.post(url, data).status_code == 403, url
    assert Survey.objects.get().status == SurveyStatus.OPEN


def test_admin_creates_a_survey_from_the_plan(users, loaded):
    county, year = loaded
    client = _client(users["admin"])
    url = reverse("survey_new", args=[county.pk])
    form = {
        "title": "2026 年第二次调查",
        "year": year.label,
        "opens_at": "2026-05-01T08:00",
        "closes_at": "2026-05-20T18:00",
        "population": "352,000",
        "action": "preview",
    }
    preview = client.post(url, form)
    html = preview.content.decode()
    assert preview.status_code == 200 and "样本 600 人" in html and "各校调查配额" in html
    assert "常住人口 352,000 × 1.5‰ = 528" in html
    assert not Survey.objects.exists()
    bad = client.post(url, {**form, "population": "三十万"})
    assert bad.status_code == 400 and "常住人口：请填写正整数" in bad.content.decode()
    created = client.post(url, {**form, "action": "create"})
    survey = Survey.objects.get()
    assert created.status_code == 302 and created.url == reverse("survey", args=[survey.pk])
    assert survey.population == 352_000 and survey.status == SurveyStatus.DRAFT
    assert sum(survey.quotas.values_list("count", flat=True)) == 600


def test_admin_generates_codes_and_downloads_sheets(users, survey, schools):
    client = _client(users["admin"])
    response = client.post(
        reverse("survey_codes", args=[survey.pk]),
        {"group": "parents", "school": schools[0].school_id, "count": "9"},
    )
    assert response.status_code == 302
    batch = CodeBatch.objects.get()
    assert batch.size == 9 and batch.codes.count() == 9 and batch.school == schools[0]
    refused = client.post(
        reverse("survey_codes", args=[survey.pk]), {"group": "teachers", "count": "5"}
    )
    assert refused.status_code == 302 and CodeBatch.objects.count() == 1
    page = client.get(reverse("survey", args=[survey.pk])).content.decode()
    assert "按学校发放" in page and "PDF（2 页）" in page
    pdf = client.get(reverse("survey_sheet", args=[survey.pk, batch.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"/Count 2" in pdf.content
    png = client.get(reverse("survey_sheet", args=[survey.pk, batch.pk, "png"]), {"page": "2"})
    image = Image.open(io.BytesIO(png.content))
    assert png["Content-Type"] == "image/png" and image.size == (1240, 1754)
    assert (
        client.get(
            reverse("survey_sheet", args=[survey.pk, batch.pk, "png"]), {"page": "3"}
        ).status_code
        == 404
    )


def test_results_export_exclusion_and_feed(users, survey, schools):
    from django.utils import timezone

    now = timezone.now()
    codes = services.generate_codes(survey, "parents", 3, school=schools[0]).codes.all()
    first, second, third = [c.code for c in codes]
    services.submit(first, "a", _answers([5, 4] * 7), 100, now)
    services.submit(second, "b", _answers([2, 3] * 7), 100, now)
    services.submit(third, "c", _answers([4, 3] * 7), 10, now)  # too fast
    client = _client(users["admin"])
    page = client.get(reverse("survey_results", args=[survey.pk])).content.decode()
    # R1 14 of 14, R2 0 of 14 counted; R3 flagged and left out → 14 of 28 = 50.00%
    assert "28 个有效答案中 14 个认可，认可度 50.00%" in page
    assert "答题过快" in page and "不计入" in page
    # the polled progress box replaces itself and keeps polling
    fragment = client.get(reverse("survey_progress", args=[survey.pk])).content.decode()
    assert "已收到 3 份 / 配额 600 份" in fragment and 'hx-trigger="every 15s"' in fragment
    assert "<html" not in fragment
    export = client.get(reverse("survey_export", args=[survey.pk]))
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["按调查对象", "按学校", "按城乡", "答卷质量"]
    cells = [c for row in book["按调查对象"].iter_rows(values_only=True) for c in row]
    assert "全县" in cells and 28 in cells and 14 in cells
    # count the too-fast answers too: 21 of 42 = 50.00%; then leave R2 out by review: 21 of 28
    client.post(reverse("survey_exclude", args=[survey.pk]), {"flag": ["straight_lining"]})
    assert Survey.objects.get().exclude_flags == ["straight_lining"]
    r2 = Response.objects.get(code__code=second)
    client.post(reverse("survey_exclude", args=[survey.pk]), {"response": r2.pk, "excluded": "1"})
    page = client.get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert "28 个有效答案中 21 个认可，认可度 75.00%" in page
    # R1 and R3 are counted: 2 of the plan's 600 → refused until the shortfall is confirmed
    refused = client.post(reverse("survey_feed", args=[survey.pk]), follow=True)
    assert "已收到 2 份有效答卷，样本量要求 600 份，还差 598 份" in refused.content.decode()
    assert SurveyCount.objects.filter(county=survey.county, year=survey.year).count() == 7
    feed = client.post(reverse("survey_feed", args=[survey.pk]), {"accept_missing": "598"})
    assert feed.status_code == 302
    counts = SurveyCount.objects.get(county=survey.county, year=survey.year, group="家长")
    # R1: seven 5s, seven 4s; R3: seven 4s, seven 3s
    assert (counts.answers_5, counts.answers_4, counts.answers_3) == (7, 14, 7)
    assert SurveyCount.objects.filter(county=survey.county, year=survey.year).count() == 1
    assert AccessCode.objects.filter(used=True).count() == 3


def test_admin_edits_the_county_copy_until_it_is_answered(users, survey, schools):
    from django.utils import timezone

    url = reverse("survey_questionnaire", args=[survey.pk, "public"])
    before = survey.questionnaires.get(key="public").version
    for who, status in (("leader", 403), ("inspector", 403), ("other_admin", 404)):
        assert _client(users[who]).get(url).status_code == status, who
        assert _client(users[who]).post(url, {}).status_code == status, who
    client = _client(users["admin"])
    page = client.get(url).content.decode()
    assert "第 1 题（教育公平政策落实）" in page
    form = {
        "title": "示范县家长问卷",
        "intro": "您好！",
        **{f"text_P{i:02d}": f"第{i}个问题？" for i in range(1, 15)},
    }
    empty = client.post(url, {**form, "text_P03": " "})
    assert empty.status_code == 400 and "第 3 题不能为空" in empty.content.decode()
    assert client.post(url, form).status_code == 302
    stored = survey.questionnaires.get(key="public")
    assert stored.version != before and "第14个问题？" in stored.text
    questionnaire = services.questionnaires_of(survey)[stored.version]
    assert questionnaire.title == "示范县家长问卷" and questionnaire.based_on is not None
    # the form shows the new wording, and the answer records the new version
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    assert "第7个问题？" in Client().get(reverse("survey_form", args=[code])).content.decode()
    services.submit(code, "n", _answers([5, 4] * 7), 100, timezone.now())
    assert Response.objects.get().version == stored.version
    refused = client.post(url, {**form, "title": "再改一次"})
    assert refused.status_code == 400 and "已经有人作答" in refused.content.decode()


def test_flagged_responses_are_listed_fifty_to_a_page(users, survey, schools):
    import re

    from django.utils import timezone

    now = timezone.now()
    codes = [
        c.code
        for c in services.generate_codes(survey, "parents", 52, school=schools[0]).codes.all()
    ]
    for n, code in enumerate(codes):
        # 10 s for 14 questions < 3 s each → every one flagged too fast
        services.submit(code, str(n), _answers([5, 4] * 7), 10, now)
    client = _client(users["admin"])
    url = reverse("survey_results", args=[survey.pk])

    def rows(page):
        return re.findall(r'<td data-label="答卷编号">(\d+)</td>', page)

    first = client.get(url).content.decode()
    # 52 flagged: page 1 lists the 1st to the 50th, page 2 the 51st and 52nd
    assert len(rows(first)) == 50
    assert "共 52 份，这里是第 1–50 份（第 1 页，共 2 页）" in first and "?flagged=2" in first
    second = client.get(url, {"flagged": "2"}).content.decode()
    assert len(rows(second)) == 2 and "第 51–52 份（第 2 页，共 2 页）" in second
    assert set(rows(first)).isdisjoint(rows(second))
    # a page past the last shows the last; anything but a number the first
    assert rows(client.get(url, {"flagged": "9"}).content.decode()) == rows(second)
    assert rows(client.get(url, {"flagged": "甲"}).content.decode()) == rows(first)
