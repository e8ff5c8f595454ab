"""The county's survey pages: list, creation from the sampling plan, codes and QR sheets,
results with progress, quality review, export and writing the result into the county's data.

Thin: scope checks come from `permissions`, everything else from `services` and the core.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from junheng.core.schema import AREA_TYPES
from junheng.reports.tables import Cell, Note, Table
from junheng.survey.rules import QUALITY_FLAGS
from junheng.survey.sampling import AREA_ZH, SamplingError
from junheng.survey.scoring import FLAG_ZH
from junheng.survey.sheets import SheetEntry, page_count, sheet_pages, sheet_pdf, sheet_png
from junheng.survey.tables import plan_tables, result_tables
from junheng.web import clock
from junheng.web.pages.exports import XLSX
from junheng.web.pages.lookup import NOT_FOUND, county_or_404
from junheng.web.registry.models import School, SchoolYear
from junheng.web.surveys import exports, results, services, tally
from junheng.web.surveys.models import CodeBatch, Response, Survey
from junheng.web.surveys.permissions import (
    can_manage_surveys,
    has_survey_pages,
    survey_counties,
    survey_or_404,
)

READ_ONLY = "您的角色只能查看调查结果，不能修改。"
FLAGGED_PAGE = 50
"""Flagged responses listed per page of the results (a reviewer goes through them page by page)."""
"""Flagged responses listed on the page; the Excel export has all of them."""


def _manager_or_403(request: HttpRequest, survey: Survey) -> None:
    if not can_manage_surveys(request.user, survey.county):
        raise PermissionDenied(READ_ONLY)


def _cell_text(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    fmt = cell.style.num_format or ""
    if isinstance(value, float) and fmt.endswith("%"):
        decimals = fmt.partition(".")[2].count("0")
        return f"{value * 100:.{decimals}f}%"
    if isinstance(value, int | float) and not isinstance(value, bool) and fmt:
        decimals = fmt.partition(".")[2].count("0")
        return f"{value:,.{decimals}f}"
    return str(value)


def _html_table(table: Table) -> dict[str, Any]:
    """A core table for the template: headers, rows of (text, numeric), notes under it."""
    rows, notes = [], []
    for row in table.rows:
        if isinstance(row, Note):
            notes.append(row.text)
        else:
            rows.append([{"text": _cell_text(c), "num": c.style.align == "right"} for c in row])
    return {
        "title": table.title,
        "headers": [c.header.replace("\n", "") for c in table.columns],
        "rows": rows,
        "notes": list(dict.fromkeys(notes)),
    }


# ---- list and creation -----------------------------------------------------------------------


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    """Start page: the surveys of the counties the user may see."""
    if not has_survey_pages(request.user):
        raise PermissionDenied("您的角色没有社会认可度调查页面。")
    counties = list(survey_counties(request.user).select_related("city").order_by("pk"))
    surveys = Survey.objects.filter(county__in=counties).select_related("county", "year")
    by_county: dict[int, list[Survey]] = {}
    for s in surveys:
        by_county.setdefault(s.county_id, []).append(s)
    rows = [
        {
            "county": c,
            "surveys": by_county.get(c.pk, []),
            "can_manage": can_manage_surveys(request.user, c),
        }
        for c in counties
    ]
    return render(request, "surveys/list.html", {"rows": rows})


def _int(value: str) -> int | None:
    value = (value or "").replace(",", "").replace("，", "").strip()
    return int(value) if value.isdigit() else None


def _when(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _local_input(at: datetime) -> str:
    """An instant as a datetime-local field shows it: the site's wall-clock time."""
    return f"{timezone.localtime(at):%Y-%m-%dT%H:%M}"


