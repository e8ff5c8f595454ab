"""班额 in the web (`/counties/<id>/<year>/classes/`): the county's classes per band year by year,
its dated targets judged for each year, the townships and schools with 56+ classes, and the
classes behind G5, all from `junheng.core.class_sizes.class_sizes_to_dict` over `dataset_for`.
Computed on request (a county of a few thousand classes takes a few hundredths of a second);
the targets are the county's own (创建目标（班额）) when it gave them, else the national defaults
of `class_sizes.yaml`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from junheng.core.class_sizes import ClassSizeRules, class_sizes_to_dict, default_rules
from junheng.web.pages.forecast import standard_for
from junheng.web.pages.lookup import county_or_404, year_or_404
from junheng.web.pages.presenters import Cell, Table, number_cell, text_cell
from junheng.web.selectors import dataset_for

VERDICT = {True: ("已实现", "ok"), False: ("未实现", "fail"), None: ("无法判断", "unknown")}


def _band_headers(rules: ClassSizeRules, data: dict[str, Any]) -> tuple[str, ...]:
    """ "标准班额（小学45人以下、初中50人以下）": the name with each level's range."""
    out = []
    for band in data["bands"]:
        ranges = band["ranges"]
        if len(set(ranges.values())) == 1:
            out.append(f"{band['name']}（{next(iter(ranges.values()))}）")
        else:
            out.append(f"{band['name']}（小学{ranges['primary']}、初中{ranges['junior']}）")
    return tuple(out)


def _count_cell(count: int, alarming: bool) -> Cell:
    """A count with thousands separators (23,654 as on the other pages); red only when it is a
    大班额 count above zero — a zero there is the goal, not an alarm."""
    return number_cell(count, 0, css="fail" if alarming and count else "", thousands=True)


def _band_cells(record: dict[str, Any], keys: list[str], large: set[str]) -> list[Cell]:
    cells = [_count_cell(record["bands"][key], key in large) for key in keys]
    return [*cells, _count_cell(record["classes"], False), _count_cell(record["students"], False)]


def _year_runs(years: list[int]) -> str:
    """2022, 2023, 2024, 2026 → "2022—2024、2026": consecutive years as one span."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return "、".join(str(r[0]) if len(r) == 1 else f"{r[0]}—{r[-1]}" for r in runs)


def unmet_lines(targets: list[dict[str, Any]]) -> list[str]:
    """One line per target missed in some year, e.g. 目标“到2020年秋季，56人以上大班额为 0 个”：
    2022—2026 年秋季均未实现. Counting years alone ("5 个学年未实现") read as five targets."""
    by_target: dict[str, list[dict[str, Any]]] = {}
    for t in targets:
        by_target.setdefault(t["target"], []).append(t)
    lines = []
    for target, results in by_target.items():
        missed = [t["year"] for t in results if t["met"] is False]
        if not missed:
            continue
        every = len(missed) == len(results) and len(missed) > 1
        lines.append(f"目标“{target}”：{_year_runs(missed)} 年秋季{'均' if every else ''}未实现")
    return lines


def _large_keys(rules: ClassSizeRules) -> set[str]:
    """The bands from 大班额 up: what the issue's 56+ targets count and the page marks."""
    bands = [b.key for b in rules.bands]
    return set(bands[bands.index("large") :]) if "large" in bands else set()


