"""The written-out lookups every page makes: the user with their role, and the county in the
user's scope. They must answer exactly as the ORM rules they stand in for."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from junheng.web.accounts.backends import ProfileBackend, user_with_profile
from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import visible_counties, visible_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(regions, django_user_model):
    """The regions of `regions` (province 甲: cities 一 with a, b and 二 with c; province 乙:
    city 三 with d) and a user of every kind of scope."""
    counties, school = regions["counties"], regions["schools"]["a"]
    pa, _ = regions["provinces"]
    one, two, _ = regions["cities"]

    def user(name, role=None, **scope):
        made = django_user_model.objects.create_user(name)
        if role is not None:
            Profile.objects.create(user=made, role=role, **scope)
        return made

    users = {
        "superuser": django_user_model.objects.create_superuser("root", "", "pw"),
        "system_admin": user("sys", Role.SYSTEM_ADMIN),
        "county_admin": user("bureau", Role.COUNTY_ADMIN, county=counties["b"]),
        "leader": user("leader", Role.LEADER, county=counties["c"]),
        "school_user": user("clerk", Role.SCHOOL_USER, school=school),
        "no_profile": user("nobody"),
        "inspector_none": user("idle", Role.INSPECTOR),
    }
    by_county = user("ins-county", Role.INSPECTOR)
    by_county.profile.inspected_counties.add(counties["d"])
    by_city = user("ins-city", Role.INSPECTOR)
    by_city.profile.inspected_cities.add(one)
    by_province = user("ins-province", Role.INSPECTOR)
    by_province.profile.inspected_provinces.add(pa)
    mixed = user("ins-mixed", Role.INSPECTOR)
    mixed.profile.inspected_counties.add(counties["a"])
    mixed.profile.inspected_cities.add(two)
    users |= {"by_county": by_county, "by_city": by_city, "by_province": by_province}
    users["mixed"] = mixed
    inactive = user("gone", Role.COUNTY_ADMIN, county=counties["a"])
    inactive.is_active = False
    inactive.save()
    users["inactive"] = inactive
    return counties, users


EXPECTED = {
    "superuser": "abcd",
    "system_admin": "abcd",
    "county_admin": "b",
    "leader": "c",
    "school_user": "",
    "no_profile": "",
    "inspector_none": "",
    "by_county": "d",
    "by_city": "ab",
    "by_province": "abc",
    "mixed": "ac",
    "inactive": "",
}


def test_visible_county_answers_as_visible_counties_for_every_scope(world):
    counties, users = world
    for kind, user in users.items():
        fresh = ProfileBackend().get_user(user.pk) or user  # inactive users are not loaded
        ids = set(visible_counties(fresh).values_list("pk", flat=True))
        seen = "".join(key for key, county in counties.items() if visible_county(fresh, county.pk))
        assert seen == EXPECTED[kind], kind
        assert {counties[key].pk for key in seen} == ids, kind
    assert visible_county(AnonymousUser(), counties["a"].pk) is None
    missing = max(c.pk for c in counties.values()) + 1
    assert visible_county(users["superuser"], missing) is None
    assert visible_county(users["by_province"], missing) is None


def test_visible_county_reads_county_city_and_province_in_one_query(world):
    counties, users = world
    inspector = ProfileBackend().get_user(users["by_province"].pk)
    with CaptureQueriesContext(connection) as queries:
        county = visible_county(inspector, counties["c"].pk)
        names = (county.name, county.city.name, county.city.province.name)
        assert names == ("c县", "甲二市", "甲省")
        assert county.city_id == county.city.pk
    assert len(queries) == 1
    # the county's own users need no query to be refused another county
    admin = ProfileBackend().get_user(users["county_admin"].pk)
    with CaptureQueriesContext(connection) as queries:
        assert visible_county(admin, counties["a"].pk) is None
    assert len(queries) == 0


def test_user_with_profile_is_the_orm_user_in_one_query(world, django_user_model):
    _, users = world
    stored = django_user_model.objects.get(pk=users["county_admin"].pk)
    with CaptureQueriesContext(connection) as queries:
        user = user_with_profile(str(stored.pk))  # the session keeps the id as text
        assert user.profile.role == Role.COUNTY_ADMIN
        assert user.profile.county_id == users["county_admin"].profile.county_id
    assert len(queries) == 1
    assert user.profile.user is user
    for field in django_user_model._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored, field.attname), field.name
    # the database's own types, as the ORM returns them (SQLite stores text and integers)
    assert isinstance(user.date_joined, datetime.datetime) and user.date_joined.tzinfo
    assert user.is_active is True and user.is_superuser is False


def test_user_without_profile_raises_without_a_query(world):
    _, users = world
    user = user_with_profile(users["no_profile"].pk)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(Profile.DoesNotExist):
            user.profile  # noqa: B018
        assert not hasattr(user, "profile")
    assert len(queries) == 0


def test_unknown_or_malformed_ids_and_inactive_users_are_nobody(world):
    _, users = world
    assert user_with_profile("not-a-number") is None
    assert user_with_profile(10**9) is None
    assert user_with_profile(users["inactive"].pk) is not None
    assert ProfileBackend().get_user(users["inactive"].pk) is None
