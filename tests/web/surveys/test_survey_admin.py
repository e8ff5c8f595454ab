"""Running a survey over HTTP: changing its dates, generating every batch of codes from the
quotas, the results' verdict against the standard and per-question breakdown, the guard on
writing a short sample into S1, readable questionnaire versions and the not-yet-open page."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from junheng.web.collection.models import SurveyCount
from junheng.web.surveys import services
from junheng.web.surveys.models import AccessCode, CodeBatch, Quota, Survey, SurveyStatus

PASSWORD = "pw-均衡-2026"

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _answers(values):
    return {f"q_P{i:02d}": str(v) for i, v in enumerate(values, start=1)}


def _submit(survey, school, rows, seconds=100):
    """One parents' response per row of 14 values, through the public form's service."""
    batch = services.generate_codes(survey, "parents", len(rows), school=school)
    now = timezone.now()
    for code, values in zip(batch.codes.order_by("pk"), rows, strict=True):
        outcome = services.submit(code.code, code.code, _answers(values), seconds, now)
        assert outcome.outcome is services.Outcome.ACCEPTED


def _text(response):
    """The page's text without tags, entities resolved, whitespace collapsed."""
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _question_rows(response, title):
    """The rows (cell texts) of the per-question table of the questionnaire `title`."""
    page = response.content.decode()
    section = page[page.index(f"{title}）：各题答案</h2>") :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


# ---- dates -------------------------------------------------------------------------------------


def test_admin_changes_the_dates_in_local_time(users, survey):
    client = _client(users["admin"])
    url = reverse("survey_dates", args=[survey.pk])
    form = client.get(url)
    local_open = timezone.localtime(survey.opens_at)
    assert form.status_code == 200
    assert f'value="{local_open:%Y-%m-%dT%H:%M}"' in form.content.decode()
    # the same day, later: accepted; typed times are Asia/Shanghai wall-clock (UTC+8)
    saved = client.post(url, {"opens_at": "2026-12-10T08:00", "closes_at": "2026-12-10T17:30"})
    assert saved.status_code == 302 and saved.url == reverse("survey", args=[survey.pk])
    survey.refresh_from_db()
    assert survey.opens_at == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)
    assert survey.closes_at == datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    detail = _text(client.get(reverse("survey", args=[survey.pk])))
    assert "2026-12-10 08:00 至 2026-12-10 17:30" in detail


@pytest.mark.parametrize(
    ("closes_at", "message"),
    [
        ("2026-12-10T08:00", "截止时间：截止时间应晚于开始时间（开始：2026-12-10 08:00）"),
        ("2026-12-09T18:00", "截止时间：截止时间应晚于开始时间（开始：2026-12-10 08:00）"),
        ("", "截止时间：请填写截止日期和时间"),
        ("明天", "截止时间：请填写截止日期和时间"),
    ],
)
def test_dates_closing_not_after_opening_are_refused(users, survey, closes_at, message):
    before = (survey.opens_at, survey.closes_at)
    client = _client(users["admin"])
    url = reverse("survey_dates", args=[survey.pk])
    refused = client.post(url, {"opens_at": "2026-12-10T08:00", "closes_at": closes_at})
    assert refused.status_code == 400 and message in _text(refused)
    # what was typed stays in the form
    assert 'value="2026-12-10T08:00"' in refused.content.decode()
    survey.refresh_from_db()
    assert (survey.opens_at, survey.closes_at) == before


def test_only_managers_change_dates(users, survey):
    url = reverse("survey_dates", args=[survey.pk])
    before = (survey.opens_at, survey.closes_at)
    form = {"opens_at": "2026-12-10T08:00", "closes_at": "2026-12-20T08:00"}
    for who, status in (("leader", 403), ("inspector", 403), ("other_admin", 404)):
        assert _client(users[who]).get(url).status_code == status, who
        assert _client(users[who]).post(url, form).status_code == status, who
    survey.refresh_from_db()
    assert (survey.opens_at, survey.closes_at) == before


