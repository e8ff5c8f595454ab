"""目标年预测 in the web (`/counties/<id>/<year>/forecast/`): the county's enrolment projected
to a target year from its grade enrolment, and the projected year judged by the same standard
(`junheng.core.forecast.forecast` over `dataset_for`), beside what changes against the latest
year's own evaluation. Computed on request: a county's forecast takes well under a second."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from junheng.core.evaluate import evaluate
from junheng.core.forecast import forecast
from junheng.core.projection import SCENARIO_ZH, SCENARIOS, ProjectionError, default_policy
from junheng.core.standard import Standard
from junheng.reports.forecast_tables import SHORT, forecast_page
from junheng.reports.forecast_xlsx import write_forecast_xlsx
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.web.pages.exports import xlsx_download
from junheng.web.pages.lookup import county_or_404, year_or_404
from junheng.web.rectification.models import Plan
from junheng.web.selectors import dataset_for, latest_snapshot

HORIZON = 6
"""How many years after the data's latest year the form offers (the issue's planning span)."""


def standard_for(county: Any, year: Any) -> Standard:
    """The standard of the county's latest evaluation of that year, else the default one, so
    the forecast is judged as the county is."""
    snapshot = latest_snapshot(county, year)
    if snapshot is not None:
        try:
            return load_standard(snapshot.standard_id)
        except Exception:
            # A snapshot may outlive its standard file; the default still judges the forecast.
            pass
    return load_standard(DEFAULT_STANDARD)


def _target(raw: str | None, base: int, planned: int | None = None) -> tuple[int, str]:
    """The asked target year and a Chinese error, if any. Without one: the county's planned
    target year when the form offers it, else the year after `base`."""
    if raw is None or raw.strip() == "":
        if planned is not None and base < planned <= base + HORIZON:
            return planned, ""
        return base + 1, ""
    text = raw.strip()
    if not text.isdigit():
        return base + 1, f"目标年份应为四位数的年份，如 {base + 1}，实际填写的是“{text}”。"
    year = int(text)
    if year <= base:
        return base + 1, (
            f"目标年份应晚于年级在校生数据的最近年份 {base} 年，"
            f"请选 {base + 1}—{base + HORIZON} 年之间的年份。"
        )
    if year > base + HORIZON:
        return base + 1, (
            f"目标年份最多预测到 {base + HORIZON} 年（最近数据之后 {HORIZON} 年），"
            f"请选 {base + 1}—{base + HORIZON} 年之间的年份。"
        )
    return year, ""


def _forecast_context(request: HttpRequest, county_id: int, year: str) -> dict[str, Any]:
    """What the page and the workbook need: the form's choices, and `result` and `page` when
    the asked forecast could be made (`error` and `status` when not)."""
    county_row = county_or_404(request, county_id)
    year_row = year_or_404(year)
    dataset = dataset_for(county_row, year_row)
    policy = default_policy()
    context: dict[str, Any] = {
        "county": county_row,
        "year": year_row,
        "scenarios": [(key, SHORT[key]) for key in SCENARIOS],
        "history_years": policy.history_years,
        "min_years": policy.min_years,
        "status": 200,
    }
    grades = dataset.grades.filter(pl.col("students").is_not_null())
    if grades.is_empty():
        return context | {"no_grades": True}
    base = int(grades.get_column("year").max())  # type: ignore[arg-type]
    planned = Plan.objects.filter(county=county_row).values_list("target_year", flat=True)
    target, error = _target(request.GET.get("target"), base, planned.first())
    scenario = request.GET.get("scenario") or "median"
    if scenario not in SCENARIOS:
        error = error or "预测方案只能选低、中、高三者之一。"
        scenario = "median"
    context |= {
        "base": base,
        "targets": list(range(base + 1, base + HORIZON + 1)),
        "target": target,
        "asked": (request.GET.get("target") or "").strip(),
        "scenario": scenario,
        "scenario_zh": SCENARIO_ZH[scenario],
        "error": error,
    }
    if error:
        return context | {"status": 400}
    standard = standard_for(county_row, year_row)
    try:
        result = forecast(dataset, target, scenario, standard=standard)
    except ProjectionError as refused:
        return context | {"error": str(refused), "status": 400}
    page = forecast_page(result, evaluate(dataset, standard), county_row.name)
    return context | {"result": result, "page": page}


@login_required
@require_GET
def forecast_view(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The form (target year, scenario) and the forecast it asks for."""
    context = _forecast_context(request, county_id, year)
    context.pop("result", None)
    return render(request, "pages/forecast.html", context, status=context.pop("status"))


@login_required
@require_GET
def forecast_export(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """目标年预测.xlsx of the forecast the page shows for the same target year and scenario."""
    context = _forecast_context(request, county_id, year)
    if "page" not in context:
        # No grade data or a bad choice: the page says why and how to fix it.
        context.pop("result", None)
        return render(request, "pages/forecast.html", context, status=context.pop("status") or 400)
    county = context["county"]
    with tempfile.TemporaryDirectory() as folder:
        path = write_forecast_xlsx(
            context["result"], context["page"], county.name, Path(folder) / "forecast.xlsx"
        )
        content = path.read_bytes()
    name = f"{county.name}{context['target']}年预测（{context['scenario_zh']}）.xlsx"
    return xlsx_download(content, name)
