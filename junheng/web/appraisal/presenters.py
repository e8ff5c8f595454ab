"""An appraisal as the tables its .xlsx holds: the rankings (numbers as numbers, with each
component's numerator, denominator and points; parties with nothing to appraise follow their
group's ranking, their place reading 不参与排名) and the formula with its sources."""

from __future__ import annotations

from junheng.rectification.appraisal import DIRECTIONS, Appraisal, Formula, PartyScore
from junheng.web.pages.presenters import Cell, Table

SCORING = {"share": "比例计分", "deduct": "扣分计分"}


def _text(text: str) -> Cell:
    return Cell(text, text)


def _points(value: float) -> Cell:
    return Cell(f"{value:.2f}", round(value, 2), excel_format="0.00")


def _count(value: int | None) -> Cell:
    return _text("—") if value is None else Cell(str(value), value, excel_format="0")


def ranking_table(
    key: str,
    title: str,
    scores: list[PartyScore],
    formula: Formula,
    apart: list[PartyScore] | None = None,
) -> Table:
    headers = ["名次", "名称", "类型", "总分"]
    for c in formula.components:
        headers += [f"{c.label}·{c.numerator}", f"{c.label}·{c.denominator}", f"{c.label}·得分"]
    headers.append("说明")
    rows = []
    for s in [*scores, *(apart or [])]:
        place = (
            Cell(str(s.rank), s.rank, excel_format="0") if s.rank else _text(formula.apart_label)
        )
        cells = [
            place,
            _text(s.party.name),
            _text(s.party.kind),
            _points(s.total),
        ]
        for part in s.components:
            denominator = part.denominator
            if denominator is None:  # a deduction: the points per item stand in the column
                spec = next(c for c in formula.components if c.key == part.key)
                per = Cell(f"{spec.per_item:g}", spec.per_item, excel_format="0.##")
                cells += [_count(part.numerator), per, _points(part.points)]
            else:
                cells += [_count(part.numerator), _count(denominator), _points(part.points)]
        cells.append(_text(s.explanation))
        rows.append(tuple(cells))
    return Table(key=key, title=title, headers=tuple(headers), rows=tuple(rows))


def formula_table(formula: Formula) -> Table:
    rows = tuple(
        (
            _text(c.label),
            Cell(f"{c.weight:g}", c.weight, excel_format="0.##"),
            _text(DIRECTIONS[c.direction]),
            _text(
                SCORING[c.scoring]
                + (f"（每个扣 {c.per_item:g} 分）" if c.scoring == "deduct" else "")
            ),
            _text(c.measure),
            _text(c.source),
        )
        for c in formula.components
    )
    return Table(
        key="formula",
        title="计分办法",
        headers=("分项", "权重（分）", "方向", "计分方式", "计算口径", "依据"),
        rows=rows,
        note=f"{formula.name}，满分 {formula.total:g} 分",
    )


def workbook_tables(appraisal: Appraisal) -> list[Table]:
    formula = appraisal.formula
    return [
        ranking_table("units", "单位排名", appraisal.units, formula, appraisal.units_apart),
        ranking_table(
            "townships", "乡镇排名", appraisal.townships, formula, appraisal.townships_apart
        ),
        formula_table(formula),
    ]
