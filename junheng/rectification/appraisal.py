"""整改工作考核: a periodic score per unit (成员单位, 乡镇) and per township, from plain records of
the ledger. Pure: no Django, no clock — the day and every date are given as local dates (the
county's zone), so a page, the bulletin and a test given the same records agree.

The formula is data (`appraisal.yaml` beside this module): components with weight, direction,
scoring and source. A county's own file `extends` it key by key (`junheng.standards.overlay`);
the weights must still add up to the total.

Components (period [start, end]; `as_of` = the earlier of the period's end and today):

- closure (整改销号率): tasks due in [start, as_of] → how many were closed by `as_of`;
- overdue (逾期任务): tasks past their deadline at `as_of` (deadline < as_of, the ledger's rule)
  and not closed before the period began → how many are still not closed at `as_of`;
- findings (督导检查发现问题): problems of source 督导检查 found in [start, as_of], counted
  against the parties they name (the township of the school, the township's 乡镇 units, the
  units leading the work);
- timeliness (进展报送及时性): tasks being worked on in the period (created by `as_of`, not
  closed before `start`) → how many have a progress report dated in [start, as_of].

A task counts for every party it names (its lead and responsible units, the townships), so a
unit's numbers here are of the tasks it leads or takes part in, due or worked on in the period;
the bulletin's 各单位整改进展 counts only the tasks a unit leads, whatever their deadline.

A party with fewer 考核事项 in the period than the formula's `min_items` (tasks counted in any
component plus findings) is listed apart, unranked: with nothing to appraise every share
component would give full marks, and such a unit would top the ranking for doing nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from junheng.core.standard import StandardError
from junheng.standards import overlay, read_yaml

FORMULA_FILE = Path(__file__).with_name("appraisal.yaml")
COMPONENTS = ("closure", "overdue", "findings", "timeliness")
"""The components this module can measure, in the order pages list them."""
_COMPONENT_KEYS = {
    "label",
    "weight",
    "direction",
    "scoring",
    "per_item",
    "measure",
    "numerator",
    "denominator",
    "source",
}
_REQUIRED = ("label", "weight", "direction", "scoring", "measure", "source")
_TOP_KEYS = {"extends", "name", "total", "min_items", "components"}
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
KINDS = {"quarter": "季度", "year": "年度"}


class AppraisalError(ValueError):
    """A formula file or a period that is not well formed; the message is Chinese."""


# ---- the formula --------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: float
    direction: str
    scoring: str
    measure: str
    source: str
    numerator: str = "分子"
    denominator: str = "分母"
    per_item: float = 0.0


@dataclass(frozen=True)
class Formula:
    name: str
    total: float
    components: tuple[Component, ...]
    origin: str
    """The file (and the files it extends) the formula was read from."""
    min_items: int = 0
    """A party with fewer 考核事项 (tasks counted in any component plus findings) in the period
    is not ranked; 0 ranks everyone (a file without `min_items`)."""

    @property
    def weight_sum(self) -> float:
        return sum(c.weight for c in self.components)

    @property
    def apart_label(self) -> str:
        """What pages, the bulletin and the .xlsx say of a party listed apart."""
        if self.min_items > 1:
            return f"本期考核事项不足 {self.min_items} 项，不参与排名"
        return "本期无考核事项，不参与排名"


def _refused(origin: str, where: str, problem: str) -> AppraisalError:
    return AppraisalError(f"考核计分办法 {origin}：{where}：{problem}")


def _number(value: Any, origin: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AppraisalError(f"考核计分办法 {origin}：{where}：应为数字，实际为“{value}”")
    if value < 0:
        raise AppraisalError(f"考核计分办法 {origin}：{where}：不能为负数")
    return float(value)


def _text(value: Any, origin: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AppraisalError(f"考核计分办法 {origin}：{where}：应为非空文字")
    return value.strip()


def formula_from(data: Mapping[str, Any], origin: str) -> Formula:
    """A formula from a mapping (`extends` already resolved), strictly: unknown keys, missing
    fields, unknown components and weights not adding up to the total are refused."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise AppraisalError(f"考核计分办法 {origin}：不认识的字段 {'、'.join(unknown)}")
    name = _text(data.get("name"), origin, "name")
    total = _number(data.get("total"), origin, "total")
    min_items = _number(data.get("min_items", 0), origin, "min_items")
    if min_items != int(min_items):
        raise AppraisalError(f"考核计分办法 {origin}：min_items：应为整数")
    raw = data.get("components")
    if not isinstance(raw, Mapping) or not raw:
        raise AppraisalError(f"考核计分办法 {origin}：components：应列出各计分分项")
    components: list[Component] = []
    for key, spec in raw.items():
        where = f"components.{key}"
        if key not in COMPONENTS:
            raise AppraisalError(
                f"考核计分办法 {origin}：{where}：不认识的分项（可用：{'、'.join(COMPONENTS)}）"
            )
        if not isinstance(spec, Mapping):
            raise AppraisalError(f"考核计分办法 {origin}：{where}：应为键值映射")
        extra = sorted(set(spec) - _COMPONENT_KEYS)
        if extra:
            raise AppraisalError(f"考核计分办法 {origin}：{where}：不认识的字段 {'、'.join(extra)}")
        for required in _REQUIRED:
            if required not in spec:
                raise AppraisalError(f"考核计分办法 {origin}：{where}.{required}：缺少必填字段")
        direction, scoring = spec["direction"], spec["scoring"]
        if direction not in DIRECTIONS:
            raise _refused(
                origin, f"{where}.direction", "应为 higher（越高越好）或 lower（越低越好）"
            )
        if scoring not in ("share", "deduct"):
            raise _refused(
                origin, f"{where}.scoring", "应为 share（比例计分）或 deduct（扣分计分）"
            )
        if scoring == "deduct" and direction != "lower":
            raise _refused(origin, where, "扣分计分只适用于越低越好（direction: lower）的分项")
        if scoring == "deduct" and "per_item" not in spec:
            raise _refused(origin, f"{where}.per_item", "扣分计分须写明每个扣几分")
        components.append(
            Component(
                key=key,
                label=_text(spec["label"], origin, f"{where}.label"),
                weight=_number(spec["weight"], origin, f"{where}.weight"),
                direction=direction,
                scoring=scoring,
                measure=_text(spec["measure"], origin, f"{where}.measure"),
                source=_text(spec["source"], origin, f"{where}.source"),
                numerator=_text(spec.get("numerator", "分子"), origin, f"{where}.numerator"),
                denominator=_text(spec.get("denominator", "分母"), origin, f"{where}.denominator"),
                per_item=_number(spec.get("per_item", 0), origin, f"{where}.per_item"),
            )
        )
    formula = Formula(
        name=name,
        total=total,
        components=tuple(components),
        origin=origin,
        min_items=int(min_items),
    )
    if abs(formula.weight_sum - total) > 1e-9:
        raise AppraisalError(
            f"考核计分办法 {origin}：各分项权重之和为 {formula.weight_sum:g} 分，"
            f"应等于总分 {total:g} 分"
        )
    return formula


