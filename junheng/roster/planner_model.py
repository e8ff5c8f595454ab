"""The planner's mixed-integer linear programme, its HiGHS call, the split of counts into
individual moves, and the reasons in Chinese when no plan exists. The model is described in
`junheng/roster/planner.py`'s docstring."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl

from junheng.core.standard import Item
from junheng.roster.planner_limits import SCOPES, SUBJECTS, PlanError, PlanLimits
from junheng.roster.planner_wording import percent_text

_INF = float("inf")


class Model:
    """A sparse MILP built row by row, then handed to HiGHS at once."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        self.offset = 0.0

    def var(self, cost: float, lower: float, upper: float, integer: bool) -> int:
        """A new column; its index."""
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, index: list[int], value: list[float], lower: float, upper: float) -> None:
        """lower ≤ Σ value·x[index] ≤ upper; an empty row is kept only when it cannot hold."""
        if index:
            self.rows.append((index, value, lower, upper))
        elif lower > 1e-9 or upper < -1e-9:
            self.rows.append(([], [], lower, upper))

    def solve(self, gap: float, seconds: float) -> Solved:
        """Hand the model to HiGHS: stop within `gap` of the optimum or after `seconds`."""
        import highspy
        import numpy as np

        if any(not idx and (lo > 0 or hi < 0) for idx, _, lo, hi in self.rows):
            return Solved("infeasible", [])
        rows = [r for r in self.rows if r[0]]
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.array(self.cost, dtype=float)
        lp.col_lower_ = np.array(self.lower, dtype=float)
        lp.col_upper_ = np.array([highspy.kHighsInf if u == _INF else u for u in self.upper])
        lp.row_lower_ = np.array([highspy.kHighsInf * -1 if r[2] == -_INF else r[2] for r in rows])
        lp.row_upper_ = np.array([highspy.kHighsInf if r[3] == _INF else r[3] for r in rows])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        starts = np.zeros(len(rows) + 1, dtype=np.int32)
        starts[1:] = np.cumsum([len(r[0]) for r in rows])
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = np.array([i for r in rows for i in r[0]], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([v for r in rows for v in r[1]], dtype=float)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in self.integer
        ]
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("mip_rel_gap", gap)
        solver.setOptionValue("time_limit", seconds)
        solver.setOptionValue("random_seed", 1)
        lp.offset_ = self.offset
        solver.passModel(lp)
        solver.run()
        status = solver.getModelStatus()
        info = solver.getInfo()
        kind = highspy.HighsModelStatus
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return Solved("infeasible", [])
        if info.primal_solution_status != 2:  # 2: a feasible solution is known
            return Solved("no_solution", [])
        values = list(solver.getSolution().col_value)
        reported = float(info.mip_gap) if any(self.integer) else 0.0
        return Solved("solved", values, float(info.objective_function_value), max(0.0, reported))


@dataclass(frozen=True)
class Solved:
    """What the solver answered: `state` solved / infeasible / no_solution (time ran out first),
    the column values, the objective and the proven relative gap."""

    state: str
    values: list[float]
    objective: float = math.nan
    gap: float = math.nan


@dataclass(frozen=True)
class Problem:
    """What the model is built from."""

    segs: pl.DataFrame
    """Prepared segments in row order `seg`: level, township, students, teachers,
    approved_posts and per item `<item>_count`, `<item>_need`, `<item>_target`."""
    types: pl.DataFrame
    """type, level, backbone (0/1) and per item what one teacher of the type adds."""
    eligible: Mapping[tuple[int, int], int]
    """(seg, type) → eligible teachers there."""
    hire_gain: Mapping[tuple[str, str], tuple[int, ...]]
    """(level, subject) → what one hire adds to each item."""
    items: Sequence[Item]
    limits: PlanLimits
    required: int
    backbone_share: Fraction


@dataclass
class Built:
    """The model and its decision columns: out and into by (seg, type), hires by (seg, subject)."""

    model: Model
    out: dict[tuple[int, int], int] = field(default_factory=dict)
    into: dict[tuple[int, int], int] = field(default_factory=dict)
    hire: dict[tuple[int, str], int] = field(default_factory=dict)


