"""Pages of 考核与会议: the appraisal ranking per period with its .xlsx, the 表彰/问责 decisions,
the meetings and a meeting's decisions turned into ledger tasks. Thin: the score is the core's
(`junheng.rectification.appraisal`), the writes are `services`'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.rectification import appraisal as core
from junheng.rectification import tasks as task_rules
from junheng.web.appraisal import permissions as perms
from junheng.web.appraisal import presenters, services
from junheng.web.appraisal.forms import (
    DecisionEditForm,
    DecisionForm,
    DecisionTaskForm,
    MeetingEditForm,
    MeetingForm,
)
from junheng.web.appraisal.models import Decision, Meeting, MeetingDecision
from junheng.web.clock import today
from junheng.web.pages.exports import xlsx_response
from junheng.web.pages.lookup import NOT_FOUND, year_or_404
from junheng.web.rectification import evidence
from junheng.web.rectification import services as ledger
from junheng.web.registry.models import County, SchoolYear

STATUS_CSS = {
    "未开始": "unknown",
    "进行中": "warn",
    "待验收": "awaiting",
    "已销号": "ok",
    "逾期": "fail",
}


def _base(
    request: HttpRequest, county: County, year: SchoolYear | None, tab: str
) -> dict[str, Any]:
    user = request.user
    return {
        "county": county,
        "year": year,
        "tab": tab,
        "manage": perms.can_manage(user, county),
        "show_decisions": perms.can_view_decisions(user, county),
        "show_meetings": perms.can_view_meetings(user, county),
        "show_appraisal": perms.can_view_appraisal(user, county),
    }


def _period(request: HttpRequest) -> core.Period:
    code = request.GET.get("period", "")
    if code:
        try:
            return core.parse_period(code)
        except core.AppraisalError:
            raise Http404(NOT_FOUND) from None
    kind = request.GET.get("kind", "quarter")
    return services.default_period(kind if kind in core.KINDS else "quarter")


# ---- appraisal ------------------------------------------------------------------------------


@login_required
@require_GET
def appraisal(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county = perms.county_or_404(request, county_id, perms.can_view_appraisal)
    school_year = year_or_404(year)
    period = _period(request)
    context = _base(request, county, school_year, "appraisal")
    try:
        page = services.appraisal_for(county, school_year, period)
    except core.AppraisalError as exc:  # the county's own formula file is not well formed
        context.update(period=period, error=str(exc))
        return render(request, "appraisal/appraisal.html", context)
    context.update(
        a=page.appraisal,
        period=period,
        periods=page.periods,
        kinds=core.KINDS,
        running=period.end > page.appraisal.as_of,
        formula=page.appraisal.formula,
    )
    return render(request, "appraisal/appraisal.html", context)


@login_required
@require_GET
def appraisal_xlsx(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county = perms.county_or_404(request, county_id, perms.can_view_appraisal)
    school_year = year_or_404(year)
    period = _period(request)
    try:
        result = services.appraisal_for(county, school_year, period).appraisal
    except core.AppraisalError:  # the page explains what is wrong with the county's file
        return redirect(f"{reverse('appraisal', args=[county.pk, year])}?period={period.code}")
    heading = f"{county.name}{period.label}整改工作考核排名（截至{result.as_of:%Y年%m月%d日}）"
    return xlsx_response(
        presenters.workbook_tables(result),
        f"{county.name}{period.label}考核排名.xlsx",
        heading,
    )


# ---- decisions ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request: HttpRequest, county_id: int) -> HttpResponse:
    county = perms.county_or_404(request, county_id, perms.can_view_decisions)
    form = None
    if perms.can_manage(request.user, county):
        if request.method == "POST":
            form = DecisionForm(request.POST, request.FILES, county=county)
            if form.is_valid():
                decision = form.save(commit=False)
                decision.county, decision.created_by = county, request.user
                try:
                    services.record_decision(decision, form.cleaned_data.get("document"))
                except evidence.EvidenceRefused as exc:
                    form.add_error("document", f"{exc}（本次决定未登记）")
                else:
                    messages.success(request, f"已登记{decision.get_kind_display()}决定。")
                    return redirect("appraisal_decisions", county.pk)
        else:
            form = DecisionForm(county=county, initial={"day": today()})
    elif request.method == "POST":
        raise Http404(NOT_FOUND)
    rows = Decision.objects.filter(county=county).select_related("unit", "school")
    year = services.decisions_year(county, request.GET.get("year", ""))
    context = _base(request, county, year, "decisions")
    context.update(decisions=rows, form=form)
    return render(request, "appraisal/decisions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A 表彰/问责 decision corrected by those who record them; a new file replaces the
    document, none keeps it."""
    decision = Decision.objects.filter(pk=pk).select_related("county").first()
    if decision is None or not perms.can_manage(request.user, decision.county):
        raise Http404(NOT_FOUND)
    county = decision.county
    form = DecisionForm(
        request.POST or None, request.FILES or None, instance=decision, county=county
    )
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        try:
            services.record_decision(edited, form.cleaned_data.get("document"))
        except evidence.EvidenceRefused as exc:
            form.add_error("document", f"{exc}（本次修改未保存）")
        else:
            messages.success(request, f"已保存对{edited.get_kind_display()}决定的修改。")
            return redirect("appraisal_decisions", county.pk)
    year = services.decisions_year(county, request.GET.get("year", ""))
    context = _base(request, county, year, "decisions")
    context.update(decision=Decision.objects.get(pk=pk), form=form)
    status = 400 if form.errors else 200
    return render(request, "appraisal/decision_edit.html", context, status=status)


