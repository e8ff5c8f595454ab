"""Problems (问题清单) from an evaluation snapshot, and their reconciliation with recorded ones.

A problem drawn from an evaluation has a stable `key` naming what fails (an indicator of one
school segment, a CV, an item of one school, a county item, a finance check of one fiscal year
"FIN/<check>/<year>"), so generating again from a newer snapshot finds the same problem instead
of adding a copy. Every number in a title or description is the engine's, formatted with
`junheng.core.formatting`. Undecided verdicts (`null`) make no problem; they become "数据缺失"
drafts naming the missing data, kept apart from the problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from junheng.core.finance_rules import national_rules
from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Standard

SOURCE_EVALUATION = "evaluation"
SOURCE_INSPECTION = "inspection"
SOURCE_ZH: dict[str, str] = {SOURCE_EVALUATION: "评估数据", SOURCE_INSPECTION: "督导检查"}

KIND_INDICATOR = "indicator"
KIND_BALANCE = "balance"
KIND_ITEM = "item"
KIND_VETO = "veto"
KIND_MISSING = "missing"
KIND_FINANCE = "finance"

CATEGORY_BALANCE = "校际均衡"
CATEGORY_MISSING = "数据缺失"
CATEGORY_FINANCE = "教育经费"
FINANCE_KEY = "FIN"
"""First part of a finance check's key: FIN/<check id>/<fiscal year>; its 数据缺失 draft is
NA/FIN/<fiscal year>."""
# Fallback when no standard is given: the part is the item id's letter (R1, G5, V3 …).
_PART_ZH: dict[str, str] = {
    "R": "资源配置",
    "G": "政府保障程度",
    "Q": "教育质量",
    "S": "社会认可度",
    "V": "一票否决",
}
CLOSURE_REASON = "数据已达标"
TOP_CONTRIBUTORS = 3


@dataclass(frozen=True)
class ProblemDraft:
    """One problem as an evaluation shows it (or one undecided verdict, kind "missing")."""

    key: str
    kind: str
    category: str
    item: str
    title: str
    description: str
    level: str | None = None
    school_id: str | None = None
    school_name: str | None = None
    value: Any = None
    threshold: Any = None
    gap: float | None = None
    """The gap quantity (teachers, m², yuan, rooms, students over the limit …), when countable."""
    gap_unit: str = ""
    gap_what: str = ""
    """What the gap is, read before the amount: "需新建体育运动场馆", "最大班额超出"."""
    schools: tuple[str, ...] = ()
    """Schools named by the problem: failing schools of an item, top contributors to a CV."""
    covers: tuple[str, ...] = ()
    """For a "missing" draft: the problem keys it leaves undecided (a key or a key prefix)."""
    tolerated: bool = False
    """An indicator below standard at a school segment that still passes the per-segment rule
    (每所学校至少 6 项达标、其余不低于 85%): to be put right, but not why the school fails."""

    @property
    def missing(self) -> bool:
        return self.kind == KIND_MISSING

    def numbers(self) -> tuple[Any, ...]:
        """What an update compares: the recorded problem is refreshed when these change."""
        return (self.value, self.threshold, self.gap, self.title, self.description)


@dataclass(frozen=True)
class ProblemState:
    """A problem already recorded (in the database or a ledger), as reconciliation needs it."""

    key: str | None
    source: str = SOURCE_EVALUATION
    closed: bool = False
    value: Any = None
    threshold: Any = None
    gap: float | None = None
    title: str = ""
    description: str = ""
    id: Any = None
    """The caller's identifier, handed back unchanged."""

    def numbers(self) -> tuple[Any, ...]:
        return (self.value, self.threshold, self.gap, self.title, self.description)


@dataclass(frozen=True)
class ClosureProposal:
    state: ProblemState
    snapshot_id: Any
    reason: str = CLOSURE_REASON


