"""The pages of 待办与提醒: a user's to-do list, their notifications and their switches.

Every page is the signed-in user's own: there is no user in any URL, and a notification of
someone else answers the same 404 as an unknown one.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.notifications.rules import rules
from junheng.web import clock
from junheng.web.accounts.scope import can_review_county, importable_counties
from junheng.web.notifications.badge import items_for
from junheng.web.notifications.forms import CountyChannelForm, PreferenceForm
from junheng.web.notifications.models import CountyChannel, Notification, Preference
from junheng.web.notifications.todo import group_of
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.registry.models import County

OVERDUE_GROUP = "已逾期"


def grouped(items: list) -> list[tuple[str, list]]:
    """The items under their groups: every overdue item first, then each group in turn."""
    groups: dict[str, list] = {}
    for item in items:
        label = OVERDUE_GROUP if item.overdue else group_of(item.kind)
        groups.setdefault(label, []).append(item)
    order = sorted(groups, key=lambda g: (g != OVERDUE_GROUP, list(groups).index(g)))
    return [(label, groups[label]) for label in order]


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    items = items_for(request.user, fresh=True)
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(
        request,
        "notifications/todo.html",
        {"today": today, "items": items, "groups": grouped(items), "unread": unread},
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user)
    only_unread = request.GET.get("unread") == "1"
    shown = mine.filter(read_at__isnull=True) if only_unread else mine
    page = Paginator(shown, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": mine.filter(read_at__isnull=True).count(),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    updated = Notification.objects.filter(pk=pk, user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if not updated and not Notification.objects.filter(pk=pk, user=request.user).exists():
        raise Http404(NOT_FOUND)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    flash.success(request, f"已将 {n} 条消息标为已读")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    instance = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(
        request.POST or None, instance=instance, has_email=bool(request.user.email)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, "提醒设置已保存")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "email": request.user.email,
            "counties": list(importable_counties(request.user).order_by("name")[:50]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def county_channel(request: HttpRequest, county_id: int) -> HttpResponse:
    """A county's group-chat robot, its message template and its escalation days: the county's
    administrators (and system administrators) only; anyone else gets the site's 404."""
    county = County.objects.filter(pk=county_id).first()
    if county is None or not can_review_county(request.user, county):
        raise Http404(NOT_FOUND)
    instance = CountyChannel.objects.filter(county=county).first() or CountyChannel(county=county)
    form = CountyChannelForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, f"{county.name}的提醒渠道已保存")
        return redirect("notifications:county", county_id=county.pk)
    return render(
        request,
        "notifications/county.html",
        {"county": county, "form": form, "default_days": rules().escalate_after_days},
    )
