"""What the 自评报告 tells beyond the evaluation: the rectification ledger, the survey that was
run, and the sections the county wrote itself (主要做法与成效).

Plain records, filled by the web (`junheng.web.practice.inputs.report_inputs`) or by hand, and
read by `junheng.reports.self_evaluation`. No Django: the report stays a function of what it is
given, and a missing input is a `None` the report names as missing. The headings of
主要做法与成效 are data (`practice_sections.yaml`, read by `load_sections`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from junheng.rectification.tasks import Status

TASK_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
"""The ledger's stored statuses, in the order the report counts them."""

SECTIONS_FILE = Path(__file__).with_name("practice_sections.yaml")


@dataclass(frozen=True)
class LedgerTask:
    """One task of the ledger as the report prints it."""

    measures: str
    lead_unit: str
    deadline: dt.date | None
    status: str
    """One of `TASK_STATUSES`."""
    units: tuple[str, ...] = ()
    """The responsible units besides the lead unit."""
    person: str = ""
    closed_on: dt.date | None = None
    closing_evidence: str = ""
    """What proved the closure: the evaluation it passes in, or the evidence files, in words."""

    def overdue(self, today: dt.date) -> bool:
        """逾期 as the ledger derives it: the deadline day itself is still on time."""
        return (
            self.status != Status.CLOSED.value
            and self.deadline is not None
            and today > self.deadline
        )


@dataclass(frozen=True)
class LedgerProblem:
    """A problem of the ledger with its tasks."""

    number: str
    """The problem number people read (2026-R5-小学-城关第一小学), or "" for hand-entered ones."""
    title: str
    category: str = ""
    status: str = ""
    """整改中 / 数据已达标（建议销号） / 已销号, as the ledger shows it."""
    tasks: tuple[LedgerTask, ...] = ()


@dataclass(frozen=True)
class LedgerStory:
    """The county's rectification ledger of the year."""

    problems: tuple[LedgerProblem, ...] = ()

    @property
    def tasks(self) -> list[tuple[LedgerProblem, LedgerTask]]:
        return [(p, t) for p in self.problems for t in p.tasks]

    def counts(self) -> dict[str, int]:
        """Tasks by stored status, every status present (zero when none)."""
        counts = dict.fromkeys(TASK_STATUSES, 0)
        for _, task in self.tasks:
            counts[task.status] = counts.get(task.status, 0) + 1
        return counts

    def overdue(self, today: dt.date) -> int:
        return sum(task.overdue(today) for _, task in self.tasks)


@dataclass(frozen=True)
class GroupRate:
    """One respondent group of the survey: counted answers, favourable ones, the rate."""

    group: str
    valid: int
    favourable: int
    rate: float | None


@dataclass(frozen=True)
class SurveyStory:
    """The 社会认可度调查 the county ran in the web, scored as S1 scores it."""

    title: str
    opens_on: dt.date
    closes_on: dt.date
    rate: float | None
    """Pooled recognition rate (favourable answers ÷ valid answers)."""
    responses: int
    """Questionnaires counted (flagged or excluded ones left out)."""
    required: int
    """The sample the plan asked for (0 when the plan is unknown)."""
    valid: int
    favourable: int
    groups: tuple[GroupRate, ...] = ()
    favourable_options: str = "非常满意、满意"


@dataclass(frozen=True)
class PracticeSection:
    """One section of 主要做法与成效: its key and heading from `practice_sections.yaml` and the
    text the county saved ("" when it has not written the section yet)."""

    key: str
    heading: str
    text: str = ""


@dataclass(frozen=True)
class SectionSpec:
    """A heading of 主要做法与成效 as data: what the writer is asked for and which engine
    figures are offered beside the text box."""

    key: str
    heading: str
    hint: str
    indicators: tuple[str, ...] = ()
    """Part R indicators: per level, how many segments meet, the CV and its limit, the gap."""
    items: tuple[str, ...] = ()
    """G/Q/S items: each check's value against its requirement."""
    verdict: bool = False
    """Offer the overall verdict sentence."""


@dataclass(frozen=True)
class SectionsFileError(ValueError):
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}：{self.problem}"


_SECTION_KEYS = {"key", "heading", "hint", "indicators", "items", "verdict"}


def load_sections(path: Path | None = None) -> tuple[SectionSpec, ...]:
    """The headings of 主要做法与成效 in their order (the bundled file unless `path` is given);
    unknown or missing keys and duplicate sections are refused with the file named."""
    return _bundled_sections() if path is None else _read_sections(path)


@functools.cache
def _bundled_sections() -> tuple[SectionSpec, ...]:
    # read once per process: pages and the admin list ask for the headings per row
    return _read_sections(SECTIONS_FILE)


def _read_sections(path: Path) -> tuple[SectionSpec, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise SectionsFileError(str(path), "缺少 sections 列表")
    specs: list[SectionSpec] = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise SectionsFileError(str(path), f"第 {n} 节不是键值表")
        unknown = sorted(set(row) - _SECTION_KEYS)
        if unknown:
            raise SectionsFileError(str(path), f"第 {n} 节有未知的键：{'、'.join(unknown)}")
        for key in ("key", "heading", "hint"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise SectionsFileError(str(path), f"第 {n} 节缺少 {key}")
        specs.append(
            SectionSpec(
                key=row["key"],
                heading=row["heading"],
                hint=row["hint"],
                indicators=tuple(_strings(path, n, row, "indicators")),
                items=tuple(_strings(path, n, row, "items")),
                verdict=bool(row.get("verdict", False)),
            )
        )
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise SectionsFileError(str(path), "节的 key 重复")
    return tuple(specs)


def _strings(path: Path, n: int, row: dict[str, Any], key: str) -> list[str]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SectionsFileError(str(path), f"第 {n} 节的 {key} 应为文字列表")
    return value


def practice_sections(
    texts: dict[str, str], specs: tuple[SectionSpec, ...] | None = None
) -> list[PracticeSection]:
    """Every heading of the file in order with the county's text for it ("" when unwritten)."""
    return [
        PracticeSection(s.key, s.heading, texts.get(s.key, ""))
        for s in (specs if specs is not None else load_sections())
    ]
