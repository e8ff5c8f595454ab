"""What the approval page and the bulletin read: the closure excerpt of a snapshot and the
bulletin of a county, built by the core from the ledger's rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from junheng.core.formatting import fmt_number
from junheng.core.schema import LEVEL_ZH
from junheng.rectification import bulletin as core_bulletin
from junheng.reports.bulletin import bulletin_document
from junheng.web.evaluation.models import Snapshot
from junheng.web.rectification import services
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
                "what": key,
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
    failing = [
        r for r in entry.get("failing") or [] if len(parts) < 2 or r.get("school_id") == parts[1]
    ]
    passes = entry.get("passes")
    if len(parts) == 2 and passes is False and not failing:
        passes = True
    return {
        "what": parts[0] if len(parts) == 1 else f"{problem.school_name or parts[1]} {parts[0]}",
        "value": "—",
        "threshold": "—",
        "passes": passes,
        "reason": entry.get("reason") or "",
    }


def bulletin_for(
    county: County, year: SchoolYear, period: str, today: date, due_days: int = 7
) -> core_bulletin.Bulletin:
    tasks = services.ledger_tasks(county, year)
    closed = [
        core_bulletin.ClosedProblem(
            title=p.title,
            closed_on=p.closed_at.date(),
            units="、".join(sorted({t.lead_unit.name for t in p.tasks.all()})),
        )
        for p in Problem.objects.filter(
            county=county, year=year, status=ProblemStatus.CLOSED, closed_at__isnull=False
        ).prefetch_related("tasks__lead_unit")
    ]
    return core_bulletin.bulletin(
        county.name,
        [services.core_task(t) for t in tasks],
        closed,
        period=period,
        today=today,
        due_days=due_days,
    )


def bulletin_docx(data: core_bulletin.Bulletin) -> bytes:
    return bulletin_document(data)
