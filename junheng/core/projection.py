"""Enrolment projection by cohort progression: per school and level, to a target year. Pure.

From the grade enrolment of the last years (the optional `grades` table) the projection steps one
year at a time from the latest year in the data:

- grade k → k + 1 within a level: the students of grade k times the school's progression ratio,
  the median of its observed ratios (grade k + 1 next year ÷ grade k this year); a school with
  fewer observations than `min_school_observations` takes the county's median over all its
  schools' observations of that transition, and a transition the county never observed keeps
  its students (`fallback_ratio`);
- grade 1 (entrants): last year's entrants times the median year-over-year change of the school's
  entrants (same rule), or, when births are given for the county, the children of entry age
  (`entry_cohort`: 6 by the 31 August cut-off) times the county's observed share of them entering
  its schools, split by each school's share of the county's grade 1 in the latest year;
- grade 6 → 7 (primary → junior), by `transition_by`:
  `county`: the county's grade 6 times the county-wide transition ratio, split between junior
  schools by each one's share of the county's grade 7 in the latest year;
  `township` (catchment, 划片): a township whose schools have grade 7 in the latest year keeps its
  leavers: its grade 6 (primary and nine-year schools alike) goes to its own junior schools, split
  by their shares of the township's grade 7. The leavers of townships without grade 7 and of
  schools without a township form the county's pool, split over all junior schools by their
  shares of the county's grade 7 (the county rule). Each receiving township's ratio is observed
  on what it receives (its own grade 6 plus its share of the pool a year earlier), so a township
  that takes in a neighbour's leavers is not credited with them twice; its median over the
  history when it has `min_school_observations` observations, else the county's ratio. Without
  a pool this is the township's grade 7 over its own grade 6; a county without townships gives
  the county rule exactly;
- low / median / high: the same with every ratio at the lower quartile, median and upper
  quartile of its observations (`projection.yaml`), so low ≤ median ≤ high for every figure.

All schools of all counties are stepped together, column-wise. `Projection.method` says the
method in a Chinese sentence; `Projection.backtest` projects the latest year from the years
before it and gives the error per county and level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import GRADE_LEVELS, LEVELS

SCENARIOS: tuple[str, ...] = ("low", "median", "high")
SCENARIO_ZH: dict[str, str] = {"low": "低方案", "median": "中方案", "high": "高方案"}
ENTRY = 0
"""Transition key of entrants (grade 1 this year against grade 1 last year)."""
GRADES: tuple[int, ...] = tuple(sorted(GRADE_LEVELS))
WITHIN: tuple[int, ...] = tuple(
    k for k in GRADES if k + 1 in GRADE_LEVELS and GRADE_LEVELS[k] == GRADE_LEVELS[k + 1]
)
"""Grades whose students move on to the next grade of the same level (1–5, 7–8)."""
CROSSING: tuple[int, ...] = tuple(
    k for k in GRADES if k + 1 in GRADE_LEVELS and GRADE_LEVELS[k] != GRADE_LEVELS[k + 1]
)
"""Grades whose students move on to the next level (6 → 7), projected county-wide."""
LEVEL_GRADES: dict[str, tuple[int, ...]] = {
    level: tuple(k for k in GRADES if GRADE_LEVELS[k] == level) for level, _ in LEVELS
}


class ProjectionError(ValueError):
    """The projection cannot be made (no grades, too few years, a target year not after the
    data); the message is Chinese and says what to do."""


@dataclass(frozen=True)
class ProjectionPolicy:
    """The choices of the projection (`projection.yaml`)."""

    history_years: int
    min_years: int
    min_backtest_years: int
    min_school_observations: int
    fallback_ratio: float
    quantiles: Mapping[str, float]
    entry_age: int
    cutoff_month: int
    cutoff_day: int
    transition_by: str
    """Primary → junior: "township" (each township's leavers to its own junior schools) or
    "county" (one county-wide ratio and split)."""


TRANSITION_RULES: tuple[str, ...] = ("township", "county")
_POLICY_INTS = (
    "history_years",
    "min_years",
    "min_backtest_years",
    "min_school_observations",
    "entry_age",
    "cutoff_month",
    "cutoff_day",
)


def policy_from_mapping(
    data: Mapping[str, Any], source: str = "projection.yaml"
) -> ProjectionPolicy:
    """A policy from a mapping, strictly: unknown, missing or mistyped keys raise
    `ProjectionError` naming the file and key."""
    if not isinstance(data, Mapping):
        raise ProjectionError(f"{source}：内容应为键值映射")
    known = {*_POLICY_INTS, "fallback_ratio", "scenarios", "transition_by"}
    unknown = sorted(set(data) - known)
    missing = sorted(known - set(data))
    if unknown or missing:
        raise ProjectionError(
            f"{source}："
            + "；".join(
                [*(f"未知的字段“{k}”" for k in unknown), *(f"缺少字段“{k}”" for k in missing)]
            )
        )
    for key in _POLICY_INTS:
        if not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 1:
            raise ProjectionError(f"{source}：字段“{key}”应为正整数，实际为 {data[key]!r}")
    fallback = data["fallback_ratio"]
    if not isinstance(fallback, int | float) or isinstance(fallback, bool) or fallback < 0:
        raise ProjectionError(
            f"{source}：字段“fallback_ratio”应为不小于 0 的数，实际为 {fallback!r}"
        )
    scenarios = data["scenarios"]
    if not isinstance(scenarios, Mapping) or set(scenarios) != set(SCENARIOS):
        raise ProjectionError(f"{source}：字段“scenarios”应恰好给出 low、median、high 三个分位数")
    quantiles = {s: scenarios[s] for s in SCENARIOS}
    values = list(quantiles.values())
    if not all(isinstance(q, int | float) and 0 <= q <= 1 for q in values) or values != sorted(
        values
    ):
        raise ProjectionError(
            f"{source}：“scenarios”的分位数应在 0 到 1 之间且 low ≤ median ≤ high"
        )
    dt.date(2001, data["cutoff_month"], data["cutoff_day"])  # raises for an impossible day
    if data["transition_by"] not in TRANSITION_RULES:
        raise ProjectionError(
            f"{source}：字段“transition_by”应为 {'、'.join(TRANSITION_RULES)} 之一，"
            f"实际为 {data['transition_by']!r}"
        )
    return ProjectionPolicy(
        **{key: data[key] for key in _POLICY_INTS},
        fallback_ratio=float(fallback),
        quantiles=quantiles,
        transition_by=data["transition_by"],
    )


@cache
def default_policy() -> ProjectionPolicy:
    """The packaged `projection.yaml` (read once, like a module constant)."""
    import yaml

    path = Path(__file__).with_name("projection.yaml")
    return policy_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def _days(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def entry_cohort(births: Mapping[int, float], year: int, policy: ProjectionPolicy) -> float | None:
    """Children who reach entry age by the cut-off of `year` and so enter grade 1 that autumn:
    those born up to the cut-off day `entry_age` years before and those born after it a year
    earlier, births spread evenly over the days of their year. None when a year is missing."""
    younger = year - policy.entry_age
    older = younger - 1
    if younger not in births or older not in births:
        return None
    day_younger = dt.date(younger, policy.cutoff_month, policy.cutoff_day).timetuple().tm_yday
    day_older = dt.date(older, policy.cutoff_month, policy.cutoff_day).timetuple().tm_yday
    return births[younger] * day_younger / _days(younger) + births[older] * (
        _days(older) - day_older
    ) / _days(older)


@dataclass(frozen=True)
class Projection:
    """Projected students of a target year, every scenario at once."""

    base_year: int
    """The latest year of the grade enrolment, from which the projection steps."""
    target_year: int
    first_year: int
    """The earliest year of the grade enrolment used."""
    schools: pl.DataFrame
    """county, school_id, level, base (students of the level's grades in `base_year`), and the
    projected students `low`, `median`, `high` (whole students)."""
    levels: pl.DataFrame
    """county, level, base, low, median, high: sums of `schools`."""
    ratios: pl.DataFrame
    """county, school_id, transition (0 = entrants, k = grade k → k + 1), source (school, county
    or fallback), observations, low, median, high: the ratios used, for the levels each school
    teaches."""
    backtest: pl.DataFrame | None
    """county, level, actual, projected, low, high, error, error_pct: the latest year projected
    from the years before it (median); None when there are too few years (`backtest_note`)."""
    backtest_note: str
    method: str
    """The method as a Chinese sentence, for every output."""
    births_counties: tuple[str, ...] = ()
    """Counties whose entrants were projected from births."""

    def students(self, scenario: str) -> pl.DataFrame:
        """school_id, level, students of one scenario."""
        if scenario not in SCENARIOS:
            raise ProjectionError(f"方案应为 {'、'.join(SCENARIOS)} 之一，实际为“{scenario}”")
        return self.schools.select("school_id", "level", pl.col(scenario).alias("students"))


_RATIO_SCHEMA = {
    "county": pl.String,
    "school_id": pl.String,
    "transition": pl.Int64,
    "source": pl.String,
    "observations": pl.UInt32,
    **{s: pl.Float64 for s in SCENARIOS},
}


_KEY_YEARS = 10_000
_KEY_GRADES = 16
"""Multipliers of the integer join keys (school × year × grade); years stay below 10,000 and
grades and transitions below 16."""
_TRANSITIONS: tuple[int, ...] = (ENTRY, *WITHIN)


@dataclass(frozen=True)
class _Data:
    """Grade enrolment keyed by integers: joins and sorts on one Int64 column, not on strings."""

    schools: pl.DataFrame
    """sid, cid, school_id, county, gid, placed: every school with grade enrolment; gid numbers
    the county's townships (one more for its schools without a township, `placed` false)."""
    rows: pl.DataFrame
    """sid, cid, year, grade, students (Float64) for the years of the history window."""
    totals: pl.DataFrame
    """cid, year, grade, students: the counties' sums of `rows`."""


def _data(dataset: Dataset, first_year: int, last_year: int) -> _Data:
    # A blank township is no township: the school's leavers join the county's pool.
    township = pl.col("township").str.strip_chars()
    schools = dataset.schools.select(
        "school_id", "county", pl.when(township != "").then(township).alias("township")
    ).unique("school_id", keep="first")
    rows = dataset.grades.filter(
        pl.col("year").is_between(first_year, last_year) & pl.col("students").is_not_null()
    ).join(schools, on="school_id", how="inner")
    keyed = (
        rows.select("school_id", "county", "township")
        .unique("school_id")
        .sort("school_id")
        .with_row_index("sid")
        .with_columns(pl.col("county").rank("dense").cast(pl.Int64).alias("cid"))
        .with_columns(pl.col("sid").cast(pl.Int64))
    )
    groups = (
        keyed.select("cid", "township")
        .unique()
        .sort("cid", "township", nulls_last=True)
        .with_row_index("gid")
        .with_columns(pl.col("gid").cast(pl.Int64))
    )
    keyed = keyed.join(
        groups, on=["cid", "township"], how="left", nulls_equal=True, maintain_order="left"
    ).with_columns(pl.col("township").is_not_null().alias("placed"))
    rows = rows.join(keyed.select("school_id", "sid", "cid"), on="school_id").select(
        "sid",
        "cid",
        pl.col("year").cast(pl.Int64),
        pl.col("grade").cast(pl.Int64),
        pl.col("students").cast(pl.Float64),
    )
    return _Data(keyed, rows, _county_totals(rows))


def _key(sid: pl.Expr, year: pl.Expr, grade: pl.Expr) -> pl.Expr:
    return (sid * _KEY_YEARS + year) * _KEY_GRADES + grade


def _observations(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per observed ratio: sid, cid, transition, year (of the later count), ratio."""
    base = pl.concat(
        [
            rows.filter(pl.col("grade").is_in(WITHIN)).select(
                "sid", "cid", pl.col("grade").alias("transition"), "year", "grade", "students"
            ),
            rows.filter(pl.col("grade") == 1).select(
                "sid",
                "cid",
                pl.lit(ENTRY, pl.Int64).alias("transition"),
                "year",
                "grade",
                "students",
            ),
        ]
    ).select(
        "sid",
        "cid",
        "transition",
        (pl.col("year") + 1).alias("year"),
        _key(
            pl.col("sid"),
            pl.col("year") + 1,
            pl.when(pl.col("transition") == ENTRY).then(1).otherwise(pl.col("grade") + 1),
        ).alias("key"),
        pl.col("students").alias("base"),
    )
    later = rows.select(
        _key(pl.col("sid"), pl.col("year"), pl.col("grade")).alias("key"),
        pl.col("students").alias("next"),
    )
    return (
        base.filter(pl.col("base") > 0)
        .join(later, on="key", how="inner")
        .select(
            "sid", "cid", "transition", "year", (pl.col("next") / pl.col("base")).alias("ratio")
        )
    )


def _quantiles(frame: pl.DataFrame, group: str, policy: ProjectionPolicy) -> pl.DataFrame:
    """group, observations and each scenario's quantile (linear interpolation) of `ratio`.

    Computed by sorting once and reading the two neighbouring values of each quantile, instead
    of a hash group-by with quantiles over up to 1.6 million groups (several times slower).
    """
    ordered = frame.select(group, "ratio").sort(group, "ratio")
    ratio = ordered.get_column("ratio")
    key = pl.col(group)
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    marked = ordered.select(
        group,
        index.alias("i"),
        (key != key.shift(1)).fill_null(True).alias("first"),
        (key != key.shift(-1)).fill_null(True).alias("last"),
    ).with_columns(
        pl.when("first").then("i").forward_fill().alias("start"),
        pl.when("last").then("i").backward_fill().alias("end"),
    )
    groups = marked.filter("first").select(
        group, "start", (pl.col("end") - pl.col("start") + 1).alias("observations")
    )
    columns: dict[str, pl.Series] = {}
    for scenario, q in policy.quantiles.items():
        h = (groups.get_column("observations") - 1).cast(pl.Float64) * q
        low = h.floor()
        high = h.ceil()
        a = ratio.gather(groups.get_column("start") + low.cast(pl.Int64))
        b = ratio.gather(groups.get_column("start") + high.cast(pl.Int64))
        columns[scenario] = (a + (h - low) * (b - a)).alias(scenario)
    return groups.drop("start").with_columns(
        pl.col("observations").cast(pl.UInt32), *columns.values()
    )


def _ratios(
    observed: pl.DataFrame, base_schools: pl.DataFrame, policy: ProjectionPolicy
) -> pl.DataFrame:
    """sid, cid, transition, source, observations and the scenarios' ratios each school uses."""
    tkey = lambda id_: pl.col(id_) * _KEY_GRADES + pl.col("transition")  # noqa: E731
    school = _quantiles(observed.with_columns(tkey("sid").alias("skey")), "skey", policy)
    county = _quantiles(observed.with_columns(tkey("cid").alias("ckey")), "ckey", policy).rename(
        {"observations": "county_n", **{s: f"{s}_county" for s in SCENARIOS}}
    )
    transitions = pl.DataFrame({"transition": list(_TRANSITIONS)}, schema={"transition": pl.Int64})
    own = pl.col("observations").fill_null(0) >= policy.min_school_observations
    from_county = pl.col("county_n").is_not_null()
    return (
        base_schools.join(transitions, how="cross")
        .with_columns(tkey("sid").alias("skey"), tkey("cid").alias("ckey"))
        .join(school, on="skey", how="left", maintain_order="left")
        .join(county, on="ckey", how="left", maintain_order="left")
        .select(
            "sid",
            "cid",
            "transition",
            pl.when(own)
            .then(pl.lit("school"))
            .when(from_county)
            .then(pl.lit("county"))
            .otherwise(pl.lit("fallback"))
            .alias("source"),
            pl.when(own)
            .then(pl.col("observations"))
            .otherwise(pl.col("county_n").fill_null(0))
            .cast(pl.UInt32)
            .alias("observations"),
            *(
                pl.when(own)
                .then(pl.col(s))
                .when(from_county)
                .then(pl.col(f"{s}_county"))
                .otherwise(pl.lit(policy.fallback_ratio))
                .alias(s)
                for s in SCENARIOS
            ),
        )
    )


def _county_totals(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.group_by("cid", "year", "grade").agg(pl.col("students").sum())


def _crossing_ratios(totals: pl.DataFrame, policy: ProjectionPolicy) -> pl.DataFrame:
    """cid and the scenarios' ratios of grade 6 → grade 7 a year later, county-wide."""
    parts = []
    for k in CROSSING:
        before = totals.filter(pl.col("grade") == k).select(
            "cid", (pl.col("year") + 1).alias("year"), pl.col("students").alias("base")
        )
        after = totals.filter(pl.col("grade") == k + 1).select(
            "cid", "year", pl.col("students").alias("next")
        )
        parts.append(
            before.join(after, on=["cid", "year"], how="inner")
            .filter(pl.col("base") > 0)
            .select("cid", (pl.col("next") / pl.col("base")).alias("ratio"))
        )
    return _quantiles(pl.concat(parts), "cid", policy)


def _catchments(wide: pl.DataFrame, k: int, policy: ProjectionPolicy) -> pl.DataFrame:
    """The latest year's catchments of grade k → k + 1, one row per school of `wide`: `keeps`
    (its township has grade k + 1, so the township's leavers stay in it), `within` (the school's
    share of its township's grade k + 1) and `share` (of the county's, for the pool)."""
    after = pl.col(f"g{k + 1}")
    in_group = after.sum().over("gid")
    keeps = (
        pl.col("placed") & (in_group > 0) if policy.transition_by == "township" else pl.lit(False)
    )
    return wide.select(
        keeps.alias("keeps"),
        (after / in_group).fill_nan(0.0).fill_null(0.0).alias("within"),
        (after / after.sum().over("cid")).fill_nan(0.0).fill_null(0.0).alias("share"),
    )


def _catchment_ratios(
    rows: pl.DataFrame,
    schools: pl.DataFrame,
    wide: pl.DataFrame,
    catchments: pl.DataFrame,
    k: int,
    policy: ProjectionPolicy,
) -> pl.DataFrame:
    """gid, observations and the scenarios' ratios of grade k → k + 1 of each receiving
    township (one with grade k + 1 in the latest year), observed on what it receives: its own
    grade k (when it keeps its leavers) plus its share of the county's pool, a year earlier.
    The catchments are the latest year's, so the history is read through today's map."""
    groups = (
        pl.concat(
            [wide.select("gid", "cid"), catchments.select("keeps", "share")], how="horizontal"
        )
        .group_by("gid")
        .agg(pl.col("cid").first(), pl.col("keeps").first(), pl.col("share").sum())
    )
    counts = (
        rows.filter(pl.col("grade").is_in([k, k + 1]))
        # sid numbers the rows of `schools`, so its township is read by position.
        .with_columns(pl.lit(schools.get_column("gid")).gather(pl.col("sid")).alias("gid"))
        .group_by("gid", "cid", "year")
        .agg(
            pl.col("students").filter(pl.col("grade") == k).sum().alias("leavers"),
            pl.col("students").filter(pl.col("grade") == k + 1).sum().alias("entered"),
        )
        .join(groups.select("gid", "keeps"), on="gid", how="left")
        .with_columns(pl.col("keeps").fill_null(False))
    )
    # A county year counts only when the county reported grade k (before) or k + 1 (after),
    # as for the county's own ratio.
    before = rows.filter(pl.col("grade") == k).select("cid", "year").unique()
    after = rows.filter(pl.col("grade") == k + 1).select("cid", "year").unique()
    pool = counts.group_by("cid", "year").agg(
        pl.col("leavers").filter(~pl.col("keeps")).sum().alias("pool")
    )
    own = counts.filter("keeps").select("gid", "year", pl.col("leavers").alias("own"))
    received = (
        groups.filter(pl.col("share") > 0)
        .join(before, on="cid")
        .join(pool, on=["cid", "year"], how="left")
        .join(own, on=["gid", "year"], how="left")
        .select(
            "gid",
            "cid",
            (pl.col("year") + 1).alias("year"),
            (pl.col("own").fill_null(0.0) + pl.col("share") * pl.col("pool").fill_null(0.0)).alias(
                "base"
            ),
        )
        .filter(pl.col("base") > 0)
        .join(after, on=["cid", "year"], how="semi")
        .join(counts.select("gid", "year", "entered"), on=["gid", "year"], how="left")
    )
    observed = received.select(
        "gid", (pl.col("entered").fill_null(0.0) / pl.col("base")).alias("ratio")
    )
    return _quantiles(observed, "gid", policy)


def _births_entrants(
    data: _Data,
    totals: pl.DataFrame,
    births: pl.DataFrame | None,
    base_year: int,
    target_year: int,
    policy: ProjectionPolicy,
) -> pl.DataFrame:
    """cid, year, scenario, entrants for counties whose births cover every projected year and
    at least one observed year (the share of the cohort that enters the county's schools)."""
    schema = {"cid": pl.Int64, "year": pl.Int64, "scenario": pl.String, "entrants": pl.Float64}
    if births is None or births.is_empty():
        return pl.DataFrame(schema=schema)
    cids = dict(data.schools.select("county", "cid").unique().iter_rows())
    by_county: dict[int, dict[int, float]] = {}
    for county, year, count in births.select("county", "year", "births").iter_rows():
        if county in cids and year is not None and count is not None:
            by_county.setdefault(cids[county], {})[int(year)] = float(count)
    entered = {
        (c, y): s
        for c, y, s in totals.filter(pl.col("grade") == 1)
        .select("cid", "year", "students")
        .iter_rows()
    }
    rows: list[dict[str, Any]] = []
    for cid, counts in by_county.items():
        future = [entry_cohort(counts, y, policy) for y in range(base_year + 1, target_year + 1)]
        shares = [
            entered[(c, y)] / cohort
            for (c, y) in entered
            if c == cid and (cohort := entry_cohort(counts, y, policy))
        ]
        if not shares or any(f is None for f in future):
            continue
        share = pl.Series(shares)
        for scenario, q in policy.quantiles.items():
            rate = share.quantile(q, interpolation="linear") or 0.0
            for year, cohort in zip(range(base_year + 1, target_year + 1), future, strict=True):
                rows.append(
                    {
                        "cid": cid,
                        "year": year,
                        "scenario": scenario,
                        "entrants": float(cohort or 0.0) * rate,
                    }
                )
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class _Run:
    projected: pl.DataFrame
    """sid, cid, level, base, low, median, high (floats)."""
    ratios: pl.DataFrame
    births: tuple[int, ...]
    """cids whose entrants came from births."""


def _simulate(
    data: _Data,
    observed: pl.DataFrame,
    base_year: int,
    target_year: int,
    policy: ProjectionPolicy,
    births: pl.DataFrame | None,
) -> _Run:
    """Step every school with grade enrolment in `base_year` to `target_year`, from the
    observations whose later year lies in the window ending at `base_year`."""
    first = base_year - policy.history_years + 1
    rows = data.rows.filter(pl.col("year").is_between(first, base_year))
    observed = observed.filter(pl.col("year").is_between(first + 1, base_year))
    grade_cols = {k: f"g{k}" for k in GRADES}
    at_base = rows.filter(pl.col("year") == base_year)
    wide = at_base.select("sid", "cid").unique("sid").sort("sid")
    for k, column in grade_cols.items():
        wide = wide.join(
            at_base.filter(pl.col("grade") == k).select("sid", pl.col("students").alias(column)),
            on="sid",
            how="left",
            maintain_order="left",
        ).with_columns(pl.col(column).fill_null(0.0))
    ratios = _ratios(observed, wide.select("sid", "cid"), policy)
    # `ratios` is every school (in `wide`'s order) × every transition, so each transition's
    # rows line up with `wide`.
    by_transition = {t: ratios.filter(pl.col("transition") == t) for t in _TRANSITIONS}
    totals = data.totals.filter(pl.col("year").is_between(first, base_year))
    crossing = _crossing_ratios(totals, policy)
    county_sum = lambda column: pl.col(column).sum().over("cid")  # noqa: E731
    wide = wide.join(
        data.schools.select("sid", "gid", "placed"), on="sid", how="left", maintain_order="left"
    )
    catchments = {k: _catchments(wide, k, policy) for k in CROSSING}
    by_township = policy.transition_by == "township"
    shares = wide.select(
        (pl.col("g1") / county_sum("g1")).fill_nan(0.0).fill_null(0.0).alias("share1"),
    ).with_columns(
        pl.Series(f"{name}{k + 1}", catchments[k].get_column(name))
        for k in CROSSING
        for name in ("keeps", "within", "share")
    )
    # Each school's ratio of the next level's first grade, in `wide`'s order: its township's
    # when the township has enough observations, else the county's, else `fallback_ratio`.
    county_ratio = wide.select("cid").join(crossing, on="cid", how="left", maintain_order="left")
    crossing_ratios: dict[int, pl.DataFrame] = {}
    for k in CROSSING:
        ratio = county_ratio.select(pl.col(s).fill_null(policy.fallback_ratio) for s in SCENARIOS)
        if by_township:
            township = wide.select("gid").join(
                _catchment_ratios(rows, data.schools, wide, catchments[k], k, policy),
                on="gid",
                how="left",
                maintain_order="left",
            )
            own = township.get_column("observations").fill_null(0) >= (
                policy.min_school_observations
            )
            ratio = ratio.with_columns(
                pl.when(own).then(township.get_column(s)).otherwise(pl.col(s)).alias(s)
                for s in SCENARIOS
            )
        crossing_ratios[k] = ratio
    states = []
    for scenario in SCENARIOS:
        states.append(
            pl.concat(
                [
                    wide,
                    shares,
                    pl.DataFrame(
                        {
                            **{
                                f"r{t}": by_transition[t].get_column(scenario) for t in _TRANSITIONS
                            },
                            **{
                                f"r_cross{k + 1}": crossing_ratios[k].get_column(scenario)
                                for k in CROSSING
                            },
                        }
                    ),
                ],
                how="horizontal",
            ).with_columns(pl.lit(scenario).alias("scenario"))
        )
    state = pl.concat(states)
    entrants = _births_entrants(data, totals, births, base_year, target_year, policy)
    for year in range(base_year + 1, target_year + 1):
        step = entrants.filter(pl.col("year") == year).select("cid", "scenario", "entrants")
        state = state.join(step, on=["cid", "scenario"], how="left", maintain_order="left")
        new: dict[int, pl.Expr] = {
            1: pl.when(pl.col("entrants").is_not_null())
            .then(pl.col("entrants") * pl.col("share1"))
            .otherwise(pl.col("g1") * pl.col(f"r{ENTRY}"))
        }
        for k in WITHIN:
            new[k + 1] = pl.col(grade_cols[k]) * pl.col(f"r{k}")
        for k in CROSSING:
            leavers = pl.col(grade_cols[k])
            keeps = pl.col(f"keeps{k + 1}")
            ratio = pl.col(f"r_cross{k + 1}")
            # The pool's term is written as the county rule's product, so `county` gives the
            # same floats as before the township rule existed.
            pooled = (
                pl.when(keeps).then(0.0).otherwise(leavers).sum().over("cid", "scenario")
                if by_township
                else leavers.sum().over("cid", "scenario")
            )
            new[k + 1] = pooled * ratio * pl.col(f"share{k + 1}")
            if by_township:
                kept = pl.when(keeps).then(leavers).otherwise(0.0).sum().over("gid", "scenario")
                new[k + 1] = kept * ratio * pl.col(f"within{k + 1}") + new[k + 1]
        state = state.with_columns(expr.alias(grade_cols[k]) for k, expr in new.items()).drop(
            "entrants"
        )
    level_sums = {
        level: pl.sum_horizontal(pl.col(grade_cols[k]) for k in grades)
        for level, grades in LEVEL_GRADES.items()
    }
    projected = pl.concat(
        [
            state.filter(pl.col("scenario") == scenario).select(
                "sid",
                "cid",
                *(expr.alias(f"{level}_{scenario}") for level, expr in level_sums.items()),
            )
            if scenario == SCENARIOS[0]
            else state.filter(pl.col("scenario") == scenario).select(
                *(expr.alias(f"{level}_{scenario}") for level, expr in level_sums.items())
            )
            for scenario in SCENARIOS
        ],
        how="horizontal",
    )
    base = wide.select(*(expr.alias(f"{level}_base") for level, expr in level_sums.items()))
    projected = pl.concat([projected, base], how="horizontal")
    out = pl.concat(
        [
            projected.select(
                "sid",
                "cid",
                pl.lit(level).alias("level"),
                pl.col(f"{level}_base").alias("base"),
                *(pl.col(f"{level}_{s}").alias(s) for s in SCENARIOS),
            )
            for level in LEVEL_GRADES
        ]
    ).filter((pl.col("base") > 0) | (pl.col("high") > 0))
    births_cids = tuple(sorted(set(entrants.get_column("cid").to_list())))
    return _Run(out, ratios, births_cids)


def _whole(column: str) -> pl.Expr:
    # Half up, so 12.5 pupils are 13 in every scenario alike.
    return (pl.col(column) + 0.5).floor().cast(pl.Int64).alias(column)


def _named(data: _Data, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` keyed by sid with the schools' ids and counties."""
    return frame.join(
        data.schools.select("sid", "school_id", "county"),
        on="sid",
        how="left",
        maintain_order="left",
    )


def _levels(schools: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    order = {level: i for i, (level, _) in enumerate(LEVELS)}
    return (
        schools.group_by("county", "level", maintain_order=True)
        .agg(pl.col(c).sum() for c in columns)
        .with_columns(pl.col("level").replace_strict(order, return_dtype=pl.Int64).alias("__o"))
        .sort("county", "__o", maintain_order=True)
        .drop("__o")
    )


def _method(
    first_year: int, base_year: int, policy: ProjectionPolicy, births_counties: tuple[str, ...]
) -> str:
    q = policy.quantiles
    births = (
        f"（{'、'.join(births_counties)}按出生人口推算：年满 {policy.entry_age} 周岁入学，"
        f"以 {policy.cutoff_month} 月 {policy.cutoff_day} 日为界，"
        "再乘以历年实际入学人数占适龄儿童的比例，按各校最近一年一年级人数占比分配）"
        if births_counties
        else ""
    )
    return (
        f"按年级递推（队列法）预测：依据 {first_year}—{base_year} 年各校各年级在校生数，"
        "各年级升入下一年级的比率取该校历年比率的中位数"
        f"（该校观测少于 {policy.min_school_observations} 次的取全县中位数，"
        f"全县也无观测的按 {policy.fallback_ratio:g} 计）；"
        f"一年级新生按该校近年新生人数的逐年变化率推算{births}；"
        f"{_transition_text(policy)}"
        f"低、中、高方案分别取上述比率的第 {q['low'] * 100:g}、{q['median'] * 100:g}、"
        f"{q['high'] * 100:g} 百分位数。"
    )


def _transition_text(policy: ProjectionPolicy) -> str:
    if policy.transition_by == "county":
        return "六年级升入七年级按全县升学率推算，并按各初中最近一年七年级人数占全县的比例分配；"
    return (
        "六年级升入七年级按乡镇划片推算：最近一年有七年级学生的乡镇，其小学和九年一贯制学校的"
        "六年级学生升入本乡镇的初中，按各校最近一年七年级人数占本乡镇的比例分配；"
        "没有七年级学生的乡镇和未填乡镇的学校，其六年级学生按各初中最近一年七年级人数占全县的"
        "比例分配；各乡镇的升学率取其历年七年级人数与所接收六年级人数之比的中位数"
        f"（观测少于 {policy.min_school_observations} 次的取全县升学率）；"
    )


def _backtest(
    data: _Data,
    observed: pl.DataFrame,
    base_year: int,
    policy: ProjectionPolicy,
    births: pl.DataFrame | None,
) -> tuple[pl.DataFrame | None, str]:
    previous = base_year - 1
    window = pl.col("year").is_between(previous - policy.history_years + 1, previous)
    years = data.rows.filter(window).get_column("year").n_unique()
    if years < policy.min_backtest_years - 1:
        return None, (
            f"年级在校生数据不足 {policy.min_backtest_years} 年，无法回测"
            f"（回测用 {base_year} 年以前的数据预测 {base_year} 年，再与实际比较）。"
        )
    run = _simulate(data, observed, previous, base_year, policy, births)
    actual = (
        data.rows.filter(pl.col("year") == base_year)
        .join(run.projected.select("sid").unique(), on="sid", how="semi")
        .with_columns(
            pl.col("grade").replace_strict(GRADE_LEVELS, return_dtype=pl.String).alias("level")
        )
        .group_by("sid", "cid", "level")
        .agg(pl.col("students").sum().alias("actual"))
    )
    projected = run.projected.join(actual.select("sid").unique(), on="sid", how="semi")
    schools = projected.with_columns(_whole(s) for s in SCENARIOS).join(
        actual, on=["sid", "cid", "level"], how="full", coalesce=True
    )
    schools = schools.with_columns(
        pl.col("actual").fill_null(0.0).cast(pl.Int64), *(pl.col(s).fill_null(0) for s in SCENARIOS)
    )
    totals = _levels(_named(data, schools), ["actual", *SCENARIOS])
    error = pl.col("median") - pl.col("actual")
    frame = totals.select(
        "county",
        "level",
        "actual",
        pl.col("median").alias("projected"),
        "low",
        "high",
        error.alias("error"),
        pl.when(pl.col("actual") > 0).then(error.abs() / pl.col("actual") * 100).alias("error_pct"),
    )
    return frame, ""


def _taught(ratios: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """The ratios of the levels each school teaches (a primary school's junior ratios are
    computed, all zero in effect, but say nothing about it)."""
    of_transition = {ENTRY: GRADE_LEVELS[1], **{k: GRADE_LEVELS[k] for k in WITHIN}}
    return ratios.with_columns(
        pl.col("transition").replace_strict(of_transition, return_dtype=pl.String).alias("level")
    ).join(schools.select("school_id", "level"), on=["school_id", "level"], how="semi")


def project(
    dataset: Dataset,
    target_year: int,
    *,
    policy: ProjectionPolicy | None = None,
    births: pl.DataFrame | None = None,
) -> Projection:
    """Project the students of every school and level with grade enrolment to `target_year`.

    `births` (county, year, births; by default the dataset's optional births table), when given,
    sets the entrants of the counties it covers.
    Raises `ProjectionError` when there is no grade enrolment, too few years of it, or the
    target year is not after its latest year.
    """
    policy = policy or default_policy()
    if births is None and dataset.births.height:
        births = dataset.births
    grades = dataset.grades.filter(pl.col("students").is_not_null())
    if grades.is_empty():
        raise ProjectionError(
            "数据中没有“年级在校生”表（或该表为空），无法预测在校生数。"
            "请在“年级在校生”工作表中填写近 3–5 年各校各年级的在校生数。"
        )
    base_year = int(grades.get_column("year").max())  # type: ignore[arg-type]
    if target_year <= base_year:
        raise ProjectionError(
            f"目标年份 {target_year} 应晚于年级在校生数据的最近年份 {base_year}。"
        )
    # One year before the window too: the back-test's window ends a year earlier.
    data = _data(dataset, base_year - policy.history_years, base_year)
    window = pl.col("year") > base_year - policy.history_years
    years = sorted(set(data.rows.filter(window).get_column("year").to_list()))
    if len(years) < policy.min_years:
        raise ProjectionError(
            f"年级在校生数据只有 {len(years)} 年（{'、'.join(map(str, years)) or '无'}），"
            f"至少需要连续 {policy.min_years} 年才能计算升级率；请补填以前年份的数据。"
        )
    observed = _observations(data.rows)
    run = _simulate(data, observed, base_year, target_year, policy, births)
    schools = _named(data, run.projected).select(
        "county",
        "school_id",
        "level",
        pl.col("base").cast(pl.Int64),
        *(_whole(s) for s in SCENARIOS),
    )
    order = {level: i for i, (level, _) in enumerate(LEVELS)}
    schools = schools.sort(
        "county",
        "school_id",
        pl.col("level").replace_strict(order, return_dtype=pl.Int64),
        maintain_order=True,
    )
    backtest, note = _backtest(data, observed, base_year, policy, births)
    ratios = _named(data, run.ratios)
    births_counties = tuple(
        sorted(data.schools.filter(pl.col("cid").is_in(run.births)).get_column("county").unique())
    )
    return Projection(
        base_year=base_year,
        target_year=target_year,
        first_year=years[0],
        schools=schools,
        levels=_levels(schools, ["base", *SCENARIOS]),
        ratios=_taught(ratios, schools).select(list(_RATIO_SCHEMA)).cast(_RATIO_SCHEMA),
        backtest=backtest,
        backtest_note=note,
        method=_method(years[0], base_year, policy, births_counties),
        births_counties=births_counties,
    )
