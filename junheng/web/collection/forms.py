"""Data-entry forms generated from the schema and validated exactly as an import is.

A form field exists for every Dataset column and fact a school (or county) reports; labels,
units and explanations come from `junheng.core.schema` and the template explanations in
`junheng.intake.templates`, never typed here. Every field is text: the posted values are turned
into the raw string tables an importer produces (one row per segment, one per fact) and run
through the intake typing and rules (`dataset_from_raw`, `convert_facts`), so a value accepted
or refused on the form is accepted or refused on import, with the same message. Each
`IntakeError` is mapped back to its field (table → section, row → segment or fact, column →
field) and shown beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django import forms

from junheng.core.dataset import Dataset
from junheng.core.schema import (
    COUNTY,
    COUNTY_FACTS,
    COUNTY_FACTS_BY_NAME,
    LEVEL_NUMERALS,
    LEVEL_ZH,
    LEVELS,
    RATINGS,
    SCHOOL_FACT_DEFS,
    SCHOOL_FACTS,
    SCHOOL_FACTS_BY_NAME,
    SCHOOLS,
    SEGMENTS,
    Column,
    ColumnType,
    Fact,
    FactType,
    Table,
)
from junheng.core.standard import Standard
from junheng.intake.cells import convert_table
from junheng.intake.errors import CATALOGUE, ERROR, Code, ErrorCollector, IntakeError
from junheng.intake.facts import build_notes, convert_facts, wide_facts
from junheng.intake.reader import MAX_ERRORS, dataset_from_raw
from junheng.intake.sources import ROW, RawTable, cell_text, source_column
from junheng.intake.templates import (
    NO_SEGMENT_KINDS,
    column_allowed,
    column_source,
    fact_allowed,
    fact_source,
    form_levels,
)
from junheng.standards import load_standard
from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    CountyFactValue,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
)
from junheng.web.registry.models import County, School

FORM_FILES: dict[str, str] = {
    SCHOOLS.name: "整校共用设施",
    SEGMENTS.name: "学段数据",
    SCHOOL_FACTS.name: "学校指标",
    COUNTY.name: "县级指标",
}
"""The "file" each raw table is said to come from; only used to route errors back."""

COMBINED_KINDS: frozenset[str] = frozenset({"nine_year", "twelve_year", "complete_middle"})
"""Kinds whose levels (and senior section) may share facilities reported once for the school."""


def _level_choices() -> list[tuple[str, str]]:
    first: dict[int, str] = {}
    for numeral, n in LEVEL_NUMERALS.items():
        first.setdefault(n, numeral)
    return [(str(n), f"{first[n]}级") for n in sorted(first)]


def shared_name(column: str) -> str:
    return f"school__{column}"


def segment_name(level: str, column: str) -> str:
    return f"{level}__{column}"


def fact_name(fact: str) -> str:
    return f"fact__{fact}"


def note_name(fact: str) -> str:
    return f"note__{fact}"


def as_text(value: object) -> str:
    """A stored value as the text a person would type (12, 1234.5; not 12.0)."""
    text = cell_text(value)
    return "" if text is None else text


def fact_text(fact: str, stored: str | None) -> str:
    """A stored fact value as the form shows it: numbers without a trailing ".0"."""
    definition = SCHOOL_FACTS_BY_NAME.get(fact) or COUNTY_FACTS_BY_NAME.get(fact)
    if stored is None:
        return ""
    if definition is not None and definition.type in (FactType.NUMBER, FactType.RATIO):
        try:
            return as_text(float(stored))
        except ValueError:
            return stored
    return stored


def _measure_field(table: Table, column: Column) -> forms.CharField:
    numeric = "numeric" if column.type == ColumnType.INT else "decimal"
    result = forms.CharField(
        label=column.zh,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": numeric, "autocomplete": "off"}),
    )
    result.unit = column.unit  # type: ignore[attr-defined]
    result.explain = column_source(table.name, column.name)  # type: ignore[attr-defined]
    result.allowed = column_allowed(column)  # type: ignore[attr-defined]
    result.optional = not column.required  # type: ignore[attr-defined]
    return result


def _fact_field(fact: Fact, item: str | None) -> forms.CharField:
    widget: forms.Widget
    if fact.type == FactType.BOOL:
        widget = forms.Select(choices=[("", "未填"), ("是", "是"), ("否", "否")])
    elif fact.type == FactType.RATING:
        widget = forms.Select(choices=[("", "未填"), *((r, r) for r in RATINGS)])
    elif fact.type == FactType.LEVEL:
        widget = forms.Select(choices=[("", "未填"), *_level_choices()])
    else:
        widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    label = f"{item} {fact.zh}" if item else fact.zh
    result = forms.CharField(label=label, required=False, max_length=40, widget=widget)
    result.unit = fact.unit  # type: ignore[attr-defined]
    result.explain = fact_source(fact)  # type: ignore[attr-defined]
    result.allowed = fact_allowed(fact)  # type: ignore[attr-defined]
    result.optional = False  # type: ignore[attr-defined]
    return result


def _note_field(fact: Fact) -> forms.CharField:
    return forms.CharField(
        label=f"{fact.zh}（说明）",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "佐证材料、文件号等（选填）"}),
    )


@functools.lru_cache(maxsize=8)
def fact_items(standard_id: str) -> dict[str, str]:
    """Fact name → the id of the first standard item that reads it (G8, Q3 …)."""
    return _fact_items(load_standard(standard_id))


def _fact_items(standard: Standard) -> dict[str, str]:
    items: dict[str, str] = {}
    for item in standard.items.values():
        for check in item.checks:
            names = set(check.value.columns(item.params))
            if check.threshold.formula is not None:
                names |= check.threshold.formula.columns(item.params)
            for name in sorted(names):
                items.setdefault(name, item.id)
    return items


def _item_number(item: str | None) -> int:
    """G10 → 10, so items read in the standard's order (G1, G2, … G10), not the schema's."""
    digits = "".join(ch for ch in item or "" if ch.isdigit())
    return int(digits) if digits else 0


@functools.lru_cache(maxsize=8)
def part_names(standard_id: str) -> dict[str, str]:
    return dict(load_standard(standard_id).parts)


def _raw(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, str | None]]
) -> RawTable:
    """A raw table as an importer builds it: text cells c0…, canonical headers, row numbers
    1, 2, … in the order of `rows`."""
    frame = pl.DataFrame(
        [
            pl.Series(source_column(i), [row.get(c) for row in rows], dtype=pl.String)
            for i, c in enumerate(columns)
        ]
    ).with_columns(pl.Series(ROW, range(1, len(rows) + 1), dtype=pl.Int64))
    if not rows:
        frame = frame.clear()
    return RawTable(table, FORM_FILES[table.name], None, list(columns), frame)


def problem_text(error: IntakeError) -> str:
    """What is wrong and what is expected, without the file location an import report gives."""
    body = CATALOGUE[error.code].template.format(value=error.value, expected=error.expected)
    return body.replace("请删除此行", "请清空本学段的全部数值")


@dataclass
class Row:
    """One line of a rendered form: the field, its note field (facts) and, after a conflict,
    the current stored value when it differs from what the user entered."""

    field: forms.BoundField
    note: forms.BoundField | None = None
    current: str | None = None
    note_current: str | None = None
    previous: str | None = None
    """Last school year's value, when there was one, to check this year's against."""


@dataclass
class Section:
    key: str
    title: str
    note: str = ""
    names: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _EntryForm(forms.Form):
    """Common parts: the version field, sections, error routing and conflict comparison."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layout: list[Section] = []
        self.warnings: list[str] = []
        self.current: dict[str, str] = {}
        self.previous: dict[str, str] = {}
        self.previous_year = ""

    def show_previous(self, year: str, values: Mapping[str, str]) -> None:
        """Show the school's values of an earlier school year beside the fields (not its notes)."""
        self.previous_year = year
        self.previous = {name: value for name, value in values.items() if value != ""}

    def _section(self, key: str, title: str, note: str = "") -> Section:
        section = Section(key, title, note)
        self.layout.append(section)
        return section

    def _add(self, section: Section, name: str, form_field: forms.Field) -> None:
        self.fields[name] = form_field
        section.names.append(name)

    def _section_of(self, key: str) -> Section | None:
        return next((s for s in self.layout if s.key == key), None)

    def entered(self) -> dict[str, str]:
        """Every entry field's value as posted (bound) or initial (unbound), as text."""
        values: dict[str, str] = {}
        for name in self.fields:
            if name == "version":
                continue
            value = self[name].value()
            values[name] = "" if value is None else str(value).strip()
        return values

    def compare_with(self, current: Mapping[str, str]) -> None:
        """Remember the stored values that differ from the entered ones, to show beside them."""
        entered = self.entered()
        self.current = {
            name: current.get(name, "")
            for name in entered
            if entered[name] != current.get(name, "")
        }

    def sections(self) -> list[dict[str, Any]]:
        """The sections with their rows, for the template."""
        rendered = []
        for section in self.layout:
            rows = []
            for name in section.names:
                if name.startswith("note__"):
                    continue
                note = note_name(name.removeprefix("fact__")) if name.startswith("fact__") else None
                rows.append(
                    Row(
                        self[name],
                        self[note] if note else None,
                        self.current.get(name),
                        self.current.get(note) if note else None,
                        self.previous.get(name),
                    )
                )
            rendered.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "note": section.note,
                    "rows": rows,
                    "errors": section.errors,
                }
            )
        return rendered

    def _route(self, errors: Iterable[IntakeError], place: Any) -> None:
        for error in errors:
            text = problem_text(error)
            if error.severity != ERROR:
                self.warnings.append(text)
                continue
            name, section_key, prefix = place(error)
            if name is not None and name in self.fields:
                self.add_error(name, text)
                continue
            section = self._section_of(section_key) if section_key else None
            if section is not None:
                section.errors.append(text)
            # Also a form-wide error: it keeps the form invalid and is listed at the top.
            self.add_error(None, f"{prefix}{text}")

    def _posted(self, name: str) -> str | None:
        value = self.cleaned_data.get(name)
        if value is None or str(value).strip() == "":
            return None
        return str(value)


