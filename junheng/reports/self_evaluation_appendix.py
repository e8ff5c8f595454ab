"""附表 of the 自评报告: the segments' input data, the gap details, every item and the
evaluation's basis, on landscape pages."""

from __future__ import annotations

import polars as pl

from junheng.core.checks import ItemResult
from junheng.core.evaluate import Evaluation
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Item, Standard
from junheng.core.wording import standard_text, value_text
from junheng.reports import docx_style as ds
from junheng.reports.report_format import (
    MISSING,
    SHORT_NAMES,
    UNIT_WORDS,
    VERDICT,
    VETO,
    fmt_amount,
    fmt_indicator,
    unit_word,
)


class AppendixChapter(ds.DocumentWriter):
    """附表, as part of the report writer (`self_evaluation._Report` sets these attributes)."""

    ev: Evaluation
    standard: Standard
    scoped: pl.DataFrame
    gaps: pl.DataFrame
    results: dict[str, ItemResult]

    def appendix(self) -> None:
        ds.new_section(self.doc, landscape=True)
        ds.add_heading(self.doc, "附表", 1)
        width = ds.LANDSCAPE_TEXT_WIDTH_CM
        items = self.standard.ratio_items
        header = ["学校名称", "学段", "在校生数"]
        header += [f"{i.id} {_numerator_name(i)}" for i in items]
        header += ["说明"]
        rows = []
        for r in self.scoped.iter_rows(named=True):
            values = [_input_amount(i, r[f"{i.id}_num"]) for i in items]
            notes = r["notes"] or ""
            rows.append(
                [r["name"], LEVEL_ZH.get(r["level"], r["level"]), r["students"], *values, notes]
            )
        self.table(
            "附表1 各学段资源配置基础数据",
            header,
            rows,
            [3.0, 1.0, 1.3, *([1.75] * len(items)), 3.9],
            left=(0, len(header) - 1),
            font_size=ds.SIZES["小五"],
            width_cm=width,
            numbered=False,
            note="注：一贯制学校整校填报的共享设施已按评估口径分摊到各学段，分摊比例见“说明”。"
            if any(r[-1] for r in rows)
            else None,
        )
        gap_rows = [
            [
                r["name"],
                LEVEL_ZH.get(r["level"] or "", "—"),
                r["item"],
                r["indicator"],
                _gap_value(self.standard.items[r["item"]], r["value"], r["threshold"]),
                fmt_plain(r["threshold"]),
                f"{fmt_amount(r['shortfall'])}{unit_word(r['unit'])}",
                f"{fmt_amount(r['floor_shortfall'])}{unit_word(r['unit'])}"
                if r["floor_shortfall"]
                else "—",
                f"{r['action']}{r['what']}",
            ]
            for r in self.gaps.iter_rows(named=True)
        ]
        if gap_rows:
            self.table(
                "附表2 差距测算明细",
                [
                    "学校名称",
                    "学段",
                    "指标",
                    "内容",
                    "现值",
                    "标准",
                    "缺口",
                    "达到85%底线需",
                    "措施",
                ],
                gap_rows,
                [3.4, 1.1, 1.1, 6.0, 1.8, 1.6, 2.4, 2.4, 2.7],
                left=(0, 3, 8),
                width_cm=width,
                numbered=False,
            )
        detail = [
            [
                item.id,
                self.standard.parts.get(item.part, item.part),
                item.name,
                VETO[r.passes] if item.part == "V" else VERDICT[r.passes],
                r.reason,
                item.source,
            ]
            for item in self.standard.items.values()
            if (r := self.results.get(item.id)) is not None
        ]
        self.table(
            f"附表{3 if gap_rows else 2} 评估项目明细",
            ["编号", "方面", "评估内容", "结论", "情况说明", "依据"],
            detail,
            [1.1, 2.0, 6.0, 1.8, 8.9, 2.7],
            left=(2, 4, 5),
            width_cm=width,
            numbered=False,
        )
        s = self.standard
        policy_rows = [
            ["评估标准", standard_text(s), s.document],
            ["每所学校资源配置达标规则", s.segment_rule.description, s.segment_rule.source],
        ]
        policy_rows += [[p.name, value_text(p), p.description] for p in s.policies.values()]
        self.table(
            f"附表{4 if gap_rows else 3} 评估依据和口径",
            ["项目", "取值", "说明"],
            policy_rows,
            [5.0, 7.5, 10.0],
            left=(0, 1, 2),
            width_cm=width,
            numbered=False,
        )


def _numerator_name(item: Item) -> str:
    """What the numerator of a Part R indicator counts, with its unit (for the data table)."""
    unit = item.shortfall.unit if item.shortfall is not None else item.unit
    return f"{SHORT_NAMES.get(item.id, item.name)}（{unit}）"


def _input_amount(item: Item, value: float | None) -> str:
    """A numerator of the data table: areas with two decimals, yuan whole, counts whole unless
    apportioned (a combined school's share of its rooms can be fractional)."""
    if value is None:
        return MISSING
    unit = item.shortfall.unit if item.shortfall is not None else item.unit
    if unit in UNIT_WORDS:
        return fmt_number(value, 2, thousands=True)
    if unit == "元":
        return fmt_number(value, 0, thousands=True)
    return fmt_amount(round(value, 2))


def _gap_value(item: Item, value: float | None, threshold: float | None) -> str:
    """The current value in the gap table, printed as in the indicator tables."""
    if item.ratio is not None:
        return fmt_indicator(item.id, value, threshold, False)
    return MISSING if value is None else fmt_plain(value)
