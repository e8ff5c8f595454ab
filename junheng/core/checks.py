"""Parts G, Q, S and the vetoes: items made of checks over county, school or segment facts.

Each check of an item compares a formula with a threshold (a constant, a per-level or per-kind
constant, or another formula such as the civil-servant pay). Checks are evaluated with Polars over
all counties (or all schools, or all segments) at once; a missing input gives a missing result
with the names of the missing facts, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import (
    COUNTY_FACTS_BY_NAME,
    SCHOOL_FACTS_BY_NAME,
    SCHOOLS,
    SEGMENTS,
    SURVEY_ANSWER_COLUMNS,
)
from junheng.core.scope import RESOURCE_COLUMNS, combine
from junheng.core.standard import OPERATORS, Check, Item, Standard

_NAMES_ZH: dict[str, str] = {
    **{c.name: c.zh for c in SCHOOLS.columns},
    **{c.name: c.zh for c in SEGMENTS.columns},
    **{f.name: f.zh for f in SCHOOL_FACTS_BY_NAME.values()},
    **{f.name: f.zh for f in COUNTY_FACTS_BY_NAME.values()},
}


def name_zh(column: str) -> str:
    return _NAMES_ZH.get(column, column)


@dataclass(frozen=True)
class CheckResult:
    key: str
    label: str
    value: Any
    threshold: Any
    op: str
    passes: bool | None
    text: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemResult:
    """One item for one county: value, verdict and the reason in Chinese."""

    county: str
    item: str
    value: Any
    passes: bool | None
    reason: str
    checks: tuple[CheckResult, ...] = ()
    failing: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    """For school- and segment-level items: the units that fail or lack data."""


def all_of(values: list[bool | None]) -> bool | None:
    """Three-valued AND: any false → false; else any unknown → unknown; else true."""
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _compare(op: str, value: pl.Expr, threshold: pl.Expr, tolerance: float) -> pl.Expr:
    slack = threshold.abs() * tolerance
    match op:
        case ">=":
            return value >= threshold - slack
        case ">":
            return value > threshold
        case "<=":
            return value <= threshold + slack
        case "<":
            return value < threshold
        case "==":
            return value == threshold
    raise ValueError(op)  # pragma: no cover


def _threshold_expr(check: Check, params: dict[str, Any]) -> pl.Expr:
    t = check.threshold
    if t.formula is not None:
        return t.formula.to_polars(params)
    if t.by is not None:
        return pl.col(t.by).replace_strict(dict(t.values), default=None, return_dtype=pl.Float64)
    return pl.lit(t.constant)


def evaluate_check(
    frame: pl.DataFrame, check: Check, params: dict[str, Any], tolerance: float
) -> pl.DataFrame:
    """Columns `v`, `t`, `ok`, `missing` for one check over every row of `frame`."""
    value = check.value.to_polars(params)
    if check.op == "in":
        ok = value.is_in(list(check.threshold.constant))
        threshold = pl.lit("、".join(map(str, check.threshold.constant)))
    else:
        threshold = _threshold_expr(check, params)
        ok = _compare(check.op, value, threshold, tolerance)
    names = sorted(check.value.required_columns(params))
    if check.threshold.formula is not None:
        names += sorted(check.threshold.formula.required_columns(params) - set(names))
    if check.threshold.by is not None:
        names.append(check.threshold.by)
    missing = pl.concat_str(
        [pl.when(pl.col(n).is_null()).then(pl.lit(name_zh(n))) for n in names],
        separator="、",
        ignore_nulls=True,
    )
    return frame.select(
        value.alias("v"),
        threshold.alias("t"),
        ok.alias("ok"),
        pl.when(missing != "").then(missing).otherwise(None).alias("missing"),
    )


def _show(check: Check, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if check.percent and isinstance(value, (int, float)):
        return fmt_percent(float(value))
    if isinstance(value, float):
        text = fmt_number(value, 2, thousands=value >= 10000)
        return text[:-3] if text.endswith(".00") else text
    return str(value)


def show_value(check: Check, value: Any) -> str:
    """A check's value as its reason prints it ("12.0%", "98,000", "是"), for tables."""
    return _show(check, value)