def pool_keys(segs: pl.DataFrame, scope: str) -> list[tuple[Any, ...]]:
    """Each segment's pool: its level, with its township under `scope: township`."""
    keys = []
    for seg, level, township in segs.select("seg", "level", "township").iter_rows():
        if scope == "county":
            keys.append((level,))
        elif township is None or township == "":
            # No township: no school shares its pool, so it neither sends nor receives.
            keys.append((level, None, seg))
        else:
            keys.append((level, township))
    return keys


def build_model(
    problem: Problem,
    *,
    scope: str,
    with_backbone: bool = True,
    with_posts: bool = True,
) -> Built:
    """The MILP of `problem`; `with_backbone` and `with_posts` off and another `scope` serve
    only to find which rule makes a problem infeasible."""
    built = Built(Model())
    type_rows = {t: row for t, *row in problem.types.iter_rows()}  # type → level, backbone, gains
    _rotation(built, problem, type_rows, scope)
    _hiring(built, problem)
    _g11(built, problem, type_rows, with_backbone)
    _segments(built, problem, type_rows, with_posts)
    return built


def _rotation(
    built: Built, problem: Problem, type_rows: Mapping[int, Sequence[Any]], scope: str
) -> None:
    """Out and in per pool and type, with the balance and no-return rows."""
    model, out, into = built.model, built.out, built.into
    segs = problem.segs
    pools: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for seg, key in zip(segs["seg"].to_list(), pool_keys(segs, scope), strict=True):
        pools[key].append(seg)
    by_type_seg: dict[int, dict[int, int]] = defaultdict(dict)
    for (seg, t), n in problem.eligible.items():
        by_type_seg[t][seg] = n
    levels = segs["level"].to_list()
    for members in pools.values():
        if len(members) < 2:
            continue
        for t, (t_level, *_rest) in type_rows.items():
            if t_level != levels[members[0]]:
                continue
            supply = {s: by_type_seg[t].get(s, 0) for s in members}
            total = sum(supply.values())
            if total == 0:
                continue
            flow = model.var(0.0, 0, total, False)
            for s in members:
                if supply[s]:
                    out[s, t] = model.var(problem.limits.move_penalty, 0, supply[s], True)
                into[s, t] = model.var(0.0, 0, total, True)
            outs = [out[s, t] for s in members if (s, t) in out]
            model.row([*outs, flow], [1.0] * len(outs) + [-1.0], 0, 0)
            model.row([into[s, t] for s in members] + [flow], [1.0] * len(members) + [-1.0], 0, 0)
            for s in members:
                idx = [into[s, t], flow] + ([out[s, t]] if (s, t) in out else [])
                model.row(idx, [1.0, -1.0] + [1.0] * (len(idx) - 2), -_INF, 0)


def _hiring(built: Built, problem: Problem) -> None:
    """Hires per segment and subject within the county's total and each subject's cap."""
    limits, model, hire = problem.limits, built.model, built.hire
    if limits.max_hires <= 0:
        return
    for seg in problem.segs["seg"].to_list():
        for subject in SUBJECTS:
            cap = min(limits.max_hires, limits.hires_by_subject.get(subject, limits.max_hires))
            if cap > 0:
                hire[seg, subject] = model.var(limits.hire_penalty, 0, cap, True)
    model.row(list(hire.values()), [1.0] * len(hire), -_INF, limits.max_hires)
    for subject, cap in limits.hires_by_subject.items():
        idx = [v for (_, s), v in hire.items() if s == subject]
        model.row(idx, [1.0] * len(idx), -_INF, cap)


