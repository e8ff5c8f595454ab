"""The public progress page `/p/<address>/` (no login) and the county admin's pages: settings
`/public/counties/<id>/`, publishing a period's bulletin from the ledger, withdrawing one.

The public page answers an unknown address and a county that does not publish with the same 404
as every unknown page. The settings and publishing are the county's administrators' (and system
administrators'), `rectification.permissions.can_manage`; everyone else gets that 404 too.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from junheng.rectification.bulletin import PERIODS
from junheng.web import clock
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.public import services
from junheng.web.public.forms import PublicPageForm
from junheng.web.public.models import SLUG_PATTERN, PublicBulletin
from junheng.web.rectification import reports
from junheng.web.rectification.permissions import can_manage
from junheng.web.registry.models import County

_SLUG = re.compile(SLUG_PATTERN)


@require_safe
def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The county's progress page from the cache, rendered when it is stale. An address no
    county could have is refused before the cache or the database is asked."""
    if not _SLUG.fullmatch(slug):
        raise Http404(NOT_FOUND)
    html = services.cached_page(slug)
    if html is None:
        html = services.render_page(slug)
        if html is None:
            raise Http404(NOT_FOUND)
    response = HttpResponse(html)
    patch_cache_control(response, public=True, max_age=services.BROWSER_SECONDS)
    return response


def _managed_county(request: HttpRequest, county_id: int) -> County:
    county = County.objects.filter(pk=county_id).select_related("city").first()
    if county is None or not can_manage(request.user, county):
        raise Http404(NOT_FOUND)
    return county


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, county_id: int) -> HttpResponse:
    county = _managed_county(request, county_id)
    current = services.settings_of(county)
    form = PublicPageForm(instance=current)
    if request.method == "POST":
        form = PublicPageForm(request.POST, instance=current)
        if form.is_valid():
            page = form.save(commit=False)
            page.county = county
            page.updated_by = request.user
            page.save()
            messages.success(
                request,
                "已保存：本县创建工作进展现在公开。"
                if page.published
                else "已保存：本县创建工作进展目前不公开。",
            )
            return redirect("public_settings", county.pk)
    address = request.build_absolute_uri(reverse("public_page", args=[current.slug]))
    return render(
        request,
        "public/settings.html",
        {
            "county": county,
            "form": form,
            "page": current,
            "address": address,
            "bulletins": PublicBulletin.objects.filter(county=county).select_related("year"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def publish_bulletin(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The period's bulletin of the ledger, frozen and listed on the public page."""
    county = _managed_county(request, county_id)
    school_year = year_or_404(year)
    period = request.POST.get("period", "")
    if period not in PERIODS:
        raise Http404(NOT_FOUND)
    data = reports.bulletin_for(county, school_year, period, clock.today())
    services.publish_bulletin(county, school_year, data, request.user)
    page = services.settings_of(county)
    note = "" if page.published and page.pk else "（本县进展页面尚未公开，公开后才能看到）"
    messages.success(request, f"已公开{data.title}（{data.span}）{note}。")
    return redirect(f"{reverse('rectification_bulletin', args=[county.pk, year])}?period={period}")


@login_required
@require_POST
def withdraw_bulletin(request: HttpRequest, county_id: int, pk: int) -> HttpResponse:
    county = _managed_county(request, county_id)
    bulletin = PublicBulletin.objects.filter(county=county, pk=pk).first()
    if bulletin is None:
        raise Http404(NOT_FOUND)
    bulletin.delete()
    messages.success(request, f"已撤下“{bulletin.title}”（{bulletin.content.get('span', '')}）。")
    return redirect("public_settings", county.pk)
