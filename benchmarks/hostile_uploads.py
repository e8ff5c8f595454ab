"""Hostile uploads benchmark: time and peak memory of refusing a zip bomb and a sheet of
1,048,575 rows, against reading an ordinary county workbook in the same run.

Each case runs in its own process (the import and its report, as `junheng import` and the web
import do them), so its peak resident memory (getrusage ru_maxrss) is its own. Targets: every
refusal within 15 s and under 600 MB.

    .venv/bin/python benchmarks/hostile_uploads.py [--quick]

--quick builds a 100 MB bomb instead of 1 GiB (the refusal reads the zip directory only, so the
declared size does not change its cost; building the file does).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import polars as pl

from junheng.demo import national_dataset
from junheng.intake.writer import write_xlsx

TARGET_SECONDS = 15.0
TARGET_MB = 600.0
EXCEL_ROWS = 1_048_575
_SEGMENTS = "xl/worksheets/sheet2.xml"


def _county_workbook(path: Path, schools: int = 400) -> Path:
    data = national_dataset(counties=6, segments_per_county=67, seed=7)
    keep = pl.col("school_id").is_in(data.schools["school_id"].head(schools).implode())
    data = data.__class__.build(
        data.schools.filter(keep),
        data.segments.filter(keep),
        data.county_facts,
    )
    write_xlsx(data, path, chinese_headers=True)
    return path


def _copy_with(source: Path, target: Path, member: str, write: object) -> Path:
    """`source` with `member` replaced by what `write(stream)` writes, deflated, streamed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename == member:
                with new.open(member, "w", force_zip64=True) as stream:
                    write(stream)  # type: ignore[operator]
            else:
                new.writestr(item.filename, old.read(item.filename))
    return target


def _bomb(normal: Path, target: Path, mb: int) -> Path:
    """The county workbook whose 学段 sheet inflates to `mb` MB (a comment of one byte)."""
    original = zipfile.ZipFile(normal).read(_SEGMENTS)
    head, _, tail = original.partition(b"<sheetData")

    def write(stream: object) -> None:
        stream.write(head + b"<!--")  # type: ignore[attr-defined]
        block = b"x" * 2**20
        for _ in range(mb):
            stream.write(block)  # type: ignore[attr-defined]
        stream.write(b"--><sheetData" + tail)  # type: ignore[attr-defined]

    return _copy_with(normal, target, _SEGMENTS, write)


def _long_sheet(normal: Path, target: Path, dimension: str) -> Path:
    """The county workbook whose 学段 sheet has 1,048,575 rows (a header, then one school)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def write(stream: object) -> None:
        stream.write(  # type: ignore[attr-defined]
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
            f'<dimension ref="{dimension}"/><sheetData>'.encode()
        )
        header = (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>学校标识码</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>学段</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>在校生数</t></is></c></row>'
        )
        stream.write(header.encode())  # type: ignore[attr-defined]
        chunk: list[str] = []
        for r in range(2, EXCEL_ROWS + 1):
            chunk.append(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>S{r}</t></is></c>'
                f'<c r="B{r}" t="inlineStr"><is><t>小学</t></is></c>'
                f'<c r="C{r}"><v>{r}</v></c></row>'
            )
            if len(chunk) == 10_000:
                stream.write("".join(chunk).encode())  # type: ignore[attr-defined]
                chunk = []
        stream.write(("".join(chunk) + "</sheetData></worksheet>").encode())  # type: ignore[attr-defined]

    return _copy_with(normal, target, _SEGMENTS, write)


def _measure(path: Path, report: Path) -> dict[str, object]:
    """Import `path` (validate only) and write its report, in this process."""
    from junheng.intake.importer import validate_sources
    from junheng.intake.report import write_import_report

    started = time.perf_counter()
    result = validate_sources([path])
    written = write_import_report(result.errors, result.sources, report) if result.errors else []
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": elapsed,
        "peak_mb": peak_kb / 1024,
        "codes": sorted({e.code for e in result.errors if e.severity == "error"}),
        "reports": [p.name for p in written],
        "first": result.errors[0].message if result.errors else "",
    }


def _run_case(path: Path, report: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", str(path), "--report", str(report)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case is not None:
        print(json.dumps(_measure(args.case, args.report), ensure_ascii=False))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        normal = _county_workbook(folder / "县.xlsx")
        bomb_mb = 100 if args.quick else 1024
        built = time.perf_counter()
        cases = {
            "ordinary county workbook (baseline)": normal,
            f"zip bomb ({bomb_mb} MB 学段 sheet)": _bomb(normal, folder / "炸弹.xlsx", bomb_mb),
            "1,048,575 rows, dimension recorded": _long_sheet(
                normal, folder / "长表.xlsx", f"A1:C{EXCEL_ROWS}"
            ),
            "1,048,575 rows, dimension says A1": _long_sheet(normal, folder / "长表2.xlsx", "A1"),
        }
        print(f"files built in {time.perf_counter() - built:.1f} s")
        for name, path in cases.items():
            print(f"  {name}: {path.stat().st_size / 2**20:.1f} MB on disk")
        results = {
            name: _run_case(path, folder / f"report{i}")
            for i, (name, path) in enumerate(cases.items())
        }
    base = results["ordinary county workbook (baseline)"]
    print(f"\n{'case':44} {'seconds':>8} {'× base':>7} {'peak MB':>8} {'× base':>7}  refused as")
    failed = False
    for name, result in results.items():
        seconds, peak = float(result["seconds"]), float(result["peak_mb"])  # type: ignore[arg-type]
        print(
            f"{name:44} {seconds:8.2f} {seconds / float(base['seconds']):7.2f} "  # type: ignore[arg-type]
            f"{peak:8.0f} {peak / float(base['peak_mb']):7.2f}  "  # type: ignore[arg-type]
            f"{', '.join(result['codes']) or '—'}"  # type: ignore[arg-type]
        )
        if result is not base:
            failed |= seconds > TARGET_SECONDS or peak > TARGET_MB or not result["codes"]
            print(f"{'':44} {result['first']}")
            print(f"{'':44} reports: {', '.join(result['reports'])}")  # type: ignore[arg-type]
    print(
        f"\ntargets: refused within {TARGET_SECONDS:g} s and under {TARGET_MB:g} MB: "
        + ("missed" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