def item_facts(item: Item) -> tuple[str, ...]:
    """The county or school facts an item reads, in the order of its checks, to find the
    evidence notes given with them."""
    names: dict[str, None] = {}
    params = dict(item.params)
    for check in item.checks:
        names |= dict.fromkeys(sorted(check.value.required_columns(params)))
        if check.threshold.formula is not None:
            names |= dict.fromkeys(sorted(check.threshold.formula.required_columns(params)))
    return tuple(names)


def _check_text(
    check: Check, value: Any, threshold: Any, ok: bool | None, missing: str | None
) -> str:
    if ok is None:
        return f"{check.label}：缺少数据（{missing or check.value.source}）"
    unit = check.unit
    shown_threshold = (
        f"{name_zh(check.threshold.formula.source)} {_show(check, threshold)}"
        if check.threshold.formula is not None and check.threshold.formula.source in _NAMES_ZH
        else _show(check, threshold)
    )
    if check.op == "==" and isinstance(threshold, bool):
        return f"{check.label}：{'是' if value else '否'}{'' if ok else '（不符合要求）'}"
    if check.op == "in":
        return f"{check.label}：{value}（要求：{threshold}）"
    sign = OPERATORS[check.op]
    verdict = "" if ok else "，未达到要求"
    shown = _show(check, value)
    return f"{check.label}：{shown}{unit}（要求 {sign} {shown_threshold}{unit}）{verdict}"


def county_frame(
    dataset_county: pl.DataFrame, survey: pl.DataFrame, standard: Standard
) -> pl.DataFrame:
    """County facts with the survey's recognition rate replacing the reported one where the
    survey answers are given (policy `survey_favourable_options` says which options count)."""
    favourable = SURVEY_ANSWER_COLUMNS[: standard.policy("survey_favourable_options")]
    if survey.is_empty():
        return dataset_county.with_columns(pl.lit(None, pl.String).alias("recognition_source"))
    totals = survey.group_by("county").agg(
        pl.sum_horizontal([pl.col(c).fill_null(0) for c in favourable]).sum().alias("__fav"),
        pl.sum_horizontal([pl.col(c).fill_null(0) for c in SURVEY_ANSWER_COLUMNS])
        .sum()
        .alias("__all"),
    )
    joined = dataset_county.join(totals, on="county", how="full", coalesce=True)
    from_survey = (pl.col("__all") > 0).fill_null(False)
    return joined.with_columns(
        pl.when(from_survey)
        .then(pl.col("__fav") / pl.col("__all"))
        .otherwise(pl.col("recognition_rate"))
        .alias("recognition_rate"),
        pl.when(from_survey)
        .then(
            pl.format("按调查答卷计算：{} 份有效答卷中 {} 份认可", pl.col("__all"), pl.col("__fav"))
        )
        .otherwise(None)
        .alias("recognition_source"),
    ).drop("__fav", "__all")


def school_frame(segments: pl.DataFrame, school_facts: pl.DataFrame) -> pl.DataFrame:
    """In-scope segments combined per school, with the school's facts."""
    return (
        segments.filter(pl.col("in_scope"))
        .group_by("county", "school_id", "name", "kind", maintain_order=True)
        .agg([combine(c) for c in RESOURCE_COLUMNS])
        .join(school_facts, on="school_id", how="left")
    )


def _item_value(item: Item, rows: pl.DataFrame) -> Any:
    if len(item.checks) == 1:
        return rows["v0"][0]
    return {c.key: rows[f"v{k}"][0] for k, c in enumerate(item.checks)}