@dataclass(frozen=True)
class Reconciliation:
    """What to do with the recorded problems after generating from a snapshot."""

    snapshot_id: Any
    create: list[ProblemDraft] = field(default_factory=list)
    update: list[tuple[ProblemState, ProblemDraft]] = field(default_factory=list)
    """Open problems that still fail, with newer numbers."""
    unchanged: list[ProblemState] = field(default_factory=list)
    reopen: list[tuple[ProblemState, ProblemDraft]] = field(default_factory=list)
    """Closed problems that fail again (reopened rather than recorded twice)."""
    propose_closure: list[ClosureProposal] = field(default_factory=list)
    undecided: list[tuple[ProblemState, ProblemDraft | None]] = field(default_factory=list)
    """Open problems the snapshot cannot decide, neither updated nor closed: with the "数据缺失"
    draft that leaves them open, or None when the snapshot lacks the school, level or item."""
    missing_data: list[ProblemDraft] = field(default_factory=list)
    untouched: list[ProblemState] = field(default_factory=list)
    """Hand-entered problems (inspections) and closed problems that still pass."""


def _category(item: str, standard: Standard | None) -> str:
    if standard is not None and item in standard.items:
        return standard.parts.get(standard.items[item].part, _PART_ZH.get(item[:1], ""))
    return _PART_ZH.get(item[:1], "")


def _item_name(item: str, standard: Standard | None) -> str:
    if standard is not None and item in standard.items:
        return standard.items[item].name
    return ""


def _indicator_name(item: str, reason: str, standard: Standard | None) -> str:
    name = _item_name(item, standard)
    if name:
        return name
    # The engine's reason reads "R2 每百名学生拥有县级以上骨干教师数 0.62人（…"
    parts = reason.split(" ")
    return parts[1] if len(parts) > 2 and parts[0] == item else ""


def _amount(value: float | None) -> str:
    if value is None:
        return "—"
    whole = float(value).is_integer()
    return fmt_number(value, 0 if whole else 2, thousands=True)


def _segment_drafts(entry: Mapping[str, Any], standard: Standard | None) -> list[ProblemDraft]:
    drafts = []
    for seg in entry.get("segments", []):
        if not seg.get("in_scope"):
            continue
        level, sid = seg["level"], seg["school_id"]
        name = seg.get("name") or sid
        level_zh = LEVEL_ZH.get(level, level)
        reasons = seg.get("reasons", [])
        for item, met in seg.get("met", {}).items():
            if met is not False:
                continue
            reason = next((r for r in reasons if r.startswith(f"{item} ")), "")
            indicator = _indicator_name(item, reason, standard)
            value = seg["values"].get(item)
            threshold = seg.get("thresholds", {}).get(item)
            short = seg.get("shortfalls", {}).get(item) or {}
            gap, unit = short.get("amount"), short.get("unit", "")
            what = f"需{short.get('action', '')}{short.get('what', '')}" if short else ""
            floor = (seg.get("floor_ok") or {}).get(item)
            tolerated = seg.get("passes") is True
            sentence = [reason] if reason else []
            if gap is not None:
                sentence.append(f"{what} {_amount(gap)} {unit}".rstrip())
            if seg.get("passes") is False:
                sentence.append(f"该{level_zh}学段未达到每所学校资源配置要求")
            elif floor is True:
                sentence.append("不低于标准的 85%，该学段仍可达标，但须补足")
            drafts.append(
                ProblemDraft(
                    key=f"{item}/{level}/{sid}",
                    kind=KIND_INDICATOR,
                    category=_category(item, standard),
                    item=item,
                    title=f"{name}（{level_zh}）{item} {indicator}未达标："
                    f"{fmt_number(value)}，标准 {fmt_plain(threshold)}",
                    description="；".join(sentence),
                    level=level,
                    school_id=sid,
                    school_name=name,
                    value=value,
                    threshold=threshold,
                    gap=gap,
                    gap_unit=unit,
                    gap_what=what,
                    tolerated=tolerated,
                )
            )
    return drafts


