"""A teacher roster row for the roster tests: an ordinary teacher unless told otherwise."""

from __future__ import annotations

import datetime as dt


def teacher(
    teacher_id: str = "T1", school: str = "S1", level: str = "primary", **fields: object
) -> dict[str, object]:
    """A row of TEACHER_SCHEMA teaching one level; `fields` replace any of its values."""
    row: dict[str, object] = {
        "school_id": school,
        "teacher_id": teacher_id,
        "name": "张老师",
        "id_number": None,
        "levels": level,
        "level": level,
        "subject": "语文",
        "degree": "bachelor",
        "backbone": "none",
        "certificate": "yes",
        "training_hours": 360.0,
        "joined_year": 2018,
        "career_start_year": 2010,
        # 46 on 2026-08-01: far from either retirement age.
        "birth_date": dt.date(1980, 3, 15),
        "gender": "male",
        "post_type": "established",
        "status": "in_post",
    }
    row.update(fields)
    return row