def class_sizes_page(
    data: dict[str, Any], focus: int, rules: ClassSizeRules | None = None
) -> dict[str, Any]:
    """The page's tables from `class_sizes_to_dict`'s data; townships and schools for `focus`."""
    rules = rules or default_rules()
    keys = [b["key"] for b in data["bands"]]
    large = _large_keys(rules)
    headers = _band_headers(rules, data)
    county = Table(
        "class-bands",
        "全县各班额段班级数（个）",
        ("学年（秋季）", "学段", *headers, "班级数合计", "学生数合计（人）"),
        tuple(
            (
                text_cell(f"{r['year']}年", css="nowrap"),
                text_cell(r["level_name"], css="nowrap"),
                *_band_cells(r, keys, large),
            )
            for r in data["county"]
        ),
        # Eight columns: on a phone each year and level is a card rather than a row to scroll.
        stack=True,
    )
    targets = Table(
        "class-targets",
        "消除大班额目标逐年判断",
        ("学年（秋季）", "目标", "结论", "情况", "依据"),
        tuple(
            (
                text_cell(f"{t['year']}年", css="nowrap"),
                text_cell(t["target"]),
                text_cell(VERDICT[t["met"]][0], css=f"{VERDICT[t['met']][1]} nowrap"),
                text_cell(t["sentence"]),
                text_cell(t["source"]),
            )
            for t in data["targets"]
        ),
        stack=True,
    )
    townships = Table(
        "class-townships",
        f"{focus}年秋季各乡镇班额（个）",
        ("乡镇", "学段", *headers, "班级数合计", "学生数合计（人）"),
        tuple(
            (
                text_cell(r["township"], css="nowrap"),
                text_cell(r["level_name"], css="nowrap"),
                *_band_cells(r, keys, large),
            )
            for r in data["townships"]
            if r["year"] == focus
        ),
        stack=True,
    )
    large_rows = [
        r
        for r in data["schools"]
        if r["year"] == focus and any(r["bands"][k] for k in keys if k in large)
    ]
    large_headers = tuple(h for k, h in zip(keys, headers, strict=True) if k in large)
    schools = Table(
        "class-large-schools",
        f"{focus}年秋季有大班额的学校",
        ("学校", "乡镇", "学段", *large_headers, "班级数合计"),
        tuple(
            (
                text_cell(r["school"]),
                text_cell(r["township"], css="nowrap"),
                text_cell(r["level_name"], css="nowrap"),
                *(_count_cell(r["bands"][k], True) for k in keys if k in large),
                _count_cell(r["classes"], False),
            )
            for r in sorted(large_rows, key=lambda r: (r["township"], r["school"]))
        ),
        stack=True,
    )
    g5 = data["g5"]
    g5_classes = Table(
        "class-g5",
        "超过 G5 班额上限的班级",
        ("学校", "学段", "年级", "班级", "学生数（人）"),
        tuple(
            (
                text_cell(s["school"]),
                text_cell(s["level_name"], css="nowrap"),
                text_cell(f"{row['grade']}年级", css="nowrap"),
                text_cell(row["class_name"], css="nowrap"),
                number_cell(row["students"], 0, css="fail"),
            )
            for s in g5["schools"]
            for row in s["rows"]
        ),
    )
    return {
        "county_table": county,
        "targets_table": targets,
        "townships_table": townships,
        "schools_table": schools,
        "g5_table": g5_classes,
        "g5": g5,
        "bands": data["bands"],
        # Years, not target results: two targets failing in one year are one year short.
        "unmet": len({t["year"] for t in data["targets"] if t["met"] is False}),
        "unmet_lines": unmet_lines(data["targets"]),
    }


@login_required
@require_GET
def class_sizes_view(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """班额: bands by year, targets judged per year, schools with 大班额, G5's classes."""
    county = county_or_404(request, county_id)
    year_row = year_or_404(year)
    dataset = dataset_for(county, year_row)
    context: dict[str, Any] = {"county": county, "year": year_row}
    label_year = int(year_row.label) if year_row.label.isdigit() else None
    years = sorted(set(dataset.classes.get_column("year").drop_nulls().to_list()))
    if not years:
        return render(request, "pages/class_sizes.html", context | {"no_classes": True})
    # The page's own year when the county gave classes for it, else its latest year of them.
    focus = label_year if label_year in years else years[-1]
    data = class_sizes_to_dict(
        dataset, county.name, year=focus, standard=standard_for(county, year_row)
    )
    if data is None:
        return render(request, "pages/class_sizes.html", context | {"no_classes": True})
    return render(
        request,
        "pages/class_sizes.html",
        context | {"focus": focus, "years": data["years"]} | class_sizes_page(data, focus),
    )
