"""Class sizes: classes per band, dated county targets and the classes behind G5. Pure.

From the optional `classes` table (one row per teaching class: school, school year, grade,
students) every class gets its level from its grade and its band from `class_sizes.yaml`
(标准班额, 超标准班额, 大班额, 超大班额, with each level's bounds). Then:

- `band_counts`: classes and their students per school, township or county × year × level ×
  band, every band present (0 when none) for every unit, year and level that has classes;
- `judge_targets`: dated targets ("no 56+ classes from the autumn term of 2025 on") judged for
  each school year they apply to, three-valued (None when the county has no class rows that
  year), with the number, the schools holding those classes and a Chinese sentence;
- `g5_explanation`: the classes above the standard's G5 limit (read from the standard, so a
  variant standard's limit is the one explained), per school and level, and where a segment's
  reported 最大班额 disagrees with its largest class row (a note, not an error: G5 itself is
  still judged from the segments, as before);
- `class_sizes_to_dict`: all of it for one county as JSON-able data; `class_sizes_entries` the
  same for every county of a dataset at once (what the evaluation uses).

Class rows of schools that the schools table does not list belong to no county and are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.formatting import fmt_plain
from junheng.core.schema import GRADE_LEVELS, LEVEL_ZH, LEVELS
from junheng.core.standard import Standard, StandardError
from junheng.standards import read_yaml

G5 = "G5"
"""The item whose limit `g5_explanation` explains (its level thresholds are read, not copied)."""

_LEVEL_KEYS: tuple[str, ...] = tuple(key for key, _ in LEVELS)
_LEVEL_ORDER: dict[str, int] = {key: i for i, key in enumerate(_LEVEL_KEYS)}
NO_TOWNSHIP = "（未填乡镇）"
"""How a school without a township is grouped and named."""


class ClassSizeError(ValueError):
    """The bands or targets are not valid; the message is Chinese and names file and key."""


@dataclass(frozen=True)
class Band:
    key: str
    name: str
    above: str
    """This band and every larger one, as policy texts say it (大班额 in "56人以上大班额")."""
    maxima: Mapping[str, int] | None
    """Per level the largest class in the band; None for the last band."""
    source: str


@dataclass(frozen=True)
class Target:
    """At most `max_classes` classes of `band` or larger (of `level` only, when given) in every
    school year from `year` on; with `max_share`, at most that fraction of the year's classes
    (rounded down) when that allows more."""

    band: str
    year: int
    max_classes: int = 0
    max_share: Fraction | None = None
    level: str | None = None
    source: str = ""


@dataclass(frozen=True)
class ClassSizeRules:
    bands: tuple[Band, ...]
    targets: tuple[Target, ...]
    schools_in_sentence: int

    def rank(self, band: str) -> int:
        return [b.key for b in self.bands].index(band)

    def lowest(self, band: str, level: str) -> int:
        """The smallest class of `band` at `level`."""
        rank = self.rank(band)
        previous = self.bands[rank - 1].maxima if rank else None
        return previous[level] + 1 if previous else 0

    def label(self, band: str, level: str | None = None) -> str:
        """ "56人以上大班额"; "超过标准班额（小学46人以上、初中51人以上）" when levels differ."""
        above = self.bands[self.rank(band)].above
        levels = (level,) if level else _LEVEL_KEYS
        lows = {lv: self.lowest(band, lv) for lv in levels}
        prefix = LEVEL_ZH[level] if level else ""
        if len(set(lows.values())) == 1:
            return f"{prefix}{next(iter(lows.values()))}人以上{above}"
        parts = "、".join(f"{LEVEL_ZH[lv]}{low}人以上" for lv, low in lows.items())
        return f"{prefix}{above}（{parts}）"

    def ranges(self, level: str) -> list[str]:
        """Each band's range at `level` as people write it: "45人以下", "46—55人", "66人以上"."""
        out = []
        for band in self.bands:
            low = self.lowest(band.key, level)
            if band.maxima is None:
                out.append(f"{low}人以上")
            elif low == 0:
                out.append(f"{band.maxima[level]}人以下")
            else:
                out.append(f"{low}—{band.maxima[level]}人")
        return out


def _fail(source: str, where: str, problem: str) -> ClassSizeError:
    return ClassSizeError(f"{source}：{where}：{problem}" if where else f"{source}：{problem}")


