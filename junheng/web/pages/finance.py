"""教育经费保障 in the web (`/counties/<id>/<year>/finance/`): every check of the finance rules
judged for every fiscal year of the county's 县级教育经费 table, from
`junheng.core.finance.finance_to_dict` over `dataset_for` (the current data, not a snapshot).

The rules are those the evaluation applies (`rules_for`), so the page and a snapshot's `finance`
entry agree on the same data. Who may open it is `lookup.county_or_404`: the county's users,
leaders and inspectors read; school and department users, and other counties, get 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import FinanceRules, national_rules
from junheng.core.formatting import fmt_number, fmt_percent
from junheng.core.schema import FINANCE
from junheng.rectification.problems import CATEGORY_FINANCE, FINANCE_KEY
from junheng.web.accounts.scope import can_review_county
from junheng.web.pages.lookup import county_or_404, year_or_404
from junheng.web.rectification.models import Problem, ProblemStatus
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for

TEMPLATE = "pages/finance.html"
FINANCE_TABLE = "finance"
"""The 规划数据 grid of the 县级教育经费 table (`plan_table`'s argument)."""

_VERDICTS: dict[bool | None, tuple[str, str]] = {
    True: ("达标", "ok"),
    False: ("未达标", "fail"),
    None: ("无法判定", "unknown"),
}
NOT_APPLICABLE = ("不适用", "unknown")


def rules_for(county: County) -> FinanceRules:
    """The rules the county's finance is judged by: those `evaluate` applies (its plan checks
    default to the national rules), so the page never disagrees with a snapshot."""
    return national_rules()


def money(value: float) -> str:
    """Yuan to the fen; a shortfall below one fen still reads as short, never as 0.00."""
    text = fmt_number(value, 2, thousands=True)
    return "不足 0.01" if text in ("0.00", "-0.00") and value != 0 else text


def _verdict(check: dict[str, Any]) -> tuple[str, str]:
    if check["passes"] is None and not check["applicable"]:
        return NOT_APPLICABLE
    return _VERDICTS[check["passes"]]


def _figure(check: dict[str, Any]) -> str:
    """The one figure a cell shows beside its verdict (the sentence is in its disclosure)."""
    if check["value"] is None:
        return "缺少数据"
    if check["percent"] and check["share"] is not None:
        share = fmt_percent(check["share"])
        if check["factor"] is None:
            return f"实际 {share}"
        return f"{share}（应不低于 {check['factor'] * 100:g}%）"
    return f"{money(check['value'])} {check['unit']}"


def _cell(year: int, check: dict[str, Any]) -> dict[str, Any]:
    text, css = _verdict(check)
    shortfall = check["shortfall"]
    return {
        "year": f"{year}年",
        "verdict": text,
        "css": css,
        "figure": _figure(check),
        "shortfall": f"少 {money(shortfall)} {check['unit']}" if shortfall is not None else "",
        "computed": check["computed"],
        "reason": check["reason"],
    }


def _missing(data: dict[str, Any]) -> list[dict[str, str]]:
    """Per fiscal year, the figures its checks lack (each named once, in the checks' order)."""
    out = []
    for year in data["years"]:
        names = [m for c in year["checks"] for m in c["missing"]]
        if names:
            out.append({"year": f"{year['year']}年", "figures": "、".join(dict.fromkeys(names))})
    return out


def _unset(rules: FinanceRules, years: list[dict[str, Any]]) -> list[str]:
    """A sentence per check whose factor the province sets, the rules leave open and some year
    of the county's table does not state either."""
    open_ids = {
        c["id"]
        for year in years
        for c in year["checks"]
        if c["kind"] == "at_least" and c["factor"] is None and c["value"] is not None
    }
    return [
        f"未设定{c.factor_name}：“{c.name}”的比例由本省规定，系统中尚未设定本省的比例，"
        f"所以这些年度这一项暂为“无法判定”，表中先列出实际比例；在县级教育经费表中填写各年度的"
        f"“{FINANCE.column(c.factor_from).zh}”（或设定本省的经费检查规则）后即按其判定。"
        if c.factor_from
        else f"未设定{c.factor_name}：“{c.name}”的比例由本省规定，系统中尚未设定本省的比例，"
        f"所以各年度这一项暂为“无法判定”，表中先列出实际比例；设定本省的比例后即按其判定。"
        for c in rules.checks
        if c.id in open_ids
    ]


def finance_page(data: dict[str, Any], rules: FinanceRules) -> dict[str, Any]:
    """The page's rows from `finance_to_dict`'s data: one row per check with a cell per fiscal
    year, each year's overall verdict, the failures with their shortfall, the figures missing
    and the factors left unset."""
    years = data["years"]
    by_check: dict[str, dict[str, Any]] = {}
    for year in years:
        for check in year["checks"]:
            row = by_check.setdefault(
                check["id"], {"name": check["name"], "source": check["source"], "cells": []}
            )
            row["cells"].append(_cell(year["year"], check))
    failures = [
        {
            "year": f"{year['year']}年",
            "name": check["name"],
            "what": check["shortfall_what"],
            "amount": f"{money(check['shortfall'])} {check['unit']}",
            "key": f"{FINANCE_KEY}/{check['id']}/{year['year']}",
        }
        for year in years
        for check in year["checks"]
        if check["passes"] is False
    ]
    first, last = years[0]["year"], years[-1]["year"]
    return {
        "rules_name": data["rules"],
        "span": f"{first}年" if first == last else f"{first}—{last}年",
        "years": [
            {
                "label": f"{y['year']}年",
                "verdict": _VERDICTS[y["passes"]][0],
                "css": _VERDICTS[y["passes"]][1],
            }
            for y in years
        ],
        "rows": list(by_check.values()),
        "failures": failures,
        "failed_years": len({f["year"] for f in failures}),
        "missing": _missing(data),
        "unset": _unset(rules, years),
    }


def _listed(county: County, year: SchoolYear, keys: list[str]) -> bool:
    """Whether every failure is a problem of the year's ledger still being worked on (the
    ledger draws them from the latest snapshot, which may predate the current data)."""
    if not keys:
        return False
    open_keys = set(
        Problem.objects.filter(county=county, year=year, key__in=keys)
        .exclude(status=ProblemStatus.CLOSED)
        .values_list("key", flat=True)
    )
    return open_keys >= set(keys)


@login_required
@require_GET
def finance_view(request: HttpRequest, county_id: int, year: str) -> HttpResponse:
    """教育经费保障: each fiscal year's checks with verdict, figure, shortfall and reason."""
    county = county_or_404(request, county_id)
    year_row = year_or_404(year)
    dataset = dataset_for(county, year_row)
    context: dict[str, Any] = {
        "county": county,
        "year": year_row,
        "may_edit": can_review_county(request.user, county),
        "entry_url": reverse("plan_table", args=[county.pk, year_row.label, FINANCE_TABLE]),
    }
    rules = rules_for(county)
    data = finance_to_dict(check_finance(dataset, rules=rules), county.name)
    if not data["years"]:
        return render(request, TEMPLATE, context | {"no_finance": True})
    page = finance_page(data, rules)
    ledger = reverse("rectification", args=[county.pk, year_row.label])
    return render(
        request,
        TEMPLATE,
        context
        | page
        | {
            "ledger_url": f"{ledger}?{urlencode({'category': CATEGORY_FINANCE})}",
            "listed": _listed(county, year_row, [f["key"] for f in page["failures"]]),
        },
    )
