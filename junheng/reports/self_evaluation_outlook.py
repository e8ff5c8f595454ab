"""九、创建规划与目标年预测 of the 自评报告: where the county stands on its multi-year plan and
whether, on that plan, it passes in the target year.

（一）班额 and （二）教育经费保障 print the plan's checks the evaluation carries
(`Evaluation.plan`, the same figures as the snapshot, the pages and the ledger); （三）建设项目与
学位, （四）教师编制与招聘 and （五）目标年评估预测 print a `Forecast` of the report's dataset
(`forecast_tables.forecast_page`, the words of the forecast page). A part without its data says
which table is missing in one sentence, so the chapter's numbering never depends on the data.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation
from junheng.core.forecast import Forecast, forecast
from junheng.core.formatting import fmt_number
from junheng.core.projection import SCENARIO_ZH, ProjectionError
from junheng.core.projects import kind_zh, status_zh
from junheng.reports import docx_style as ds
from junheng.reports.forecast_tables import Page, forecast_page, in_forecast

VERDICT = {True: "达标", False: "未达标", None: "无法判定"}


def _count(value: Any) -> str:
    return "—" if value is None else fmt_number(value, 0, thousands=True)


class OutlookChapter(ds.DocumentWriter):
    """The chapter, as part of the report writer (`self_evaluation._Report` sets these)."""

    ev: Evaluation
    county: str
    outlook: Forecast | None
    outlook_note: str

    def outlook_chapter(self) -> None:
        self.h("创建规划与目标年预测", 1)
        plan = self.ev.plan.get(self.county, {})
        # The report's own evaluation is the latest year's: what the forecast changes against.
        page = (
            forecast_page(self.outlook, self.ev, self.county) if self.outlook is not None else None
        )
        self.class_sizes_part(plan.get("class_sizes"))
        self.finance_part(plan.get("finance"))
        self.projects_part(page)
        self.staffing_part(page)
        self.forecast_part(page)

    # -- （一）班额 -------------------------------------------------------------------------------

    def class_sizes_part(self, data: dict[str, Any] | None) -> None:
        self.h("班额", 2)
        if not data:
            self.p("未填报“班级学生数”，本部分无法统计各班额段的班级数。")
            return
        bands = data["bands"]
        header = ["学年", "学段", *(b["name"] for b in bands), "班级数合计"]
        rows = [
            [
                f"{r['year']}年",
                r["level_name"],
                *(_count(r["bands"].get(b["key"])) for b in bands),
                _count(r["classes"]),
            ]
            for r in data["county"]
        ]
        ranges = "；".join(
            f"{b['name']}：" + "，".join(f"{lv}{text}" for lv, text in _level_ranges(b))
            for b in bands
        )
        self.table(
            "全县各班额段班级数",
            header,
            rows,
            [1.6, 1.4, *([2.4] * len(bands)), 2.0],
            note=f"注：{ranges}。",
        )
        latest = [t for t in data["targets"] if t["year"] == max(data["years"])]
        for target in latest:
            self.p(f"{target['target']}（{target['source']}）：{target['sentence']}。")
        g5 = data.get("g5") or {}
        if g5.get("sentence"):
            self.p(g5["sentence"].rstrip("。") + "。")

    # -- （二）教育经费保障 ---------------------------------------------------------------------

    def finance_part(self, data: dict[str, Any] | None) -> None:
        self.h("教育经费保障", 2)
        if not data or not data.get("years"):
            self.p("未填报“县级教育经费”，本部分无法判断教育经费保障情况。")
            return
        checks = [c["name"] for c in data["years"][0]["checks"]]
        rows = []
        for year in data["years"]:
            marks = {
                c["name"]: (VERDICT[c["passes"]] if c["applicable"] else "不适用")
                for c in year["checks"]
            }
            rows.append([f"{year['year']}年", *(marks.get(n, "—") for n in checks)])
        legend = "；".join(f"{i}. {name}" for i, name in enumerate(checks, 1))
        self.table(
            f"教育经费保障情况（{data['rules']}）",
            ["年度", *(str(i) for i in range(1, len(checks) + 1))],
            rows,
            [1.6, *([1.75] * len(checks))],
            note=f"注：{legend}。",
        )
        failing = [
            c["reason"]
            for year in data["years"]
            for c in year["checks"]
            if c["passes"] is False and c["reason"]
        ]
        if failing:
            self.p("未达到要求的情况：" + "；".join(r.rstrip("。") for r in failing) + "。")
        else:
            self.p("已填报各年度的教育经费均未发现未达到要求的情况。")

    # -- （三）建设项目与学位 -------------------------------------------------------------------

    def projects_part(self, page: Page | None) -> None:
        self.h("建设项目与学位", 2)
        result = self.outlook
        if result is None or page is None:
            self.p(self.outlook_note or "未作目标年预测，本部分无法测算学位。")
            return
        projects = result.projects.filter(result.projects["county"] == self.county)
        if projects.is_empty():
            self.p("未填报“建设项目”。")
        else:
            rows = [
                [
                    r["name"],
                    r["school"] or "—",
                    kind_zh(r["kind"]),
                    f"{r['finish_basis']} {r['finish'].isoformat()}" if r["finish"] else "—",
                    status_zh(r["status"]),
                    in_forecast(r, result.projection.base_year),
                ]
                for r in projects.iter_rows(named=True)
            ]
            self.table(
                "建设项目",
                ["项目名称", "学校", "类型", "竣工", "状态", "预测中"],
                rows,
                [4.4, 3.0, 1.6, 3.2, 1.4, 1.8],
                left=(0, 1),
                note=(
                    "注：预测只计入最近一年之后、目标年秋季之前投入使用的项目；"
                    "最近一年及以前投入使用的已含在现状数据中。"
                ),
            )
        for sentence in page.places_sentences:
            self.p(sentence)
        self.p(page.places_method)

    # -- （四）教师编制与招聘 -------------------------------------------------------------------

    def staffing_part(self, page: Page | None) -> None:
        self.h("教师编制与招聘", 2)
        result = self.outlook
        if result is None or page is None:
            self.p(self.outlook_note or "未作目标年预测，本部分无法测算教师编制。")
            return
        hires = [row for row in page.timeline if row.cells[1].endswith("教师招聘与调整")]
        for row in hires:
            self.p(row.cells[2])
        if page.posts:
            self.table(
                "核定编制与在岗专任教师",
                ["学校", "学段", "年份", "核定编制", "在岗专任教师", "空编", "超编"],
                [row.cells for row in page.posts],
                [4.0, 1.4, 1.6, 1.8, 2.4, 1.4, 1.4],
                left=(0,),
            )
        if not hires and not page.posts:
            self.p("未填报“编制与招聘计划”。")

    # -- （五）目标年评估预测 -------------------------------------------------------------------

    def forecast_part(self, page: Page | None) -> None:
        self.h("目标年评估预测", 2)
        result = self.outlook
        if result is None or page is None:
            self.p(self.outlook_note or "未作目标年预测。")
            return
        self.p(
            f"按现行创建规划预测，{result.target_year}年秋季（{SCENARIO_ZH[result.scenario]}）"
            f"全县评估结论为：{page.verdict}。"
        )
        self.p(page.method)
        self.table(
            f"{result.target_year}年评估结论（预测）",
            ["方面", "结论", "主要原因"],
            [*(row.cells for row in page.parts), ["总体", page.verdict, ""]],
            [3.0, 1.8, 11.0],
            left=(2,),
        )
        if page.segments:
            self.p(
                f"预测年仍有 {len(page.segments)} 个学段未达标或无法判定："
                + "；".join(f"{r.cells[0]}（{r.cells[1]}）{r.cells[3]}" for r in page.segments)
                + "。"
            )
        if page.gaps:
            needed = "；".join(g.rstrip("。") for g in page.gaps)
            self.p(f"要在目标年达到标准，还需：{needed}。")


def report_forecast(
    dataset: Dataset | None, evaluation: Evaluation, target_year: int | None = None
) -> tuple[Forecast | None, str]:
    """The forecast the chapter prints (median scenario) and, when none can be made, why.

    The target year is the county's (its plan's) when it lies after the latest grade data,
    else the year after that data."""
    if dataset is None or dataset.grades.filter(pl.col("students").is_not_null()).is_empty():
        return None, (
            "未填报近年各校“年级在校生”，无法预测目标年的在校生数和评估结论；"
            "在县级填报模板的“年级在校生”工作表中填写后即可预测。"
        )
    base = int(dataset.grades.get_column("year").max())  # type: ignore[arg-type]
    target = target_year if target_year is not None and target_year > base else base + 1
    try:
        return forecast(dataset, target, "median", standard=evaluation.standard), ""
    except ProjectionError as refused:
        return None, f"无法预测目标年：{refused}"


def _level_ranges(band: dict[str, Any]) -> list[tuple[str, str]]:
    names = {"primary": "小学", "junior": "初中"}
    return [(names.get(level, level), text) for level, text in band["ranges"].items()]