def _dates(values: dict[str, str], errors: dict[str, str]) -> tuple[datetime, datetime] | None:
    """The opening and closing times typed in (as the site's local time), or None with the
    field errors added; the closing time must come after the opening time."""
    opens_at, closes_at = _when(values["opens_at"]), _when(values["closes_at"])
    if opens_at is None:
        errors["opens_at"] = "请填写开始日期和时间"
    if closes_at is None:
        errors["closes_at"] = "请填写截止日期和时间"
    if opens_at is None or closes_at is None:
        return None
    try:
        services.check_dates(opens_at, closes_at)
    except services.SurveyError as exc:
        errors["closes_at"] = f"{exc}（开始：{_local_input(opens_at).replace('T', ' ')}）"
        return None
    return opens_at, closes_at


FIELD_NAMES = {
    "title": "调查名称",
    "year": "学年",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "population": "全县常住人口",
    **{f"pop_{key}": f"{zh}常住人口" for key, zh in AREA_TYPES},
}


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, county_id: int) -> HttpResponse:
    """Create a survey: the sampling plan is shown first, from the population typed in."""
    county = county_or_404(request, county_id)
    if not can_manage_surveys(request.user, county):
        raise PermissionDenied("只有本县管理员和系统管理员可以创建调查。")
    years = list(
        SchoolYear.objects.filter(schoolyeardata__school__county=county)
        .distinct()
        .order_by("-label")
    )
    if not years:
        years = list(SchoolYear.objects.order_by("-label"))
    data = request.POST if request.method == "POST" else {}
    today = timezone.localdate()
    values = {
        "title": data.get("title") or f"{county.name}社会认可度调查",
        "year": data.get("year") or (years[0].label if years else ""),
        "opens_at": data.get("opens_at") or f"{today:%Y-%m-%d}T08:00",
        "closes_at": data.get("closes_at") or "",
        "population": data.get("population", ""),
        **{f"pop_{key}": data.get(f"pop_{key}", "") for key, _ in AREA_TYPES},
    }
    errors: dict[str, str] = {}
    general: list[str] = []
    plan = None
    if request.method == "POST":
        population = _int(values["population"])
        if population is None or population <= 0:
            errors["population"] = "请填写正整数（人），例如 352000"
        areas: dict[str, int] = {}
        for key, _ in AREA_TYPES:
            raw = values[f"pop_{key}"]
            if raw:
                number = _int(raw)
                if number is None:
                    errors[f"pop_{key}"] = f"应为整数（人），实际为“{raw}”"
                else:
                    areas[key] = number
        year = next((y for y in years if y.label == values["year"]), None)
        if year is None:
            errors["year"] = "请选择有学校数据的学年"
        dates = _dates(values, errors)
        if not values["title"].strip():
            errors["title"] = "不能为空"
        if not errors:
            try:
                plan = services.plan_for(county, year, population, areas or None)
            except SamplingError as exc:
                general.append(f"抽样方案：{exc}")
        if not errors and not general and dates and data.get("action") == "create":
            try:
                survey = services.create_survey(
                    county,
                    year,
                    request.user,
                    title=values["title"].strip(),
                    opens_at=dates[0],
                    closes_at=dates[1],
                    population=population,
                    area_population=areas or None,
                )
            except (services.SurveyError, SamplingError) as exc:
                general.append(str(exc))
            else:
                messages.success(request, "调查已创建。请生成访问码，打印二维码后开始调查。")
                return redirect("survey", survey.pk)
    return render(
        request,
        "surveys/new.html",
        {
            "county": county,
            "years": years,
            "values": values,
            "areas": [
                {
                    "key": f"pop_{key}",
                    "label": f"{zh}常住人口",
                    "value": values[f"pop_{key}"],
                    "error": errors.get(f"pop_{key}", ""),
                }
                for key, zh in AREA_TYPES
            ],
            "errors": errors,
            "error_list": [f"{FIELD_NAMES[k]}：{v}" for k, v in errors.items()] + general,
            "plan": plan,
            "tables": [_html_table(t) for t in plan_tables(plan)] if plan else [],
        },
        status=400 if errors or general else 200,
    )


# ---- one survey ------------------------------------------------------------------------------