@dataclass(frozen=True)
class ItemFrames:
    """All non-ratio items of all counties, evaluated column-wise.

    `units[item]` holds one row per evaluated unit (county, school or segment) with, per check k,
    the value `v{k}`, threshold `t{k}`, verdict `ok{k}` and missing inputs `m{k}`, and the unit's
    verdict `unit_ok`. `verdicts` holds one row per county and item: part, passes, counts.
    Readable `ItemResult`s are built per county only when asked for.
    """

    standard: Standard
    counties: list[str]
    units: dict[str, pl.DataFrame]
    verdicts: pl.DataFrame

    def results(self, county: str) -> list[ItemResult]:
        return [
            _summarise(self.standard.items[item_id], rows, county)
            for item_id, rows in self._by_county(county).items()
        ]

    def _by_county(self, county: str) -> dict[str, pl.DataFrame]:
        cache = self.__dict__.setdefault("_cache", {})
        if not cache:
            for item_id, frame in self.units.items():
                cache[item_id] = {
                    k[0]: v for k, v in frame.partition_by("county", as_dict=True).items()
                }
        return {
            item_id: parts.get(county, self.units[item_id].clear())
            for item_id, parts in cache.items()
        }


def evaluate_items(
    standard: Standard,
    counties: list[str],
    county: pl.DataFrame,
    schools: pl.DataFrame,
    segments: pl.DataFrame,
) -> ItemFrames:
    """Every non-ratio item for every county, column-wise."""
    tolerance = standard.policy("numeric_tolerance")
    county_rows = pl.DataFrame({"county": counties}, schema={"county": pl.String}).join(
        county, on="county", how="left"
    )
    units: dict[str, pl.DataFrame] = {}
    verdicts: list[pl.DataFrame] = []
    for item in standard.items.values():
        if item.ratio is not None:
            continue
        params = dict(item.params)
        if item.scope == "county":
            frame = county_rows
        elif item.scope == "school":
            frame = schools
        else:
            frame = segments.filter(pl.col("in_scope"))
        parts = []
        for k, check in enumerate(item.checks):
            part = evaluate_check(frame, check, params, tolerance)
            parts.append(
                part.rename({"v": f"v{k}", "t": f"t{k}", "ok": f"ok{k}", "missing": f"m{k}"})
            )
        keyed = pl.concat([frame.select(_unit_columns(item.scope)), *parts], how="horizontal")
        oks = [pl.col(f"ok{k}") for k in range(len(item.checks))]
        # Three-valued AND: a failed check decides, a missing one leaves the unit undecided.
        unit_ok = (
            pl.when(pl.any_horizontal([(~o).fill_null(False) for o in oks]))
            .then(False)
            .when(pl.any_horizontal([o.is_null() for o in oks]))
            .then(None)
            .otherwise(True)
        )
        keyed = keyed.with_columns(unit_ok.alias("unit_ok"))
        units[item.id] = keyed
        per_county = (
            pl.DataFrame({"county": counties}, schema={"county": pl.String})
            .join(
                keyed.group_by("county").agg(
                    pl.len().alias("n_units"),
                    (pl.col("unit_ok") == False).sum().alias("n_fail"),  # noqa: E712
                    pl.col("unit_ok").is_null().sum().alias("n_missing"),
                ),
                on="county",
                how="left",
            )
            .with_columns(pl.col("n_units", "n_fail", "n_missing").fill_null(0))
            .with_columns(
                pl.when(pl.col("n_units") == 0)
                .then(None)
                .when(pl.col("n_fail") > 0)
                .then(False)
                .when(pl.col("n_missing") > 0)
                .then(None)
                .otherwise(True)
                .alias("passes"),
                pl.lit(item.id).alias("item"),
                pl.lit(item.part).alias("part"),
            )
        )
        verdicts.append(
            per_county.select("county", "item", "part", "passes", "n_units", "n_fail", "n_missing")
        )
    return ItemFrames(standard, counties, units, pl.concat(verdicts))


