"""What the approval page and the bulletin read: the closure excerpt of a snapshot and the
bulletin of a county, built by the core from the ledger's rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import OPERATORS, Check
from junheng.rectification import bulletin as core_bulletin
from junheng.rectification.problems import FINANCE_KEY, finance_check_of
from junheng.reports.bulletin import bulletin_document
from junheng.web.clock import local_date
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import presenters
from junheng.web.rectification import parties, services
from junheng.web.rectification.models import Problem, ProblemStatus
from junheng.web.registry.models import County, SchoolYear


def closure_excerpt(snapshot: Snapshot, problem: Problem) -> dict[str, Any] | None:
    """The lines of the snapshot about the problem's key: value, threshold, verdict, reason."""
    key = problem.key or ""
    result = snapshot.result
    parts = key.split("/")
    if not key:
        return None
    if parts[0] == "CV" and len(parts) == 3:
        cell = result.get("balance", {}).get(parts[1], {}).get(parts[2]) or {}
        return {
            "what": f"{LEVEL_ZH.get(parts[1], parts[1])} {parts[2]} 校际差异系数",
            "value": fmt_number(cell.get("cv"), 6) if cell.get("cv") is not None else "—",
            "threshold": f"≤ {fmt_number(cell.get('limit'))}" if cell.get("limit") else "—",
            "passes": cell.get("passes"),
            "reason": cell.get("reason") or "",
        }
    if parts[0] == FINANCE_KEY and len(parts) == 3:
        return _finance_excerpt(problem, finance_check_of(result, key), parts[2])
    if len(parts) == 3:
        item, level, sid = parts
        seg = next(
            (
                s
                for s in result.get("segments", [])
                if s.get("level") == level and s.get("school_id") == sid
            ),
            None,
        )
        if seg is None:
            return {
                "what": services.number_of(problem),
                "value": "—",
                "threshold": "—",
                "passes": None,
                "reason": "该评估结果中没有这所学校的这一学段",
            }
        reason = next((r for r in seg.get("reasons", []) if r.startswith(f"{item} ")), "")
        value = seg.get("values", {}).get(item)
        threshold = seg.get("thresholds", {}).get(item)
        return {
            "what": f"{seg.get('name') or sid}（{LEVEL_ZH.get(level, level)}）{item}",
            "value": fmt_number(value) if value is not None else "—",
            "threshold": fmt_number(threshold) if threshold is not None else "—",
            "passes": seg.get("met", {}).get(item),
            "reason": reason,
        }
    entry = result.get("items", {}).get(parts[0]) or {}
    if len(parts) == 2:
        return _school_item_excerpt(snapshot, problem, entry, parts[0], parts[1])
    return _county_item_excerpt(snapshot, entry, parts[0])


def _yuan(value: float | None) -> str:
    return "—" if value is None else f"{fmt_number(value, 2, thousands=True)} 元"


def _finance_excerpt(problem: Problem, check: dict[str, Any] | None, year: str) -> dict[str, Any]:
    """A finance problem's check of that fiscal year in the snapshot (`FIN/<check>/<year>`)."""
    if check is None:
        return {
            "what": services.number_of(problem),
            "value": "—",
            "threshold": "—",
            "passes": None,
            "reason": "该评估结果中没有这一年度的这项教育经费检查",
        }
    required = check.get("required")
    return {
        "what": f"{year}年{check['name']}",
        "value": _yuan(check.get("value")),
        "threshold": "—" if required is None else f"≥ {_yuan(required)}",
        "passes": check.get("passes"),
        "reason": check.get("reason") or "",
    }


def _county_item_excerpt(snapshot: Snapshot, entry: dict[str, Any], item_id: str) -> dict[str, Any]:
    """A county item (G7): the value and requirement of each of its checks."""
    standard = presenters.standard_of(snapshot.standard_id)
    item = standard.items.get(item_id) if standard is not None else None
    known = {c.key: c for c in item.checks} if item is not None else {}
    checks = [(c, known[c["key"]]) for c in entry.get("checks") or [] if c.get("key") in known]
    values = [f"{c['label']} {_shown(check, c.get('value'))}" for c, check in checks]
    thresholds = [
        f"{c['label']} {OPERATORS.get(c['op'], '')} {_shown(check, c.get('threshold'))}"
        for c, check in checks
    ]
    return {
        "what": f"{item_id} {item.name}" if item is not None else item_id,
        "value": "\n".join(values) or "—",
        "threshold": "\n".join(thresholds) or "—",
        "passes": entry.get("passes"),
        "reason": entry.get("reason") or "",
    }