def _keys(source: str, where: str, data: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(data, Mapping):
        raise _fail(source, where, "应为键值映射")
    unknown = sorted(set(data) - required - optional, key=str)
    missing = sorted(required - set(data))
    if unknown or missing:
        raise _fail(
            source,
            where,
            "；".join(
                [*(f"未知的字段“{k}”" for k in unknown), *(f"缺少字段“{k}”" for k in missing)]
            ),
        )


def _whole(source: str, where: str, value: Any, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(source, where, f"应为不小于 {minimum} 的整数，实际为 {value!r}")
    return value


def _text(source: str, where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, where, "应为非空文字")
    return value.strip()


def _bands(source: str, data: Any) -> tuple[Band, ...]:
    if not isinstance(data, list) or len(data) < 2:
        raise _fail(source, "bands", "应为至少两个班额段的列表")
    bands: list[Band] = []
    previous: dict[str, int] = dict.fromkeys(_LEVEL_KEYS, -1)
    for i, entry in enumerate(data):
        where = f"bands[{i + 1}]"
        last = i == len(data) - 1
        required = {"key", "name", "source"} | (set() if last else {"max"})
        _keys(source, where, entry, required, {"above", "max"})
        key = _text(source, f"{where}.key", entry["key"])
        if key in (b.key for b in bands):
            raise _fail(source, f"{where}.key", f"班额段“{key}”重复")
        name = _text(source, f"{where}.name", entry["name"])
        maxima = None
        if not last:
            _keys(source, f"{where}.max", entry["max"], set(_LEVEL_KEYS), set())
            maxima = {
                lv: _whole(source, f"{where}.max.{lv}", entry["max"][lv], 0) for lv in _LEVEL_KEYS
            }
            for lv in _LEVEL_KEYS:
                if maxima[lv] <= previous[lv]:
                    raise _fail(source, f"{where}.max.{lv}", "应大于前一个班额段的上限")
            previous = maxima
        elif "max" in entry:
            raise _fail(source, f"{where}.max", "最后一个班额段没有上限")
        above = _text(source, f"{where}.above", entry["above"]) if "above" in entry else name
        bands.append(
            Band(key, name, above, maxima, _text(source, f"{where}.source", entry["source"]))
        )
    return tuple(bands)


def _share(source: str, where: str, value: Any) -> Fraction | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < 1:
        raise _fail(source, where, f"应为 0 到 1 之间（不含 1）的比例，实际为 {value!r}")
    # Through the decimal text so 0.29 × 100 classes is exactly 29, not 28.999….
    return Fraction(str(value))


def targets_from_records(
    records: Sequence[Mapping[str, Any]], bands: Sequence[Band], source: str = "县级目标"
) -> tuple[Target, ...]:
    """Targets from records (the YAML's defaults or a county's own), strictly: unknown keys,
    an unknown band or level, a negative count raise `ClassSizeError` naming source and key."""
    if not isinstance(records, Sequence) or isinstance(records, str | bytes):
        raise _fail(source, "targets", "应为目标的列表")
    keys = [b.key for b in bands]
    out = []
    for i, record in enumerate(records):
        where = f"targets[{i + 1}]"
        _keys(
            source, where, record, {"band", "year", "source"}, {"max_classes", "max_share", "level"}
        )
        band = record["band"]
        if band not in keys[1:]:
            raise _fail(
                source, f"{where}.band", f"应为 {'、'.join(keys[1:])} 之一，实际为 {band!r}"
            )
        level = record.get("level")
        if level is not None and level not in _LEVEL_KEYS:
            raise _fail(
                source, f"{where}.level", f"应为 {'、'.join(_LEVEL_KEYS)} 之一，实际为 {level!r}"
            )
        out.append(
            Target(
                band=band,
                year=_whole(source, f"{where}.year", record["year"], 1900),
                max_classes=_whole(source, f"{where}.max_classes", record.get("max_classes", 0), 0),
                max_share=_share(source, f"{where}.max_share", record.get("max_share")),
                level=level,
                source=_text(source, f"{where}.source", record["source"]),
            )
        )
    return tuple(out)


def rules_from_mapping(data: Any, source: str = "class_sizes.yaml") -> ClassSizeRules:
    """Bands, default targets and wording choices from a mapping, strictly."""
    _keys(source, "", data, {"bands", "targets", "schools_in_sentence"}, set())
    bands = _bands(source, data["bands"])
    return ClassSizeRules(
        bands=bands,
        targets=targets_from_records(data["targets"], bands, source),
        schools_in_sentence=_whole(source, "schools_in_sentence", data["schools_in_sentence"], 1),
    )


def load_rules(path: Path) -> ClassSizeRules:
    """A rules file; YAML that cannot be read, or gives a key twice, is a `ClassSizeError`
    naming the file (and the line)."""
    try:
        data = read_yaml(path)
    except StandardError as exc:
        raise _fail(exc.origin, exc.where, exc.problem) from None
    return rules_from_mapping(data, path.name)


@cache
def default_rules() -> ClassSizeRules:
    """The packaged `class_sizes.yaml` (read once, like a module constant)."""
    return load_rules(Path(__file__).with_name("class_sizes.yaml"))


# --- counting -----------------------------------------------------------------------------------


def _school_names(dataset: Dataset) -> pl.DataFrame:
    return dataset.schools.select(
        "school_id",
        pl.col("name").alias("school"),
        "county",
        pl.col("township").fill_null(NO_TOWNSHIP),
    )


def _by_grade(values: Mapping[str, Any], dtype: pl.DataType) -> pl.Expr:
    """A per-level value looked up by the class's grade (an integer key is cheaper to look up
    over millions of rows than the level's name); None where the level has no value."""
    mapping = {g: values[lv] for g, lv in GRADE_LEVELS.items() if lv in values}
    return pl.col("grade").replace_strict(mapping, default=None, return_dtype=dtype)


def _usable(dataset: Dataset, rules: ClassSizeRules) -> pl.DataFrame:
    """The class rows with a year, students and a grade of 1–9, with their level and band rank
    (the number of band ceilings of its level the class exceeds), schools not yet looked up."""
    rank = pl.sum_horizontal(
        (pl.col("students") > _by_grade(band.maxima, pl.Int64)).cast(pl.Int64)
        for band in rules.bands
        if band.maxima is not None
    )
    return dataset.classes.filter(
        pl.col("year").is_not_null()
        & pl.col("students").is_not_null()
        & pl.col("grade").is_in(list(GRADE_LEVELS))
    ).with_columns(
        pl.col("grade").replace_strict(GRADE_LEVELS, return_dtype=pl.String).alias("level"),
        rank.alias("band_rank"),
    )


def classified(dataset: Dataset, rules: ClassSizeRules | None = None) -> pl.DataFrame:
    """Every class row of a listed school with county, township, school name, level and band."""
    rules = rules or default_rules()
    keys = {i: b.key for i, b in enumerate(rules.bands)}
    return (
        _usable(dataset, rules)
        .join(_school_names(dataset), on="school_id", how="inner")
        .with_columns(
            pl.col("band_rank").replace_strict(keys, return_dtype=pl.String).alias("band")
        )
        .select(
            *dataset.classes.columns, "school", "county", "township", "level", "band", "band_rank"
        )
    )


_BY: dict[str, tuple[str, ...]] = {
    "school": ("county", "township", "school_id", "school"),
    "township": ("county", "township"),
    "county": ("county",),
}


def band_counts(
    dataset: Dataset, *, rules: ClassSizeRules | None = None, by: str = "school"
) -> pl.DataFrame:
    """Classes and their students per unit (`by`: school, township or county) × year × level ×
    band: columns *unit, year, level, level_name, band, band_name, classes, students, with every
    band (0 when none) for each unit, year and level that has class rows, bands smallest first."""
    if by not in _BY:
        raise ValueError(by)
    rules = rules or default_rules()
    return _long(_wide(classified(dataset, rules), _BY[by], rules), _BY[by], rules)


def _band_columns(part: str, rules: ClassSizeRules) -> list[str]:
    return [f"__{part}{i}" for i in range(len(rules.bands))]


def _wide(rows: pl.DataFrame, keys: Sequence[str], rules: ClassSizeRules) -> pl.DataFrame:
    """One row per unit, year and level that has class rows (sorted by them, levels in their
    order): level_name, the classes and students of each band (`__classes0…`, `__students0…`,
    0 when none) and the largest class (`__largest`). Everything else is read from this."""
    return _in_order(_tallied(rows, keys, rules), keys)


def _school_wide(dataset: Dataset, usable: pl.DataFrame, rules: ClassSizeRules) -> pl.DataFrame:
    """`_wide` per school from `_usable` rows: tallied by school id, then the far fewer tallies
    given their school's names (a national dataset has millions of class rows)."""
    tallies = _tallied(usable, ["school_id"], rules).join(
        _school_names(dataset), on="school_id", how="inner"
    )
    return _in_order(tallies, _BY["school"])


def _tallied(rows: pl.DataFrame, keys: Sequence[str], rules: ClassSizeRules) -> pl.DataFrame:
    rank = pl.col("band_rank")
    return rows.group_by(*keys, "year", "level").agg(
        *(
            (rank == i).sum().cast(pl.Int64).alias(name)
            for i, name in enumerate(_band_columns("classes", rules))
        ),
        *(
            pl.when(rank == i).then(pl.col("students")).otherwise(0).sum().alias(name)
            for i, name in enumerate(_band_columns("students", rules))
        ),
        pl.col("students").max().alias("__largest"),
    )


def _in_order(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """Sorted by unit, year and level (primary first), with each level's Chinese name."""
    return (
        frame.with_columns(
            pl.col("level").replace_strict(_LEVEL_ORDER, return_dtype=pl.Int64).alias("_lv")
        )
        .sort(*keys, "year", "_lv")
        .drop("_lv")
        .with_columns(
            pl.col("level").replace_strict(LEVEL_ZH, return_dtype=pl.String).alias("level_name")
        )
    )


def _rolled_up(wide: pl.DataFrame, keys: Sequence[str], rules: ClassSizeRules) -> pl.DataFrame:
    """`_wide` of schools summed to coarser units (`keys`: a township, the county)."""
    summed = [*_band_columns("classes", rules), *_band_columns("students", rules)]
    return (
        wide.group_by(*keys, "year", "level")
        .agg(pl.col(summed).sum(), pl.col("__largest").max())
        .pipe(_in_order, keys)
    )


def _long(wide: pl.DataFrame, keys: Sequence[str], rules: ClassSizeRules) -> pl.DataFrame:
    """`_wide` as `band_counts` gives it: a row per band, bands smallest first."""
    return wide.select(
        *keys,
        "year",
        "level",
        "level_name",
        pl.lit([b.key for b in rules.bands]).alias("band"),
        pl.lit([b.name for b in rules.bands]).alias("band_name"),
        pl.concat_list(_band_columns("classes", rules)).alias("classes"),
        pl.concat_list(_band_columns("students", rules)).alias("students"),
    ).explode("band", "band_name", "classes", "students")


def township_counts(dataset: Dataset, *, rules: ClassSizeRules | None = None) -> pl.DataFrame:
    return band_counts(dataset, rules=rules, by="township")


def county_counts(dataset: Dataset, *, rules: ClassSizeRules | None = None) -> pl.DataFrame:
    return band_counts(dataset, rules=rules, by="county")


# --- targets ------------------------------------------------------------------------------------


def _allowed(target: Target, total: int) -> int:
    if target.max_share is None:
        return target.max_classes
    return max(target.max_classes, math.floor(target.max_share * total))


def _share_text(share: Fraction) -> str:
    return f"{fmt_plain(float(share * 100))}%"


def describe_target(target: Target, rules: ClassSizeRules | None = None) -> str:
    """ "到2025年秋季，56人以上大班额为 0 个" (or "不超过 3 个", "不超过总班数的 5%")."""
    rules = rules or default_rules()
    label = rules.label(target.band, target.level)
    if target.max_share is not None:
        limit = f"不超过总班数的 {_share_text(target.max_share)}"
        if target.max_classes:
            limit += f"（至少可有 {target.max_classes} 个）"
    elif target.max_classes:
        limit = f"不超过 {target.max_classes} 个"
    else:
        limit = "为 0 个"
    return f"到{target.year}年秋季，{label}{limit}"


@dataclass(frozen=True)
class TargetResult:
    county: str
    year: int
    target: Target
    label: str
    met: bool | None
    """None when the county has no class rows (of the target's level) that year."""
    classes: int | None
    total_classes: int | None
    allowed: int | None
    schools: tuple[tuple[str, int], ...]
    """The schools holding the counted classes, most first."""
    sentence: str

    def to_dict(self, rules: ClassSizeRules | None = None) -> dict[str, Any]:
        return {
            "county": self.county,
            "year": self.year,
            "target": describe_target(self.target, rules),
            "target_year": self.target.year,
            "band": self.target.band,
            "level": self.target.level,
            "label": self.label,
            "source": self.target.source,
            "met": self.met,
            "classes": self.classes,
            "total_classes": self.total_classes,
            "allowed": self.allowed,
            "schools": [{"school": name, "classes": n} for name, n in self.schools],
            "sentence": self.sentence,
        }


def _target_sentence(
    year: int,
    label: str,
    target: Target,
    rules: ClassSizeRules,
    counted: int | None,
    total: int | None,
    allowed: int | None,
    schools: Sequence[tuple[str, int]],
    met: bool | None,
) -> str:
    term = f"{year}年秋季"
    if counted is None or total is None or allowed is None:
        if target.max_share is not None:
            goal = f"不超过总班数的 {_share_text(target.max_share)}"
        else:
            goal = f"不超过 {target.max_classes} 个" if target.max_classes else " 0 个"
        return f"{term}：没有班级学生数，{label}目标为{goal}，无法判断"
    where = ""
    if schools:
        shown = [f"{name} {n} 个" for name, n in schools[: rules.schools_in_sentence]]
        rest = schools[rules.schools_in_sentence :]
        if rest:
            shown.append(f"另 {len(rest)} 所学校共 {sum(n for _, n in rest)} 个")
        where = f"（{'，'.join(shown)}）"
    goal = f" {allowed} 个" if allowed == 0 else f"不超过 {allowed} 个"
    if target.max_share is not None:
        goal += f"（总班数 {total} 个的 {_share_text(target.max_share)}）"
    verdict = "已实现" if met else "未实现"
    return f"{term}：{label} {counted} 个{where}，目标为{goal}，{verdict}"


def judge_targets(
    counts: pl.DataFrame,
    targets: Sequence[Target] | None = None,
    *,
    rules: ClassSizeRules | None = None,
    counties: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> list[TargetResult]:
    """Each target for each county and each school year it applies to.

    `counts` is `band_counts(…, by="school")` (county counts judge too, without naming
    schools). A target applies from its year on: by default to the years from its year (or the
    county's first year of class rows, if later) to the county's last year of class rows (or the
    target's year, if later), so a year without rows inside that span, or a target year beyond
    the data, is judged None. `targets` default to the rules' defaults; `counties` to those in
    `counts` (a county without class rows gets None for each target year)."""
    rules = rules or default_rules()
    counties = (
        counts["county"].unique(maintain_order=True).to_list() if counties is None else counties
    )
    return _judge(_from_long(counts, rules), targets, rules, counties, years)


def _from_long(counts: pl.DataFrame, rules: ClassSizeRules) -> pl.DataFrame:
    """`band_counts` rows as the `_wide` class columns (a band without a row is 0 classes)."""
    units = [key for key in _BY["school"] if key in counts.columns]
    columns = _band_columns("classes", rules)
    names = {band.key: name for band, name in zip(rules.bands, columns, strict=True)}
    wide = counts.with_columns(
        pl.col("band").replace_strict(names, return_dtype=pl.String).alias("__band")
    ).pivot(
        on="__band", index=[*units, "year", "level"], values="classes", aggregate_function="sum"
    )
    return wide.with_columns(
        pl.col(name).fill_null(0) if name in wide.columns else pl.lit(0, pl.Int64).alias(name)
        for name in columns
    )


def _judge(
    wide: pl.DataFrame,
    targets: Sequence[Target] | None,
    rules: ClassSizeRules,
    counties: Sequence[str],
    years: Sequence[int] | None,
) -> list[TargetResult]:
    """`judge_targets` over `_wide` counts (of schools, or of counties without naming schools)."""
    targets = rules.targets if targets is None else targets
    named = "school" in wide.columns
    years_of: dict[str, list[int]] = dict(
        wide.group_by("county").agg(pl.col("year").unique().sort()).iter_rows()
    )
    tallies = [_tally(wide, target, rules, named=named) for target in targets]
    labels = [rules.label(target.band, target.level) for target in targets]
    out: list[TargetResult] = []
    for county in counties:
        data_years = years_of.get(county, [])
        for target, label, tally in zip(targets, labels, tallies, strict=True):
            if years is not None:
                span = list(years)
            elif data_years:
                span = list(
                    range(max(target.year, data_years[0]), max(target.year, data_years[-1]) + 1)
                )
            else:
                span = [target.year]
            for year in span:
                found = tally.get((county, year))
                if found is None:
                    counted = total = allowed = None
                    met = None
                    schools: tuple[tuple[str, int], ...] = ()
                else:
                    total, counted, schools = found
                    allowed = _allowed(target, total)
                    met = counted <= allowed
                out.append(
                    TargetResult(
                        county=county,
                        year=year,
                        target=target,
                        label=label,
                        met=met,
                        classes=counted,
                        total_classes=total,
                        allowed=allowed,
                        schools=schools,
                        sentence=_target_sentence(
                            year, label, target, rules, counted, total, allowed, schools, met
                        ),
                    )
                )
    return out


def _tally(
    wide: pl.DataFrame, target: Target, rules: ClassSizeRules, *, named: bool
) -> dict[tuple[str, int], tuple[int, int, tuple[tuple[str, int], ...]]]:
    """(county, year) → (classes, classes of the target's band or larger, the schools holding
    those, most first) for every county and year with rows at the target's level, in one pass;
    a missing key is a year without such rows."""
    rows = wide if target.level is None else wide.filter(pl.col("level") == target.level)
    columns = _band_columns("classes", rules)
    hit = pl.sum_horizontal(columns[rules.rank(target.band) :])
    totals = rows.group_by("county", "year").agg(
        pl.sum_horizontal(columns).sum().alias("total"), hit.sum().alias("hit")
    )
    schools: dict[tuple[str, int], tuple[tuple[str, int], ...]] = {}
    if named:
        per = (
            rows.group_by("county", "year", "school_id", "school")
            .agg(hit.sum().alias("classes"))
            .filter(pl.col("classes") > 0)
            .sort(
                ["county", "year", "classes", "school", "school_id"],
                descending=[False, False, True, False, False],
            )
            .group_by("county", "year", maintain_order=True)
            .agg("school", "classes")
        )
        schools = {
            (county, year): tuple(zip(names, numbers, strict=True))
            for county, year, names, numbers in per.iter_rows()
        }
    return {
        (county, year): (total, hits, schools.get((county, year), ()))
        for county, year, total, hits in totals.iter_rows()
    }


# --- G5 -----------------------------------------------------------------------------------------


def _exact(value: float) -> float | int:
    """45.0 → 45: the standard's reader makes every number a float, people read whole ones."""
    return int(value) if float(value).is_integer() else value


def class_limits(standard: Standard) -> dict[str, float]:
    """Level → the largest class the standard allows, as its file gives it: the first check with
    "<=" on 最大班额 alone (`max_class_size`) against a per-level or constant threshold, G5's
    checks before the other items'; {} when the standard has none. G5's explanation and the
    school places (`places.py`) both read the limit here, so they cannot disagree."""
    items = sorted(standard.items.values(), key=lambda item: item.id != G5)
    for item in items:
        for check in item.checks:
            threshold = check.threshold
            if (
                check.op != "<="
                or threshold.formula is not None
                or check.value.columns(item.params) != {"max_class_size"}
            ):
                continue
            if threshold.by == "level":
                return {
                    lv: float(threshold.values[lv]) for lv in _LEVEL_KEYS if lv in threshold.values
                }
            if threshold.by is None and threshold.constant is not None:
                return dict.fromkeys(_LEVEL_KEYS, float(threshold.constant))
    return {}


def _g5_limits(standard: Standard) -> dict[str, float | int]:
    return {lv: _exact(v) for lv, v in class_limits(standard).items()}


def _limits_text(limits: Mapping[str, float]) -> str:
    return "、".join(f"{LEVEL_ZH[lv]} {fmt_plain(v)} 人" for lv, v in limits.items())


@dataclass(frozen=True)
class G5Explanation:
    county: str
    year: int
    limits: Mapping[str, float]
    has_data: bool
    schools: tuple[dict[str, Any], ...]
    """Per school and level: school_id, school, level, level_name, classes (count), largest,
    and `rows`: each class above the limit (grade, class_name, students), largest first."""
    notes: tuple[dict[str, Any], ...]
    """Segments whose reported 最大班额 disagrees with their largest class row: school_id,
    school, level, level_name, reported (None when not reported), largest, sentence."""
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "county": self.county,
            "year": self.year,
            "limits": dict(self.limits),
            "has_data": self.has_data,
            "classes": sum(s["classes"] for s in self.schools),
            "schools": [dict(s) for s in self.schools],
            "notes": [dict(n) for n in self.notes],
            "sentence": self.sentence,
        }


def g5_explanation(
    dataset: Dataset,
    year: int,
    county: str,
    standard: Standard,
    *,
    rules: ClassSizeRules | None = None,
) -> G5Explanation:
    """The county's classes of `year` above the G5 limit, per school and level, with a sentence;
    and where the segments' 最大班额 (what G5 is judged on) disagrees with the class rows."""
    rules = rules or default_rules()
    own = replace(dataset, schools=dataset.schools.filter(pl.col("county") == county))
    usable = _usable(own, rules)
    return _g5_explanations(
        own, usable, _school_wide(own, usable, rules), {county: year}, _g5_limits(standard)
    )[county]


def _g5_explanations(
    dataset: Dataset,
    usable: pl.DataFrame,
    schools: pl.DataFrame,
    chosen: Mapping[str, int],
    limits: Mapping[str, float | int],
) -> dict[str, G5Explanation]:
    """`g5_explanation` for every county of `chosen` (county → the year explained) at once,
    from the `_usable` class rows and their `_school_wide` counts."""
    in_year = pl.col("county").replace_strict(
        chosen, default=None, return_dtype=pl.Int64
    ) == pl.col("year")
    largest = schools.filter(in_year)
    present = set(largest.get_column("county").unique().to_list())
    if not limits:
        return {
            county: G5Explanation(
                county, year, {}, county in present, (), (), "所用标准没有按学段给出班额上限（G5）"
            )
            for county, year in chosen.items()
        }
    # The few classes over the limit first, then their schools' names.
    over = (
        usable.filter(pl.col("students") > _by_grade(limits, pl.Float64))
        .join(_school_names(dataset), on="school_id", how="inner")
        .filter(in_year)
        .group_by("county", "school_id", "school", "level")
        .agg(
            pl.len().cast(pl.Int64).alias("classes"),
            pl.col("students").max().alias("largest"),
            pl.struct("grade", "class_name", "students")
            .sort_by(["students", "grade", "class_name"], descending=[True, False, False])
            .alias("rows"),
        )
        .with_columns(
            pl.col("level").replace_strict(LEVEL_ZH, return_dtype=pl.String).alias("level_name"),
            pl.col("level").replace_strict(_LEVEL_ORDER, return_dtype=pl.Int64).alias("_lv"),
        )
        .sort(
            ["county", "classes", "largest", "school", "_lv", "school_id"],
            descending=[False, True, True, False, False, False],
        )
        .select(
            "county", "school_id", "school", "level", "level_name", "classes", "largest", "rows"
        )
    )
    found_by: dict[str, list[dict[str, Any]]] = {}
    for record in over.to_dicts():
        found_by.setdefault(record.pop("county"), []).append(record)
    notes = _notes(largest, dataset.segments)
    limits_text = _limits_text(limits)
    out: dict[str, G5Explanation] = {}
    for county, year in chosen.items():
        term = f"{year}年秋季"
        if county not in present:
            out[county] = G5Explanation(
                county,
                year,
                limits,
                False,
                (),
                (),
                f"{term}没有班级学生数，无法列出超过 G5 班额上限的班级",
            )
            continue
        found = found_by.get(county, [])
        if found:
            parts = "，".join(
                f"{s['school']}（{s['level_name']}）{s['classes']} 个，最大 {s['largest']} 人"
                for s in found
            )
            total = sum(s["classes"] for s in found)
            sentence = f"{term}超过 G5 班额上限（{limits_text}）的班级 {total} 个：{parts}"
        else:
            sentence = f"{term}所有班级均不超过 G5 班额上限（{limits_text}）"
        out[county] = G5Explanation(
            county, year, limits, True, tuple(found), tuple(notes.get(county, ())), sentence
        )
    return out


def _notes(largest: pl.DataFrame, segments: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """County → the segments whose reported 最大班额 disagrees with their largest class row
    (`largest`: `_wide` school counts of the year explained)."""
    joined = (
        largest.join(
            segments.select("school_id", "level", "max_class_size"),
            on=["school_id", "level"],
            how="inner",
        )
        .filter(
            pl.col("max_class_size").is_null() | (pl.col("max_class_size") != pl.col("__largest"))
        )
        .with_columns(
            pl.col("level").replace_strict(_LEVEL_ORDER, return_dtype=pl.Int64).alias("_lv")
        )
        .sort("county", "school", "_lv", "school_id")
    )
    notes: dict[str, list[dict[str, Any]]] = {}
    for county, school_id, school, level, top, reported in joined.select(
        "county", "school_id", "school", "level", "__largest", "max_class_size"
    ).iter_rows():
        said = "学段表未填最大班额" if reported is None else f"学段表填报最大班额 {reported} 人"
        notes.setdefault(county, []).append(
            {
                "school_id": school_id,
                "school": school,
                "level": level,
                "level_name": LEVEL_ZH[level],
                "reported": reported,
                "largest": top,
                "sentence": f"{school}（{LEVEL_ZH[level]}）：{said}，班级学生数中最大的班 {top} 人",
            }
        )
    return notes


# --- JSON ---------------------------------------------------------------------------------------


def _records(
    wide: pl.DataFrame, keys: Sequence[str], rules: ClassSizeRules
) -> dict[str, list[dict[str, Any]]]:
    """County → its `_wide` rows as records ({unit keys…, year, level, level_name, classes,
    students, bands: {band: classes}, band_students: {band: students}}). Read out as plain
    lists: making a national dataset's records into dicts is most of this function's time."""
    bands = [band.key for band in rules.bands]
    names = [*keys, "year", "level", "level_name", "classes", "students"]
    classes, students = _band_columns("classes", rules), _band_columns("students", rules)
    frame = wide.with_columns(
        pl.sum_horizontal(classes).alias("classes"), pl.sum_horizontal(students).alias("students")
    )

    def column(name: str) -> list[Any]:
        return frame.get_column(name).to_list()

    out: dict[str, list[dict[str, Any]]] = {}
    for county, values, per_band, per_band_students in zip(
        column("county"),
        zip(*(column(name) for name in names), strict=True),
        zip(*(column(name) for name in classes), strict=True),
        zip(*(column(name) for name in students), strict=True),
        strict=True,
    ):
        record = dict(zip(names, values, strict=True))
        record["bands"] = dict(zip(bands, per_band, strict=True))
        record["band_students"] = dict(zip(bands, per_band_students, strict=True))
        out.setdefault(county, []).append(record)
    return out


def _band_dicts(rules: ClassSizeRules) -> list[dict[str, Any]]:
    ranges = {lv: rules.ranges(lv) for lv in _LEVEL_KEYS}
    return [
        {
            "key": band.key,
            "name": band.name,
            "source": band.source,
            "ranges": {lv: ranges[lv][i] for lv in _LEVEL_KEYS},
        }
        for i, band in enumerate(rules.bands)
    ]


def class_sizes_entries(
    dataset: Dataset,
    *,
    year: int | None = None,
    standard: Standard,
    targets: Sequence[Target] | None = None,
    rules: ClassSizeRules | None = None,
) -> dict[str, dict[str, Any]]:
    """County → `class_sizes_to_dict` of that county, for every county with class rows, in
    the order of `dataset.counties`. All counties are counted, judged and explained together
    (a few column-wise passes, then split by county): a national dataset costs its rows, not
    counties × the fixed cost of many small steps. Without `targets`, a county that gave its
    own dated targets (`class_targets`) is judged on them instead of the defaults."""
    rules = rules or default_rules()
    usable = _usable(dataset, rules)
    schools = _school_wide(dataset, usable, rules)
    years_of: dict[str, list[int]] = dict(
        schools.group_by("county").agg(pl.col("year").unique().sort()).iter_rows()
    )
    counties = [county for county in dataset.counties if county in years_of]
    if not counties:
        return {}
    by_county = {
        "county": _records(_rolled_up(schools, _BY["county"], rules), ["county"], rules),
        "townships": _records(_rolled_up(schools, _BY["township"], rules), ["township"], rules),
        "schools": _records(schools, ["school_id", "school", "township"], rules),
    }
    judged: dict[str, list[dict[str, Any]]] = {}
    # Given `targets` judge every county; otherwise a county's own targets (the optional
    # 创建目标（班额） table) replace the defaults for it. Counties sharing targets are judged
    # together, so the defaults still cost one pass.
    own: Mapping[str, Sequence[Target]] = {}
    if targets is None and dataset.class_targets.height:
        from junheng.core.county_targets import targets_by_county

        own = targets_by_county(dataset, rules)
    groups: dict[tuple[Target, ...], list[str]] = {}
    for county in counties:
        chosen_targets = own.get(county, rules.targets if targets is None else targets)
        groups.setdefault(tuple(chosen_targets), []).append(county)
    for group, members in groups.items():
        for result in _judge(schools, group, rules, members, None):
            judged.setdefault(result.county, []).append(result.to_dict(rules))
    chosen = {county: years_of[county][-1] if year is None else year for county in counties}
    g5 = _g5_explanations(dataset, usable, schools, chosen, _g5_limits(standard))
    bands = _band_dicts(rules)
    return {
        county: {
            "bands": [{**band, "ranges": dict(band["ranges"])} for band in bands],
            "years": years_of[county],
            **{part: records[county] for part, records in by_county.items()},
            "targets": judged.get(county, []),
            "g5": g5[county].to_dict(),
        }
        for county in counties
    }


def class_sizes_to_dict(
    dataset: Dataset,
    county: str,
    *,
    year: int | None = None,
    standard: Standard,
    targets: Sequence[Target] | None = None,
    rules: ClassSizeRules | None = None,
) -> dict[str, Any] | None:
    """One county's class sizes as JSON-able data; None when it has no class rows.

    {"bands": [{key, name, source, ranges: {level: "46—55人"}}],
     "years": [..], "county": [record], "townships": [record], "schools": [record],
     "targets": [TargetResult.to_dict()], "g5": G5Explanation.to_dict()} where a record is
    {unit keys…, year, level, level_name, classes, students, bands: {band: classes},
    band_students: {band: students}}. `year` is the school year whose classes explain G5 (the
    dataset's own year); by default the county's latest year of class rows. For many counties
    `class_sizes_entries` gives the same for all of them at once."""
    own = replace(dataset, schools=dataset.schools.filter(pl.col("county") == county))
    found = class_sizes_entries(own, year=year, standard=standard, targets=targets, rules=rules)
    return found.get(county)
