"""`evaluate(dataset, standard)`: the whole evaluation, pure and deterministic.

Scope and apportionment → Part R values and the per-segment rule → CVs → Parts G, Q, S and
vetoes → part verdicts → the county verdict with reasons → gap quantities. The result is an
`Evaluation`; every shell (CLI, web, reports) reads it and nothing else.

All verdicts are computed column-wise for every county at once (the national run has 3,000
counties); the readable per-county records (`verdicts`, `items`) are assembled when first read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import polars as pl

from junheng.core.balance import compute_balance, contributions, top_contributors
from junheng.core.checks import ItemFrames, ItemResult, county_frame, evaluate_items, school_frame
from junheng.core.dataset import Dataset
from junheng.core.gaps import gap_totals, school_gaps, segment_gaps
from junheng.core.plan_checks import plan_entries
from junheng.core.resources import apply_segment_rule, compute_values
from junheng.core.schema import LEVEL_ZH, LEVELS
from junheng.core.scope import prepare_segments
from junheng.core.standard import Standard

PART_KEYS: dict[str, str] = {"R": "R", "G": "G", "Q": "Q", "S": "S", "V": "veto"}
"""Standard part id → key in the evaluation output (`parts`)."""

V = TypeVar("V")


class LazyMapping(Mapping[str, V], Generic[V]):
    """County → record, built on first access and kept."""

    def __init__(self, keys: list[str], build: Callable[[str], V]) -> None:
        self._keys = keys
        self._known = set(keys)
        self._build = build
        self._cache: dict[str, V] = {}

    def __getitem__(self, key: str) -> V:
        if key not in self._known:
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = self._build(key)
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


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
    """One row per segment: scope, inputs, R values, met flags, verdict and reasons."""
    balance: pl.DataFrame
    """One row per county, level and indicator: mean, sd, cv, limit, passes, reason, and
    `applicable` (false for a level without in-scope segments: its CVs do not count in Part R)."""
    item_frames: ItemFrames
    parts: pl.DataFrame
    """One row per county: R, G, Q, S, V and the overall `passes` (three-valued)."""
    gaps: pl.DataFrame
    totals: pl.DataFrame
    notes: pl.DataFrame = field(default_factory=pl.DataFrame)
    plan: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """County → the creation plan's checks (`plan_checks.plan_entries`): class sizes and
    finance, only for counties whose dataset gives those tables."""

    @property
    def items(self) -> Mapping[str, list[ItemResult]]:
        """County → readable results of the G, Q, S and V items."""
        return self.__dict__.setdefault(
            "_items", LazyMapping(self.counties, self.item_frames.results)
        )

    @property
    def verdicts(self) -> Mapping[str, CountyVerdict]:
        """County → the verdict with part verdicts and reasons."""
        return self.__dict__.setdefault("_verdicts", LazyMapping(self.counties, self._verdict))

    def item(self, county: str, item_id: str) -> ItemResult:
        for result in self.items[county]:
            if result.item == item_id:
                return result
        raise KeyError(item_id)

    def top_contributors(self, limit: int = 5) -> pl.DataFrame:
        return top_contributors(self.segments, self.balance, self.standard, limit)

    @property
    def contributions(self) -> pl.DataFrame:
        """Every segment's share of the weighted variance of its CV."""
        return contributions(self.segments, self.balance, self.standard)

    def to_dict(self) -> dict[str, Any]:
        from junheng.core.output import evaluation_to_dict

        return evaluation_to_dict(self)

    def _verdict(self, county: str) -> CountyVerdict:
        row = self.parts.filter(pl.col("county") == county).row(0, named=True)
        segments = self.segments.filter(pl.col("county") == county)
        balance = self.balance.filter(pl.col("county") == county)
        results = self.items[county]
        parts = {"R": _part_r_reasons(row["R"], segments, balance)}
        for part in ("G", "Q", "S", "V"):
            parts[part] = _part_item_reasons(part, row[part], results)
        named = {
            key: PartResult(key, self.standard.parts.get(key, key), p.passes, p.reasons)
            for key, p in parts.items()
        }
        return CountyVerdict(county, named, row["passes"], _verdict_reasons(named, row["passes"]))


def _part_r_reasons(
    passes: bool | None, segments: pl.DataFrame, balance: pl.DataFrame
) -> PartResult:
    scoped = segments.filter(pl.col("in_scope"))
    if scoped.is_empty():
        return PartResult("R", "", passes, ("没有纳入评估范围的学段，无法判定",))
    reasons: list[str] = []
    seg_values = scoped["passes"].to_list()
    n_fail, n_null, total = seg_values.count(False), seg_values.count(None), len(seg_values)
    if n_fail:
        by_level = scoped.filter(pl.col("passes") == False)["level"].value_counts(sort=True)  # noqa: E712
        detail = "，".join(
            f"{LEVEL_ZH.get(level, level)} {count} 个" for level, count in by_level.iter_rows()
        )
        reasons.append(f"{total} 个学段中 {n_fail} 个未达到每所学校资源配置要求（{detail}）")
    if n_null:
        reasons.append(f"{n_null} 个学段因数据缺失无法判定")
    applicable = balance.filter(pl.col("applicable"))
    reasons += applicable.filter(pl.col("passes").ne_missing(True))["reason"].to_list()
    present = [LEVEL_ZH.get(v, v) for v in applicable["level"].unique(maintain_order=True)]
    for level in balance.filter(~pl.col("applicable"))["level"].unique(maintain_order=True):
        zh = LEVEL_ZH.get(level, level)
        reasons.append(
            f"{zh}不适用：县内没有纳入评估范围的{zh}学段，资源配置按{'、'.join(present)}判定"
        )
    if passes:
        reasons.append(f"{total} 个学段全部达标，各项差异系数均在限值内")
    return PartResult("R", "", passes, tuple(reasons))


