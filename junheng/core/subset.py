"""A Dataset restricted to some of its schools: what an evaluation over approved data reads.

A county may evaluate only the schools whose data its bureau has approved. The evaluation then
runs over exactly those schools' rows, as if the others had not been reported: their segments
count in no rule, no CV and no school item, and the snapshot names them. County facts and survey
counts belong to the county, not to a school, and stay.

A teaching point and its central school are kept or left out together: in the merged mode the
central school's figures include its points, and in the separate mode a point names its central
school, so using one without the other would evaluate a school that was never reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from junheng.core.dataset import Dataset


@dataclass(frozen=True)
class Selection:
    used: frozenset[str]
    """School ids evaluated."""
    held_back: dict[str, str]
    """Approved schools left out because a school of their group is not approved: id → the id
    of that school (the central school, or one of its teaching points)."""


def select_schools(schools: pl.DataFrame, wanted: Iterable[str]) -> Selection:
    """The wanted schools that can be evaluated on their own, groups (a central school with its
    teaching points) kept whole."""
    wanted_ids = set(wanted)
    groups: dict[str, list[str]] = {}
    for school_id, parent_id in schools.select("school_id", "parent_id").iter_rows():
        groups.setdefault(parent_id or school_id, []).append(school_id)
    used: set[str] = set()
    held_back: dict[str, str] = {}
    for root, members in groups.items():
        everyone = [root, *(m for m in members if m != root)]
        missing = [m for m in everyone if m not in wanted_ids]
        if not missing:
            used.update(everyone)
            continue
        for member in everyone:
            if member in wanted_ids:
                held_back[member] = missing[0]
    return Selection(frozenset(used), held_back)


def restrict(dataset: Dataset, school_ids: Iterable[str]) -> Dataset:
    """The dataset with only the rows of `school_ids` (county facts, survey, births, finance
    and the county's class-size targets kept; projects kept when they name one of the schools
    or a school to be opened)."""
    keep = sorted(set(school_ids))
    only = pl.col("school_id").is_in(keep)
    return Dataset(
        schools=dataset.schools.filter(only),
        segments=dataset.segments.filter(only),
        county_facts=dataset.county_facts,
        school_facts=dataset.school_facts.filter(only),
        survey=dataset.survey,
        # a county fact's note has no school and stays with the county's facts
        notes=dataset.notes.filter(pl.col("school_id").is_null() | only),
        grades=dataset.grades.filter(only),
        births=dataset.births,
        classes=dataset.classes.filter(only),
        finance=dataset.finance,
        projects=dataset.projects.filter(pl.col("school_id").is_null() | only),
        staffing=dataset.staffing.filter(only),
        class_targets=dataset.class_targets,
        missing_columns=dataset.missing_columns,
        source=dataset.source,
    )
