"""The site header's navigation: which sections a user may open, as links.

A template context processor (settings.TEMPLATES). Who may open what is decided by
`accounts.scope`; this module only turns those answers into links. A section whose URL is not
defined yet is left out, so the header never breaks a page. Nothing is computed until a template
uses `nav`, and then only from the user's profile, which the page's own scope checks have
usually loaded already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from junheng.web.accounts import scope
from junheng.web.accounts.models import Profile
from junheng.web.inspections.permissions import has_inspection_pages
from junheng.web.notifications.badge import header_link
from junheng.web.rectification.permissions import unit_of
from junheng.web.surveys.permissions import has_survey_pages


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool = False


@dataclass(frozen=True)
class Navigation:
    role: str | None = None
    """The user's role in Chinese, shown beside their name."""
    links: list[Link] = field(default_factory=list)
    todo: Link | None = None
    """The user's 待办 with its count (notifications.badge), beside their name."""


@dataclass(frozen=True)
class _Section:
    label: str
    url_name: str
    paths: tuple[str, ...]
    """Path prefixes of the pages that belong to the section (the longest match is active)."""
    allowed: Callable[[Any], bool]
    inner: tuple[str, ...] = ()
    """Path parts that make a page the section's wherever they appear, as `/import/` in a
    county's import page under /counties/."""

    def match(self, path: str) -> int:
        """How specifically the path belongs to the section (0: not at all)."""
        if any(part in path for part in self.inner):
            return len(path) + 1
        return max((len(prefix) for prefix in self.paths if path.startswith(prefix)), default=0)


def _has_ledger_pages(user: Any) -> bool:
    # Roles answer from the profile loaded with the user; only a user without one (a
    # department's user) is looked up as a member of a unit.
    if scope.has_county_views(user):
        return True
    # The reverse one-to-one raises an AttributeError when there is no profile.
    return not hasattr(user, "profile") and unit_of(user) is not None


_SECTIONS: tuple[_Section, ...] = (
    _Section("本校数据", "home", ("/schools/",), scope.has_own_school),
    _Section("县区列表", "counties", ("/counties/", "/schools/"), scope.has_county_views),
    _Section("县域对比", "compare_latest", ("/compare/",), scope.has_county_views),
    _Section(
        "数据导入", "import_start", ("/import/", "/imports/"), scope.has_import_page, ("/import/",)
    ),
    # 考核与会议 (appraisal, decisions, meetings) is reached from the ledger's tabs and is part
    # of its work, so its pages, some under /counties/, mark 整改台账 rather than 县区列表.
    _Section(
        "整改台账",
        "rectification_start",
        ("/rectification/",),
        _has_ledger_pages,
        ("/rectification/", "/appraisal/", "/meetings/"),
    ),
    # a school's, a township's and a 责任督学's own start in the ledger (rectification_start
    # sends each to their 一校一案, 一镇一册 or list of schools)
    _Section("一校一案", "rectification_start", (), scope.has_own_school, ("/rectification/",)),
    _Section(
        "一镇一册",
        "rectification_start",
        (),
        lambda u: scope.township_of(u) is not None,
        ("/rectification/",),
    ),
    _Section(
        "责任学校", "rectification_schools", (), scope.is_school_inspector, ("/rectification/",)
    ),
    _Section(
        "督导检查", "inspections", ("/inspections/",), has_inspection_pages, ("/inspections/",)
    ),
    _Section("认可度调查", "surveys", ("/surveys/",), has_survey_pages),
    _Section(
        "报告与档案",
        "documents:start",
        ("/reports/",),
        scope.has_county_views,
        ("/reports/", "/archive/", "/practice/"),
    ),
    _Section("系统管理", "admin:index", ("/admin/",), lambda u: u.is_staff),
)


def _role(user: Any) -> str | None:
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    if profile is not None:
        return profile.get_role_display()
    return "系统管理员" if user.is_superuser else None


@cache
def _section_url(url_name: str, script_prefix: str, resolver: object) -> str | None:
    # The header is on every page; its few URLs are reversed once per process, URL
    # configuration and prefix (for a site served under a path), not on every request.
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def navigation_for(request: HttpRequest) -> Navigation:
    """The links the request's user may follow, the current section marked."""
    user = request.user
    if not user.is_authenticated:
        return Navigation()
    candidates: list[tuple[_Section, str]] = []
    for section in _SECTIONS:
        if not section.allowed(user):
            continue
        url = _section_url(section.url_name, get_script_prefix(), get_resolver())
        if url is not None:
            candidates.append((section, url))
    scores = [(section.match(request.path), section.label) for section, _ in candidates]
    best = max(scores, default=(0, None))
    current = best[1] if best[0] else None
    links = [Link(s.label, url, s.label == current) for s, url in candidates]
    todo = header_link(user)
    return Navigation(role=_role(user), links=links, todo=Link(*todo) if todo else None)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav` with `role` and `links`, computed when first used."""
    return {"nav": SimpleLazyObject(lambda: navigation_for(request))}
