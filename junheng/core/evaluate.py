"""`evaluate(dataset, standard)`: the whole evaluation, pure and deterministic.

Scope and apportionment → Part R values and the per-segment rule → CVs → Parts G, Q, S and
vetoes → part verdicts → the county verdict with reasons → gap quantities. The result is an
`Evaluation`; every shell (CLI, web, reports) reads it and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from junheng.core.balance import compute_balance, top_contributors
from junheng.core.checks import ItemResult, all_of, county_frame, evaluate_items, school_frame
from junheng.core.dataset import Dataset
from junheng.core.gaps import gap_totals, school_gaps, segment_gaps
from junheng.core.resources import apply_segment_rule, compute_values
from junheng.core.schema import LEVEL_ZH, LEVELS
from junheng.core.scope import prepare_segments
from junheng.core.standard import Standard

PART_KEYS: dict[str, str] = {"R": "R", "G": "G", "Q": "Q", "S": "S", "V": "veto"}
"""Standard part id → key in the evaluation output (`parts`)."""


@dataclass(frozen=True)
class PartResult:
    part: str
    name: str
    passes: bool | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CountyVerdict:
    county: str
    parts: dict[str, PartResult]
    passes: bool | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """Everything the evaluation decided, for every county of the dataset."""

    standard: Standard
    counties: list[str]
    segments: pl.DataFrame
    balance: pl.DataFrame
    contributions: pl.DataFrame
    items: dict[str, list[ItemResult]]
    verdicts: dict[str, CountyVerdict]
    gaps: pl.DataFrame
    totals: pl.DataFrame
    notes: pl.DataFrame = field(default_factory=pl.DataFrame)

    def item(self, county: str, item_id: str) -> ItemResult:
        for result in self.items[county]:
            if result.item == item_id:
                return result
        raise KeyError(item_id)

    def top_contributors(self, limit: int = 5) -> pl.DataFrame:
        return top_contributors(self.balance, self.contributions, limit)

    def to_dict(self) -> dict[str, Any]:
        from junheng.core.output import evaluation_to_dict

        return evaluation_to_dict(self)


def _part_r(county: str, segments: pl.DataFrame, balance: pl.DataFrame) -> PartResult:
    scoped = segments.filter(pl.col("in_scope"))
    if scoped.is_empty():
        return PartResult("R", "", None, ("没有纳入评估范围的学段，无法判定",))
    seg_values = scoped["passes"].to_list()
    cv_values = balance["passes"].to_list()
    passes = all_of(seg_values + cv_values)
    reasons: list[str] = []
    n_fail = seg_values.count(False)
    n_null = seg_values.count(None)
    total = len(seg_values)
    if n_fail:
        by_level = scoped.filter(pl.col("passes") == False)["level"].value_counts(sort=True)  # noqa: E712
        detail = "，".join(
            f"{LEVEL_ZH.get(level, level)} {count} 个" for level, count in by_level.iter_rows()
        )
        reasons.append(f"{total} 个学段中 {n_fail} 个未达到每所学校资源配置要求（{detail}）")
    if n_null:
        reasons.append(f"{n_null} 个学段因数据缺失无法判定")
    for row in balance.filter(pl.col("passes") != True).iter_rows(named=True):  # noqa: E712
        reasons.append(row["reason"])
    if passes:
        reasons.append(f"{total} 个学段全部达标，各项差异系数均在限值内")
    return PartResult("R", "", passes, tuple(reasons))


def _part_items(part: str, results: list[ItemResult]) -> PartResult:
    mine = [r for r in results if r.item[0] == part]
    passes = all_of([r.passes for r in mine])
    if passes:
        reasons = (f"{len(mine)} 项全部符合要求",)
    else:
        reasons = tuple(
            f"{r.item} {'不符合' if r.passes is False else '无法判定'}：{r.reason}"
            for r in mine
            if r.passes is not True
        )
    return PartResult(part, "", passes, reasons)


def evaluate(dataset: Dataset, standard: Standard) -> Evaluation:
    """Evaluate every county of `dataset` against `standard` (with its policies applied)."""
    segments = prepare_segments(dataset, standard)
    segments = apply_segment_rule(compute_values(segments, standard), standard)
    balance, contributions = compute_balance(segments, standard)
    counties = dataset.counties
    county = county_frame(dataset.county_facts, dataset.survey, standard)
    schools = school_frame(segments, dataset.school_facts)
    items = evaluate_items(standard, counties, county, schools, segments)

    seg_by_county = {k[0]: v for k, v in segments.partition_by("county", as_dict=True).items()}
    bal_by_county = {k[0]: v for k, v in balance.partition_by("county", as_dict=True).items()}
    verdicts: dict[str, CountyVerdict] = {}
    for name in counties:
        seg = seg_by_county.get(name, segments.clear())
        bal = bal_by_county.get(name, balance.clear())
        bal = _complete_balance(name, bal, standard)
        parts = {"R": _part_r(name, seg, bal)}
        for part in ("G", "Q", "S", "V"):
            parts[part] = _part_items(part, items[name])
        parts = {
            key: PartResult(key, standard.parts.get(key, key), p.passes, p.reasons)
            for key, p in parts.items()
        }
        passes = all_of([p.passes for p in parts.values()])
        verdicts[name] = CountyVerdict(name, parts, passes, _verdict_reasons(parts, passes))

    gaps = pl.concat([segment_gaps(segments, standard), school_gaps(items, standard)])
    return Evaluation(
        standard=standard,
        counties=counties,
        segments=segments,
        balance=pl.concat(
            [
                _complete_balance(c, bal_by_county.get(c, balance.clear()), standard)
                for c in counties
            ]
        )
        if counties
        else balance,
        contributions=contributions,
        items=items,
        verdicts=verdicts,
        gaps=gaps,
        totals=gap_totals(gaps),
        notes=dataset.notes,
    )


def _complete_balance(county: str, balance: pl.DataFrame, standard: Standard) -> pl.DataFrame:
    """Add a 'cannot decide' row for every level and indicator the county has no segments for."""
    have = {
        (r["level"], r["indicator"])
        for r in balance.select("level", "indicator").iter_rows(named=True)
    }
    missing = [
        {
            "county": county,
            "level": level,
            "indicator": item.id,
            "n": 0,
            "n_missing": 0,
            "limit": item.cv_limit[level],
            "reason": f"没有纳入评估范围的{zh}学段，差异系数无法计算",
        }
        for level, zh in LEVELS
        for item in standard.ratio_items
        if (level, item.id) not in have
    ]
    if not missing:
        return balance
    extra = pl.DataFrame(missing).with_columns(pl.lit(None, pl.Boolean).alias("passes"))
    return pl.concat([balance, extra], how="diagonal_relaxed").select(balance.columns)


def _verdict_reasons(parts: dict[str, PartResult], passes: bool | None) -> tuple[str, ...]:
    if passes:
        return (
            "资源配置、政府保障程度、教育质量、社会认可度四个方面全部达到要求，且无一票否决情形",
        )
    reasons = []
    for key, part in parts.items():
        if part.passes is False:
            label = "存在一票否决情形" if key == "V" else f"{part.name}未达到要求"
            reasons.append(f"{label}：{'；'.join(part.reasons)}")
    for key, part in parts.items():
        if part.passes is None:
            reasons.append(f"{part.name}数据不完整，无法判定：{'；'.join(part.reasons)}")
    if passes is None:
        reasons.append("数据不完整的县不能认定为达标")
    return tuple(reasons)