def _balance_drafts(entry: Mapping[str, Any], standard: Standard | None) -> list[ProblemDraft]:
    names = {(s["school_id"], s["level"]): s.get("name") or s["school_id"] for s in _segs(entry)}
    drafts = []
    for level, indicators in entry.get("balance", {}).items():
        level_zh = LEVEL_ZH.get(level, level)
        for item, cell in indicators.items():
            if cell.get("passes") is not False:
                continue
            shares = sorted(
                (
                    (s["shares"][item], s["school_id"])
                    for s in _segs(entry)
                    if s["level"] == level and (s.get("shares") or {}).get(item) is not None
                ),
                reverse=True,
            )[:TOP_CONTRIBUTORS]
            top = tuple(sid for _, sid in shares)
            text = [cell.get("reason") or ""]
            if shares:
                listed = "、".join(
                    f"{names.get((sid, level), sid)}（{fmt_percent(share)}）"
                    for share, sid in shares
                )
                text.append(f"拉高差异系数最多的学校：{listed}")
            drafts.append(
                ProblemDraft(
                    key=f"CV/{level}/{item}",
                    kind=KIND_BALANCE,
                    category=CATEGORY_BALANCE,
                    item=item,
                    title=f"{level_zh} {item} {_item_name(item, standard)}校际差异系数超标："
                    f"{fmt_number(cell.get('cv'), 6)}，上限 {fmt_number(cell.get('limit'))}",
                    description="；".join(t for t in text if t),
                    level=level,
                    value=cell.get("cv"),
                    threshold=cell.get("limit"),
                    schools=top,
                )
            )
    return drafts


def _segs(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in entry.get("segments", []) if s.get("in_scope")]


def _check_gap(
    item: str, values: Mapping[str, Any], thresholds: Mapping[str, Any], standard: Standard | None
) -> tuple[float | None, str, str]:
    """Gap of the first failing numeric check of an item: (amount, unit, what)."""
    if standard is None or item not in standard.items:
        return None, "", ""
    for check in standard.items[item].checks:
        value, threshold = values.get(check.key), thresholds.get(check.key)
        if isinstance(value, bool) or isinstance(threshold, bool):
            continue
        if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
            continue
        if check.op in (">=", ">") and value < threshold:
            amount, verb = threshold - value, "差"
        elif check.op in ("<=", "<") and value > threshold:
            amount, verb = value - threshold, "超出"
        else:
            continue
        if check.shortfall is not None:
            what = f"需{check.shortfall.action}{check.shortfall.what}"
            return amount, check.shortfall.unit, what
        if check.percent:
            # rounded so that 5% − 4.2% reads 0.8, not 0.8000000000000003
            return round(amount * 100, 9), "个百分点", f"{check.label}{verb}"
        return amount, check.unit, f"{check.label}{verb}"
    return None, "", ""


def _item_drafts(entry: Mapping[str, Any], standard: Standard | None) -> list[ProblemDraft]:
    drafts = []
    for item, result in entry.get("items", {}).items():
        if result.get("passes") is not False:
            continue
        known = standard.items.get(item) if standard is not None else None
        veto = known.part == "V" if known is not None else item.startswith("V")
        kind = KIND_VETO if veto else KIND_ITEM
        category = _category(item, standard)
        name = _item_name(item, standard)
        failing = result.get("failing") or []
        if failing and not veto:
            by_school: dict[str, list[Mapping[str, Any]]] = {}
            for row in failing:
                by_school.setdefault(row["school_id"], []).append(row)
            for sid, rows in by_school.items():
                school = rows[0].get("name") or sid
                reasons = [r for row in rows for r in row.get("reasons", [])]
                # a school failing at both levels (G5 of a 九年一贯制) shows its larger gap
                gaps = [
                    _check_gap(item, row.get("values", {}), row.get("thresholds", {}), standard)
                    for row in rows
                ]
                gap, unit, what = max(gaps, key=lambda g: -1.0 if g[0] is None else g[0])
                text = "；".join(reasons)
                if gap is not None:
                    text += f"；{what} {_amount(gap)} {unit}".rstrip()
                drafts.append(
                    ProblemDraft(
                        key=f"{item}/{sid}",
                        kind=kind,
                        category=category,
                        item=item,
                        title=f"{school} {item} 不符合要求：{reasons[0] if reasons else name}",
                        description=text,
                        school_id=sid,
                        school_name=school,
                        level=rows[0].get("level") if len(rows) == 1 else None,
                        value=rows[0].get("values"),
                        threshold=rows[0].get("thresholds"),
                        gap=gap,
                        gap_unit=unit,
                        gap_what=what,
                    )
                )
            continue
        values = {c["key"]: c.get("value") for c in result.get("checks", [])}
        thresholds = {c["key"]: c.get("threshold") for c in result.get("checks", [])}
        gap, unit, what = _check_gap(item, values, thresholds, standard)
        text = result.get("reason") or ""
        if gap is not None:
            text += f"；{what} {_amount(gap)} {unit}".rstrip()
        schools = tuple(row["school_id"] for row in failing)
        if schools:
            named = (row.get("name") or row["school_id"] for row in failing)
            text += "；涉及学校：" + "、".join(named)
        title = f"{item} {name}" if name else item
        drafts.append(
            ProblemDraft(
                key=item,
                kind=kind,
                category=category,
                item=item,
                title=f"一票否决 {title}：存在该情形" if veto else f"{title}：未达到要求",
                description=text,
                value=result.get("value"),
                threshold=thresholds or None,
                gap=gap,
                gap_unit=unit,
                gap_what=what,
                schools=schools,
            )
        )
    return drafts