def _g11(
    built: Built, problem: Problem, type_rows: Mapping[int, Sequence[Any]], with_backbone: bool
) -> None:
    """At least `required` moves, and q·backbone ≥ p·moves for the backbone share p/q."""
    all_out = list(built.out.items())
    most = problem.limits.max_moves
    built.model.row(
        [v for _, v in all_out],
        [1.0] * len(all_out),
        problem.required,
        _INF if most is None else most,
    )
    if with_backbone:
        p, q = problem.backbone_share.numerator, problem.backbone_share.denominator
        built.model.row(
            [v for _, v in all_out],
            [float(q * type_rows[t][1] - p) for (_, t), v in all_out],
            0,
            _INF,
        )


def _segments(
    built: Built, problem: Problem, type_rows: Mapping[int, Sequence[Any]], with_posts: bool
) -> None:
    """Per segment: the shortfall and spread of each item, and the approved posts."""
    model, limits = built.model, problem.limits
    out_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    in_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    hires_of: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (s, t), v in built.out.items():
        out_of[s].append((t, v))
    for (s, t), v in built.into.items():
        in_of[s].append((t, v))
    for (s, subject), v in built.hire.items():
        hires_of[s].append((subject, v))
    for row in problem.segs.rows(named=True):
        s = row["seg"]
        for k, item in enumerate(problem.items):
            if row[f"{item.id}_count"] is None or not row["students"]:
                continue
            idx: list[int] = []
            val: list[float] = []
            loss = 0
            for t, v in out_of[s]:
                if gain := type_rows[t][2 + k]:
                    idx.append(v)
                    val.append(-gain)
                    loss += max(0, gain) * problem.eligible[s, t]
            for t, v in in_of[s]:
                if gain := type_rows[t][2 + k]:
                    idx.append(v)
                    val.append(gain)
            for subject, v in hires_of[s]:
                if gain := problem.hire_gain[row["level"], subject][k]:
                    idx.append(v)
                    val.append(gain)
            away = row[f"{item.id}_count"] - row[f"{item.id}_target"]
            if limits.spread_weight > 0 and not idx:
                model.offset += limits.spread_weight * abs(away)
            elif limits.spread_weight > 0:
                # |count after − the level's mean share of it|, in teachers (see planner.py).
                spread = model.var(limits.spread_weight, 0, _INF, False)
                model.row([spread, *idx], [1.0, *[-v for v in val]], away, _INF)
                model.row([spread, *idx], [1.0, *val], -away, _INF)
            gap = row[f"{item.id}_need"] - row[f"{item.id}_count"]
            if gap + loss <= 0:
                continue  # never short, whatever the plan does
            short = model.var(1.0, 0, _INF, False)
            model.row([short, *idx], [1.0, *val], gap, _INF)
        if with_posts and row["approved_posts"] is not None:
            room = max(0, row["approved_posts"] - row["teachers"])
            idx = [v for _, v in in_of[s]] + [v for _, v in hires_of[s]]
            idx_out = [v for _, v in out_of[s]]
            model.row(idx + idx_out, [1.0] * len(idx) + [-1.0] * len(idx_out), -_INF, room)


def pair_moves(outs: dict[int, int], ins: dict[int, int]) -> list[tuple[int, int, int]]:
    """Split out- and in-counts of one pool and type into (from, to, count) with from ≠ to.

    Always take the school with the most remaining (out + in) and pair it with the largest other
    school on the other side. With o + i ≤ total for every school (the model's constraint) this
    never gets stuck: a school at the total is always the one served, and after each pairing the
    condition holds for the smaller total."""
    remaining = {s: outs.get(s, 0) + ins.get(s, 0) for s in set(outs) | set(ins)}
    rem_out = dict(outs)
    rem_in = dict(ins)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    heap = [(-n, s) for s, n in remaining.items() if n]
    heapq.heapify(heap)
    while heap:
        n, s = heapq.heappop(heap)
        if -n != remaining[s] or not remaining[s]:
            continue
        side_out = rem_out.get(s, 0) > 0
        partner = None
        skipped = []
        while heap:
            m, r = heapq.heappop(heap)
            if -m != remaining[r] or not remaining[r]:
                continue
            if r != s and (rem_in.get(r, 0) if side_out else rem_out.get(r, 0)) > 0:
                partner = r
                break
            skipped.append((m, r))
        if partner is None:
            raise PlanError("交流名单无法拆分到个人（内部错误）")
        src, dst = (s, partner) if side_out else (partner, s)
        pairs[src, dst] += 1
        rem_out[src] -= 1
        rem_in[dst] -= 1
        for x in (s, partner):
            remaining[x] -= 1
        for entry in skipped:
            heapq.heappush(heap, entry)
        for x in (s, partner):
            if remaining[x]:
                heapq.heappush(heap, (-remaining[x], x))
    return [(a, b, n) for (a, b), n in pairs.items()]


