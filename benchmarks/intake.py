"""Import benchmark: county workbook, per-school workbooks, province workbook.

Targets: a 400-school county workbook imported and validated in under 2 s; 400 separate
per-school workbooks in under 10 s; a 20,000-school province workbook in under 30 s. Each case
also times reading the same files with plain openpyxl cell iteration (load the workbook, visit
every cell's value, nothing else) and prints the ratio baseline / import.

    .venv/bin/python benchmarks/intake.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl

from junheng.core.dataset import Dataset
from junheng.demo import national_dataset
from junheng.intake.importer import import_sources
from junheng.intake.school_form import write_school_workbooks
from junheng.intake.writer import write_xlsx


def _schools(counties: int, per_county: int = 67, seed: int = 7) -> Dataset:
    return national_dataset(counties=counties, segments_per_county=per_county, seed=seed)


def _first_schools(dataset: Dataset, n: int) -> Dataset:
    ids = dataset.schools.filter(~pl.col("kind").is_in(["special", "vocational"]))["school_id"]
    keep = pl.col("school_id").is_in(ids.head(n).implode())
    return Dataset.build(
        dataset.schools.filter(keep),
        dataset.segments.filter(keep),
        county_facts=dataset.county_facts,
        school_facts=dataset.school_facts.filter(keep),
        survey=dataset.survey,
    )


def _plain_openpyxl(paths: list[Path]) -> None:
    for path in paths:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    _ = cell.value
        book.close()


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _case(name: str, target: float, files: list[Path], work: Path) -> dict[str, object]:
    into = work / f"dataset-{name}"
    seconds, result = _timed(lambda: import_sources(files, into, write=False))
    if not result.ok:  # type: ignore[attr-defined]
        errors = result.blocking[:5]  # type: ignore[attr-defined]
        raise SystemExit(f"{name}: import failed: {[e.message for e in errors]}")
    baseline, _ = _timed(lambda: _plain_openpyxl(files))
    schools = result.dataset.schools.height  # type: ignore[attr-defined]
    return {
        "case": name,
        "files": len(files),
        "schools": schools,
        "seconds": seconds,
        "target": target,
        "baseline": baseline,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (for tests)")
    args = parser.parse_args(argv)
    county_n, forms_n, province_counties = (40, 20, 3) if args.quick else (400, 400, 313)
    rows = []
    with tempfile.TemporaryDirectory(prefix="junheng-bench-") as tmp:
        work = Path(tmp)
        county = _first_schools(_schools(8), county_n)
        county_book = work / "county.xlsx"
        write_xlsx(county, county_book, chinese_headers=True)
        rows.append(_case("county workbook", 2.0, [county_book], work))

        forms = write_school_workbooks(
            _first_schools(_schools(8, seed=8), forms_n),
            work / "forms",
            current=_first_schools(_schools(8, seed=8), forms_n),
        )
        facts = work / "county-facts.xlsx"
        write_xlsx(_first_schools(_schools(8, seed=8), 1), facts, chinese_headers=True)
        book = openpyxl.load_workbook(facts)
        for name in book.sheetnames:
            if name != "县级指标":
                del book[name]
        book.save(facts)
        rows.append(_case("per-school workbooks", 10.0, [*forms, facts], work))

        province = _schools(province_counties, seed=9)
        province_book = work / "province.xlsx"
        write_xlsx(province, province_book, chinese_headers=True)
        rows.append(_case("province workbook", 30.0, [province_book], work))

    load = os.getloadavg()
    print(f"Import benchmark ({os.cpu_count()} CPUs, load {load[0]:.2f} / {load[1]:.2f})")
    print(
        f"{'case':<22}{'files':>7}{'schools':>9}{'import s':>10}{'target':>9}"
        f"{'openpyxl s':>12}{'ratio':>8}"
    )
    ok = True
    for r in rows:
        met = r["seconds"] < r["target"]  # type: ignore[operator]
        ok &= met
        ratio = r["baseline"] / r["seconds"]  # type: ignore[operator]
        print(
            f"{r['case']:<22}{r['files']:>7}{r['schools']:>9}{r['seconds']:>10.2f}"
            f"{'<' + format(r['target'], 'g') + ' s':>9}{r['baseline']:>12.2f}{ratio:>7.1f}×"
            f"  {'✓' if met else '✗'}"
        )
    print("ratio = plain openpyxl cell iteration time / import-and-validate time")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