def _resolved(path: Path, seen: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = read_yaml(path)
    except StandardError as exc:
        raise AppraisalError(f"考核计分办法 {path.name}：{exc.where}：{exc.problem}") from None
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise AppraisalError(f"考核计分办法 {path.name}：extends：应为被继承文件的文件名")
    if path.name in seen:
        raise AppraisalError(f"考核计分办法 {path.name}：extends：继承关系形成循环")
    candidates = [path.parent / parent, FORMULA_FILE.parent / parent]
    base_path = next((p for p in candidates if p.is_file()), None)
    if base_path is None:
        raise AppraisalError(f"考核计分办法 {path.name}：extends：找不到被继承的文件“{parent}”")
    base = _resolved(base_path, (*seen, path.name))
    variant = {k: v for k, v in data.items() if k != "extends"}
    try:
        return overlay({k: v for k, v in base.items() if k != "extends"}, variant, path.name, "")
    except StandardError as exc:
        raise AppraisalError(f"考核计分办法 {path.name}：{exc.where}：{exc.problem}") from None


def load_formula(path: Path = FORMULA_FILE) -> Formula:
    """The formula of a file, its `extends` chain resolved; `AppraisalError` names file and
    field of any problem."""
    return formula_from(_resolved(path, ()), path.name)


# ---- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    """"quarter" or "year"."""
    year: int
    quarter: int = 0
    """1–4 for a quarter, 0 for a year."""

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.kind == "year" else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.kind == "year" or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def code(self) -> str:
        """What a URL carries: 2026Q1 or 2026."""
        return f"{self.year}Q{self.quarter}" if self.kind == "quarter" else str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}年{QUARTERS[self.quarter - 1]}"
        return f"{self.year}年度"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_of(self, today: date) -> date:
        """The day the period is judged at: its end, or today while it runs."""
        return min(self.end, today)