# ---- codes for every quota ---------------------------------------------------------------------


def test_one_click_generates_every_batch_of_the_quotas_and_only_once(users, survey, schools):
    client = _client(users["admin"])
    url = reverse("survey_codes_all", args=[survey.pk])
    # a batch made by hand first: 3 of the first school's parents' quota
    parents = Quota.objects.get(survey=survey, group="parents", school=schools[0])
    assert parents.count > 3
    services.generate_codes(survey, "parents", 3, school=schools[0])
    quotas = list(Quota.objects.filter(survey=survey, count__gt=0))
    page = _text(client.post(url, follow=True))
    # one batch per quota; the hand-made batch's quota only gets what it lacks
    assert CodeBatch.objects.count() == 1 + len(quotas)
    assert AccessCode.objects.count() == sum(q.count for q in quotas) == 600
    assert f"已按配额生成 {len(quotas)} 批、共 597 个访问码" in page
    for quota in quotas:
        sizes = CodeBatch.objects.filter(
            survey=survey, group=quota.group, school=quota.school, area_type=quota.area_type
        ).values_list("size", flat=True)
        assert sum(sizes) == quota.count, (quota.group, quota.school_id, quota.area_type)
    # area groups get batches by area, without a school
    deputies = CodeBatch.objects.filter(group="deputies")
    assert deputies.exists() and not deputies.filter(school__isnull=False).exists()
    # the second click creates nothing and says so
    again = _text(client.post(url, follow=True))
    assert CodeBatch.objects.count() == 1 + len(quotas)
    assert AccessCode.objects.count() == 600
    assert f"全部 {len(quotas)} 项配额都已有足够的访问码，没有生成新的访问码" in again


def test_a_quota_already_covered_by_hand_is_left_alone(users, survey, schools):
    parents = Quota.objects.get(survey=survey, group="parents", school=schools[0])
    services.generate_codes(survey, "parents", parents.count + 5, school=schools[0])
    page = _text(
        _client(users["admin"]).post(reverse("survey_codes_all", args=[survey.pk]), follow=True)
    )
    quotas = Quota.objects.filter(survey=survey, count__gt=0).count()
    assert CodeBatch.objects.filter(group="parents", school=schools[0]).count() == 1
    # 600 − the covered quota's count new codes, in one batch per other quota
    assert AccessCode.objects.count() == 600 + 5
    assert f"已按配额生成 {quotas - 1} 批、共 {600 - parents.count} 个访问码" in page
    assert "另有 1 项配额此前已有足够的访问码" in page


def test_read_only_roles_cannot_generate_codes(users, survey):
    for who, status in (("leader", 403), ("inspector", 403), ("other_admin", 404)):
        client = _client(users[who])
        assert client.post(reverse("survey_codes_all", args=[survey.pk])).status_code == status
    assert not CodeBatch.objects.exists()


# ---- results: verdict against the standard, per question ------------------------------------


FAVOURABLE = [5, 4] * 7
"""14 favourable answers that are not all the same option (straight-lining is left out)."""
UNFAVOURABLE = [3, 2] * 7


@pytest.mark.parametrize(
    ("favourable", "rate", "verdict"),
    [
        # 17 × 14 = 238 favourable of 20 × 14 = 280 answers = 85.00 %: ≥ 85 % passes (S1's ≥)
        (17, "280 个有效答案中 238 个认可，认可度 85.00%", "达标"),
        # 16 × 14 = 224 of 280 = 80.00 %
        (16, "280 个有效答案中 224 个认可，认可度 80.00%", "未达标"),
    ],
)
def test_verdict_on_both_sides_of_the_requirement(
    users, survey, schools, favourable, rate, verdict
):
    _submit(survey, schools[0], [FAVOURABLE] * favourable + [UNFAVOURABLE] * (20 - favourable))
    page = _text(_client(users["leader"]).get(reverse("survey_results", args=[survey.pk])))
    assert rate in page
    assert f"要求：社会认可度 ≥ 85%（S1 社会认可度达到85%以上）。结论： {verdict}" in page
    assert "样本：已收到 20 份有效答卷，样本量要求 600 份，还差 580 份" in page


