"""The 乡镇 (township) filter of the county overview and the indicator page.

A township is a set of schools, not an evaluation unit: the coefficients of variation, the
county verdict and the county-level items are measures of the whole county and stay county-wide.
What a township narrows are the per-school parts (the school table, the schools of an indicator,
its chart) and the counts made of them, to which a township subtotal is added.

Who sees which township: county-wide readers (`accounts.scope.visible_county`) choose any of
the county's townships or the whole county (`?township=`, an unknown value is the whole county);
a 学区（中心校）user sees their own township only, as on the ledger's 一镇一册 page
(`rectification.views_township`), and never the county's other schools.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest

from junheng.core.formatting import fmt_plain
from junheng.core.schema import LEVELS
from junheng.rectification.books import COUNTY_LEVEL, township_choices
from junheng.web.accounts.scope import township_of, visible_county
from junheng.web.pages import presenters
from junheng.web.pages.lookup import NOT_FOUND
from junheng.web.rectification.parties import school_townships
from junheng.web.registry.models import County


@dataclass(frozen=True)
class Township:
    """The township a dashboard shows ("" for the whole county) and the choices offered."""

    name: str
    schools: frozenset[str]
    """The 标识码 of the township's schools as registered now (empty for the whole county)."""
    choices: tuple[str, ...] | None
    """The townships offered; None until known: the whole county's page takes them from its
    cached board (`dashboards.cached_county_board`) rather than from a query of its own, so
    the busiest pages keep their few queries."""
    locked: bool = False
    """A township user's own township: no other choice, not even the whole county."""

    @property
    def variant(self) -> tuple[str, ...]:
        """What tells this township's cached board from the others: its name and its schools
        (a school moved to another township renders the board anew). Hashed again by the cache
        key, so the Chinese name never reaches a cache backend as it is."""
        if not self.name:
            return ()
        ids = hashlib.sha256("\n".join(sorted(self.schools)).encode()).hexdigest()
        return (f"township={self.name}", ids)

    @property
    def query(self) -> str:
        """ "?township=…" for links that keep the filter ("" for the whole county)."""
        return f"?{urlencode({'township': self.name})}" if self.name else ""


WHOLE_COUNTY = Township("", frozenset(), None)


def with_choices(town: Township, choices: tuple[str, ...]) -> Township:
    """The township with its choices, when they were not known yet (`Township.choices`)."""
    return town if town.choices is not None else replace(town, choices=choices)


def township_options(by_school: dict[str, str]) -> tuple[str, ...]:
    """The county's townships in the ledger's order (`township_choices`), without its 县级
    entry: a dashboard lists schools, and every school has its township or none."""
    return tuple(t for t in township_choices(by_school.values()) if t != COUNTY_LEVEL)


def _township(by_school: dict[str, str], name: str, *, locked: bool = False) -> Township:
    choices = township_options(by_school)
    if name not in choices:
        name = ""  # an unknown or stale township: the whole county rather than an error page
    schools = frozenset(s for s, t in by_school.items() if t == name) if name else frozenset()
    return Township(name, schools, choices if not locked else (name,), locked)


def dashboard_scope(request: HttpRequest, county_id: int) -> tuple[County, Township]:
    """The county of a dashboard and the township it shows: any of the county's townships
    (`?township=`) for those who may open the county, their own for a township's user; 404
    for everyone else, and for a township user whose township has no school in the county."""
    wanted = request.GET.get("township", "")
    county = visible_county(request.user, county_id)
    if county is not None:
        if not wanted:
            return county, WHOLE_COUNTY
        return county, _township(school_townships(county), wanted)
    own = township_of(request.user)
    if own is None or own[0] != county_id:
        raise Http404(NOT_FOUND)
    county = County.objects.select_related("city", "city__province").filter(pk=county_id).first()
    if county is None:
        raise Http404(NOT_FOUND)
    town = _township(school_townships(county), own[1], locked=True)
    if not town.name:
        raise Http404(NOT_FOUND)
    return county, town


def township_or_404(request: HttpRequest, county_id: int, name: str) -> tuple[County, Township]:
    """The township page's county and township: its office or a county-wide reader; a
    township the county's schools do not name is a 404, as on the ledger's township page."""
    county, town = dashboard_scope(request, county_id)
    if town.locked:
        if town.name != name:
            raise Http404(NOT_FOUND)
        return county, town
    town = _township(school_townships(county), name)
    if not town.name:
        raise Http404(NOT_FOUND)
    return county, town


def only_township(result: dict[str, Any], town: Township) -> dict[str, Any]:
    """The result with only the township's segments (the whole result for the whole county);
    everything else — CVs, items, verdict — is the county's and stays."""
    if not town.name:
        return result
    return {
        **result,
        "segments": [s for s in result.get("segments", []) if s["school_id"] in town.schools],
    }