@login_required
@require_GET
def decision_document(request: HttpRequest, pk: int) -> HttpResponse:
    decision = Decision.objects.filter(pk=pk).select_related("county").first()
    if (
        decision is None
        or not decision.document_path
        or not perms.can_view_decisions(request.user, decision.county)
    ):
        raise Http404(NOT_FOUND)
    return evidence.file_response(
        decision.document_path, decision.document_name, decision.document_kind
    )


# ---- meetings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    county = perms.county_or_404(request, county_id, perms.can_view_meetings)
    school_year = year_or_404(year)
    form = None
    if perms.can_manage(request.user, county):
        if request.method == "POST":
            form = MeetingForm(request.POST, county=county)
            if form.is_valid():
                meeting = form.save(commit=False)
                meeting.county, meeting.year, meeting.created_by = (
                    county,
                    school_year,
                    request.user,
                )
                services.record_meeting(
                    meeting, form.cleaned_data["units"], form.cleaned_data["decisions"]
                )
                messages.success(request, f"已登记会议“{meeting.title}”。")
                return redirect("appraisal_meeting", meeting.pk)
        else:
            form = MeetingForm(county=county, initial={"day": today()})
    elif request.method == "POST":
        raise Http404(NOT_FOUND)
    rows = Meeting.objects.filter(county=county, year=school_year).prefetch_related("decisions")
    context = _base(request, county, school_year, "meetings")
    context.update(meetings=rows, form=form)
    return render(request, "appraisal/meetings.html", context)


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = Meeting.objects.filter(pk=pk).select_related("county", "year").first()
    if meeting is None or not perms.can_view_meetings(request.user, meeting.county):
        raise Http404(NOT_FOUND)
    return meeting


def _decision_rows(meeting: Meeting, manage: bool) -> list[dict[str, Any]]:
    day = today()
    rows = []
    for d in meeting.decisions.select_related("problem", "lead_unit").prefetch_related(
        "problem__tasks__lead_unit"
    ):
        tasks = []
        if d.problem is not None:
            for t in d.problem.tasks.all():
                status = task_rules.display_status(ledger.core_task(t), day)
                tasks.append({"task": t, "status": status, "css": STATUS_CSS.get(status, "")})
        form = None
        if manage and d.problem is None:
            initial = {"measures": d.text, "lead_unit": d.lead_unit_id, "deadline": d.deadline}
            form = DecisionTaskForm(county=meeting.county, initial=initial, prefix=f"d{d.pk}")
        rows.append({"d": d, "tasks": tasks, "form": form})
    return rows