def test_per_question_breakdown_of_hand_counted_answers(users, survey, schools):
    a = [5, 4] * 7
    b = [3, 2] * 7
    c = [1, 5] * 7
    _submit(survey, schools[0], [a, b, c])
    _submit(survey, schools[0], [[5, 4] * 7], seconds=10)  # too fast: left out everywhere
    response = _client(users["admin"]).get(reverse("survey_results", args=[survey.pk]))
    rows = _question_rows(response, "家长及社会公众卷")
    assert len(rows) == 14
    # columns: question, 非常满意 满意 一般 不满意 非常不满意, valid answers, rate
    # P01: a 5, b 3, c 1 → (1, 0, 1, 0, 1), 1 favourable of 3 = 33.3 %
    assert rows[0][0].startswith("第 1 题") and rows[0][1:] == [
        "1",
        "0",
        "1",
        "0",
        "1",
        "3",
        "33.3%",
    ]
    # P02: a 4, b 2, c 5 → (1, 1, 0, 1, 0), 2 of 3 = 66.7 %
    assert rows[1][1:] == ["1", "1", "0", "1", "0", "3", "66.7%"]
    # the other questionnaires were not answered: a sentence instead of an empty chart
    page = response.content.decode()
    staff = page[page.index("校长及教师卷）：各题答案") :]
    assert staff.index("这份问卷还没有计入的答案") < staff.index("</section>")
    assert "chart-questions-2" not in page
    # a chart per table, its options built on the server (the same rates)
    page = response.content.decode()
    assert 'id="chart-groups-options"' in page and 'id="chart-questions-1-options"' in page
    options = json.loads(
        re.search(r'id="chart-questions-1-options"[^>]*>(.*?)</script>', page, re.S).group(1)
    )["baseOption"]
    below = next(x for x in options["series"] if x["name"] == "未达到要求")
    assert below["data"][:2] == [33.3, 66.7]
    assert below["markLine"]["data"] == [{"xAxis": 85}]
    assert options["yAxis"]["data"][0] == "第 1 题 教育公平政策落实"


def test_policy_and_version_are_named_in_chinese(users, survey, schools):
    client = _client(users["admin"])
    results = _text(client.get(reverse("survey_results", args=[survey.pk])))
    assert "政策：社会认可度“认可”选项数 = 2" in results
    assert "survey_favourable_options" not in results
    detail = client.get(reverse("survey", args=[survey.pk]))
    today = timezone.localdate()
    assert f"第 1 版（{today:%Y-%m-%d} 保存）" in _text(detail)
    versions = survey.questionnaires.values_list("version", flat=True)
    assert not any(v in detail.content.decode() for v in versions)
    # an edit makes the next version, named the same way
    url = reverse("survey_questionnaire", args=[survey.pk, "public"])
    form = {"title": "示范县家长问卷", "intro": "您好！"}
    form |= {f"text_P{i:02d}": f"第{i}个问题？" for i in range(1, 15)}
    saved = _text(client.post(url, form, follow=True))
    assert f"问卷已保存，现为第 2 版（{today:%Y-%m-%d} 保存）" in saved
    stored = survey.questionnaires.get(key="public")
    assert stored.revision == 2 and stored.version not in saved


# ---- writing into S1 ---------------------------------------------------------------------------


@pytest.fixture
def small_plan(survey, schools):
    """The plan cut to 3 respondents, all parents of the first school (a tiny county)."""
    Quota.objects.filter(survey=survey).update(count=0)
    Quota.objects.filter(survey=survey, group="parents", school=schools[0]).update(count=3)
    return survey


