"""Authentication: Django's own user model and password checks, with the user's role loaded
in the same query as the user.

Every page asks `accounts.scope` about the user's profile; reading it with the user saves a
query on every request, and writing the query out (`sqlrows`) saves the ORM's building of it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from junheng.web import sqlrows
from junheng.web.accounts.models import Profile


@cache
def _user_sql(vendor: str) -> str:
    user, column = get_user_model(), sqlrows.column
    return (
        f"SELECT {sqlrows.columns(user, 'u')}, {sqlrows.columns(Profile, 'p')}"
        f" FROM {sqlrows.table(user)} u"
        f" LEFT JOIN {sqlrows.table(Profile)} p"
        f" ON p.{column(Profile, 'user')} = u.{column(user, 'pk')}"
        f" WHERE u.{column(user, 'pk')} = %s"
    )


def user_with_profile(user_id: Any) -> Any:
    """The user of that id with `user.profile` already read (or known to be absent); None when
    there is no such user."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(connection.vendor), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    user_part, profile_part = sqlrows.split(row, sqlrows.width(user_model))
    user = sqlrows.instance(user_model, user_part)
    profile = sqlrows.instance(Profile, profile_part)
    sqlrows.attach(user, user_model.profile, profile)
    if profile is not None:
        sqlrows.attach(profile, Profile.user, user)
    return user


class ProfileBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