def _shown(check: Check, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if check.percent and isinstance(value, (int, float)):
        return fmt_percent(float(value))
    if isinstance(value, (int, float)):
        return f"{fmt_plain(value)}{check.unit}"
    return str(value)


def _school_item_excerpt(
    snapshot: Snapshot, problem: Problem, entry: dict[str, Any], item_id: str, school_id: str
) -> dict[str, Any]:
    """A school's own item (G3 of one school): that school's values and requirements, never the
    county's sentence about other schools. The snapshot keeps values only of schools that fail,
    so a school that now passes shows the requirement and that it meets it."""
    rows = [r for r in entry.get("failing") or [] if r.get("school_id") == school_id]
    name = problem.school_name or (rows[0].get("name") if rows else "") or school_id
    standard = presenters.standard_of(snapshot.standard_id)
    item = standard.items.get(item_id) if standard is not None else None
    what = f"{name} {item_id} {item.name}" if item is not None else f"{name} {item_id}"
    passes = entry.get("passes")
    if passes is False and not rows:
        passes = True
    if not rows:
        # The requirement recorded with the problem: the school's own thresholds (a number of
        # rooms follows its classes), never the standard's formula text.
        recorded = (problem.numbers or {}).get("threshold")
        requirement = "—"
        if item is not None and isinstance(recorded, dict):
            requirement = (
                "\n".join(
                    f"{c.label} {OPERATORS[c.op]} {_shown(c, recorded.get(c.key))}"
                    for c in item.checks
                    if c.op in OPERATORS and recorded.get(c.key) is not None
                )
                or "—"
            )
        held = "符合要求" if passes else "—"
        reason = f"{name}在该评估结果中符合要求" if passes else entry.get("reason") or ""
        return {
            "what": what,
            "value": held,
            "threshold": requirement,
            "passes": passes,
            "reason": reason,
        }
    values, thresholds = [], []
    for row in rows:
        # a 九年一贯制 school failing at both levels has a row per level
        prefix = f"{LEVEL_ZH.get(row['level'], row['level'])}：" if len(rows) > 1 else ""
        checks = item.checks if item is not None else ()
        values.append(
            prefix + "；".join(f"{c.label} {_shown(c, row['values'].get(c.key))}" for c in checks)
        )
        thresholds.append(
            prefix
            + "；".join(
                f"{c.label} {OPERATORS[c.op]} {_shown(c, row['thresholds'].get(c.key))}"
                for c in checks
                if c.op in OPERATORS
            )
        )
    return {
        "what": what,
        "value": "\n".join(values) if item is not None else "—",
        "threshold": "\n".join(thresholds) if item is not None else "—",
        "passes": False if any(r.get("passes") is False for r in rows) else None,
        "reason": "；".join(r for row in rows for r in row.get("reasons", [])),
    }


def bulletin_for(
    county: County,
    year: SchoolYear,
    period: str,
    today: date,
    due_days: int = 7,
    *,
    township: str = "",
) -> core_bulletin.Bulletin:
    """The county's bulletin, or with `township` that of the township's schools' problems
    (县级: the problems without a school in a township)."""
    tasks = services.ledger_tasks(county, year)
    problems = Problem.objects.filter(
        county=county, year=year, status=ProblemStatus.CLOSED, closed_at__isnull=False
    )
    if township:
        tasks = parties.tasks_in_township(tasks, county, township)
        problems = parties.problems_in_township(problems, county, township)
    closed = [
        core_bulletin.ClosedProblem(
            title=p.title,
            # the local day: a 销号 at 07:30 on Monday in Beijing is Sunday's date in UTC
            closed_on=local_date(p.closed_at),
            units="、".join(sorted({t.lead_unit.name for t in p.tasks.all()})),
        )
        for p in problems.prefetch_related("tasks__lead_unit")
    ]
    return core_bulletin.bulletin(
        county.name,
        [services.core_task(t) for t in tasks],
        closed,
        period=period,
        today=today,
        due_days=due_days,
        township=township,
    )


def bulletin_docx(data: core_bulletin.Bulletin) -> bytes:
    return bulletin_document(data)
