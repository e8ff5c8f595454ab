"""The 待办 registry: who has what to do today, gathered from every part of the system.

Each part that gives users work registers a *provider*: a function handed many users at once and
today's local date (Asia/Shanghai, `junheng.web.clock.today()`), answering each user's items by
user pk. Providers work in bulk — a handful of queries for all the users of a province — so the
daily digest of every user is built without a query per user. A provider answers only for the
users it has something for; `todo_for` merges the answers and orders each user's items (overdue
first, then by due date, undated last).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class TodoItem:
    kind: str
    """Stable key of the kind of item, e.g. "task_overdue" (never shown)."""
    title: str
    """What to do, in Chinese, shown as the item's link text."""
    url: str
    due: date | None = None
    overdue: bool = False
    county_id: int | None = None


TodoProvider = Callable[[Sequence[AbstractBaseUser], date], dict[int, list[TodoItem]]]
"""Users and today's local date → the items of each user (by pk) that has any."""

_providers: list[TodoProvider] = []
_groups: dict[str, str] = {}

OTHER = "其他待办"
"""The group of an item whose kind no provider named."""


def group(label: str, *kinds: str) -> None:
    """Name the group (shown, in Chinese, e.g. "督导检查") that items of these kinds are listed
    under on the 待办 page."""
    for kind in kinds:
        _groups[kind] = label


def group_of(kind: str) -> str:
    """The group an item of this kind is listed under."""
    _load_builtin()
    return _groups.get(kind, OTHER)


def register(provider: TodoProvider) -> TodoProvider:
    """Add a provider (once; registering it again changes nothing). Usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> tuple[TodoProvider, ...]:
    """The registered providers, in the order they were registered."""
    _load_builtin()
    return tuple(_providers)


def sort_key(item: TodoItem) -> tuple[bool, bool, date, str]:
    """Overdue first, then the nearest due date, undated last, then by title."""
    return (not item.overdue, item.due is None, item.due or date.max, item.title)


def todo_for(users: Sequence[AbstractBaseUser], today: date) -> dict[int, list[TodoItem]]:
    """Every user's to-do items (user pk → sorted items; users with none are left out)."""
    users = [user for user in users if user.pk is not None]
    merged: dict[int, list[TodoItem]] = {}
    if not users:
        return merged
    for provider in providers():
        for pk, items in provider(users, today).items():
            if items:
                merged.setdefault(pk, []).extend(items)
    for items in merged.values():
        items.sort(key=sort_key)
    return merged


def _load_builtin() -> None:
    # The system's own providers (school data, approvals, ledger tasks) register themselves
    # when their module is imported; import it lazily so this registry imports no models.
    from junheng.web.notifications import sources  # noqa: F401
