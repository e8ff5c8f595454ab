"""Teacher roster benchmark: a county of about 5,000 teachers from import to plan (issue 19).

Run from the project root:

    .venv/bin/python benchmarks/roster.py [--segments 115] [--hires 40] [--json]

The county is `junheng.demo.national_dataset(counties=1, segments_per_county=S)` (S = 115: about
4,990 teachers in its segments; at every third segment half the PE teachers teach other subjects,
so the county is short of them and hires count) and its roster
`junheng.roster.demo.demo_roster` (one row per teacher, with ID numbers, teachers on leave and a
rotation history), written as the county would upload it (教师名册.xlsx with full ID numbers).
Outside the timings a throw-away SQLite database under a temporary folder is migrated and the
county's data loaded. Then, each timed in
the same run with its baseline:

1. Import (target: under 10 s). The reader (`read_roster`: every cell checked, Chinese errors)
   and the web import service (`junheng.web.roster.services.import_roster`: the reader, then the
   roster replaced in one transaction on SQLite), against a plain openpyxl read of the same file
   (every cell of both sheets, no checks): the ratio is what checking and storing cost over
   merely opening the workbook.
2. Aggregation (target: under 1 s). `segment_counts` and `county_rates` (G9, G11, G12) on the
   stored roster read back (`teachers_frame`), against the same counts in plain Python (a loop
   over the rows with dictionaries).
3. Plan (target: within 1 % of the optimum in under 30 s). `planner_teachers` and
   `plan_rotation` (HiGHS, the county's eligibility rules, up to H hires) against the greedy
   heuristic of `benchmarks/rotation_plan.py`, both objectives by `plan_objective`; the CVs of
   R1–R3 per level before and after each plan as the engine evaluates them.

Timings are printed, never asserted: they depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

YEAR = "2026"
PROVINCE, CITY = "基准省", "基准市"
TARGETS = {"import": 10.0, "aggregation": 1.0, "plan": 30.0}
TARGET_GAP = 0.01


def _django(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'roster-bench.sqlite3'}"
    os.environ.setdefault("JUNHENG_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "junheng.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _openpyxl_read(path: Path) -> int:
    """Every cell of every sheet, as a plain read of the workbook would."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return cells