# School form ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolLayout:
    levels: tuple[str, ...]
    shared: bool


def school_layout(
    school: School, data: SchoolYearData | None, segments: Sequence[SegmentData]
) -> SchoolLayout:
    """Which sections the school's form has: the levels its kind reports (and any level it has
    data for), and the shared facilities when the kind combines levels or they were reported."""
    reported = {s.level for s in segments}
    natural = set() if school.kind in NO_SEGMENT_KINDS else set(form_levels(school.kind))
    levels = tuple(lv for lv, _ in LEVELS if lv in reported | natural) or form_levels(school.kind)
    stored = data is not None and any(getattr(data, c) is not None for c in SCHOOL_MEASURES)
    return SchoolLayout(levels, school.kind in COMBINED_KINDS or stored)


def school_values(
    data: SchoolYearData | None,
    segments: Sequence[SegmentData],
    facts: Sequence[SchoolFactValue],
) -> dict[str, str]:
    """The stored values of a school's year as form field texts."""
    values: dict[str, str] = {}
    if data is not None:
        for column in SCHOOL_MEASURES:
            values[shared_name(column)] = as_text(getattr(data, column))
    for segment in segments:
        for column in SEGMENT_MEASURES:
            values[segment_name(segment.level, column)] = as_text(getattr(segment, column))
    for fact in facts:
        values[fact_name(fact.fact)] = fact_text(fact.fact, fact.value)
        values[note_name(fact.fact)] = fact.note or ""
    return values