def precheck(
    segs: pl.DataFrame,
    eligible: pl.DataFrame,
    limits: PlanLimits,
    required: int,
    backbone_share: Fraction,
    rotation_share: Fraction,
) -> None:
    """Raise `PlanError` in Chinese when too few eligible teachers, or too few backbone ones,
    have another school of their pool to go to (quicker and clearer than the solver's no)."""
    keys = dict(zip(segs["seg"].to_list(), pool_keys(segs, limits.scope), strict=True))
    sizes: dict[tuple[Any, ...], int] = defaultdict(int)
    for key in keys.values():
        sizes[key] += 1
    shared = [s for s, key in keys.items() if sizes[key] > 1]
    movable = eligible.filter(pl.col("seg").is_in(shared))
    where = SCOPES[limits.scope]
    if limits.max_moves is not None and limits.max_moves < required:
        raise PlanError(
            f"符合交流条件的教师 {eligible.height} 人，按不低于 {percent_text(rotation_share)}"
            f" 至少应交流 {required} 人，多于设定的交流人数上限 {limits.max_moves} 人；"
            f"请把上限提高到 {required} 人以上"
        )
    if movable.height < required:
        raise PlanError(
            f"符合交流条件的教师 {eligible.height} 人，按不低于 {percent_text(rotation_share)}"
            f" 至少应交流 {required} 人，但其中只有 {movable.height} 人"
            f"在{where}有同学段的其他学校可去"
            + ("（未填乡镇的学校无法在乡镇内交流）" if limits.scope == "township" else "")
        )
    backbone = int(movable["backbone"].sum())
    least = math.ceil(backbone_share * required)
    if backbone < least:
        raise PlanError(
            f"至少应交流 {required} 人，其中骨干教师不低于 {percent_text(backbone_share)}，即至少"
            f" {least} 人；但{where}可交流的符合条件骨干教师只有 {backbone} 人"
        )


def explain_infeasible(problem: Problem, rotation_share: Fraction) -> str:
    """Why the solver found no plan, in Chinese: the rule whose removal makes one possible."""
    limits = problem.limits
    head = f"按现有限制无法安排交流轮岗（至少 {problem.required} 人）"

    def feasible(**kwargs: Any) -> bool:
        built = build_model(problem, **{"scope": limits.scope, **kwargs})
        return built.model.solve(1.0, limits.time_limit_seconds).state == "solved"

    if feasible(with_posts=False):
        segs = problem.segs
        full = segs.filter(
            pl.col("approved_posts").is_not_null()
            & (pl.col("approved_posts") <= pl.col("teachers"))
        ).height
        return (
            f"{head}：有 {full} 个学校学段的专任教师已达到或超过核定编制，调入的教师没有编制可用；"
            "请核对核定编制，或让这些学校同时调出教师"
        )
    if feasible(with_backbone=False):
        return (
            f"{head}：骨干教师不低于交流人数的 {percent_text(problem.backbone_share)}，"
            "但可交流的骨干教师无法与其他教师同时安排"
        )
    if limits.scope == "township" and feasible(scope="county"):
        return f"{head}：限定在同一乡镇内交流时人数不够；放宽到全县范围内交流可以安排"
    return (
        f"{head}（不低于符合交流条件教师的 {percent_text(rotation_share)}）："
        "请核对符合交流条件的教师、核定编制和招聘限制"
    )
