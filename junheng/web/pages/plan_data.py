"""规划数据 in the web (`/counties/<id>/<year>/plan-data/`): the optional tables a county keeps
beside its yearly data (年级在校生, 出生人口 and the creation plan's 班级学生数, 县级教育经费,
建设项目, 编制与招聘计划), each with its row count, and an editable grid per table
(`…/plan-data/<table>/`; a table kept per school is edited one school and one of its years at
a time, `?school=<id>&year=<n>`, so a grid stays within what one post may carry).

The grid is generated from the schema table (Chinese headers with units, enumerations as Chinese
dropdowns) and has no rules of its own: the posted rows become the raw string table an import
would give and go through `dataset_from_raw` with the county's stored schools and segments, so a
value refused in a workbook is refused here with the same words, at its cell. Nothing is saved
when any error is found; a valid table replaces the stored rows in one transaction with the
history (`services.save_stored_table`). County and system administrators edit; leaders and
inspectors read; school and department users get 404.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse

from junheng.core.dataset import Dataset, conform, table_schema
from junheng.core.schema import CLASSES, SCHOOLS, SEGMENTS, Column, ColumnType, Table
from junheng.intake.cells import convert_table
from junheng.intake.errors import CATALOGUE, ERROR, ErrorCollector, IntakeError
from junheng.intake.reader import MAX_ERRORS, dataset_from_raw
from junheng.intake.sources import ROW, RawTable, cell_text, source_column
from junheng.web import clock
from junheng.web.accounts.scope import can_review_county
from junheng.web.collection.models import STORED_TABLES, ChangeLog, SchoolYearData, StoredTable
from junheng.web.pages.lookup import NOT_FOUND, county_or_404, year_or_404
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import dataset_for, stored_rows, table_token
from junheng.web.services import PlanTableConflict, save_stored_table
from junheng.web.workflow import HistoryEntry

BLANK_ROWS = 3
"""Empty rows below the stored ones, to type new rows into."""
ADDED_ROWS = 5
"""Rows the 添加空行 button adds."""
HISTORY_ROWS = 30
"""Latest changes listed under a table."""
FORM_FILE = "网页填报"
"""The "file" the posted rows are said to come from; routes their errors back to the grid."""
STORED_FILE = "已存数据"
"""The "file" of the stored rows sent along (schools, segments, other schools' rows)."""


@dataclass(frozen=True)
class Scope:
    """The part of a table one grid edits: the county's whole table, or one school's rows of
    one year of a table kept per school."""

    spec: StoredTable
    school: School | None = None
    table_year: int | None = None

    @property
    def fixed(self) -> frozenset[str]:
        """Columns the page fills in itself: the owner (county or school) and the year."""
        return frozenset({self.spec.owner, *(["year"] if self.table_year is not None else [])})

    def columns(self) -> list[Column]:
        """The columns a person types, in schema order."""
        return [c for c in self.spec.table.columns if c.name not in self.fixed]

    def filled(self, county: County) -> dict[str, str]:
        """The fixed columns' text in every posted row."""
        values = {self.spec.owner: self.school.school_id if self.school else county.name}
        if self.table_year is not None:
            values["year"] = str(self.table_year)
        return values

    def holds(self, row: Mapping[str, Any], county: County) -> bool:
        """Whether a typed row of the table belongs to this scope."""
        if self.school is not None and row.get("school_id") != self.school.school_id:
            return False
        return self.table_year is None or row.get("year") == self.table_year

    def query(self) -> str:
        if self.school is None:
            return ""
        return f"?school={self.school.school_id}&year={self.table_year}"


def _kind(column: Column) -> str:
    """The cell's width class: names and notes need room, counts little."""
    if column.name in ("school_id", "name", "new_school_name", "note", "funding_source"):
        return "wide"
    if column.type in (ColumnType.TEXT, ColumnType.ENUM):
        return "text"
    return "number"


def _label(column: Column) -> str:
    # The school is chosen by its name from the county's schools, not typed as its id.
    return "学校" if column.name == "school_id" else column.header_zh


def _cell_field(column: Column, schools: Sequence[School]) -> forms.CharField:
    """Every cell is text: the intake types and checks it, as it does a workbook's cell."""
    widget: forms.Widget
    if column.name == "school_id":
        choices = [("", "（新建学校）")] + [(s.school_id, s.name) for s in schools]
        widget = forms.Select(choices=choices)
    elif column.type == ColumnType.ENUM:
        blank = [("", "")] if not column.required else [("", "请选择")]
        widget = forms.Select(choices=blank + [(zh, zh) for _, zh in column.enum])
    else:
        mode = {ColumnType.INT: "numeric", ColumnType.NUMBER: "decimal"}.get(column.type)
        attrs = {"autocomplete": "off", "aria-label": _label(column)}
        if mode:
            attrs["inputmode"] = mode
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(label=_label(column), required=False, widget=widget)


def grid_formset(scope: Scope, schools: Sequence[School]) -> type[forms.BaseFormSet]:
    """A formset class for the grid: one text field per typed column, a delete box per row."""
    fields = {c.name: _cell_field(c, schools) for c in scope.columns()}
    form = type("PlanRowForm", (forms.Form,), dict(fields))
    return formset_factory(form, extra=BLANK_ROWS, can_delete=True)


def cell_text_of(column: Column, value: object) -> str:
    """A stored value as a person types it: 12 not 12.0, an enumeration's Chinese label."""
    if value is None:
        return ""
    if column.type == ColumnType.ENUM:
        return column.enum_zh(str(value))
    return cell_text(value) or ""


def _raw(table: Table, file: str, rows: Sequence[Mapping[str, str | None]]) -> RawTable:
    """A raw table as an importer builds it: text cells c0…, canonical headers, rows 1, 2, …"""
    columns = list(table.names)
    frame = pl.DataFrame(
        [
            pl.Series(source_column(i), [row.get(c) for row in rows], dtype=pl.String)
            for i, c in enumerate(columns)
        ]
        + [pl.Series(ROW, range(1, len(rows) + 1), dtype=pl.Int64)]
    )
    return RawTable(table, file, None, columns, frame)


def _text_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str | None]]:
    return [{c: cell_text(row.get(c)) for c in table.names} for row in rows]


