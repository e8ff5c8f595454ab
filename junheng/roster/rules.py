"""The roster's rules as data (`eligibility.yaml`, `counting.yaml`) and their strict loader.

A province's rules are a file that `extends` a bundled one (by its `id`) and lists only what it
changes, merged key by key exactly as standard variants are (`junheng.standards`): a key the
base does not have is refused. Unknown, missing or mistyped fields raise `RosterRulesError`
naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junheng.core.standard import StandardError
from junheng.roster.schema import BACKBONE_LEVELS, GENDERS, POST_TYPES, STATUSES
from junheng.standards import overlay, read_yaml

RULES_DIR = Path(__file__).parent
ELIGIBILITY_FILE = RULES_DIR / "eligibility.yaml"
COUNTING_FILE = RULES_DIR / "counting.yaml"
_IDENTITY = ("id", "name", "source", "extends")
SEGMENT_SUBJECT_COLUMNS = ("pe_teachers", "music_teachers", "fine_art_teachers")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
"""A space left where a folded YAML line broke between two Chinese characters."""


class RosterRulesError(ValueError):
    """A roster rules file that is not well formed; the message names the file and field."""

    def __init__(self, origin: str, where: str, problem: str) -> None:
        self.origin, self.where, self.problem = origin, where, problem
        super().__init__(f"教师名册规则文件 {origin}：{where}：{problem}")


@dataclass(frozen=True)
class EligibilityRules:
    """Who must rotate, how long a rotation lasts and the yearly targets (G11)."""

    name: str
    source: str
    school_year_begins: tuple[int, int]
    min_years_at_school: int
    post_types: frozenset[str]
    statuses: frozenset[str]
    retirement_age: Mapping[str, int]
    years_before_retirement: int
    first_years_of_service: int
    min_rotation_years: int
    rotation_ends_by: tuple[int, int]
    rotation_rate: float
    backbone_share: float
    backbone_levels: frozenset[str]
    sources: Mapping[str, str]
    """Rule key (e.g. `min_years_at_school`) → the clause it rests on."""


@dataclass(frozen=True)
class CountingRules:
    """How roster rows become segment counts, G9 and G12."""

    name: str
    in_post_statuses: frozenset[str]
    subjects: Mapping[str, frozenset[str]]
    """Segment column (`pe_teachers` …) → the subject names counted in it."""
    backbone_levels: frozenset[str]
    training_hours: float
    training_target: float
    """G9: the share of teachers in post who completed `training_hours`."""
    certificate_target: float
    """G12: the share of teachers in post holding a teacher's certificate."""
    sources: Mapping[str, str]


def _read(path: Path) -> dict[str, Any]:
    try:
        return read_yaml(path)
    except StandardError as exc:
        raise RosterRulesError(exc.origin, exc.where, exc.problem) from None


def _resolve(path: Path, bundled: Path) -> dict[str, Any]:
    """The file's rules merged over the bundled file it extends (one level, by the base's id)."""
    data = _read(path)
    parent = data.get("extends")
    if parent is None:
        return data
    base = _read(bundled)
    if path.resolve() == bundled.resolve() or parent != base.get("id"):
        raise RosterRulesError(path.name, "extends", f"找不到被继承的规则文件“{parent}”")
    body = {k: v for k, v in data.items() if k not in _IDENTITY}
    try:
        merged = overlay({k: v for k, v in base.items() if k not in _IDENTITY}, body, path.name, "")
    except StandardError as exc:
        raise RosterRulesError(exc.origin, exc.where, exc.problem) from None
    return merged | {k: data[k] for k in _IDENTITY if k in data}