def _batches(survey: Survey, rules: Any) -> list[dict[str, Any]]:
    rows = []
    for b in (
        CodeBatch.objects.filter(survey=survey)
        .select_related("school")
        .annotate(used=Count("codes", filter=Q(codes__used=True)))
    ):
        rows.append(
            {
                "batch": b,
                "place": b.school.name if b.school else AREA_ZH.get(b.area_type, b.area_type),
                "group": rules.groups[b.group].name if b.group in rules.groups else b.group,
                "used": b.used,
                "pages": page_count(b.size),
            }
        )
    return rows


@login_required
@require_GET
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    rules = services.rules_of(survey)
    manage = can_manage_surveys(request.user, survey.county)
    questionnaires = services.stored_questionnaires(survey)
    school_groups = [(k, g.name) for k, g in rules.groups.items() if g.allocation == "school"]
    area_groups = [(k, g.name) for k, g in rules.groups.items() if g.allocation == "area"]
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "manage": manage,
            "state": services.form_state(survey, timezone.now()),
            "questionnaires": [
                {
                    "q": q,
                    "groups": "、".join(rules.groups[g].name for g in q.respondents),
                    "revision": services.revision_text(stored),
                }
                for stored, q in questionnaires
            ],
            "progress": services.progress(survey),
            "batches": _batches(survey, rules) if manage else [],
            "school_groups": school_groups,
            "area_groups": area_groups,
            "schools": School.objects.filter(county=survey.county).order_by("school_id")
            if manage
            else [],
            "areas": AREA_TYPES,
            "max_batch": rules.distribution.max_batch,
            "public_url": request.build_absolute_uri(reverse("survey_code")),
        },
    )