def problem_text(error: IntakeError) -> str:
    """What is wrong and what is expected, without the file location an import report gives."""
    return CATALOGUE[error.code].template.format(value=error.value, expected=error.expected)


@dataclass
class Checked:
    """The outcome of checking a posted table: the Dataset rows to store, or the problems."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cell_errors: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    """(position among the posted rows, typed column or "") → messages."""
    errors: list[str] = field(default_factory=list)
    """Problems without a cell of the grid (the table as a whole, other stored data)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.cell_errors and not self.errors


def check_rows(
    scope: Scope,
    base: Dataset,
    posted: Sequence[Mapping[str, str | None]],
    others: Sequence[Mapping[str, Any]] = (),
) -> Checked:
    """Type and check the posted rows (text by column) as an import of the table would, with the
    stored schools and segments and `others` (the table's stored rows outside the scope).

    The posted rows come first, so an error's row number is its position among them. `rows` of
    the result are every row of the table, typed, the posted ones first."""
    table = scope.spec.table
    rows = [*posted, *_text_rows(table, others)]
    raws = {
        SCHOOLS.name: _raw(SCHOOLS, STORED_FILE, _text_rows(SCHOOLS, base.schools.to_dicts())),
        SEGMENTS.name: _raw(SEGMENTS, STORED_FILE, _text_rows(SEGMENTS, base.segments.to_dicts())),
        table.name: _raw(table, FORM_FILE, rows),
    }
    out = ErrorCollector(MAX_ERRORS)
    dataset = dataset_from_raw(raws, out, FORM_FILE)
    checked = Checked()
    typed_columns = {c.name for c in scope.columns()}
    for error in out.result(FORM_FILE):
        text = problem_text(error)
        mine = error.file == FORM_FILE
        if error.severity != ERROR:
            checked.warnings.append(text)
        elif mine and error.row is not None and 1 <= error.row <= len(posted):
            column = error.column if error.column in typed_columns else ""
            checked.cell_errors.setdefault((error.row - 1, column or ""), []).append(text)
        elif mine and error.row is not None:
            checked.errors.append(f"本表其他已存的数据（第 {error.row - len(posted)} 行）：{text}")
        elif mine:
            checked.errors.append(text)
        else:
            checked.errors.append(f"已存的学校数据：{text}")
    if not checked.ok:
        return checked
    frame = getattr(dataset, table.name) if dataset is not None else None
    if frame is None or frame.height != len(rows):
        # A reader that does not carry this table yet still types it the same way; its rules
        # apply here as soon as the reader checks them.
        typed = convert_table(raws[table.name], ErrorCollector(MAX_ERRORS)).output()
        frame = conform(typed, table_schema(table))
    checked.rows = frame.select(table.names).to_dicts()
    return checked