class _Reader:
    """Typed access to a merged mapping, refusing unknown and missing keys."""

    def __init__(self, origin: str, data: Mapping[str, Any]) -> None:
        self.origin = origin
        self.data = data
        self.sources: dict[str, str] = {}

    def fail(self, where: str, problem: str) -> RosterRulesError:
        return RosterRulesError(self.origin, where, problem)

    def section(self, where: str, allowed: set[str]) -> Mapping[str, Any]:
        node = self.data if not where else self.data.get(where)
        if not isinstance(node, Mapping):
            raise self.fail(where or "顶层", "应为键值映射")
        unknown = set(node) - allowed
        if unknown:
            raise self.fail(where or "顶层", f"未知字段：{'、'.join(sorted(map(str, unknown)))}")
        missing = allowed - set(node) - {"extends"}
        if missing:
            raise self.fail(where or "顶层", f"缺少字段：{'、'.join(sorted(missing))}")
        return node

    def rule(self, node: Mapping[str, Any], where: str, key: str) -> Any:
        entry = node[key]
        path = f"{where}.{key}" if where else key
        if not isinstance(entry, Mapping) or set(entry) != {"value", "source"}:
            raise self.fail(path, "应为 value 和 source 两个字段")
        if not isinstance(entry["source"], str) or not entry["source"].strip():
            raise self.fail(f"{path}.source", "应写明依据的文件条款")
        self.sources[key] = _CJK_SPACE.sub("", " ".join(entry["source"].split()))
        return entry["value"]

    def whole(self, value: Any, where: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"应为不小于 {minimum} 的整数")
        return value

    def share(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self.fail(where, "应为 0 到 1 之间的比例")
        return float(value)

    def choices(self, value: Any, where: str, allowed: tuple[tuple[str, str], ...]) -> frozenset:
        names = {v for v, _ in allowed}
        if not isinstance(value, list) or not value or not set(value) <= names:
            raise self.fail(where, f"应为以下值的列表：{'、'.join(sorted(names))}")
        return frozenset(value)

    def month_day(self, value: Any, where: str) -> tuple[int, int]:
        try:
            month, day = (int(part) for part in str(value).split("-"))
            dt.date(2000, month, day)
        except ValueError:
            raise self.fail(where, "应为“月-日”，如 08-01") from None
        return month, day


def load_eligibility(path: Path | str | None = None) -> EligibilityRules:
    """The eligibility rules of a file (default: the bundled national file)."""
    path = Path(path) if path is not None else ELIGIBILITY_FILE
    data = _resolve(path, ELIGIBILITY_FILE)
    r = _Reader(path.name, data)
    top = r.section("", {*_IDENTITY, "school_year_begins", "eligibility", "rotation", "targets"})
    for key in ("id", "name", "source"):
        if not isinstance(top[key], str):
            raise r.fail(key, "应为文字")
    keys = {
        "min_years_at_school",
        "post_types",
        "statuses",
        "retirement_age",
        "years_before_retirement",
        "first_years_of_service",
    }
    el = r.section("eligibility", keys)
    rot = r.section("rotation", {"min_years", "ends_by"})
    tg = r.section("targets", {"rotation_rate", "backbone_share", "backbone_levels"})
    ages = r.rule(el, "eligibility", "retirement_age")
    genders = {g for g, _ in GENDERS}
    if not isinstance(ages, Mapping) or set(ages) != genders:
        raise r.fail("eligibility.retirement_age", "应按性别 male、female 各写一个年龄")
    return EligibilityRules(
        name=top["name"],
        source=top["source"],
        school_year_begins=r.month_day(top["school_year_begins"], "school_year_begins"),
        min_years_at_school=r.whole(
            r.rule(el, "eligibility", "min_years_at_school"), "min_years_at_school", 1
        ),
        post_types=r.choices(r.rule(el, "eligibility", "post_types"), "post_types", POST_TYPES),
        statuses=r.choices(r.rule(el, "eligibility", "statuses"), "statuses", STATUSES),
        retirement_age={g: r.whole(a, f"retirement_age.{g}", 1) for g, a in ages.items()},
        years_before_retirement=r.whole(
            r.rule(el, "eligibility", "years_before_retirement"), "years_before_retirement"
        ),
        first_years_of_service=r.whole(
            r.rule(el, "eligibility", "first_years_of_service"), "first_years_of_service"
        ),
        min_rotation_years=r.whole(r.rule(rot, "rotation", "min_years"), "min_years", 1),
        rotation_ends_by=r.month_day(rot["ends_by"], "rotation.ends_by"),
        rotation_rate=r.share(r.rule(tg, "targets", "rotation_rate"), "rotation_rate"),
        backbone_share=r.share(r.rule(tg, "targets", "backbone_share"), "backbone_share"),
        backbone_levels=r.choices(
            r.rule(tg, "targets", "backbone_levels"), "backbone_levels", BACKBONE_LEVELS
        ),
        sources=dict(r.sources),
    )


def load_counting(path: Path | str | None = None) -> CountingRules:
    """The counting rules of a file (default: the bundled national file)."""
    path = Path(path) if path is not None else COUNTING_FILE
    r = _Reader(path.name, _resolve(path, COUNTING_FILE))
    top = r.section(
        "",
        {
            *_IDENTITY,
            "in_post_statuses",
            "subjects",
            "backbone_levels",
            "training_hours",
            "training_target",
            "certificate_target",
        },
    )
    subjects = r.rule(top, "", "subjects")
    if not isinstance(subjects, Mapping) or set(subjects) != set(SEGMENT_SUBJECT_COLUMNS):
        raise r.fail("subjects", f"应为 {'、'.join(SEGMENT_SUBJECT_COLUMNS)} 各列的学科名称列表")
    named: dict[str, frozenset[str]] = {}
    for column, names in subjects.items():
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise r.fail(f"subjects.{column}", "应为学科名称的列表")
        named[column] = frozenset(names)
    hours = r.rule(top, "", "training_hours")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
        raise r.fail("training_hours", "应为正数（学时）")
    return CountingRules(
        name=str(top["name"]),
        in_post_statuses=r.choices(
            r.rule(top, "", "in_post_statuses"), "in_post_statuses", STATUSES
        ),
        subjects=named,
        backbone_levels=r.choices(
            r.rule(top, "", "backbone_levels"), "backbone_levels", BACKBONE_LEVELS
        ),
        training_hours=float(hours),
        training_target=r.share(r.rule(top, "", "training_target"), "training_target"),
        certificate_target=r.share(r.rule(top, "", "certificate_target"), "certificate_target"),
        sources=dict(r.sources),
    )


ELIGIBILITY_GLOB = "eligibility*.yaml"
"""The bundled eligibility files a county may choose: the national one and provinces' overlays."""


def eligibility_files() -> dict[str, str]:
    """File name → the rules' name, the national file first, then the others by name. A file
    that does not load is left out (its tests fail; a county cannot choose it)."""
    files = {ELIGIBILITY_FILE.name: load_eligibility().name}
    for path in sorted(RULES_DIR.glob(ELIGIBILITY_GLOB)):
        if path.name in files:
            continue
        try:
            files[path.name] = load_eligibility(path).name
        except RosterRulesError:
            continue
    return files


def eligibility_path(file_name: str | None) -> Path:
    """The bundled file of that name (the national file for None or an unknown name)."""
    if file_name and file_name in eligibility_files():
        return RULES_DIR / file_name
    return ELIGIBILITY_FILE