def _part_item_reasons(part: str, passes: bool | None, results: list[ItemResult]) -> PartResult:
    mine = [r for r in results if r.item.startswith(part)]
    if passes:
        reasons: tuple[str, ...] = (f"{len(mine)} 项全部符合要求",)
    else:
        reasons = tuple(
            f"{r.item} {'不符合' if r.passes is False else '无法判定'}：{r.reason}"
            for r in mine
            if r.passes is not True
        )
    return PartResult(part, "", passes, reasons)


def _kleene_all(column: str) -> pl.Expr:
    """Three-valued AND over a group: any false → false; else any null → null; else true."""
    col = pl.col(column)
    return (
        pl.when((col == False).any())  # noqa: E712
        .then(False)
        .when(col.is_null().any())
        .then(None)
        .otherwise(True)
    )


def _part_verdicts(
    counties: list[str], segments: pl.DataFrame, balance: pl.DataFrame, items: ItemFrames
) -> pl.DataFrame:
    base = pl.DataFrame({"county": counties}, schema={"county": pl.String})
    seg = (
        segments.filter(pl.col("in_scope"))
        .group_by("county")
        .agg(_kleene_all("passes").alias("seg"))
    )
    # A level without in-scope segments is not applicable: Part R is judged on the levels present.
    cv = (
        balance.filter(pl.col("applicable"))
        .group_by("county")
        .agg(_kleene_all("passes").alias("cv"))
    )
    r = (
        base.join(seg, on="county", how="left")
        .join(cv, on="county", how="left")
        .select(
            "county",
            pl.when(pl.col("seg").is_null() & pl.col("cv").is_null())
            .then(None)
            .when((pl.col("seg") == False) | (pl.col("cv") == False))  # noqa: E712
            .then(False)
            .when(pl.col("seg").is_null() | pl.col("cv").is_null())
            .then(None)
            .otherwise(True)
            .alias("R"),
        )
    )
    by_part = (
        items.verdicts.group_by("county", "part")
        .agg(_kleene_all("passes").alias("passes"))
        .pivot(on="part", index="county", values="passes")
    )
    parts = r.join(by_part, on="county", how="left")
    for part in ("G", "Q", "S", "V"):
        if part not in parts.columns:
            parts = parts.with_columns(pl.lit(None, pl.Boolean).alias(part))
    cols = [pl.col(p) for p in ("R", "G", "Q", "S", "V")]
    overall = (
        pl.when(pl.any_horizontal([(c == False).fill_null(False) for c in cols]))  # noqa: E712
        .then(False)
        .when(pl.any_horizontal([c.is_null() for c in cols]))
        .then(None)
        .otherwise(True)
    )
    return parts.select("county", "R", "G", "Q", "S", "V", overall.alias("passes"))


def evaluate(dataset: Dataset, standard: Standard) -> Evaluation:
    """Evaluate every county of `dataset` against `standard` (with its policies applied)."""
    segments = prepare_segments(dataset, standard)
    segments = apply_segment_rule(compute_values(segments, standard), standard)
    balance = compute_balance(segments, standard)
    counties = dataset.counties
    balance = _complete_balance(counties, balance, standard)
    county = county_frame(dataset.county_facts, dataset.survey, standard)
    schools = school_frame(segments, dataset.school_facts)
    items = evaluate_items(standard, counties, county, schools, segments)
    parts = _part_verdicts(counties, segments, balance, items)
    gaps = pl.concat([segment_gaps(segments, standard), school_gaps(items, standard)])
    return Evaluation(
        standard=standard,
        counties=counties,
        segments=segments,
        balance=balance,
        item_frames=items,
        parts=parts,
        gaps=gaps,
        totals=gap_totals(gaps),
        notes=dataset.notes,
        plan=plan_entries(dataset, standard),
    )


def _complete_balance(
    counties: list[str], balance: pl.DataFrame, standard: Standard
) -> pl.DataFrame:
    """Add a 'cannot decide' row for every county, level and indicator without segments, and
    order rows county by county, level by level, indicator by indicator."""
    grid = pl.DataFrame(
        [
            {"county": c, "level": level, "indicator": item.id, "limit": item.cv_limit[level]}
            for c in counties
            for level, _ in LEVELS
            for item in standard.ratio_items
        ],
        schema={
            "county": pl.String,
            "level": pl.String,
            "indicator": pl.String,
            "limit": pl.Float64,
        },
    )
    level_zh = pl.col("level").replace_strict(LEVEL_ZH, default=pl.col("level"))
    full = grid.join(
        balance.drop("limit"),
        on=["county", "level", "indicator"],
        how="left",
        maintain_order="left",
    ).with_columns(
        pl.col("n").is_not_null().alias("applicable"),
        pl.col("n").fill_null(0),
        pl.col("n_missing").fill_null(0),
        pl.col("reason").fill_null(
            pl.format("没有纳入评估范围的{}学段，{}不适用", level_zh, level_zh)
        ),
    )
    return full.select(*balance.columns, "applicable")


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
    for part in parts.values():
        if part.passes is None:
            reasons.append(f"{part.name}数据不完整，无法判定：{'；'.join(part.reasons)}")
    if passes is None:
        reasons.append("数据不完整的县不能认定为达标")
    return tuple(reasons)
