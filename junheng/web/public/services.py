"""The public progress page: what it reads, how it is rendered and kept in the cache, and the
frozen bulletins a county publishes.

Cache. The page is rendered once and kept in Django's cache under its address (`page_key`) with
the local day it was rendered on and the county's generation token (`generation_key`). A request
is answered from the cache when both still hold: the same day in Asia/Shanghai (phases and
milestones change state at local midnight) and the same token. Every save or deletion of what
the page shows — the county's settings and published bulletins, its plan, phases and milestones,
problems and evaluation snapshots — replaces the token at once (`signals.py`), so the next
request renders anew. Writes that send no signals (bulk loads, `QuerySet.update`) are caught by
the entry's lifetime, `CACHE_SECONDS`. A cached answer reads two cache entries and no table.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.template.loader import get_template
from django.utils import timezone
from django.utils.crypto import salted_hmac

from junheng.core.schema import LEVEL_ZH
from junheng.rectification.bulletin import Bulletin
from junheng.web import clock
from junheng.web.accounts.models import Profile, Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import presenters
from junheng.web.public import progress
from junheng.web.public.models import PublicBulletin, PublicPage
from junheng.web.public.scrub import Secrets, frozen_bulletin, scrub, scrub_all
from junheng.web.rectification.models import (
    Person,
    Phase,
    Plan,
    Problem,
    ProblemSource,
    Task,
    Unit,
    UnitMember,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import result_excerpt

CACHE_SECONDS = 600
"""Lifetime of a rendered page: the longest a change that sends no signal stays unseen."""

BROWSER_SECONDS = 60
"""`Cache-Control: max-age` of the page: phones and proxies ask again after a minute."""

PAGE_VERSION = "1"
"""Raised when the template or its context changes, so no page of an older release is served."""

SEGMENT_FIELDS = ("school_id", "name", "level", "in_scope", "passes")


def page_key(slug: str) -> str:
    return f"public:{PAGE_VERSION}:page:{slug}"


def generation_key(county_id: int) -> str:
    return f"public:gen:{county_id}"


def touch(county_id: int | None) -> None:
    """The county's public page is out of date: the next request renders it anew."""
    if county_id is not None:
        cache.set(generation_key(county_id), secrets.token_hex(8), None)


def _generation(county_id: int) -> str:
    token = cache.get(generation_key(county_id))
    if token is None:
        cache.add(generation_key(county_id), secrets.token_hex(8), None)
        token = cache.get(generation_key(county_id))
    return str(token)


def cached_page(slug: str) -> str | None:
    """The page's HTML from the cache when it is still current, else None."""
    entry = cache.get(page_key(slug))
    if not isinstance(entry, dict) or entry.get("day") != clock.today().isoformat():
        return None
    if cache.get(generation_key(entry["county"])) != entry["generation"]:
        return None
    return str(entry["html"])


def render_page(slug: str) -> str | None:
    """The page's HTML rendered from the database and kept in the cache; None (404) when no
    county publishes under this address."""
    page = (
        PublicPage.objects.filter(slug=slug, published=True)
        .select_related("county", "county__city", "county__city__province")
        .first()
    )
    if page is None:
        return None
    # the token first: a change made while rendering replaces it, so this copy is not kept long
    generation = _generation(page.county_id)
    today = clock.today()
    html = get_template("public/page.html").render(page_context(page, today))
    cache.set(
        page_key(slug),
        {
            "county": page.county_id,
            "day": today.isoformat(),
            "generation": generation,
            "html": html,
        },
        CACHE_SECONDS,
    )
    return html


# ---- what the page shows ---------------------------------------------------------------------


def county_secrets(county: County) -> Secrets:
    """Every name and phone number of the county's people: its organisation table, the ledger's
    责任人 and 包保领导, its users (department members and profiles of the county or its
    schools)."""
    people = list(Person.objects.filter(unit__county=county).values_list("name", "phone"))
    tasks = Task.objects.filter(problem__county=county).values_list("person", "leader")
    user_ids = (
        set(UnitMember.objects.filter(unit__county=county).values_list("user_id", flat=True))
        | set(Profile.objects.filter(county=county).values_list("user_id", flat=True))
        | set(Profile.objects.filter(school__county=county).values_list("user_id", flat=True))
    )
    users = get_user_model().objects.filter(pk__in=user_ids)
    names = [n for n, _ in people]
    for person, leader in tasks:
        names += [person, leader]
    for user in users:
        first, last = user.first_name, user.last_name
        names += [first, last, user.get_full_name(), f"{last}{first}"]
    offices = [county.name, *(label for _, label in Role.choices)]
    offices += Unit.objects.filter(county=county).values_list("name", flat=True)
    for name, township in School.objects.filter(county=county).values_list("name", "township"):
        offices += [name, township]
    return Secrets.of(names, [p for _, p in people], public=offices)


def public_year(county: County) -> tuple[SchoolYear | None, Snapshot | None]:
    """The school year the page reports on: the latest one evaluated (with its latest snapshot),
    else the latest one with problems in the ledger."""
    snapshot = (
        Snapshot.objects.filter(county=county)
        .select_related("year")
        .defer("result")
        .order_by("-year__label", "-created_at", "-id")
        .first()
    )
    if snapshot is not None:
        return snapshot.year, snapshot
    problem = (
        Problem.objects.filter(county=county)
        .select_related("year")
        .order_by("-year__label")
        .first()
    )
    return (problem.year if problem is not None else None), None


