"""A user's to-do items kept for a short while, for the header's 待办 count and the panel on the
start pages: the header is on every page and must not query the database each time.

The 待办 page always computes afresh (and refreshes what is kept); after a user's own change (a
POST that succeeded) what is kept for them is dropped (`ForgetAfterChange`), so their next page
counts again; what others did may reach their count up to `KEEP_SECONDS` later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from junheng.web import clock
from junheng.web.accounts.models import Profile, Role
from junheng.web.notifications.todo import TodoItem, todo_for

KEEP_SECONDS = 120


def has_todo(user: Any) -> bool:
    """Whether the user can have to-do items at all: signed in, not a system administrator (who
    runs the server and has no county work)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
        return False
    try:
        return user.profile.role != Role.SYSTEM_ADMIN
    except Profile.DoesNotExist:
        return True


def _key(user: Any) -> str:
    return f"notifications:todo:{user.pk}:{clock.today().isoformat()}"


def items_for(user: Any, fresh: bool = False) -> list[TodoItem]:
    """The user's items today: kept ones unless `fresh`, else computed and kept."""
    if not has_todo(user):
        return []
    key = _key(user)
    if not fresh:
        kept = cache.get(key)
        if kept is not None:
            return kept
    items = todo_for([user], clock.today()).get(user.pk, [])
    cache.set(key, items, KEEP_SECONDS)
    return items


def header_link(user: Any) -> tuple[str, str] | None:
    """The header's 待办 link: label with the count, and URL (None for users without to-dos)."""
    if not has_todo(user):
        return None
    try:
        url = reverse("notifications:todo")
    except NoReverseMatch:  # a site configured without these pages
        return None
    n = len(items_for(user))
    return (f"待办 {n}" if n else "待办", url)


class ForgetAfterChange:
    """Middleware: a signed-in user's successful POST (a visit recorded, a task reported, data
    submitted) drops their kept items, so the header they see next is not the count before it.
    No query: only the cache entry of today's key is deleted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method == "POST"
            and response.status_code < 400
            and getattr(user, "is_authenticated", False)
        ):
            cache.delete(_key(user))
        return response