class SchoolDataForm(_EntryForm):
    """One school's data for one year: shared facilities, one section per level, school facts."""

    def __init__(
        self,
        *args: Any,
        school: School,
        layout: SchoolLayout,
        items: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.school_layout = layout
        self.dataset: Dataset | None = None
        items = items or {}
        if layout.shared:
            section = self._section(
                SCHOOLS.name,
                "整校共用设施（选填）",
                "各学段共用、无法分开统计的设施可在此整校填报，系统按评估标准的规则分摊到各学段；"
                "在此填写的项目，学段中对应项须留空。",
            )
            for name in SCHOOL_MEASURES:
                self._add(section, shared_name(name), _measure_field(SCHOOLS, SCHOOLS.column(name)))
        for level in layout.levels:
            section = self._section(level, f"{LEVEL_ZH[level]}学段")
            for name in SEGMENT_MEASURES:
                column = SEGMENTS.column(name)
                self._add(section, segment_name(level, name), _measure_field(SEGMENTS, column))
        section = self._section(SCHOOL_FACTS.name, "学校指标")
        for fact in SCHOOL_FACT_DEFS:
            self._add(section, fact_name(fact.name), _fact_field(fact, items.get(fact.name)))
            self._add(section, note_name(fact.name), _note_field(fact))

    def raw_tables(self) -> dict[str, RawTable]:
        """The posted values as the raw tables an import of this school would give."""
        school = self.school
        identity = {
            "school_id": school.school_id,
            "name": school.name,
            "county": school.county.name,
            "kind": school.kind,
            "area_type": school.area_type or None,
            "ownership": school.ownership or None,
            "township": school.township or None,
        }
        shared = {c: self._posted(shared_name(c)) for c in SCHOOL_MEASURES}
        school_columns = [*identity, *SCHOOL_MEASURES]
        self._rows: dict[str, list[str]] = {SEGMENTS.name: [], SCHOOL_FACTS.name: []}
        segment_rows = []
        for level in self.school_layout.levels:
            values = {c: self._posted(segment_name(level, c)) for c in SEGMENT_MEASURES}
            # A level left entirely blank is not reported, as a missing row would be.
            if any(v is not None for v in values.values()):
                segment_rows.append({"school_id": school.school_id, "level": level, **values})
                self._rows[SEGMENTS.name].append(level)
        fact_rows = []
        for fact in SCHOOL_FACT_DEFS:
            value, note = self._posted(fact_name(fact.name)), self._posted(note_name(fact.name))
            if value is not None or note is not None:
                fact_rows.append(
                    {"school_id": school.school_id, "fact": fact.name, "value": value, "note": note}
                )
                self._rows[SCHOOL_FACTS.name].append(fact.name)
        return {
            SCHOOLS.name: _raw(SCHOOLS, school_columns, [identity | shared]),
            SEGMENTS.name: _raw(SEGMENTS, ["school_id", "level", *SEGMENT_MEASURES], segment_rows),
            SCHOOL_FACTS.name: _raw(
                SCHOOL_FACTS, ["school_id", "fact", "value", "note"], fact_rows
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        raws = self.raw_tables()
        out = ErrorCollector(MAX_ERRORS)
        self.dataset = dataset_from_raw(raws, out, "填报表")
        self._route(out.result("填报表"), self._place)
        return cleaned

    def _place(self, error: IntakeError) -> tuple[str | None, str | None, str]:
        column = error.column
        if error.file == FORM_FILES[SEGMENTS.name]:
            levels = self._rows[SEGMENTS.name]
            if error.row is None or not 1 <= error.row <= len(levels):
                # A table-wide problem: no level was filled in at all.
                return None, None, "学段数据："
            level = levels[error.row - 1]
            name = segment_name(level, column) if column else None
            return name, level, f"{LEVEL_ZH[level]}学段："
        if error.file == FORM_FILES[SCHOOL_FACTS.name]:
            facts = self._rows[SCHOOL_FACTS.name]
            if error.row is None or not 1 <= error.row <= len(facts):
                return None, SCHOOL_FACTS.name, "学校指标："
            fact = facts[error.row - 1]
            name = note_name(fact) if column == "note" else fact_name(fact)
            return name, SCHOOL_FACTS.name, "学校指标："
        name = shared_name(column) if column in SCHOOL_MEASURES else None
        return name, SCHOOLS.name, "学校信息："

    def _route(self, errors: Iterable[IntakeError], place: Any) -> None:
        adjusted = []
        for error in errors:
            if error.code == Code.SHARED_REPORTED_TWICE and error.column:
                # The import's text points at rows of the segments table; here they are levels.
                levels = [
                    LEVEL_ZH[lv]
                    for lv in self.school_layout.levels
                    if self._posted(segment_name(lv, error.column)) is not None
                ]
                error = IntakeError(
                    error.code,
                    error.file,
                    error.sheet,
                    error.row,
                    error.column,
                    value=error.value,
                    expected="只在一处填报：整校填在“整校共用设施”，或分学段填在各学段"
                    f"（{'、'.join(levels)}学段也填了此项）",
                )
            adjusted.append(error)
        super()._route(adjusted, place)


# County facts form ----------------------------------------------------------------------------


def county_values(facts: Sequence[CountyFactValue]) -> dict[str, str]:
    values: dict[str, str] = {}
    for fact in facts:
        values[fact_name(fact.fact)] = fact_text(fact.fact, fact.value)
        values[note_name(fact.fact)] = fact.note or ""
    return values


class CountyFactsForm(_EntryForm):
    """A county's facts for one year, one section per part of the standard (G, Q, S, vetoes)."""

    def __init__(self, *args: Any, county: County, standard_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        self.fact_rows: list[dict[str, Any]] = []
        self.fact_notes: dict[str, str] = {}
        items = fact_items(standard_id)
        parts = part_names(standard_id)
        by_part: dict[str, list[Fact]] = {}
        for fact in COUNTY_FACTS:
            item = items.get(fact.name, "")
            by_part.setdefault(item[:1] if item[:1] in parts else "", []).append(fact)
        for part in [*parts, ""]:
            facts = sorted(by_part.get(part, []), key=lambda f: _item_number(items.get(f.name)))
            if not facts:
                continue
            title = f"{part} {parts[part]}" if part else "其他"
            note = "存在该情形的选“是”（一票否决）；不存在的选“否”。" if part == "V" else ""
            section = self._section(part or "other", title, note)
            for fact in facts:
                self._add(section, fact_name(fact.name), _fact_field(fact, items.get(fact.name)))
                self._add(section, note_name(fact.name), _note_field(fact))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        rows = []
        self._facts: list[str] = []
        for fact in COUNTY_FACTS:
            value, note = self._posted(fact_name(fact.name)), self._posted(note_name(fact.name))
            if value is not None or note is not None:
                rows.append(
                    {"county": self.county.name, "fact": fact.name, "value": value, "note": note}
                )
                self._facts.append(fact.name)
        raw = _raw(COUNTY, ["county", "fact", "value", "note"], rows)
        out = ErrorCollector(MAX_ERRORS)
        # The county table's own typing and rules, as `dataset_from_raw` applies them.
        typed = convert_table(raw, out)
        long = convert_facts(typed, "county", COUNTY_FACTS, out)
        self._route(out.result("填报表"), self._place)
        if not out.has_errors and long is not None:
            self.fact_rows = wide_facts(long).to_dicts()
            notes = build_notes(long, None, pl.DataFrame(schema={"school_id": pl.String}))
            self.fact_notes = {n["fact"]: n["note"] for n in notes.to_dicts()}
        return cleaned

    def _place(self, error: IntakeError) -> tuple[str | None, str | None, str]:
        if error.row is None or not 1 <= error.row <= len(self._facts):
            return None, None, ""
        fact = self._facts[error.row - 1]
        name = note_name(fact) if error.column == "note" else fact_name(fact)
        return name, None, ""
