"""The school page's 查看教师名册 line is shown exactly to those the roster page opens for
(`roster.permissions.roster_view`): a 责任督学 or a township's user, who may read the school,
used to get a link to a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.accounts.models import Profile, Role

pytestmark = pytest.mark.django_db

LINE = '<dt>教师名册</dt><dd><a href="{}">查看教师名册</a></dd>'


@pytest.fixture
def readers(users, django_user_model):
    """The roster's users and, of the same school, a 责任督学 and the township's user."""
    school = users["school"].profile.school

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password="pw-均衡-2026")
        Profile.objects.create(user=u, role=role, **scope)
        return u

    duxue = user("duxue", Role.SCHOOL_INSPECTOR, county=school.county)
    duxue.profile.supervised_schools.add(school)
    town = user("town", Role.TOWNSHIP_USER, county=school.county, township=school.township)
    return {**users, "duxue": duxue, "township": town}


@pytest.mark.parametrize(
    ("who", "linked"),
    [
        ("admin", True),
        ("sysadmin", True),
        ("leader", True),
        ("inspector", True),
        ("school", True),
        ("duxue", False),
        ("township", False),
    ],
)
def test_the_roster_line_only_for_those_it_opens_for(client, readers, who, linked):
    school = readers["school"].profile.school
    client.force_login(readers[who])
    page = client.get(reverse("school", args=[school.school_id, "2026"]))
    assert page.status_code == 200
    roster_url = reverse("roster:page", args=[school.county_id, "2026"])
    assert (LINE.format(roster_url) in page.content.decode()) is linked
    assert ("查看教师名册" in page.content.decode()) is linked
    # the link's own page agrees: it opens for those who see the line, else 404
    assert client.get(roster_url).status_code == (200 if linked else 404)