def _finance_years(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return (entry.get("finance") or {}).get("years") or []


def _finance_title(year: int, check: Mapping[str, Any]) -> str:
    """The year, the check, the figure and what was required, e.g. 2024年土地出让收益按10%计提
    教育资金未达到要求：32,798,000.00 元，应不低于 35,650,000.00 元 — as the other problems'
    titles carry value and standard (the ledger appends the shortfall); money to the fen."""
    head = f"{year}年{check['name']}"
    value, required = check.get("value"), check.get("required")
    if value is None or required is None:
        return f"{head}：未达到要求"
    unit = check.get("unit", "")
    shown, line = (f"{fmt_number(v, 2, thousands=True)} {unit}".rstrip() for v in (value, required))
    return f"{head}未达到要求：{shown}，应不低于 {line}"


def _finance_drafts(entry: Mapping[str, Any]) -> list[ProblemDraft]:
    """One problem per failed finance check and fiscal year (`core.finance.finance_to_dict`)."""
    drafts = []
    for year in _finance_years(entry):
        for check in year.get("checks", []):
            if check.get("passes") is not False:
                continue
            gap = check.get("shortfall")
            source = check.get("source") or ""
            drafts.append(
                ProblemDraft(
                    key=f"{FINANCE_KEY}/{check['id']}/{year['year']}",
                    kind=KIND_FINANCE,
                    category=CATEGORY_FINANCE,
                    item=check["name"],
                    title=_finance_title(year["year"], check),
                    description=check.get("reason", "") + (f"（依据：{source}）" if source else ""),
                    value=check.get("value"),
                    threshold=check.get("required"),
                    gap=gap,
                    gap_unit=check.get("unit", "") if gap is not None else "",
                    gap_what=check.get("shortfall_what", "") if gap is not None else "",
                )
            )
    return drafts


def _finance_missing_drafts(entry: Mapping[str, Any]) -> list[ProblemDraft]:
    """Per fiscal year, the finance checks left undecided by missing figures (not those of the
    first year, which are 不适用, nor those whose factor the rules leave unset)."""
    drafts = []
    for year in _finance_years(entry):
        undecided = [
            c for c in year.get("checks", []) if c.get("passes") is None and c.get("missing")
        ]
        if not undecided:
            continue
        fy = year["year"]
        names = "、".join(c["name"] for c in undecided)
        drafts.append(
            ProblemDraft(
                key=f"NA/{FINANCE_KEY}/{fy}",
                kind=KIND_MISSING,
                category=CATEGORY_MISSING,
                item=CATEGORY_FINANCE,
                title=f"{fy}年教育经费 {names} 无法判定：数据缺失",
                description="；".join(c.get("reason", "") for c in undecided),
                covers=tuple(f"{FINANCE_KEY}/{c['id']}/{fy}" for c in undecided),
            )
        )
    return drafts


def finance_check_of(county_entry: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """The finance check a key FIN/<check>/<year> names in an evaluation entry, or None."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != FINANCE_KEY:
        return None
    for year in _finance_years(county_entry):
        if str(year.get("year")) == parts[2]:
            return next((c for c in year.get("checks", []) if c.get("id") == parts[1]), None)
    return None


def _missing_drafts(entry: Mapping[str, Any]) -> list[ProblemDraft]:
    drafts = []
    for seg in _segs(entry):
        undecided = [item for item, met in seg.get("met", {}).items() if met is None]
        if not undecided:
            continue
        level, sid = seg["level"], seg["school_id"]
        name = seg.get("name") or sid
        level_zh = LEVEL_ZH.get(level, level)
        reasons = [r for r in seg.get("reasons", []) if r.split(" ")[0] in undecided]
        drafts.append(
            ProblemDraft(
                key=f"NA/{level}/{sid}",
                kind=KIND_MISSING,
                category=CATEGORY_MISSING,
                item="、".join(undecided),
                title=f"{name}（{level_zh}）{'、'.join(undecided)} 无法判定：数据缺失",
                description="；".join(reasons) or "缺少计算这些指标所需的数据",
                level=level,
                school_id=sid,
                school_name=name,
                covers=tuple(f"{item}/{level}/{sid}" for item in undecided),
            )
        )
    for level, indicators in entry.get("balance", {}).items():
        for item, cell in indicators.items():
            # A level without any school has no CV to decide; that is not missing data.
            if cell.get("passes") is not None or not cell.get("schools"):
                continue
            drafts.append(
                ProblemDraft(
                    key=f"NA/CV/{level}/{item}",
                    kind=KIND_MISSING,
                    category=CATEGORY_MISSING,
                    item=item,
                    title=f"{LEVEL_ZH.get(level, level)} {item} 校际差异系数无法判定：数据缺失",
                    description=cell.get("reason") or "",
                    level=level,
                    covers=(f"CV/{level}/{item}",),
                )
            )
    for item, result in entry.get("items", {}).items():
        if result.get("passes") is not None:
            continue
        drafts.append(
            ProblemDraft(
                key=f"NA/{item}",
                kind=KIND_MISSING,
                category=CATEGORY_MISSING,
                item=item,
                title=f"{item} 无法判定：数据缺失",
                description=result.get("reason") or "",
                covers=(item,),
            )
        )
    return drafts


def problems_from_evaluation(
    county_entry: Mapping[str, Any], standard: Standard | None = None
) -> list[ProblemDraft]:
    """Every problem a county's evaluation entry shows, then its "数据缺失" drafts.

    `standard` (the one the snapshot was evaluated with) adds item names and the gap quantities of
    school and county items; without it the drafts carry the engine's reasons and segment gaps.
    """
    return [
        *_segment_drafts(county_entry, standard),
        *_balance_drafts(county_entry, standard),
        *_item_drafts(county_entry, standard),
        *_finance_drafts(county_entry),
        *_missing_drafts(county_entry),
        *_finance_missing_drafts(county_entry),
    ]


def problem_number(key: str, year: str, school_name: str = "") -> str:
    """The number people read for a problem key: year, item, level in Chinese and school, e.g.
    "2026-R5-小学-城关一小" for "R5/primary/2152080001". The key itself stays the record's
    identity (reconciliation matches on it); this is only how it is shown."""
    parts = key.split("/")
    if parts[0] == FINANCE_KEY and len(parts) == 3:
        check = national_rules().check(parts[1])
        return f"{year}-{CATEGORY_FINANCE}-{parts[2]}年-{check.name if check else '经费检查'}"
    if parts[0] == "NA" and len(parts) == 3 and parts[1] == FINANCE_KEY:
        return f"{year}-数据缺失-{CATEGORY_FINANCE}-{parts[2]}年"
    if parts[0] == "NA" and len(parts) == 3:  # a segment whose indicators cannot be decided
        return f"{year}-数据缺失-{LEVEL_ZH.get(parts[1], parts[1])}-{school_name or parts[2]}"
    if parts[0] == "NA" and len(parts) == 4 and parts[1] == "CV":
        return f"{year}-数据缺失-{parts[3]}-{LEVEL_ZH.get(parts[2], parts[2])}-校际差异系数"
    if parts[0] == "CV" and len(parts) == 3:
        return f"{year}-{parts[2]}-{LEVEL_ZH.get(parts[1], parts[1])}-校际差异系数"
    if len(parts) == 3:
        item, level, sid = parts
        return f"{year}-{item}-{LEVEL_ZH.get(level, level)}-{school_name or sid}"
    if len(parts) == 2:
        return f"{year}-{parts[0]}-{school_name or parts[1]}"
    return f"{year}-{key}"


def _covered(key: str, missing: Iterable[ProblemDraft]) -> ProblemDraft | None:
    for draft in missing:
        for prefix in draft.covers:
            if key == prefix or key.startswith(prefix + "/"):
                return draft
    return None


def reconcile(
    existing: Sequence[ProblemState],
    drafts: Sequence[ProblemDraft],
    snapshot_id: Any,
    county_entry: Mapping[str, Any] | None = None,
) -> Reconciliation:
    """Match the drafts of a snapshot against the recorded problems, by key.

    A recorded problem whose key no longer fails is proposed for closure with "数据已达标" and the
    snapshot that shows it, unless the snapshot cannot decide it (data missing). Given the
    snapshot's `county_entry`, closure is proposed only where the entry shows the indicator
    passing, so a school that left the data (closed, merged) is not "达标". Hand-entered problems
    are never touched.
    """
    result = Reconciliation(snapshot_id=snapshot_id)
    failing = {d.key: d for d in drafts if not d.missing}
    missing = [d for d in drafts if d.missing]
    result.missing_data.extend(missing)
    seen: set[str] = set()
    for state in existing:
        if state.source != SOURCE_EVALUATION or state.key is None:
            result.untouched.append(state)
            continue
        seen.add(state.key)
        draft = failing.get(state.key)
        if draft is not None:
            if state.closed:
                result.reopen.append((state, draft))
            elif state.numbers() != draft.numbers():
                result.update.append((state, draft))
            else:
                result.unchanged.append(state)
            continue
        if state.closed:
            result.untouched.append(state)
            continue
        blocker = _covered(state.key, missing)
        if blocker is not None:
            result.undecided.append((state, blocker))
        elif county_entry is not None and _passes(county_entry, state.key, drafts) is not True:
            result.undecided.append((state, None))
        else:
            result.propose_closure.append(ClosureProposal(state, snapshot_id))
    result.create.extend(d for key, d in failing.items() if key not in seen)
    return result


def passes_in(county_entry: Mapping[str, Any], key: str) -> bool | None:
    """Whether the problem `key` passes in this snapshot: False while it fails, None when the
    snapshot cannot say (data missing, or the school, level or item is not in it)."""
    return _passes(county_entry, key, problems_from_evaluation(county_entry))


def _passes(
    county_entry: Mapping[str, Any], key: str, drafts: Sequence[ProblemDraft]
) -> bool | None:
    if any(d.key == key for d in drafts if not d.missing):
        return False
    if _covered(key, [d for d in drafts if d.missing]) is not None:
        return None
    parts = key.split("/")
    segments = _segs(county_entry)
    if parts[0] == FINANCE_KEY:
        check = finance_check_of(county_entry, key)
        return True if check is not None and check.get("passes") is True else None
    if parts[0] == "CV" and len(parts) == 3:
        cell = county_entry.get("balance", {}).get(parts[1], {}).get(parts[2])
        return True if cell and cell.get("passes") is True else None
    if len(parts) == 3:
        item, level, sid = parts
        seg = next((s for s in segments if s["level"] == level and s["school_id"] == sid), None)
        return True if seg is not None and seg.get("met", {}).get(item) is True else None
    item = parts[0]
    result = county_entry.get("items", {}).get(item)
    if result is None or result.get("passes") is None:
        return None
    if len(parts) == 2:
        return True if any(s["school_id"] == parts[1] for s in segments) else None
    return True if result.get("passes") is True else None