def period_of(day: date, kind: str) -> Period:
    if kind == "year":
        return Period("year", day.year)
    return Period("quarter", day.year, (day.month - 1) // 3 + 1)


def parse_period(code: str) -> Period:
    """2026Q1 … 2026Q4 or 2026; AppraisalError (Chinese) otherwise."""
    text = code.strip().upper()
    try:
        if "Q" in text:
            year, quarter = text.split("Q")
            if int(quarter) in (1, 2, 3, 4) and len(year) == 4:
                return Period("quarter", int(year), int(quarter))
        elif len(text) == 4:
            return Period("year", int(text))
    except ValueError:
        pass
    raise AppraisalError(f"考核周期“{code}”无法识别，应为某年度（如 2026）或某季度（如 2026Q1）")


def periods_between(first: date, last: date, kind: str) -> list[Period]:
    """The periods of a kind from the one holding `first` to the one holding `last`, newest
    first."""
    start, end = period_of(min(first, last), kind), period_of(max(first, last), kind)
    periods = [end]
    while periods[-1] != start:
        p = periods[-1]
        if kind == "year":
            periods.append(Period("year", p.year - 1))
        elif p.quarter == 1:
            periods.append(Period("quarter", p.year - 1, 4))
        else:
            periods.append(Period("quarter", p.year, p.quarter - 1))
    return periods


# ---- records and scores ---------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """Who is appraised: a unit of the organisation or a township."""

    key: str
    name: str
    group: str
    """"unit" (成员单位 and 乡镇 units) or "township" (a township's schools)."""
    kind: str = ""
    """What people read beside the name: 成员单位, 乡镇, 乡镇（学区）."""


@dataclass(frozen=True)
class TaskRecord:
    parties: frozenset[str]
    """The parties the task counts for (party keys)."""
    deadline: date
    created_on: date
    closed_on: date | None = None
    reports: tuple[date, ...] = ()
    """Local dates of its progress reports and status steps."""


@dataclass(frozen=True)
class FindingRecord:
    parties: frozenset[str]
    found_on: date


@dataclass(frozen=True)
class ComponentScore:
    key: str
    label: str
    weight: float
    numerator: int
    denominator: int | None
    """None for a deduction (the count is the numerator)."""
    points: float
    explanation: str


@dataclass(frozen=True)
class PartyScore:
    party: Party
    components: tuple[ComponentScore, ...]
    total: float
    rank: int = 0
    """1, 2, … within its group; 0 for a party listed apart (not ranked)."""
    items: int = 0
    """Its 考核事项 in the period: tasks counted in any component plus findings."""

    @property
    def explanation(self) -> str:
        return "；".join(c.explanation for c in self.components)


@dataclass(frozen=True)
class Counts:
    """What a party's records come to in a period, before the formula is applied."""

    due: int = 0
    closed: int = 0
    past_due: int = 0
    overdue: int = 0
    findings: int = 0
    active: int = 0
    reported: int = 0
    tasks: int = 0
    """Tasks counted in any component (due in the period or worked on in it)."""

    @property
    def items(self) -> int:
        """考核事项: the tasks and findings the party is appraised on in the period."""
        return self.tasks + self.findings


def counts(
    tasks: Iterable[TaskRecord], findings: Iterable[FindingRecord], period: Period, today: date
) -> Counts:
    """The counts of one party's records in the period (see the module's docstring)."""
    start, as_of = period.start, period.as_of(today)
    due = closed = past_due = overdue = active = reported = counted = 0
    for t in tasks:
        if t.created_on > as_of:
            continue
        closed_by_then = t.closed_on is not None and t.closed_on <= as_of
        is_due = start <= t.deadline <= as_of
        if is_due:
            due += 1
            closed += closed_by_then
        closed_before = t.closed_on is not None and t.closed_on < start
        if t.deadline < as_of and not closed_before:
            past_due += 1
            overdue += not closed_by_then
        if not closed_before:
            active += 1
            reported += any(start <= d <= as_of for d in t.reports)
        # past due implies not closed before the period, so due or active covers every count
        counted += is_due or not closed_before
    found = sum(1 for f in findings if start <= f.found_on <= as_of)
    return Counts(due, closed, past_due, overdue, found, active, reported, counted)


def _share_points(c: Component, numerator: int, denominator: int) -> float:
    if denominator == 0:
        return c.weight
    share = numerator / denominator
    return c.weight * (share if c.direction == "higher" else 1 - share)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def component_score(c: Component, numerator: int, denominator: int | None) -> ComponentScore:
    """One component's points with the sentence that explains them."""
    if c.scoring == "deduct":
        points = max(0.0, c.weight - c.per_item * numerator)
        text = (
            f"{c.label}：{c.numerator} {numerator} 个，每个扣 {_fmt(c.per_item)} 分，"
            f"得 {_fmt(points)}/{_fmt(c.weight)} 分"
        )
        return ComponentScore(c.key, c.label, c.weight, numerator, None, points, text)
    denominator = denominator or 0
    points = _share_points(c, numerator, denominator)
    if denominator == 0:
        text = f"{c.label}：无{c.denominator}，得满分 {_fmt(c.weight)} 分"
    else:
        share = numerator / denominator
        text = (
            f"{c.label}：{c.numerator} {numerator}/{c.denominator} {denominator}"
            f"（{share:.1%}），得 {_fmt(points)}/{_fmt(c.weight)} 分"
        )
    return ComponentScore(c.key, c.label, c.weight, numerator, denominator, points, text)


def _fractions(n: Counts) -> dict[str, tuple[int, int | None]]:
    return {
        "closure": (n.closed, n.due),
        "overdue": (n.overdue, n.past_due),
        "findings": (n.findings, None),
        "timeliness": (n.reported, n.active),
    }


def score_party(
    party: Party,
    tasks: Iterable[TaskRecord],
    findings: Iterable[FindingRecord],
    formula: Formula,
    period: Period,
    today: date,
) -> PartyScore:
    n = counts(tasks, findings, period, today)
    fractions = _fractions(n)
    parts = tuple(component_score(c, *fractions[c.key]) for c in formula.components)
    return PartyScore(party, parts, round(sum(p.points for p in parts), 2), items=n.items)


def rank(scores: Sequence[PartyScore]) -> list[PartyScore]:
    """Highest total first (ties by name); equal totals share a rank (1, 1, 3)."""
    ordered = sorted(scores, key=lambda s: (-s.total, s.party.name))
    ranked: list[PartyScore] = []
    for i, s in enumerate(ordered):
        same = ranked and ranked[-1].total == s.total
        position = ranked[-1].rank if same else i + 1
        ranked.append(replace(s, rank=position))
    return ranked


@dataclass(frozen=True)
class Appraisal:
    period: Period
    as_of: date
    formula: Formula
    units: list[PartyScore]
    townships: list[PartyScore]
    units_apart: list[PartyScore] = field(default_factory=list)
    """Units with fewer 考核事项 than the formula's `min_items`: scored, not ranked (rank 0)."""
    townships_apart: list[PartyScore] = field(default_factory=list)


def appraise(
    parties: Sequence[Party],
    tasks: Sequence[TaskRecord],
    findings: Sequence[FindingRecord],
    formula: Formula,
    period: Period,
    today: date,
) -> Appraisal:
    """Every party's score in the period, ranked within its group; parties with fewer
    考核事项 than the formula's `min_items` listed apart, by name."""
    by_party: dict[str, list[TaskRecord]] = {p.key: [] for p in parties}
    found_by: dict[str, list[FindingRecord]] = {p.key: [] for p in parties}
    for t in tasks:
        for key in t.parties:
            if key in by_party:
                by_party[key].append(t)
    for f in findings:
        for key in f.parties:
            if key in found_by:
                found_by[key].append(f)
    scores = [
        score_party(p, by_party[p.key], found_by[p.key], formula, period, today) for p in parties
    ]
    ranked = [s for s in scores if s.items >= formula.min_items]
    apart = sorted((s for s in scores if s.items < formula.min_items), key=lambda s: s.party.name)
    return Appraisal(
        period=period,
        as_of=period.as_of(today),
        formula=formula,
        units=rank([s for s in ranked if s.party.group == "unit"]),
        townships=rank([s for s in ranked if s.party.group == "township"]),
        units_apart=[s for s in apart if s.party.group == "unit"],
        townships_apart=[s for s in apart if s.party.group == "township"],
    )