@login_required
@require_POST
def survey_status(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    status = request.POST.get("status", "")
    try:
        services.set_status(survey, status)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"调查状态已改为“{survey.get_status_display()}”。")
    return redirect("survey", survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_dates(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Change the opening and closing times of a survey after it was created."""
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    data = request.POST if request.method == "POST" else {}
    values = {
        "opens_at": data.get("opens_at", _local_input(survey.opens_at)),
        "closes_at": data.get("closes_at", _local_input(survey.closes_at)),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        dates = _dates(values, errors)
        if dates is not None:
            services.set_dates(survey, *dates)
            messages.success(
                request,
                f"调查时间已改为 {clock.stamp(dates[0])} 至 {clock.stamp(dates[1])}。",
            )
            return redirect("survey", survey.pk)
    return render(
        request,
        "surveys/dates.html",
        {
            "survey": survey,
            "values": values,
            "errors": errors,
            "error_list": [f"{FIELD_NAMES[k]}：{v}" for k, v in errors.items()],
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def survey_codes_all(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Codes for every quota of the plan at once; run again, it adds only what is missing."""
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    fill = services.generate_missing_codes(survey)
    if fill.batches:
        messages.success(request, fill.explain())
    else:
        messages.info(request, fill.explain())
    return redirect("survey", survey.pk)


@login_required
@require_POST
def survey_codes(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    group = request.POST.get("group", "")
    count = _int(request.POST.get("count", ""))
    school = None
    if request.POST.get("school"):
        school = School.objects.filter(
            county=survey.county, school_id=request.POST["school"]
        ).first()
        if school is None:
            messages.error(request, "学校：本县没有这所学校")
            return redirect("survey", survey.pk)
    try:
        batch = services.generate_codes(
            survey,
            group,
            count or 0,
            school=school,
            area_type=request.POST.get("area_type", ""),
        )
    except services.SurveyError as exc:
        messages.error(request, f"生成访问码：{exc}")
    else:
        messages.success(request, f"已生成 {batch.size} 个访问码。")
    return redirect("survey", survey.pk)


@login_required
@require_GET
def survey_sheet(request: HttpRequest, survey_id: int, batch_id: int, fmt: str) -> HttpResponse:
    """The batch's QR code sheet: PDF (all pages) or one page as PNG (`?page=`)."""
    from junheng.reports.fonts import cjk_font_path

    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    batch = CodeBatch.objects.filter(survey=survey, pk=batch_id).select_related("school").first()
    if batch is None:
        raise Http404(NOT_FOUND)
    rules = services.rules_of(survey)
    group = rules.groups[batch.group].name if batch.group in rules.groups else batch.group
    place = batch.school.name if batch.school else AREA_ZH.get(batch.area_type, batch.area_type)
    label = f"{place} · {group}"
    codes = list(batch.codes.order_by("pk").values_list("code", flat=True))
    pages = page_count(len(codes))
    number = _int(request.GET.get("page", "1")) or 1
    if fmt == "png" and not 1 <= number <= pages:
        raise Http404(NOT_FOUND)
    base = request.build_absolute_uri("/")[:-1]
    entries = [SheetEntry(c, base + reverse("survey_form", args=[c]), label) for c in codes]
    title = f"{survey.county.name} {survey.title} · {label}"
    footer = (
        f"作答方法：用手机扫描二维码；不能扫码时，在浏览器打开 "
        f"{base}{reverse('survey_code')} 输入访问码。截止："
        f"{clock.stamp(survey.closes_at)}"
    )
    drawn = sheet_pages(
        entries, title, footer, cjk_font_path(), only=number if fmt == "png" else None
    )
    name = f"{survey.county.name}-{place}-{group}-访问码"
    if fmt == "pdf":
        body, kind, filename = sheet_pdf(drawn), "application/pdf", f"{name}.pdf"
    else:
        body, kind, filename = sheet_png(drawn[0]), "image/png", f"{name}-第{number}页.png"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def survey_questionnaire(request: HttpRequest, survey_id: int, key: str) -> HttpResponse:
    """Edit the county's copy of one questionnaire (title, introduction, question texts)."""
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    stored = survey.questionnaires.filter(key=key).first()
    if stored is None:
        raise Http404(NOT_FOUND)
    questionnaire = services.questionnaire_of(stored, survey.rules_id)
    error = ""
    if request.method == "POST":
        texts = {q.id: request.POST.get(f"text_{q.id}", "") for q in questionnaire.questions}
        try:
            edited = services.edit_questionnaire(
                survey,
                key,
                title=request.POST.get("title", ""),
                intro=request.POST.get("intro", ""),
                texts=texts,
                now=timezone.now(),
            )
        except services.SurveyError as exc:
            error = str(exc)
        else:
            messages.success(request, f"问卷已保存，现为{services.revision_text(edited)}。")
            return redirect("survey", survey.pk)
    values = request.POST if request.method == "POST" else {}
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "survey": survey,
            "questionnaire": questionnaire,
            "revision": services.revision_text(stored),
            "title": values.get("title", questionnaire.title),
            "intro": values.get("intro", questionnaire.intro),
            "questions": [
                {
                    "number": n,
                    "id": q.id,
                    "topic": services.rules_of(survey).topics[q.topic],
                    "text": values.get(f"text_{q.id}", q.text),
                }
                for n, q in enumerate(questionnaire.questions, start=1)
            ],
            "error": error,
        },
        status=400 if error else 200,
    )


# ---- results ---------------------------------------------------------------------------------


def _flagged(survey: Survey, rules: Any, page: int) -> tuple[list[dict[str, Any]], int, int]:
    """One page of the responses a quality check flags or a review left out (a page past the
    last is the last), how many there are and the page shown; read from the responses' stored
    flags: a page never reads every response."""
    shown = Response.objects.filter(survey=survey).filter(~Q(flags="") | Q(excluded=True))
    total = shown.count()
    page = min(page, max(1, -(-total // FLAGGED_PAGE)))
    names = dict(School.objects.filter(county=survey.county).values_list("pk", "name"))
    dropped = set(survey.exclude_flags)
    rows = []
    start = (page - 1) * FLAGGED_PAGE
    for r in shown.order_by("pk").values(
        "pk", "group", "school", "area_type", "seconds", "flags", "excluded"
    )[start : start + FLAGGED_PAGE]:
        flags = [f for f in r["flags"].split(",") if f]
        group = rules.groups.get(r["group"])
        rows.append(
            {
                "id": str(r["pk"]),
                "group": group.name if group else r["group"],
                "school": names.get(r["school"], AREA_ZH.get(r["area_type"] or "", "")),
                "seconds": r["seconds"],
                "flags": "、".join(FLAG_ZH[f] for f in flags),
                "excluded": r["excluded"] or bool(dropped & set(flags)),
                "by_review": r["excluded"],
            }
        )
    return rows, total, page


def _page_number(text: str) -> int:
    """A page number from the address; anything else is the first page."""
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


def _result_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    # counts kept in the database (tally.py), not every response read: the same rates as the
    # export's full scoring, in a fraction of the time
    result = tally.score(survey)
    names = services.school_names(survey)
    tables = result_tables(result, names)
    rule = results.requirement()
    asked = _page_number(request.GET.get("flagged", "1"))
    flagged, flagged_total, page = _flagged(survey, services.rules_of(survey), asked)
    return {
        "survey": survey,
        "result": result,
        "tables": [_html_table(t) for t in tables[:3]],
        "flagged": flagged,
        "flagged_total": flagged_total,
        "flagged_pages": max(1, -(-flagged_total // FLAGGED_PAGE)),
        "flagged_page": page,
        "flagged_first": (page - 1) * FLAGGED_PAGE + 1,
        "flagged_last": (page - 1) * FLAGGED_PAGE + len(flagged),
        "exclude_url": reverse("survey_exclude", args=[survey.pk]),
        "flags": [
            {"key": f, "name": FLAG_ZH[f], "excluded": f in survey.exclude_flags}
            for f in QUALITY_FLAGS
        ],
        "progress": services.progress(survey),
        "manage": can_manage_surveys(request.user, survey.county),
        "verdict": results.verdict(result, rule),
        "sample": services.sample_check(survey, result),
        "group_chart": results.group_chart(result, rule),
        "questions": results.question_sections(survey, result, rule),
        "scale": results.SCALE_HEADERS,
    }


@login_required
@require_GET
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    return render(request, "surveys/results.html", _result_context(request, survey))


@login_required
@require_GET
def survey_progress(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The progress box alone, polled by the results page."""
    survey = survey_or_404(request, survey_id)
    # while someone watches, the counts of the results keep up with the answers arriving
    tally.bring_up_to_date(survey)
    return render(
        request,
        "surveys/_progress.html",
        {
            "survey": survey,
            "progress": services.progress(survey),
            "now": clock.now(),
            # the fragment replaces itself, so it carries the polling on
            "poll": True,
        },
    )


@login_required
@require_GET
def survey_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = survey_or_404(request, survey_id)
    buffer = io.BytesIO()
    exports.write_results(survey, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"{survey.county.name}-{survey.title}-结果.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_POST
def survey_exclude(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Which quality flags leave responses out, or one response left out after review."""
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    try:
        if "response" in request.POST:
            number = _int(request.POST["response"])
            excluded = request.POST.get("excluded") == "1"
            services.set_excluded(survey, number or 0, excluded)
            messages.success(request, f"答卷 {number} 已{'不计入' if excluded else '恢复计入'}。")
        else:
            services.set_exclude_flags(survey, request.POST.getlist("flag"))
            messages.success(request, "质量检查的处理方式已保存。")
    except services.SurveyError as exc:
        messages.error(request, str(exc))
    return redirect("survey_results", survey.pk)


@login_required
@require_POST
def survey_feed(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Write the pooled counts into the county's survey data of the survey's year (S1)."""
    survey = survey_or_404(request, survey_id)
    _manager_or_403(request, survey)
    confirmed = _int(request.POST.get("accept_missing", ""))
    try:
        result = services.feed_evaluation(
            survey, request.user, timezone.now(), accept_missing=confirmed
        )
    except services.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"已写入 {survey.year.label} 学年的满意度调查汇总：{result.pooled.explain()}。"
            "重新测评后，S1 使用这些数据。",
        )
    return redirect("survey_results", survey.pk)