def _unit_columns(scope: str) -> list[str]:
    if scope == "county":
        return ["county", "recognition_source"]
    if scope == "school":
        return ["county", "school_id", "name", "kind"]
    return ["county", "school_id", "name", "kind", "level"]


def _summarise(item: Item, rows: pl.DataFrame, county_name: str) -> ItemResult:
    if item.scope == "county":
        row = rows.row(0, named=True)
        checks = tuple(
            CheckResult(
                key=c.key,
                label=c.label,
                value=row[f"v{k}"],
                threshold=row[f"t{k}"],
                op=c.op,
                passes=row[f"ok{k}"],
                text=_check_text(c, row[f"v{k}"], row[f"t{k}"], row[f"ok{k}"], row[f"m{k}"]),
                missing=tuple((row[f"m{k}"] or "").split("、")) if row[f"m{k}"] else (),
            )
            for k, c in enumerate(item.checks)
        )
        passes = all_of([c.passes for c in checks])
        reason = "；".join(c.text for c in checks)
        if item.id == "S1" and "recognition_source" in row and row["recognition_source"]:
            reason += f"（{row['recognition_source']}）"
        return ItemResult(row["county"], item.id, _item_value(item, rows), passes, reason, checks)

    if rows.height == 0:
        noun = "学段" if item.scope == "segment" else "学校"
        return ItemResult(county_name, item.id, None, None, f"没有纳入评估范围的{noun}，无法判定")
    failing_rows = rows.filter(pl.col("unit_ok").ne_missing(True))
    failing: list[dict[str, Any]] = []
    for row in failing_rows.iter_rows(named=True):
        texts = [
            _check_text(c, row[f"v{k}"], row[f"t{k}"], row[f"ok{k}"], row[f"m{k}"])
            for k, c in enumerate(item.checks)
            if row[f"ok{k}"] is not True
        ]
        entry: dict[str, Any] = {
            "school_id": row["school_id"],
            "name": row["name"],
            "passes": row["unit_ok"],
            "reasons": texts,
            "values": {c.key: row[f"v{k}"] for k, c in enumerate(item.checks)},
            "thresholds": {c.key: row[f"t{k}"] for k, c in enumerate(item.checks)},
        }
        if "level" in row:
            entry["level"] = row["level"]
        failing.append(entry)
    n_fail = sum(1 for f in failing if f["passes"] is False)
    n_missing = sum(1 for f in failing if f["passes"] is None)
    total = rows.height
    passes = False if n_fail else (None if n_missing else True)
    noun, measure = ("个学段", "个") if item.scope == "segment" else ("所学校", "所")
    if passes:
        reason = f"{total} {noun}全部符合要求"
    else:
        bits = []
        if n_fail:
            examples = [
                f"{f['name']}（{'，'.join(f['reasons'])}）" for f in failing if f["passes"] is False
            ]
            shown = "；".join(examples[:3])
            more = "等" if n_fail > 3 else ""
            bits.append(f"{total} {noun}中 {n_fail} {measure}不符合要求：{shown}{more}")
        if n_missing:
            bits.append(f"{n_missing} {measure}缺少数据，无法判定")
        reason = "；".join(bits)
    return ItemResult(
        county_name,
        item.id,
        n_fail,
        passes,
        reason,
        failing=tuple(failing),
    )


def describe_threshold(check: Check) -> str:
    """The requirement of a check in words, for tables."""
    t = check.threshold
    sign = OPERATORS[check.op]
    if t.formula is not None:
        source = t.formula.source
        return f"{sign} {name_zh(source) if source in _NAMES_ZH else source}"
    if t.by is not None:
        return "；".join(f"{k} {sign} {fmt_plain(v)}" for k, v in t.values.items())
    if check.op == "in":
        return f"属于 {'、'.join(map(str, t.constant))}"
    if isinstance(t.constant, bool):
        return "是" if t.constant else "否"
    if check.percent:
        return f"{sign} {fmt_percent(t.constant, 0)}"
    return f"{sign} {fmt_plain(t.constant)}{check.unit}"