def _python_counts(rows: list[dict[str, Any]], year: int, counting: Any) -> dict:
    """The nine segment columns, G9 and G12 counted by hand: the aggregation's baseline."""
    pe = counting.subjects
    subject_columns = [(c, set(names)) for c, names in pe.items()]
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    trained = certified = counted = 0
    for r in rows:
        if r["status"] not in counting.in_post_statuses or r["joined_year"] > year:
            continue
        c = counts[r["school_id"], r["level"]]
        c["teachers"] += 1
        c[f"teachers_{r['degree']}"] += 1
        if r["backbone"] in counting.backbone_levels:
            c["backbone_teachers"] += 1
        subject = r["subject"].strip()
        for column, names in subject_columns:
            if subject in names:
                c[column] += 1
        counted += 1
        trained += r["training_hours"] >= counting.training_hours
        certified += r["certificate"] == "yes"
    return {"segments": len(counts), "g9": trained / counted, "g12": certified / counted}


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def measure(segments: int, max_hires: int) -> dict[str, Any]:
    # the sibling benchmark's county short of PE teachers, so that hires count
    from rotation_plan import _cvs, greedy, short_of_pe  # the planner benchmark's baseline

    from junheng.intake.roster import read_roster, write_roster_xlsx
    from junheng.roster.aggregate import county_rates, segment_counts
    from junheng.roster.demo import demo_roster
    from junheng.roster.planner import (
        apply_plan,
        default_limits,
        plan_objective,
        plan_rotation,
        planner_segments,
    )
    from junheng.roster.planner_input import planner_teachers
    from junheng.roster.rules import load_counting
    from junheng.standards import load_standard

    data = short_of_pe(segments)
    roster = demo_roster(data, year=int(YEAR))
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        path = write_roster_xlsx(
            folder_path / "教师名册.xlsx", roster.teachers, roster.rotations, full_ids=True
        )
        _django(folder_path)
        from junheng.web.registry.models import County, SchoolYear
        from junheng.web.roster import services
        from junheng.web.services import load_dataset

        load_dataset(data, YEAR, province=PROVINCE, city=CITY)
        county = County.objects.get(name=data.county_facts["county"][0])
        year = SchoolYear.objects.get(label=YEAR)
        known = set(data.schools["school_id"].to_list())

        cells, openpyxl_seconds = _timed(_openpyxl_read, path)
        result, read_seconds = _timed(read_roster, path, known, year=int(YEAR))
        assert result.ok, result.errors[:3]
        outcome, import_seconds = _timed(
            services.import_roster, county, year, path, None, path.name
        )
        assert outcome.record is not None, outcome.errors[:3]

        teachers = services.teachers_frame(county, year)
        rotations = services.rotations_frame(county, year)
        rules = services.eligibility_for(county)
        counting = load_counting()

        def aggregate() -> tuple[pl.DataFrame, pl.DataFrame]:
            return (
                segment_counts(teachers, int(YEAR), counting=counting),
                county_rates(teachers, rotations, int(YEAR), rules, counting=counting),
            )

        (counts, rates), aggregate_seconds = _timed(aggregate)
        rows = teachers.to_dicts()
        by_hand, python_seconds = _timed(_python_counts, rows, int(YEAR), counting)
        assert by_hand["segments"] == counts.height

    standard = load_standard()
    limits = replace(default_limits(), max_hires=max_hires, mip_gap=TARGET_GAP)
    frame = planner_segments(data)

    def plan_it():
        planned = planner_teachers(teachers, int(YEAR), eligibility=rules)
        return planned, plan_rotation(planned, frame, standard, limits)

    (planned, plan), plan_seconds = _timed(plan_it)
    # The greedy rules know only the segments the plan covers (not special or private schools).
    covered = planned.join(
        frame.select("school_id", "level"), on=["school_id", "level"], how="semi"
    )
    baseline, greedy_seconds = _timed(greedy, covered, frame, standard, limits)
    planner_objective = plan_objective(planned, frame, standard, plan.moves, plan.hires, limits)
    greedy_objective = plan_objective(
        covered, frame, standard, baseline["moves"], baseline["hires"], limits
    )
    before = _cvs(data, standard)
    after = _cvs(apply_plan(data, plan), standard)
    g = {r["fact"]: r for r in rates.iter_rows(named=True)}
    return {
        "teachers": roster.teachers.height,
        "rotations": roster.rotations.height,
        "segments": frame.height,
        "import": {
            "openpyxl_seconds": openpyxl_seconds,
            "cells": cells,
            "reader_seconds": read_seconds,
            "web_import_seconds": import_seconds,
            "reader_ratio": read_seconds / openpyxl_seconds,
            "web_ratio": import_seconds / openpyxl_seconds,
        },
        "aggregation": {
            "seconds": aggregate_seconds,
            "python_seconds": python_seconds,
            "ratio": aggregate_seconds / python_seconds,
            "g9": g["training_360h_rate"]["rate"],
            "g11": g["rotation_rate"]["rate"],
            "g12": g["certified_teacher_rate"]["rate"],
        },
        "plan": {
            "seconds": plan_seconds,
            "status": plan.status,
            "gap": plan.gap,
            "eligible": plan.eligible,
            "required": plan.required_moves,
            "moves": plan.moves.height,
            "hires": int(plan.hires["hires"].sum()) if plan.hires.height else 0,
            "objective": planner_objective,
            "greedy_seconds": greedy_seconds,
            "greedy_objective": greedy_objective,
            "greedy_ratio": greedy_objective / planner_objective if planner_objective else None,
            "cvs": [
                {"level": level, "item": item, "before": cv, "after": after.get((level, item))}
                for (level, item), cv in sorted(before.items())
            ],
        },
    }


def format_report(r: dict[str, Any]) -> str:
    i, a, p = r["import"], r["aggregation"], r["plan"]
    lines = [
        f"Roster benchmark: {r['teachers']} teachers, {r['rotations']} rotations, "
        f"{r['segments']} segments",
        f"Import (target < {TARGETS['import']:.0f} s): openpyxl read {i['openpyxl_seconds']:.2f} s "
        f"({i['cells']} cells); reader {i['reader_seconds']:.2f} s "
        f"({i['reader_ratio']:.2f}x); web import on SQLite {i['web_import_seconds']:.2f} s "
        f"({i['web_ratio']:.2f}x)",
        f"Aggregation (target < {TARGETS['aggregation']:.0f} s): {a['seconds'] * 1000:.1f} ms, "
        f"plain Python {a['python_seconds'] * 1000:.1f} ms (ratio {a['ratio']:.2f}); "
        f"G9 {a['g9']:.3f}, G11 {a['g11']:.3f}, G12 {a['g12']:.3f}",
        f"Plan (target within {TARGET_GAP:.0%} in < {TARGETS['plan']:.0f} s): {p['status']}, "
        f"gap {p['gap']:.4%}, {p['seconds']:.2f} s; {p['eligible']} eligible, "
        f"{p['moves']} moves (≥ {p['required']}), {p['hires']} hires; objective "
        f"{p['objective']:.3f} vs greedy {p['greedy_objective']:.3f} "
        f"({p['greedy_ratio']:.2f}x worse, {p['greedy_seconds']:.2f} s)",
        "CV (before → after the plan):",
    ]
    for c in p["cvs"]:
        after = "—" if c["after"] is None else f"{c['after']:.4f}"
        lines.append(f"  {c['level']:8} {c['item']}: {c['before']:.4f} → {after}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=115)
    parser.add_argument("--hires", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.segments, args.hires)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