def segment_counts(segments: list[dict[str, Any]]) -> dict[str, int]:
    """Schools, in-scope segments and failing or undecided segments of a list of segments."""
    scoped = [s for s in segments if s.get("in_scope")]
    return {
        "schools": len({s["school_id"] for s in segments}),
        "segments_total": len(scoped),
        "segments_failing": sum(1 for s in scoped if s.get("passes") is False),
        "segments_undecided": sum(1 for s in scoped if s.get("passes") is None),
    }


def county_wide_note(town: Township, schools: int) -> str:
    """The sentence that says which figures are the county's and which the township's."""
    return (
        f"差异系数、评估结论和县级评估项目按全县计算（差异系数衡量的是全县学校之间的差距）；"
        f"学校表和分项统计只列出 {town.name} 的 {schools} 所学校。"
    )


def township_table(
    result: dict[str, Any],
    series: dict[str, Any],
    town: Township,
    floor: float | None,
    href: Any = None,
) -> presenters.Table:
    """Per indicator and level, how many of the township's in-scope segments meet the
    standard, miss it, and fall below the floor (a part of those that miss it); `result` holds
    the township's segments with `met` and `floor_ok`, `href(item_id, level)` links to the
    township's indicator page."""
    scoped = [s for s in result.get("segments", []) if s.get("in_scope")]
    by_level = {level: [s for s in scoped if s.get("level") == level] for level, _ in LEVELS}
    floor_text = f"低于{fmt_plain(round(floor * 100, 6))}%" if floor else "低于底线"
    headers = ["指标", "指标名称"]
    for _, label in LEVELS:
        headers += [f"{label}达标", f"{label}未达标", f"{label}其中{floor_text}"]
    rows = []
    undecided = 0
    for i, item_id in enumerate(series["items"]):
        first = LEVELS[0][0]
        row = [
            presenters.text_cell(item_id, href(item_id, first) if href else ""),
            presenters.text_cell(series["names"][i], css="long"),
        ]
        for level, _ in LEVELS:
            segments = by_level[level]
            met = sum(1 for s in segments if (s.get("met") or {}).get(item_id) is True)
            unmet = sum(1 for s in segments if (s.get("met") or {}).get(item_id) is False)
            low = sum(1 for s in segments if (s.get("floor_ok") or {}).get(item_id) is False)
            undecided += len(segments) - met - unmet
            link = href(item_id, level) if href and segments else ""
            row += [
                presenters.int_cell(met, link),
                presenters.Cell(str(unmet), unmet, "num fail-text" if unmet else "num", "", "0"),
                presenters.Cell(str(low), low, "num fail-text" if low else "num", "", "0"),
            ]
        rows.append(tuple(row))
    sizes = "、".join(f"{label}学段 {len(by_level[level])} 个" for level, label in LEVELS)
    note = f"{town.name}纳入评估的{sizes}；按各校数值与标准比较，不计算差异系数。"
    if undecided:
        note += f"另有 {undecided} 个指标值缺少数据，无法判定。"
    return presenters.Table(
        "township",
        f"{town.name}各指标达标学段数",
        tuple(headers),
        tuple(rows),
        note=note,
        # eight columns do not fit a phone: each indicator becomes a small card there
        stack=True,
    )


def county_labelled(rows: tuple[tuple[presenters.Cell, ...], ...]) -> tuple[Any, ...]:
    """The indicator's facts with its segment counts named the county's ("全县达标学段数"),
    so they are not read as the township's beside its own counts."""
    return tuple(
        (replace(label, text=f"全县{label.text}", value=f"全县{label.value}"), *rest)
        if label.text.endswith("学段数")
        else (label, *rest)
        for label, *rest in rows
    )


def indicator_counts(rows: list[dict[str, Any]], town: Township) -> dict[str, Any]:
    """The township's segments of one indicator (`presenters.indicator_rows`): how many meet
    it, miss it and fall below the floor, as facts rows after the county's and as a note."""
    met = sum(1 for r in rows if r["met"] is True)
    unmet = sum(1 for r in rows if r["met"] is False)
    low = sum(1 for r in rows if r["floor_ok"] is False)
    cells = (
        (f"{town.name}纳入评估的学段数", len(rows)),
        (f"{town.name}达标学段数", met),
        (f"{town.name}未达标学段数", unmet),
        (f"{town.name}低于底线学段数", low),
    )
    return {
        "name": town.name,
        "segments": len(rows),
        "met": met,
        "unmet": unmet,
        "below_floor": low,
        "note": (
            "差异系数、加权平均值和标准差按全县计算（差异系数衡量的是全县学校之间的差距）；"
            f"图表和各校数值只列出 {town.name} 的 {len(rows)} 个学段。"
        ),
        "rows": tuple(
            (presenters.text_cell(label), presenters.int_cell(value)) for label, value in cells
        ),
    }