@login_required
@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting_or_404(request, pk)
    context = _base(request, found.county, found.year, "meetings")
    context.update(
        meeting=found,
        units=found.units.all(),
        rows=_decision_rows(found, context["manage"]),
    )
    return render(request, "appraisal/meeting.html", context)


def _decision_forms(
    request: HttpRequest, meeting: Meeting
) -> list[tuple[MeetingDecision, DecisionEditForm]]:
    data = request.POST if request.method == "POST" else None
    return [
        (
            d,
            DecisionEditForm(
                data,
                county=meeting.county,
                converted=d.problem_id is not None,
                prefix=f"e{d.pk}",
                initial={"text": d.text, "lead_unit": d.lead_unit_id, "deadline": d.deadline},
            ),
        )
        for d in meeting.decisions.select_related("problem")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's record corrected: date, kind, title, units, attendees, minutes, and its
    decisions' wording, proposed lead unit and deadline; same people as recording it."""
    found = _meeting_or_404(request, pk)
    perms.manage_or_404(request, found.county)
    form = MeetingEditForm(request.POST or None, instance=found, county=found.county)
    decisions = _decision_forms(request, found)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _, f in decisions):
        edits = [
            services.DecisionEdit(
                pk=d.pk,
                text=f.cleaned_data["text"],
                lead_unit=f.cleaned_data.get("lead_unit"),
                deadline=f.cleaned_data.get("deadline"),
                delete=bool(f.cleaned_data.get("delete")),
            )
            for d, f in decisions
        ]
        services.edit_meeting(
            form.save(commit=False),
            form.cleaned_data["units"],
            edits,
            form.cleaned_data["decisions"],
        )
        messages.success(request, f"已保存会议“{found.title}”的修改。")
        return redirect("appraisal_meeting", found.pk)
    context = _base(request, found.county, found.year, "meetings")
    context.update(meeting=found, form=form, decisions=decisions)
    invalid = form.errors or any(f.errors for _, f in decisions)
    return render(request, "appraisal/meeting_edit.html", context, status=400 if invalid else 200)


@login_required
@require_POST
def decision_task(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting decision becomes a ledger problem of source 会议决定 with its task, once."""
    decision = MeetingDecision.objects.filter(pk=pk).select_related("meeting__county").first()
    if decision is None or not perms.can_view_meetings(request.user, decision.meeting.county):
        raise Http404(NOT_FOUND)
    meeting_ = decision.meeting
    perms.manage_or_404(request, meeting_.county)
    if decision.problem_id is not None:
        messages.info(request, f"决定事项第 {decision.order} 项已经转为整改任务，未重复生成。")
        return redirect("appraisal_meeting", meeting_.pk)
    form = DecisionTaskForm(request.POST, county=meeting_.county, prefix=f"d{decision.pk}")
    if not form.is_valid():
        context = _base(request, meeting_.county, meeting_.year, "meetings")
        rows = _decision_rows(meeting_, True)
        for row in rows:
            if row["d"].pk == decision.pk:
                row["form"] = form
        context.update(meeting=meeting_, units=meeting_.units.all(), rows=rows)
        return render(request, "appraisal/meeting.html", context, status=400)
    fields = ledger.TaskFields(
        lead_unit=form.cleaned_data["lead_unit"],
        responsible_units=[],
        person="",
        leader="",
        measures=form.cleaned_data["measures"],
        deadline=form.cleaned_data["deadline"],
        budget_wan=None,
    )
    _, made = services.decision_to_ledger(decision, fields, request.user)
    if made:
        messages.success(request, f"决定事项第 {decision.order} 项已转为整改台账的问题和任务。")
    else:
        messages.info(request, f"决定事项第 {decision.order} 项已经转为整改任务，未重复生成。")
    return redirect("appraisal_meeting", meeting_.pk)