# Views ----------------------------------------------------------------------------------------


def _spec_or_404(table: str) -> StoredTable:
    spec = STORED_TABLES.get(table)
    if spec is None:
        raise Http404(NOT_FOUND)
    return spec


def _counts(county: County, year: SchoolYear) -> dict[str, tuple[int, int]]:
    """Per table: rows stored, and for a table kept per school the schools that have rows."""
    counts: dict[str, tuple[int, int]] = {}
    for name, spec in STORED_TABLES.items():
        rows = spec.model._default_manager.filter(year=year)
        if spec.by_school:
            rows = rows.filter(school__county=county)
            per = list(rows.values("school").annotate(n=Count("id")).values_list("n", flat=True))
            counts[name] = (sum(per), len(per))
        else:
            counts[name] = (rows.filter(county=county).count(), 0)
    return counts


@login_required
def plan_data_view(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """The optional tables of the county and year with their row counts."""
    county = county_or_404(request, county_id)
    year_row = year_or_404(year)
    counts = _counts(county, year_row)
    tables = [
        {
            "name": name,
            "title": spec.table.zh,
            "description": spec.table.description,
            "rows": counts[name][0],
            "schools": counts[name][1],
            "by_school": spec.by_school,
        }
        for name, spec in STORED_TABLES.items()
    ]
    context = {
        "county": county,
        "year": year_row,
        "tables": tables,
        "may_edit": can_review_county(request.user, county),
    }
    return render(request, "pages/plan_data.html", context)


def _schools(county: County) -> list[School]:
    return list(School.objects.filter(county=county).order_by("school_id"))


def default_year(year: SchoolYear) -> int:
    """The table year a school's grid opens at when it has no rows: the loaded school year's
    autumn (its label starts with the year)."""
    digits = year.label[:4]
    return int(digits) if digits.isdigit() else clock.today().year


def _school_list(spec: StoredTable, county: County, year: SchoolYear) -> list[dict[str, Any]]:
    """The county's schools with data of the year or rows of the table, each with its table
    years and their rows (the loaded year offered when the school has none)."""
    year_field = spec.fields["year"]
    per: dict[int, list[tuple[int, int]]] = {}
    for school_pk, table_year, n in (
        spec.model._default_manager.filter(year=year, school__county=county)
        .values("school", year_field)
        .annotate(n=Count("id"))
        .order_by(year_field)
        .values_list("school", year_field, "n")
    ):
        per.setdefault(school_pk, []).append((table_year, n))
    reporting = set(
        SchoolYearData.objects.filter(school__county=county, year=year).values_list(
            "school", flat=True
        )
    )
    return [
        {"school": school, "years": per.get(school.pk) or [(default_year(year), 0)]}
        for school in _schools(county)
        if school.pk in per or school.pk in reporting
    ]


def _history(
    spec: StoredTable, county: County, year: SchoolYear, schools: Mapping[str, str]
) -> list[HistoryEntry]:
    """The table's latest changes in the county and year, with Chinese field names."""
    columns = {field: spec.table.column(column) for column, field in spec.fields.items()}
    enum_labels = {
        value: zh for c in spec.table.columns if c.type == ColumnType.ENUM for value, zh in c.enum
    }

    def labels(part: str) -> str:
        return enum_labels.get(part, part)

    logs = (
        ChangeLog.objects.filter(county=county, year=year, model=spec.model.__name__)
        .select_related("user")
        .order_by("-id")[:HISTORY_ROWS]
    )
    entries = []
    for log in logs:
        column = columns.get(log.field)
        label = _label(column) if column is not None else log.field

        def shown(text: str | None, column: Column | None = column) -> str:
            if text is None or text == "":
                return "（空）"
            if column is not None and column.type == ColumnType.ENUM:
                return column.enum_zh(text)
            if column is not None and column.name == "school_id":
                return schools.get(text, text)
            if text.endswith(".0"):
                return text[:-2]
            return text

        # A row is named by its key columns ("2152010001/2026/primary"): the school by its name,
        # enumerated values (a level, a band) by their Chinese labels.
        first, *rest = log.object_id.split("/")
        row = "/".join(p for p in (schools.get(first, first), *map(labels, rest)) if p)
        who = "系统（批量导入）"
        if log.user is not None:
            who = log.user.get_full_name() or log.user.get_username()
        entries.append(
            HistoryEntry(
                id=log.pk,
                at=log.at,
                who=who,
                field=f"{row} · {label}",
                old=shown(log.old_value),
                new=shown(log.new_value),
                comment="",
                is_step=False,
            )
        )
    return entries


def _capacity(scope: Scope) -> int | None:
    """How many grid rows one post may carry under the site's limit on posted fields."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is None:
        return None
    # The token, school, year, CSRF and the formset's four management fields besides the rows.
    return (limit - 8) // (len(scope.columns()) + 1)


def _initial(scope: Scope, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{c.name: cell_text_of(c, row.get(c.name)) for c in scope.columns()} for row in rows]


def _posted_rows(
    scope: Scope, formset: forms.BaseFormSet, county: County
) -> tuple[list[dict[str, str | None]], list[int]]:
    """The grid's rows as raw text rows (fixed columns filled in), leaving out deleted and empty
    rows, with the form index of each."""
    rows: list[dict[str, str | None]] = []
    positions: list[int] = []
    for index, form in enumerate(formset.forms):
        if form["DELETE"].value():
            continue
        values = {
            c.name: (str(form[c.name].value() or "").strip() or None) for c in scope.columns()
        }
        if all(v is None for v in values.values()):
            continue
        rows.append({**scope.filled(county), **values})
        positions.append(index)
    return rows, positions


def natural_key(text: str | None) -> tuple[tuple[int, int, str], ...]:
    """A name's sort key with the numbers inside it compared as numbers: "2班" before "10班"
    (as text "10班" came first). Empty names last."""
    if not text:
        return ((2, 0, ""),)
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def display_order(table: str, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows in the order a person reads them: classes by year, grade and class name
    naturally. Only what is shown: the stored order (and the form's token over it) stays; the
    sort is stable, so rows named alike keep their stored rank, which saving matches them by."""
    if table != CLASSES.name:
        return list(rows)

    def key(row: Mapping[str, Any]) -> tuple[Any, ...]:
        year, grade = row.get("year"), row.get("grade")
        return (
            year is None,
            year or 0,
            grade is None,
            grade or 0,
            natural_key(row.get("class_name")),
        )

    return sorted(rows, key=key)


def _display_rows(
    scope: Scope, rows: Sequence[Mapping[str, Any]], names: Mapping[str, str]
) -> list[list[str]]:
    out = []
    for row in rows:
        cells = []
        for column in scope.columns():
            value = row.get(column.name)
            if column.name == "school_id":
                cells.append(names.get(value, value) if value else "")
            else:
                cells.append(cell_text_of(column, value))
        out.append(cells)
    return out


def _scope(request: HttpRequest, spec: StoredTable, county: County) -> Scope | None:
    """The scope the request names; None for a table kept per school without a school."""
    if not spec.by_school:
        return Scope(spec)
    source = request.POST if request.method == "POST" else request.GET
    wanted = (source.get("school") or "").strip()
    if not wanted:
        return None
    school = School.objects.filter(county=county, school_id=wanted).first()
    table_year = (source.get("year") or "").strip()
    if school is None or not table_year.isdigit() or not 1900 <= int(table_year) <= 2999:
        raise Http404(NOT_FOUND)
    return Scope(spec, school, int(table_year))


@login_required
def plan_table_view(request: HttpRequest, county_id: int, year: str, table: str) -> HttpResponse:
    """One table's grid: read by anyone who sees the county, saved by its administrators."""
    county = county_or_404(request, county_id)
    year_row = year_or_404(year)
    spec = _spec_or_404(table)
    may_edit = can_review_county(request.user, county)
    if request.method == "POST" and not may_edit:
        raise Http404(NOT_FOUND)
    schools = _schools(county)
    names = {s.school_id: s.name for s in schools}
    context: dict[str, Any] = {
        "county": county,
        "year": year_row,
        "title": spec.table.zh,
        "description": spec.table.description,
        "table": table,
        "may_edit": may_edit,
        "history": _history(spec, county, year_row, names),
    }
    scope = _scope(request, spec, county)
    if scope is None:
        context["schools"] = _school_list(spec, county, year_row)
        return render(request, "pages/plan_data_schools.html", context)
    context |= {
        "school": scope.school,
        "table_year": scope.table_year,
        "columns": [
            {"label": _label(c), "required": c.required, "note": c.description, "kind": _kind(c)}
            for c in scope.columns()
        ],
    }
    stored = stored_rows(county, year_row, table, school=scope.school, table_year=scope.table_year)
    shown = display_order(table, stored)
    here = reverse("plan_table", args=[county.pk, year_row.label, table]) + scope.query()
    context["here"] = here
    capacity = _capacity(scope)
    if not may_edit or (capacity is not None and len(stored) + BLANK_ROWS > capacity):
        context |= {"rows": _display_rows(scope, shown, names), "too_many": may_edit}
        return render(request, "pages/plan_data_table.html", context)
    if not SchoolYearData.objects.filter(school__county=county, year=year_row).exists():
        context |= {"rows": _display_rows(scope, shown, names), "no_schools": True}
        return render(request, "pages/plan_data_table.html", context)

    formset_class = grid_formset(scope, schools)
    prefix = "rows"
    token = table_token(stored)
    status = 200
    checked: Checked | None = None
    if request.method != "POST":
        formset = formset_class(initial=_initial(scope, shown), prefix=prefix)
    elif "add" in request.POST:
        data: QueryDict = request.POST.copy()
        total = f"{prefix}-TOTAL_FORMS"
        wanted = int(data.get(total) or 0) + ADDED_ROWS
        data[total] = str(min(wanted, capacity) if capacity is not None else wanted)
        formset = formset_class(data, prefix=prefix)
        token = request.POST.get("token") or token
    else:
        formset = formset_class(request.POST, prefix=prefix)
        posted, positions = _posted_rows(scope, formset, county)
        others = [r for r in stored_rows(county, year_row, table) if not scope.holds(r, county)]
        checked = check_rows(scope, dataset_for(county, year_row), posted, others)
        token = request.POST.get("token") or token
        if checked.ok:
            mine = [r for r in checked.rows if scope.holds(r, county)][: len(posted)]
            try:
                changed = save_stored_table(
                    county,
                    year_row,
                    table,
                    mine,
                    request.user,
                    school=scope.school,
                    table_year=scope.table_year,
                    token=token,
                )
            except PlanTableConflict:
                context["notice"] = (
                    "保存失败：在您打开本页之后，有人修改了这张表。您填写的内容仍保留在下方，"
                    "请对照下方的修改记录核对；再次保存将以您填写的内容为准。"
                )
                token = table_token(
                    stored_rows(
                        county, year_row, table, school=scope.school, table_year=scope.table_year
                    )
                )
                context["history"] = _history(spec, county, year_row, names)
                status = 409
            else:
                for warning in checked.warnings:
                    messages.warning(request, warning)
                if changed:
                    messages.success(request, f"{spec.table.zh}已保存，共修改 {changed} 项。")
                else:
                    messages.info(request, "没有修改任何内容。")
                return redirect(here)
        else:
            status = 400
            formset.is_valid()
            context["cell_errors"] = _route(scope, formset, checked, positions)
    context |= {
        "formset": formset,
        "token": token,
        "checked": checked,
        "error_count": (
            sum(len(t) for t in checked.cell_errors.values()) + len(checked.errors)
            if checked is not None
            else 0
        ),
        "grid": [
            {
                "form": form,
                "cells": [{"field": form[c.name], "kind": _kind(c)} for c in scope.columns()],
                "errors": form.non_field_errors(),
            }
            for form in formset.forms
        ],
    }
    return render(request, "pages/plan_data_table.html", context, status=status)


def _route(
    scope: Scope, formset: forms.BaseFormSet, checked: Checked, positions: Sequence[int]
) -> list[str]:
    """Put each cell's errors on its field; return them also as lines for above the grid, where
    they are seen when the cell is scrolled out of sight on a narrow screen."""
    labels = {c.name: _label(c) for c in scope.columns()}
    lines = []
    for (position, column), texts in checked.cell_errors.items():
        form = formset.forms[positions[position]]
        for text in texts:
            form.add_error(column or None, text)
            where = f"第 {positions[position] + 1} 行"
            if column:
                where += f"“{labels[column]}”"
            lines.append(f"{where}：{text}")
    return lines


urlpatterns = [
    path("", plan_data_view, name="plan_data"),
    path("<str:table>/", plan_table_view, name="plan_table"),
]
