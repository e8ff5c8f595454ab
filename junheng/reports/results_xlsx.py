"""The evaluation as an Excel workbook (评估结果.xlsx): one sheet per kind of result.

Every number comes from the Evaluation; this module only lays it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from junheng.core.evaluate import Evaluation
from junheng.core.schema import LEVEL_ZH, SCHOOLS
from junheng.core.wording import standard_text, value_text
from junheng.files import atomic_file
from junheng.reports.tables import requirement_text
from junheng.reports.xlsx_cells import write, write_row

MARK = {True: "达标", False: "未达标", None: "无法判定"}
_KIND_ZH = dict(SCHOOLS.column("kind").enum)


def _verdict_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    names = evaluation.standard.parts
    header = ["县区", "总体结论", *(names[p] for p in ("R", "G", "Q", "S", "V")), "理由"]
    rows = []
    for county in evaluation.counties:
        verdict = evaluation.verdicts[county]
        parts = [MARK[verdict.parts[p].passes] for p in ("R", "G", "Q", "S")]
        veto = {True: "无", False: "存在", None: "无法判定"}[verdict.parts["V"].passes]
        rows.append([county, MARK[verdict.passes], *parts, veto, "\n".join(verdict.reasons)])
    return header, rows


def _segment_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    items = evaluation.standard.ratio_items
    header = ["县区", "学校标识码", "学校名称", "学校类型", "学段", "在校生数", "纳入评估"]
    for item in items:
        header += [f"{item.id} {item.name}", f"{item.id} 达标"]
    header += ["达标项数", "结论", "说明"]
    rows = []
    for r in evaluation.segments.iter_rows(named=True):
        row: list[Any] = [
            r["county"],
            r["school_id"],
            r["name"],
            _KIND_ZH.get(r["kind"], r["kind"]),
            LEVEL_ZH.get(r["level"], r["level"]),
            r["students"],
            "是" if r["in_scope"] else "否",
        ]
        for item in items:
            met = r[f"{item.id}_met"] if r["in_scope"] else None
            row += [r[item.id], "" if met is None else ("✓" if met else "✗")]
        outcome = MARK[r["passes"]] if r["in_scope"] else "不纳入"
        notes = "；".join(x for x in [*r["reasons"], r["notes"] or ""] if x)
        row += [r["n_met"] if r["in_scope"] else None, outcome, notes]
        rows.append(row)
    return header, rows


def _balance_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    names = {i.id: i.name for i in evaluation.standard.ratio_items}
    header = ["县区", "学段", "指标", "指标名称", "学校数", "加权平均值", "加权标准差", "差异系数"]
    header += ["限值", "结论", "说明"]
    rows = [
        [
            r["county"],
            LEVEL_ZH.get(r["level"], r["level"]),
            r["indicator"],
            names[r["indicator"]],
            r["n"],
            r["mean"],
            r["sd"],
            r["cv"],
            r["limit"],
            MARK[r["passes"]],
            r["reason"],
        ]
        for r in evaluation.balance.iter_rows(named=True)
    ]
    return header, rows


def _item_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    standard = evaluation.standard
    header = ["县区", "方面", "编号", "评估内容", "要求", "结论", "情况说明", "依据"]
    rows = []
    for county in evaluation.counties:
        for result in evaluation.items[county]:
            item = standard.items[result.item]
            requirement = requirement_text(item)
            rows.append(
                [
                    county,
                    standard.parts[item.part],
                    item.id,
                    item.name,
                    requirement,
                    MARK[result.passes],
                    result.reason,
                    item.source,
                ]
            )
    return header, rows


def _gap_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    header = ["县区", "学校标识码", "学校名称", "学段", "指标", "内容", "现值", "标准"]
    header += ["缺口", "单位", "措施", "该学段是否达标"]
    rows = [
        [
            r["county"],
            r["school_id"],
            r["name"],
            LEVEL_ZH.get(r["level"] or "", ""),
            r["item"],
            r["indicator"],
            r["value"],
            r["threshold"],
            r["shortfall"],
            r["unit"],
            f"{r['action']}{r['what']}",
            MARK[r["segment_passes"]] if r["segment_passes"] is not None else "",
        ]
        for r in evaluation.gaps.iter_rows(named=True)
    ]
    return header, rows


def _total_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    header = ["县区", "学段", "指标", "内容", "合计缺口", "单位", "涉及学校数", "表述"]
    rows = [
        [
            r["county"],
            LEVEL_ZH.get(r["level"] or "", ""),
            r["item"],
            f"{r['action']}{r['what']}",
            r["total"],
            r["unit"],
            r["schools"],
            r["sentence"],
        ]
        for r in evaluation.totals.iter_rows(named=True)
    ]
    return header, rows


def _policy_rows(evaluation: Evaluation) -> tuple[list[str], list[list[Any]]]:
    standard = evaluation.standard
    header = ["项目", "取值", "说明"]
    rows: list[list[Any]] = [
        [
            "评估标准",
            standard_text(standard),
            standard.document,
        ]
    ]
    rows += [[p.name, value_text(p), p.description] for p in standard.policies.values()]
    return header, rows


SHEETS = (
    ("总体结论", _verdict_rows, [12, 10, 10, 12, 10, 10, 10, 100]),
    ("学段指标", _segment_rows, None),
    ("差异系数", _balance_rows, [12, 6, 6, 36, 8, 12, 12, 12, 8, 10, 50]),
    ("评估项目", _item_rows, [12, 14, 6, 50, 40, 10, 80, 36]),
    ("差距测算", _gap_rows, [12, 14, 26, 6, 6, 36, 12, 10, 12, 6, 28, 14]),
    ("差距汇总", _total_rows, [12, 6, 6, 30, 14, 6, 12, 60]),
    ("评估依据", _policy_rows, [30, 50, 80]),
)


def write_results_xlsx(evaluation: Evaluation, path: Path) -> Path:
    """Write the workbook atomically (temporary file, then rename) and return its path."""
    with atomic_file(path) as tmp_name:
        workbook = xlsxwriter.Workbook(str(tmp_name), {"nan_inf_to_errors": True})
        head = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        number = workbook.add_format({"num_format": "0.00", "valign": "top"})
        cv_format = workbook.add_format({"num_format": "0.000000", "valign": "top"})
        for title, build, widths in SHEETS:
            header, rows = build(evaluation)
            sheet = workbook.add_worksheet(title)
            write_row(sheet, 0, 0, header, head)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, float):
                        fmt = (
                            cv_format if title == "差异系数" and header[c] == "差异系数" else number
                        )
                        sheet.write_number(r, c, value, fmt)
                    else:
                        write(sheet, r, c, value, wrap)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
            for c, width in enumerate(widths or [max(8, min(30, len(h) * 2)) for h in header]):
                sheet.set_column(c, c, width)
        workbook.close()
    return path