@dataclass(frozen=True)
class PartRow:
    label: str
    text: str
    css: str


def verdict_rows(summary: dict[str, Any]) -> list[PartRow]:
    """Each part's verdict as the county overview words it (达标 / 未达标 / 无法判定, and 无否决
    情形 for the veto), never the result's keys."""
    parts = summary.get("parts") or {}
    rows = []
    for key, label in presenters.PARTS:
        if key in parts:
            mark = presenters.part_mark(key, parts[key])
            rows.append(PartRow(label, mark.text, mark.css))
    return rows


def page_context(page: PublicPage, today: date) -> dict[str, Any]:
    county = page.county
    hidden = county_secrets(county)
    year, snapshot = public_year(county)
    plan = Plan.objects.filter(county=county).first()
    phases = []
    if plan is not None:
        for phase in Phase.objects.filter(plan=plan).prefetch_related("milestones"):
            phases.append(
                {
                    "name": scrub(phase.name, hidden),
                    "kind": phase.get_kind_display(),
                    "start": phase.start,
                    "end": phase.end,
                    "stage": progress.phase_stage(phase.start, phase.end, today),
                    "milestones": [
                        {
                            "name": scrub(m.name, hidden),
                            "day": m.day,
                            "stage": progress.milestone_stage(m.day, m.done, today),
                        }
                        for m in phase.milestones.all()
                    ],
                }
            )
    verdict = None
    if snapshot is not None:
        summary = snapshot.summary or {}
        passes = summary.get("verdict")
        verdict = {
            "text": presenters.verdict_text(passes),
            "css": presenters.verdict_css(passes),
            "parts": verdict_rows(summary),
            "evaluated_on": clock.local_date(snapshot.created_at),
            "segments_total": summary.get("segments_total"),
            "segments_failing": summary.get("segments_failing"),
        }
    counts = None
    schools: list[progress.SchoolRow] = []
    if year is not None:
        problems = Problem.objects.filter(county=county, year=year)
        rows = list(problems.values("category", "source", "status").annotate(n=Count("id")))
        standard = presenters.standard_of(snapshot.standard_id) if snapshot else None
        order = list(standard.parts.values()) if standard is not None else []
        counts = progress.problem_counts(rows, dict(ProblemSource.choices), order)
        if page.show_schools and snapshot is not None:
            townships = dict(
                School.objects.filter(county=county).values_list("school_id", "township")
            )
            per_school = problems.values("school_id", "status").annotate(n=Count("id"))
            segments = result_excerpt(snapshot, SEGMENT_FIELDS).get("segments", [])
            schools = progress.school_rows(segments, townships, per_school, LEVEL_ZH)
    # scrubbed again: a name recorded after publication is not shown either
    bulletins = [
        {
            "title": scrub(b.title, hidden),
            "summary": scrub(b.summary, hidden),
            "published_on": clock.local_date(b.published_at),
            "content": scrub_all(b.content, hidden),
        }
        for b in PublicBulletin.objects.filter(county=county)
    ]
    return {
        "county": county,
        "intro": scrub(page.intro, hidden),
        "year": year,
        "plan": plan,
        "phases": phases,
        "verdict": verdict,
        "counts": counts,
        "show_schools": page.show_schools,
        "schools": schools,
        "bulletins": bulletins,
        "today": today,
        "rendered": clock.stamp(),
    }


# ---- publishing a bulletin -------------------------------------------------------------------


def publish_bulletin(county: County, year: SchoolYear, data: Bulletin, user: Any) -> PublicBulletin:
    """The period's bulletin frozen and published; publishing the same period again replaces
    the copy with today's numbers."""
    frozen = frozen_bulletin(data, county_secrets(county))
    with transaction.atomic():
        bulletin, _ = PublicBulletin.objects.update_or_create(
            county=county,
            period=data.period,
            start=data.start,
            defaults={
                "year": year,
                "end": data.end,
                "title": frozen["title"],
                "summary": frozen["summary"],
                "content": frozen,
                "published_at": timezone.now(),
                "published_by": user,
            },
        )
    return bulletin


def default_slug(county: County) -> str:
    """The county's code when it has one and no other county uses it, else an address derived
    from the county with the site's secret key: the same on every visit of the settings page,
    and no row id to count through."""
    code = (county.code or "").strip().lower()
    if len(code) >= 3 and code.isalnum() and not PublicPage.objects.filter(slug=code).exists():
        return code
    for attempt in range(100):
        slug = salted_hmac("junheng.public.slug", f"{county.pk}:{attempt}").hexdigest()[:10]
        if not PublicPage.objects.filter(slug=slug).exists():
            return slug
    return secrets.token_hex(6)


def settings_of(county: County) -> PublicPage:
    """The county's settings, unsaved defaults (unpublished) when it has none yet."""
    page = PublicPage.objects.filter(county=county).first()
    return page if page is not None else PublicPage(county=county, slug=default_slug(county))
