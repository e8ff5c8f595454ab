"""Roles and scope: who may see and edit which schools and counties."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from junheng.web.accounts.models import Profile, Role
from junheng.web.accounts.scope import can_edit_school, can_view_school, visible_counties

pytestmark = pytest.mark.django_db


def _user(django_user_model, name, role, **scope):
    user = django_user_model.objects.create_user(name)
    Profile.objects.create(user=user, role=role, **scope)
    return user


def _names(queryset):
    return sorted(c.name for c in queryset)


def test_system_admin_and_superuser_see_and_edit_everything(regions, django_user_model):
    admin = _user(django_user_model, "sys", Role.SYSTEM_ADMIN)
    root = django_user_model.objects.create_superuser("root", "", "pw")
    for user in (admin, root):
        assert visible_counties(user).count() == 4
        assert all(can_view_school(user, s) for s in regions["schools"].values())
        assert all(can_edit_school(user, s) for s in regions["schools"].values())


def test_school_user_sees_only_their_school(regions, django_user_model):
    schools = regions["schools"]
    user = _user(django_user_model, "clerk", Role.SCHOOL_USER, school=schools["a"])
    assert can_view_school(user, schools["a"])
    assert can_edit_school(user, schools["a"])
    for other in ("a2", "b", "c", "d"):
        assert not can_view_school(user, schools[other])
        assert not can_edit_school(user, schools[other])
    assert not visible_counties(user).exists()


def test_county_admin_sees_and_edits_their_county(regions, django_user_model):
    counties, schools = regions["counties"], regions["schools"]
    user = _user(django_user_model, "bureau", Role.COUNTY_ADMIN, county=counties["a"])
    assert _names(visible_counties(user)) == ["a县"]
    for key in ("a", "a2"):
        assert can_view_school(user, schools[key])
        assert can_edit_school(user, schools[key])
    for key in ("b", "c", "d"):
        assert not can_view_school(user, schools[key])
        assert not can_edit_school(user, schools[key])


def test_leader_sees_their_county_read_only(regions, django_user_model):
    counties, schools = regions["counties"], regions["schools"]
    user = _user(django_user_model, "leader", Role.LEADER, county=counties["b"])
    assert _names(visible_counties(user)) == ["b县"]
    assert can_view_school(user, schools["b"])
    assert not can_edit_school(user, schools["b"])
    assert not can_view_school(user, schools["a"])


def test_inspector_sees_assigned_counties_cities_and_provinces_read_only(
    regions, django_user_model
):
    counties, schools = regions["counties"], regions["schools"]
    pa, pb = regions["provinces"]
    a1, _, _ = regions["cities"]

    by_county = _user(django_user_model, "i1", Role.INSPECTOR)
    by_county.profile.inspected_counties.add(counties["c"])
    assert _names(visible_counties(by_county)) == ["c县"]

    by_city = _user(django_user_model, "i2", Role.INSPECTOR)
    by_city.profile.inspected_cities.add(a1)
    by_city.profile.inspected_counties.add(counties["a"])  # overlap counted once
    assert _names(visible_counties(by_city)) == ["a县", "b县"]

    by_province = _user(django_user_model, "i3", Role.INSPECTOR)
    by_province.profile.inspected_provinces.add(pb)
    assert _names(visible_counties(by_province)) == ["d县"]
    assert can_view_school(by_province, schools["d"])
    assert not can_view_school(by_province, schools["a"])
    assert not can_edit_school(by_province, schools["d"])

    whole_province = _user(django_user_model, "i5", Role.INSPECTOR)
    whole_province.profile.inspected_provinces.add(pa)
    assert _names(visible_counties(whole_province)) == ["a县", "b县", "c县"]

    unassigned = _user(django_user_model, "i4", Role.INSPECTOR)
    assert not visible_counties(unassigned).exists()
    assert not can_view_school(unassigned, schools["a"])


def test_users_without_role_inactive_or_anonymous_see_nothing(regions, django_user_model):
    school = regions["schools"]["a"]
    no_profile = django_user_model.objects.create_user("nobody")
    inactive = _user(django_user_model, "gone", Role.SYSTEM_ADMIN)
    inactive.is_active = False
    inactive.save()
    for user in (no_profile, inactive, AnonymousUser()):
        assert not visible_counties(user).exists()
        assert not can_view_school(user, school)
        assert not can_edit_school(user, school)


def test_profile_requires_the_scope_of_its_role(regions, django_user_model):
    from django.core.exceptions import ValidationError

    user = django_user_model.objects.create_user("x")
    with pytest.raises(ValidationError, match="所属县区"):
        Profile(user=user, role=Role.COUNTY_ADMIN).full_clean()
    with pytest.raises(ValidationError, match="所属学校"):
        Profile(user=user, role=Role.SCHOOL_USER).full_clean()