def test_feed_below_the_sample_is_refused_with_the_shortfall(users, small_plan, schools):
    survey = small_plan
    _submit(survey, schools[0], [FAVOURABLE, UNFAVOURABLE])
    client = _client(users["admin"])
    page = _text(client.get(reverse("survey_results", args=[survey.pk])))
    assert "我已知悉：已收到 2 份有效答卷，样本量要求 3 份，还差 1 份，仍按这些答卷写入" in page
    refused = _text(client.post(reverse("survey_feed", args=[survey.pk]), follow=True))
    assert (
        "已收到 2 份有效答卷，样本量要求 3 份，还差 1 份。样本量不足时写入测评数据须先确认"
        in refused
    )
    # the demo's seven groups are untouched
    assert SurveyCount.objects.filter(county=survey.county, year=survey.year).count() == 7
    assert Survey.objects.get().fed_at is None
    # a confirmation of a smaller shortfall than the present one does not count
    stale = client.post(reverse("survey_feed", args=[survey.pk]), {"accept_missing": "0"})
    assert stale.status_code == 302 and Survey.objects.get().fed_at is None
    # confirmed: written
    client.post(reverse("survey_feed", args=[survey.pk]), {"accept_missing": "1"})
    assert Survey.objects.get().fed_at is not None
    counts = SurveyCount.objects.get(county=survey.county, year=survey.year, group="家长")
    assert (counts.answers_5, counts.answers_4, counts.answers_3, counts.answers_2) == (7, 7, 7, 7)


@pytest.mark.parametrize("responses", [3, 4])
def test_feed_at_or_over_the_sample_needs_no_confirmation(users, small_plan, schools, responses):
    survey = small_plan
    _submit(survey, schools[0], [FAVOURABLE] * responses)
    client = _client(users["admin"])
    page = _text(client.get(reverse("survey_results", args=[survey.pk])))
    assert f"已收到 {responses} 份有效答卷，样本量要求 3 份，已达到" in page
    assert "我已知悉" not in page
    done = _text(client.post(reverse("survey_feed", args=[survey.pk]), follow=True))
    assert "已写入" in done and Survey.objects.get().fed_at is not None
    counts = SurveyCount.objects.get(county=survey.county, year=survey.year, group="家长")
    # 7 × 5 and 7 × 4 per response
    assert (counts.answers_5, counts.answers_4) == (7 * responses, 7 * responses)


def test_left_out_responses_do_not_count_toward_the_sample(users, small_plan, schools):
    survey = small_plan
    _submit(survey, schools[0], [FAVOURABLE] * 2)
    _submit(survey, schools[0], [FAVOURABLE], seconds=10)  # too fast, left out
    refused = _text(
        _client(users["admin"]).post(reverse("survey_feed", args=[survey.pk]), follow=True)
    )
    assert "已收到 2 份有效答卷，样本量要求 3 份，还差 1 份" in refused
    assert Survey.objects.get().fed_at is None


# ---- the public page before the opening day ----------------------------------------------------


def test_not_yet_open_page_gives_the_local_opening_day(client, survey, schools):
    # 20:00 UTC on 9 December is 04:00 on 10 December in Asia/Shanghai
    opens = datetime(2026, 12, 9, 20, 0, tzinfo=UTC)
    services.set_dates(survey, opens, opens + timedelta(days=10))
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    frozen = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: frozen)
        page = client.get(reverse("survey_form", args=[code]))
    text = _text(page)
    assert page.status_code == 403 and "调查尚未开始" in text
    assert "本次调查将于 2026年12月10日 04:00 开始" in text and "12月9日" not in text


def test_a_survey_not_started_after_its_opening_day_gives_no_date(client, survey, schools):
    services.set_status(survey, SurveyStatus.DRAFT)
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    page = _text(client.get(reverse("survey_form", args=[code])))
    assert "调查尚未开始" in page and "本次调查还没有开始" in page and "将于" not in page
