"""以名册为准更新填报数据: a tiny roster of one school writes that school's teacher counts and the
county's G9, G11 and G12 into the stored data (logged like a form's edit), leaves every other
school and column as reported, refuses submitted or approved schools by name, is all or
nothing, and only county and system administrators may do it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.collection.models import (
    ChangeLog,
    CountyFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.registry.revisions import data_revision
from junheng.web.roster import adopt, services
from junheng.web.selectors import dataset_for

pytestmark = pytest.mark.django_db

SCHOOL = "2152010001"
"""城关第一小学: primary only."""
OTHER = "2152010002"


@pytest.fixture
def tiny(loaded, roster_file, make_teacher):
    """Three teachers of 城关第一小学 imported as the county's roster.

    Counted (in post, joined by 2026): T1 (本科, 语文) and T2 (研究生, 县级骨干, 体育); T3 (专科,
    音乐) is on sick leave and not counted. So 专任教师 2, 研究生 1, 本科 1, 专科 0, 高中及以下 0,
    骨干 1, 体育 1, 音乐 0, 美术 0. Both counted have 400 ≥ 360 hours and a certificate: G9 and
    G12 are 2/2 = 100 %. Both are eligible (11 years at the school, established, age 46 < 50,
    16 years of service) and nobody rotated: G11 0/2 = 0 %; its backbone share has no
    denominator, so the reported share stays.
    """
    county, year = loaded
    path = roster_file(
        [
            make_teacher(SCHOOL, "T1"),
            make_teacher(
                SCHOOL,
                "T2",
                degree="postgraduate",
                backbone="county",
                subject="体育",
                id_number="152201198005172345",
            ),
            make_teacher(
                SCHOOL,
                "T3",
                degree="associate",
                subject="音乐",
                status="sick_leave",
                id_number="152201198005173456",
            ),
        ]
    )
    assert services.import_roster(county, year, path, None, path.name).record is not None
    return county, year


EXPECTED = {
    "teachers": 2,
    "teachers_postgraduate": 1,
    "teachers_bachelor": 1,
    "teachers_associate": 0,
    "teachers_below_associate": 0,
    "backbone_teachers": 1,
    "pe_teachers": 1,
    "music_teachers": 0,
    "fine_art_teachers": 0,
}


def _segment(school_id: str, year) -> SegmentData:
    return SegmentData.objects.get(school__school_id=school_id, year=year, level="primary")


def _fact(county, year, fact: str) -> str | None:
    row = CountyFactValue.objects.filter(county=county, year=year, fact=fact).first()
    return row.value if row else None


def _post(client, user, county, year):
    client.force_login(user)
    return client.post(reverse("roster:adopt", args=[county.pk, year.label]))


def _said(client, response) -> list[str]:
    """The messages the redirected-to page shows (which uses them up)."""
    assert response.status_code == 302
    page = client.get(response.url)
    return [str(m) for m in page.context["messages"]]


def test_the_page_shows_what_would_change(client, users, tiny):
    county, year = tiny
    before = _segment(SCHOOL, year)
    client.force_login(users["admin"])
    text = client.get(reverse("roster:reconcile", args=[county.pk, year.label])).content.decode()
    assert "以名册为准更新填报数据" in text
    assert f"小学专任教师数 {before.teachers} → 2" in text
    assert f"小学体育专任教师数 {before.pe_teachers} → 1" in text
    # the county's G9 from the roster, 100 %, beside the reported one
    assert "教师5年360学时培训完成率" in text and "100.0%" in text
    # the other schools have no teacher in the roster: kept as reported, and said so
    assert "城关第二小学" in text and "这些学校保留填报的人数" in text


def test_adopting_writes_the_counts_and_facts_and_logs_them(client, users, tiny):
    county, year = tiny
    before, other = _segment(SCHOOL, year), _segment(OTHER, year)
    revision = data_revision(county, year)
    old_g11 = _fact(county, year, "rotation_backbone_share")
    response = _post(client, users["admin"], county, year)
    assert response.status_code == 302
    (said,) = _said(client, response)
    # the demo reports G9 and G12 at 100 % already, so of the facts only G11's rate changes:
    # one value per differing column of the segment and that one fact
    changed = sum(getattr(before, c) != v for c, v in EXPECTED.items()) + 1
    assert f"共 {changed} 项" in said
    assert said.startswith("已以教师名册为准更新：1 所学校的专任教师人数（城关第一小学）；")
    assert "县级指标符合交流条件教师年交流轮岗比例" in said
    assert "持有教师资格证" not in said

    after = _segment(SCHOOL, year)
    assert {c: getattr(after, c) for c in EXPECTED} == EXPECTED
    assert after.students == before.students and after.classes == before.classes
    assert after.arts_teachers == before.arts_teachers
    untouched = _segment(OTHER, year)
    assert [getattr(untouched, c) for c in EXPECTED] == [getattr(other, c) for c in EXPECTED]
    assert _fact(county, year, "training_360h_rate") == "1.0"
    assert _fact(county, year, "certified_teacher_rate") == "1.0"
    assert _fact(county, year, "rotation_rate") == "0.0"
    assert _fact(county, year, "rotation_backbone_share") == old_g11

    # logged like an edit on the form: by the admin, field by field, old → new
    logged = ChangeLog.objects.filter(model="SegmentData", school__school_id=SCHOOL)
    teachers = logged.get(field="teachers")
    assert (teachers.old_value, teachers.new_value) == (str(before.teachers), "2")
    assert teachers.user == users["admin"]
    assert not ChangeLog.objects.filter(school__school_id=OTHER).exists()
    assert set(logged.values_list("field", flat=True)) <= set(EXPECTED)
    # the year's data is changed for snapshots and fingerprints, and read back as written
    assert data_revision(county, year) != revision
    segments = dataset_for(county, year).segments
    row = segments.filter(segments["school_id"] == SCHOOL).row(0, named=True)
    assert {c: row[c] for c in EXPECTED} == EXPECTED
    assert SchoolYearData.objects.get(school__school_id=SCHOOL, year=year).version > 0

    # a second click has nothing left to change
    again = _post(client, users["admin"], county, year)
    assert _said(client, again) == ["名册统计的人数和比例与填报数据一致，没有需要更新的内容。"]


@pytest.mark.parametrize(
    ("status", "state"), [(Status.APPROVED, "已审核锁定"), (Status.SUBMITTED, "已提交审核")]
)
def test_a_locked_school_refuses_the_whole_update(client, users, tiny, status, state):
    county, year = tiny
    SchoolYearData.objects.filter(school__school_id=SCHOOL, year=year).update(status=status)
    before = _segment(SCHOOL, year).teachers
    facts = _fact(county, year, "training_360h_rate")
    logs = ChangeLog.objects.count()
    page = client
    page.force_login(users["admin"])
    text = page.get(reverse("roster:reconcile", args=[county.pk, year.label])).content.decode()
    assert f"{state}：城关第一小学" in text
    (said,) = _said(client, _post(client, users["admin"], county, year))
    assert f"以下学校 {year.label} 学年的数据{state}：城关第一小学" in said
    assert "本次没有更新任何数据" in said
    assert _segment(SCHOOL, year).teachers == before
    assert _fact(county, year, "training_360h_rate") == facts
    assert ChangeLog.objects.count() == logs


def test_a_failure_half_way_writes_nothing(users, tiny, monkeypatch):
    county, year = tiny
    before = _segment(SCHOOL, year).teachers
    logs = ChangeLog.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("county facts failed")

    monkeypatch.setattr(adopt, "sync_county_facts", broken)
    with pytest.raises(RuntimeError):
        adopt.adopt_roster(county, year, users["admin"])
    assert _segment(SCHOOL, year).teachers == before
    assert ChangeLog.objects.count() == logs


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("sysadmin", True),
        ("leader", False),
        ("inspector", False),
        ("far_inspector", False),
        ("other_admin", False),
        ("school", False),
        ("department", False),
        ("nobody", False),
    ],
)
def test_only_administrators_may_adopt(client, users, tiny, role, allowed):
    county, year = tiny
    assert _segment(SCHOOL, year).teachers != 2
    client.force_login(users[role])
    page = client.get(reverse("roster:reconcile", args=[county.pk, year.label]))
    if page.status_code == 200:
        assert ("以名册为准更新填报数据</button>" in page.content.decode()) is allowed
    response = _post(client, users[role], county, year)
    assert response.status_code == (302 if allowed else 404)
    assert (_segment(SCHOOL, year).teachers == 2) is allowed


def test_anonymous_and_get_are_refused(client, users, tiny):
    county, year = tiny
    url = reverse("roster:adopt", args=[county.pk, year.label])
    assert client.post(url).status_code == 302  # to the login page
    assert _segment(SCHOOL, year).teachers != 2
    client.force_login(users["admin"])
    assert client.get(url).status_code == 405
