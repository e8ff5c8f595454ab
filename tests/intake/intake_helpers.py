"""Small hand-made datasets written as CSV files in a temporary folder, and result helpers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from junheng.intake.errors import IntakeError
from junheng.intake.reader import ReadResult

Rows = Sequence[dict[str, str]]


def school(school_id: str, kind: str, county: str = "甲县", **changes: str) -> dict[str, str]:
    row = {"school_id": school_id, "name": f"{school_id}学校", "county": county, "kind": kind}
    row.update(changes)
    return row


def segment(school_id: str, level: str, **changes: str) -> dict[str, str]:
    row = {
        "school_id": school_id,
        "level": level,
        "students": "500",
        "classes": "12",
        "teachers": "30",
        "teachers_postgraduate": "2",
        "teachers_bachelor": "20",
        "teachers_associate": "8",
        "teachers_below_associate": "0",
        "backbone_teachers": "5",
        "pe_teachers": "3",
        "music_teachers": "2",
        "fine_art_teachers": "2",
        "teaching_aux_area_m2": "3000",
        "sports_ground_area_m2": "5000",
        "equipment_value_yuan": "600000",
        "multimedia_rooms": "12",
        "music_rooms": "1",
        "art_rooms": "1",
    }
    row.update(changes)
    return row


def fact(county: str, name: str, value: str, note: str = "") -> dict[str, str]:
    return {"county": county, "fact": name, "value": value, "note": note}


def base_schools() -> list[dict[str, str]]:
    return [
        school("S1", "primary"),
        school("S2", "junior"),
        school("S3", "nine_year", county="乙县"),
    ]


def base_segments() -> list[dict[str, str]]:
    """Rows 2–5 of segments.csv."""
    return [
        segment("S1", "primary"),
        segment("S2", "junior"),
        segment("S3", "primary"),
        segment("S3", "junior"),
    ]


def base_county() -> list[dict[str, str]]:
    return [
        fact("甲县", "layout_plan_ok", "是", "县政府文件"),
        fact("乙县", "training_360h_rate", "93%"),
    ]


def csv_text(rows: Rows, header: Sequence[str] | None = None) -> str:
    """CSV text of dict rows; the header is the union of keys in order unless given."""
    if header is None:
        header = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    return buffer.getvalue()


def write_csv(
    path: Path, rows: Rows, header: Sequence[str] | None = None, encoding: str = "utf-8"
) -> Path:
    path.write_bytes(csv_text(rows, header).encode(encoding))
    return path


_DEFAULTS: dict[str, Callable[[], list[dict[str, str]]]] = {
    "schools": base_schools,
    "segments": base_segments,
    "county": base_county,
}


def write_dataset(folder: Path, encoding: str = "utf-8", **tables: Rows | None) -> Path:
    """Write schools, segments and county (defaults unless given; None leaves a table out) and
    any other table given, as `<name>.csv`."""
    folder.mkdir(parents=True, exist_ok=True)
    names = dict.fromkeys([*_DEFAULTS, *tables])
    for name in names:
        rows = tables[name] if name in tables else _DEFAULTS[name]()
        if rows is not None:
            write_csv(folder / f"{name}.csv", rows, encoding=encoding)
    return folder


def codes(result: ReadResult) -> list[str]:
    return [e.code for e in result.errors]


def only(result: ReadResult, code: str) -> IntakeError:
    """The single problem with this code (fails when there is not exactly one)."""
    found = [e for e in result.errors if e.code == code]
    assert len(found) == 1, result.text()
    return found[0]
