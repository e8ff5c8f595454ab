"""自评报告: the county's self-evaluation report as a Word document, laid out as counties write it.

一、基本情况 (schools and students, scope, the verdict, the basis of the evaluation)
二、资源配置 (every segment's seven values, the 6-of-7 rule, the coefficients of variation)
三、政府保障程度  四、教育质量  五、社会认可度 (item tables with evidence)
六、存在的问题 (sentences built from the failing items and the gap quantities)
七、整改措施与计划 (one measure per gap total; the rectification task list)
附表 (the full tables, on landscape pages)

Every number printed comes from the `Evaluation`; this module only words and lays it out. A value
the evaluation could not compute prints as "—（缺数据）" and the text names the missing data.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
from docx.document import Document

from junheng import clock
from junheng.core.checks import ItemResult
from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation
from junheng.core.formatting import fmt_number, fmt_percent, fmt_plain
from junheng.core.schema import (
    AREA_TYPES,
    LEVEL_ZH,
    LEVELS,
    OWNERSHIPS,
    SCHOOL_KINDS,
    SURVEY,
    SURVEY_ANSWER_COLUMNS,
)
from junheng.core.standard import Check, Item, Standard
from junheng.core.wording import comparison_rule_text, policy_text, standard_text, value_text
from junheng.reports import docx_style as ds
from junheng.reports.tables import requirement_text as shared_requirement_text

MISSING = "—（缺数据）"
"""How a value the evaluation could not compute is printed."""
VERDICT: dict[bool | None, str] = {True: "达标", False: "未达标", None: "无法判定"}
VETO: dict[bool | None, str] = {True: "无此情形", False: "存在此情形", None: "无法判定"}
MARK: dict[bool | None, str] = {True: "✓", False: "✗", None: ""}
R_DECIMALS: dict[str, int] = {"R6": 0}
"""Decimals of the resource values in tables (yuan per student is shown in whole yuan)."""
DEFAULT_DECIMALS = 2
CV_DECIMALS = 3
MAX_DECIMALS = 6

UNIT_WORDS: dict[str, str] = {"㎡": "平方米", "m²": "平方米", "m2": "平方米"}
KIND_ZH: dict[str, str] = dict(SCHOOL_KINDS)
_MISSING_DATA = re.compile(r"缺少数据（(.+?)）")
AREA_ZH: dict[str, str] = dict(AREA_TYPES)
OWNERSHIP_ZH: dict[str, str] = dict(OWNERSHIPS)

SHORT_NAMES: dict[str, str] = {
    "R1": "高于规定学历教师",
    "R2": "县级以上骨干教师",
    "R3": "体育艺术专任教师",
    "R4": "教学及辅助用房",
    "R5": "体育运动场馆",
    "R6": "教学仪器设备值",
    "R7": "网络多媒体教室",
}

ITEM_MEASURES: dict[str, str] = {
    "G3": "按每12个班配备音乐、美术专用教室的要求新建或改造专用教室，面积不足的予以改扩建",
    "G4": "通过新建、改扩建学校和优化招生片区划分，控制超规模学校在校生数",
    "G5": "通过增加教室、新建学校和统筹招生计划，逐步消除超标准班额",
    "G6": "对不足100名学生的村小学和教学点按100名学生核定公用经费",
    "G7": "足额落实特殊教育学校生均公用经费",
    "G8": "落实教师工资待遇保障机制，足额核定教师绩效工资总量",
    "G9": "加大教师培训统筹力度，确保教师完成5年360学时培训",
    "G10": "在核定的编制总额和岗位总量内统筹分配各校教职工编制和岗位",
    "G11": "完善县域教师交流轮岗制度，扩大交流轮岗规模，提高骨干教师在交流轮岗教师中的比例",
    "G12": "组织未取得教师资格的专任教师限期取得资格，严格持证上岗",
    "G13": "完善城区和镇区公办学校招生片区划分，严格落实就近划片入学",
    "G14": "提高优质高中招生名额分配到初中的比例，并向农村初中倾斜",
    "G15": "保障符合条件的随迁子女在公办学校或政府购买服务学位就读，健全留守儿童关爱体系",
    "Q1": "落实控辍保学责任，提高初中三年巩固率",
    "Q2": "完善残疾儿童少年随班就读、送教上门等安置方式，提高入学率",
    "Q3": "指导学校制定章程，推进学校管理与教学信息化",
    "Q4": "督促学校在年度公用经费预算中足额安排教师培训经费",
    "Q5": "加强教师信息技术应用能力培训，提高设施设备使用效率",
    "Q6": "加强学校德育和校园文化建设，开展专项评估",
    "Q7": "严格执行国家课程方案，开齐开足课程，规范教学秩序",
    "Q8": "落实减轻学生过重课业负担的各项规定",
    "Q9": "针对质量监测反映的问题改进教学，缩小校际差异",
    "S1": "加强宣传和沟通，回应群众关切，提高社会认可度",
}
"""What a county does about a failing item (wording only; amounts come from the evaluation)."""

TASK_COLUMNS: dict[str, str] = {
    "id": "编号",
    "no": "编号",
    "school": "学校",
    "school_name": "学校",
    "problem": "存在问题",
    "item": "指标",
    "indicator": "指标",
    "measure": "整改措施",
    "task": "整改任务",
    "quantity": "工作量",
    "lead_unit": "牵头单位",
    "units": "责任单位",
    "responsible_units": "责任单位",
    "responsible": "责任人",
    "person": "责任人",
    "leader": "督办县领导",
    "deadline": "完成时限",
    "status": "进展情况",
}
"""Known keys of rectification task records and their column titles."""

ITEM_WIDTHS = [1.0, 3.8, 4.0, 5.4, 1.4]
"""Column widths (cm) of the item tables: 编号, 评估内容, 要求, 实际情况, 结论."""

TASKS_PLACEHOLDER = (
    "【整改任务清单待填写】本节由整改台账生成：每项任务应列明存在问题、整改措施、工作量、"
    "牵头单位、责任单位、责任人、督办县领导和完成时限，整改完成并经核验后逐项销号。"
)

# ---------------------------------------------------------------------------------------------
# Number formatting shared with the school book and the tests
# ---------------------------------------------------------------------------------------------


def unit_word(unit: str) -> str:
    """㎡ → 平方米; other units as they are."""
    return UNIT_WORDS.get(unit, unit)


def fmt_against(
    value: float | None,
    threshold: float | None,
    ok: bool | None,
    decimals: int = DEFAULT_DECIMALS,
    op: str = ">=",
) -> str:
    """A value printed so the reader's comparison with the threshold agrees with the verdict:
    `decimals` decimals, more (up to six) when rounding would make a failing 4.1996 look like
    the threshold 4.20. None → "—（缺数据）"."""
    if value is None:
        return MISSING
    text = fmt_number(value, decimals)
    if ok is None or threshold is None:
        return text
    for places in range(decimals, MAX_DECIMALS + 1):
        text = fmt_number(value, places)
        shown = float(text)
        agrees = shown >= threshold if op == ">=" else shown <= threshold
        if agrees == ok:
            return text
    return text


def fmt_indicator(
    item_id: str, value: float | None, threshold: float | None, met: bool | None
) -> str:
    """A Part R value as printed in the tables (R6 in whole yuan, others two decimals)."""
    return fmt_against(value, threshold, met, R_DECIMALS.get(item_id, DEFAULT_DECIMALS))


def fmt_cv(cv: float | None, limit: float | None, passes: bool | None, standard: Standard) -> str:
    """A coefficient of variation with at least three decimals (more when the comparison
    precision policy or the closeness to the limit asks for it)."""
    policy = standard.policies.get("comparison_decimals")
    decimals = max(CV_DECIMALS, policy.value if policy and policy.value is not None else 0)
    return fmt_against(cv, limit, passes, decimals, op="<=")


def fmt_mark(item_id: str, value: float | None, threshold: float | None, met: bool | None) -> str:
    """A value with its pass mark: "4.91✓", "0.62✗", or "—（缺数据）"."""
    if value is None:
        return MISSING
    return fmt_indicator(item_id, value, threshold, met) + MARK[met]


def fmt_amount(total: float | None) -> str:
    """A gap quantity: whole numbers without decimals, others with two; thousands separated."""
    if total is None:
        return MISSING
    whole = float(total).is_integer()
    return fmt_number(total, 0 if whole else 2, thousands=True)


def fmt_check_value(check: Check, value: Any) -> str:
    """The value of one check of a G/Q/S/V item with its unit, as the reasons print it."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "是" if value else "否"
    if check.percent and isinstance(value, (int, float)):
        return fmt_percent(float(value))
    if isinstance(value, float):
        text = fmt_number(value, 2, thousands=value >= 10000)
        text = text[:-3] if text.endswith(".00") else text
        return f"{text}{check.unit}"
    return f"{value}{check.unit}"


def requirement_text(item: Item) -> str:
    """What an item requires, one check per line, worded as in the Excel tables."""
    return shared_requirement_text(item).replace("；", "\n")


def situation_text(item: Item, result: ItemResult) -> str:
    """The actual situation of an item: each check's value for county items (missing values
    named), the unit-by-unit summary for school and segment items."""
    if item.scope != "county" or not result.checks:
        return result.reason
    lines = []
    for check, outcome in zip(item.checks, result.checks, strict=False):
        line = f"{check.label}：{fmt_check_value(check, outcome.value)}"
        if outcome.passes is None and outcome.missing:
            line += f"（缺少{'、'.join(outcome.missing)}数据）"
        lines.append(line)
    if result.item == "S1" and "（按调查答卷计算" in result.reason:
        lines.append(result.reason[result.reason.index("（按调查答卷计算") :].strip("（）"))
    return "\n".join(lines)


def item_facts(item: Item) -> set[str]:
    """The county or school facts an item reads (to find their evidence notes)."""
    names: set[str] = set()
    for check in item.checks:
        names |= set(check.value.required_columns(dict(item.params)))
        if check.threshold.formula is not None:
            names |= set(check.threshold.formula.required_columns(dict(item.params)))
    return names


def charts_module() -> ModuleType | None:
    """The chart module, imported on first use (reports still build where it is unavailable)."""
    try:
        return importlib.import_module("junheng.reports.charts")
    except ImportError:
        return None


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def write_self_evaluation(
    evaluation: Evaluation,
    county: str,
    path: Path,
    *,
    dataset: Dataset | None = None,
    tasks: list[dict[str, Any]] | None = None,
    date: dt.date | None = None,
    charts: bool = True,
) -> Path:
    """Write the county's 自评报告 to `path` (.docx, written atomically) and return the path.

    `dataset` adds the school register and evidence notes; `tasks` (rectification task records,
    e.g. from the rectification ledger) fill the task list of section 七; `charts=False` leaves
    the charts out."""
    if county not in evaluation.counties:
        raise KeyError(f"评估结果中没有县区“{county}”")
    report = _Report(evaluation, county, dataset, tasks, date or clock.today(), charts)
    return ds.save(report.build(), Path(path))


class _Report(ds.DocumentWriter):
    def __init__(
        self,
        evaluation: Evaluation,
        county: str,
        dataset: Dataset | None,
        tasks: list[dict[str, Any]] | None,
        date: dt.date,
        charts: bool,
    ) -> None:
        self.ev = evaluation
        self.standard = evaluation.standard
        self.county = county
        self.dataset = dataset
        self.tasks = tasks
        self.date = date
        self.charts = charts_module() if charts else None
        super().__init__()
        self.segments = evaluation.segments.filter(pl.col("county") == county)
        self.scoped = self.segments.filter(pl.col("in_scope"))
        self.balance = evaluation.balance.filter(pl.col("county") == county)
        self.gaps = evaluation.gaps.filter(pl.col("county") == county)
        self.totals = evaluation.totals.filter(pl.col("county") == county)
        self.results = {r.item: r for r in evaluation.items[county]}
        self.verdict = evaluation.verdicts[county]
        self.notes = self._notes()

    # -- helpers ---------------------------------------------------------------------------

    def _notes(self) -> pl.DataFrame:
        notes = self.dataset.notes if self.dataset is not None else self.ev.notes
        if notes is None or notes.is_empty() or "county" not in notes.columns:
            return pl.DataFrame(schema={"county": pl.String, "fact": pl.String, "note": pl.String})
        return notes.filter(pl.col("county") == self.county)

    def item(self, item_id: str) -> Item:
        return self.standard.items[item_id]

    # -- document ----------------------------------------------------------------------------

    def build(self) -> Document:
        doc = self.doc
        title = f"{self.county}义务教育优质均衡发展自评报告"
        ds.add_cover(
            doc,
            [self.county, "县域义务教育优质均衡发展", "自评报告"],
            f"{self.county}人民政府教育督导室",
            ds.chinese_date(self.date),
        )
        ds.add_page_break(doc)
        toc = ds.add_toc(doc)
        body = ds.new_section(doc)
        ds.add_page_numbers(body, start=1)
        ds.add_title(doc, title)
        self.lead()
        self.basics()
        self.resources()
        self.items_section("G", "政府保障程度")
        self.items_section("Q", "教育质量")
        self.recognition()
        self.problems()
        self.measures()
        self.appendix()
        toc.fill(doc)
        return doc

    def lead(self) -> None:
        s = self.standard
        self.p(
            f"为推进县域义务教育优质均衡发展，根据{s.document}要求，{self.county}对照"
            f"《{s.name}》，对全县义务教育学校资源配置、政府保障程度、教育质量和社会认可度"
            "进行了全面自评。现将自评情况报告如下。"
        )

    # -- 一、基本情况 --------------------------------------------------------------------------

    def _schools(self) -> pl.DataFrame:
        """One row per school: identity and students by level (from the evaluation's segments,
        completed with schools of the register that have no segment rows)."""
        seg = self.segments
        schools = seg.group_by("school_id", maintain_order=True).agg(
            pl.col("name").first(),
            pl.col("kind").first(),
            pl.col("area_type").first(),
            pl.col("ownership").first(),
            pl.col("students").filter(pl.col("level") == "primary").sum().alias("primary"),
            pl.col("students").filter(pl.col("level") == "junior").sum().alias("junior"),
            pl.col("in_scope").any().alias("in_scope"),
        )
        if self.dataset is not None:
            register = self.dataset.schools.filter(pl.col("county") == self.county)
            extra = register.join(schools.select("school_id"), on="school_id", how="anti")
            if not extra.is_empty():
                schools = pl.concat(
                    [
                        schools,
                        extra.select(
                            "school_id",
                            "name",
                            "kind",
                            "area_type",
                            pl.col("ownership").fill_null("public"),
                            pl.lit(0, pl.Int64).alias("primary"),
                            pl.lit(0, pl.Int64).alias("junior"),
                            pl.lit(False).alias("in_scope"),
                        ),
                    ],
                    how="vertical_relaxed",
                )
        return schools.with_columns((pl.col("primary") + pl.col("junior")).alias("total"))

    def basics(self) -> None:
        self.h("基本情况", 1)
        schools = self._schools()
        self.h("学校和在校生", 2)
        n = schools.height
        kinds = schools.group_by("kind").agg(
            pl.len().alias("n"),
            pl.col("in_scope").sum().alias("scoped"),
            pl.col("primary").sum(),
            pl.col("junior").sum(),
            pl.col("total").sum(),
        )
        by_kind = {r["kind"]: r for r in kinds.iter_rows(named=True)}
        kind_words = "、".join(
            f"{_kind_noun(k)}{by_kind[k]['n']}{'个' if k == 'teaching_point' else '所'}"
            for k, _ in SCHOOL_KINDS
            if k in by_kind
        )
        primary, junior = int(schools["primary"].sum()), int(schools["junior"].sum())
        owners = dict(schools.group_by("ownership").len().iter_rows())
        order = [o for o, _ in OWNERSHIPS] + [o for o in owners if o not in OWNERSHIP_ZH]
        owner_words = "、".join(
            f"{OWNERSHIP_ZH.get(o, o or '未填报')}{owners[o]}所" for o in order if o in owners
        )
        self.p(
            f"全县共有义务教育阶段学校（含教学点、特殊教育学校）{n}所，其中{kind_words}；"
            f"按办学性质分，{owner_words}。义务教育阶段在校生{primary + junior}人，"
            f"其中小学{primary}人、初中{junior}人。"
        )
        rows = [
            [KIND_ZH[k], r["n"], r["scoped"], r["primary"], r["junior"], r["total"]]
            for k, _ in SCHOOL_KINDS
            if (r := by_kind.get(k)) is not None
        ]
        rows.append(["合计", n, int(schools["in_scope"].sum()), primary, junior, primary + junior])
        self.table(
            "全县义务教育学校和在校生（按学校类型）",
            ["学校类型", "学校数", "其中纳入评估", "小学在校生", "初中在校生", "合计在校生"],
            rows,
            [3.1, 2.2, 2.5, 2.6, 2.6, 2.6],
        )
        areas = schools.group_by("area_type").agg(
            pl.len().alias("n"), pl.col("primary").sum(), pl.col("junior").sum()
        )
        by_area = {r["area_type"]: r for r in areas.iter_rows(named=True)}
        total = max(primary + junior, 1)
        area_rows = [
            [
                AREA_ZH.get(a, a) if a else "未填报",
                r["n"],
                r["primary"],
                r["junior"],
                r["primary"] + r["junior"],
                fmt_percent((r["primary"] + r["junior"]) / total),
            ]
            for a in [*[a for a, _ in AREA_TYPES], None]
            if (r := by_area.get(a)) is not None
        ]
        self.table(
            "全县义务教育学校和在校生（按城乡分布）",
            ["城乡类型", "学校数", "小学在校生", "初中在校生", "合计在校生", "占全县比例"],
            area_rows,
            [3.1, 2.2, 2.6, 2.6, 2.6, 2.5],
        )

        self.h("评估范围", 2)
        scoped_schools = int(schools["in_scope"].sum())
        by_level = {lv: self.scoped.filter(pl.col("level") == lv) for lv, _ in LEVELS}
        level_words = "、".join(
            f"{zh}学段{by_level[lv].height}个（在校生{int(by_level[lv]['students'].sum())}人）"
            for lv, zh in LEVELS
        )
        excluded = self.segments.filter(~pl.col("in_scope"))
        self.p(
            f"按照评估范围口径，纳入评估的学校{scoped_schools}所，评估学段{self.scoped.height}个，"
            f"其中{level_words}。九年一贯制学校分别作为一个小学学段和一个初中学段评估。"
            + (
                f"不纳入评估范围的学段{excluded.height}个，原因见下表。"
                if excluded.height
                else "全县所有学校均纳入评估范围。"
            )
        )
        if excluded.height:
            self.table(
                "不纳入评估范围的学校（学段）",
                ["学校名称", "学校类型", "学段", "在校生数", "原因"],
                [
                    [
                        r["name"],
                        KIND_ZH.get(r["kind"], r["kind"]),
                        LEVEL_ZH.get(r["level"], r["level"]),
                        r["students"],
                        r["scope_reason"] or "—",
                    ]
                    for r in excluded.iter_rows(named=True)
                ],
                [3.6, 2.4, 1.4, 1.8, 6.4],
                left=(0, 4),
            )

        self.h("自评结论", 2)
        self.conclusion()
        self.h("评估依据", 2)
        self.basis()

    def conclusion(self) -> None:
        v = self.verdict
        overall = {
            True: "达到县域义务教育优质均衡发展评估认定标准",
            False: "尚未达到县域义务教育优质均衡发展评估认定标准",
            None: "因部分数据缺失，尚无法判定是否达到县域义务教育优质均衡发展评估认定标准",
        }[v.passes]
        self.p(f"经自评，{self.county}{overall}。各方面情况如下表。")
        rows = []
        for key in ("R", "G", "Q", "S", "V"):
            part = v.parts[key]
            label = VETO[part.passes] if key == "V" else VERDICT[part.passes]
            rows.append([part.name, label, "\n".join(part.reasons)])
        self.table("自评结论", ["评估方面", "结论", "主要情况"], rows, [2.6, 2.0, 11.0], left=(2,))
        if self.charts is not None:
            self.figure(self.charts.parts_chart(self.ev, self.county), "各方面自评结论")
        vetoes = [self.results[i.id] for i in self.standard.items_of("V") if i.id in self.results]
        if vetoes:
            self.p("一票否决事项核查情况如下。")
            self.table(
                "一票否决事项核查",
                ["编号", "情形", "核查结果", "情况说明"],
                [
                    [
                        r.item,
                        self.item(r.item).name,
                        VETO[r.passes],
                        situation_text(self.item(r.item), r),
                    ]
                    for r in vetoes
                ],
                [1.2, 5.6, 2.2, 6.6],
                left=(1, 3),
            )

    def basis(self) -> None:
        s = self.standard
        policies = "；".join(policy_text(s, key) for key in s.policies)
        self.p(
            f"评估依据为{s.document}，评估标准为{standard_text(s)}。"
            f"每所学校资源配置按“{s.segment_rule.description.rstrip('。')}”判定；"
            "校际差异系数按在校生数加权计算（加权平均值 = 资源总量 ÷ 学生总数，"
            "加权标准差按各校学生数占比加权），小学不高于"
            f"{self._cv_limit('primary')}、初中不高于{self._cv_limit('junior')}。"
        )
        self.p(f"本次评估采用的口径：{policies}。")
        self.p(comparison_rule_text(s))

    def _cv_limit(self, level: str) -> str:
        limits = {i.cv_limit.get(level) for i in self.standard.ratio_items}
        limits.discard(None)
        return "、".join(fmt_number(x, 2) for x in sorted(limits)) if limits else "—"

    # -- 二、资源配置 --------------------------------------------------------------------------

    def resources(self) -> None:
        self.h("资源配置", 1)
        rule = self.standard.segment_rule
        self.h("每所学校资源配置达标情况", 2)
        seg_values = self.scoped["passes"].to_list()
        n_pass, n_fail, n_null = (
            seg_values.count(True),
            seg_values.count(False),
            seg_values.count(None),
        )
        words = f"全县纳入评估的{len(seg_values)}个学段中，{n_pass}个达到要求"
        if n_fail:
            words += f"，{n_fail}个未达到要求"
        if n_null:
            words += f"，{n_null}个因数据缺失无法判定"
        self.p(f"{rule.name}：{rule.description.rstrip('。')}。{words}。各学段七项指标见下表。")
        for level, zh in LEVELS:
            rows = self.scoped.filter(pl.col("level") == level)
            if rows.is_empty():
                self.p(f"全县没有纳入评估的{zh}学段。")
                continue
            self.segment_table(level, zh, rows)
        failing = self.scoped.filter(pl.col("passes").ne_missing(True))
        if failing.height:
            self.p("未达到要求或无法判定的学段情况如下：")
            for i, r in enumerate(failing.iter_rows(named=True), start=1):
                self.p(
                    f"{i}. {r['name']}（{LEVEL_ZH.get(r['level'], r['level'])}）："
                    + "；".join(r["reasons"])
                    + "。"
                )

        self.h("校际差异系数", 2)
        self.p(
            "各项指标的校际差异系数按在校生数加权计算：加权平均值等于全县该项资源总量除以学生总数，"
            "加权标准差以各校学生数占全县学生数的比例为权重，差异系数等于加权标准差除以加权平均值。"
        )
        for level, zh in LEVELS:
            if self.scoped.filter(pl.col("level") == level).is_empty():
                self.p(f"全县没有纳入评估的{zh}学段，{zh}校际差异系数不作计算。")
                continue
            self.cv_table(level, zh)

        problem_charts = self._problem_indicators()
        if self.charts is not None and problem_charts:
            self.h("未达标指标分布", 2)
            self.p("以下各图展示存在未达标学校或差异系数超限的指标在各学校的分布情况。")
            for level, item_id in problem_charts:
                item = self.item(item_id)
                png = self.charts.indicator_chart(self.ev, self.county, level, item_id)
                self.figure(png, f"{LEVEL_ZH[level]}{item.name}")

    def segment_table(self, level: str, zh: str, rows: pl.DataFrame) -> None:
        items = self.standard.ratio_items
        header = ["学校名称", "在校生数"]
        header += [f"{i.id}\n≥{fmt_plain(i.threshold[level])}" for i in items]
        header += ["达标项数", "结论"]
        body = []
        for r in rows.iter_rows(named=True):
            values = [fmt_mark(i.id, r[i.id], i.threshold[level], r[f"{i.id}_met"]) for i in items]
            body.append([r["name"], r["students"], *values, r["n_met"], VERDICT[r["passes"]]])
        names = "；".join(f"{i.id} {i.name}（{unit_word(i.unit)}）" for i in items)
        self.table(
            f"{zh}各学段资源配置指标",
            header,
            body,
            [2.8, 1.0, *([1.35] * len(items)), 1.0, 1.35],
            left=(0,),
            font_size=ds.SIZES["小五"],
            note=f"注：✓ 达到标准，✗ 未达到标准。{names}。",
        )

    def cv_table(self, level: str, zh: str) -> None:
        rows = self.balance.filter(pl.col("level") == level)
        body = []
        cvs = []
        for r in rows.iter_rows(named=True):
            item = self.item(r["indicator"])
            cv_text = fmt_cv(r["cv"], r["limit"], r["passes"], self.standard)
            if r["cv"] is not None:
                cvs.append(r["cv"])
            body.append(
                [
                    item.id,
                    item.name,
                    r["n"],
                    MISSING if r["mean"] is None else fmt_number(r["mean"], 3),
                    MISSING if r["sd"] is None else fmt_number(r["sd"], 3),
                    cv_text,
                    MISSING if r["limit"] is None else fmt_number(r["limit"], 2),
                    VERDICT[r["passes"]],
                ]
            )
        note_bits = []
        if len(cvs) == len(body) and cvs:
            note_bits.append(
                f"七项差异系数平均值为{fmt_number(sum(cvs) / len(cvs), 3)}，仅供参考，"
                "本标准不设综合差异系数要求"
            )
        failing = rows.filter(pl.col("passes").ne_missing(True))["reason"].to_list()
        note_bits += list(dict.fromkeys(failing))
        self.table(
            f"{zh}校际差异系数",
            ["指标", "指标名称", "学校数", "加权平均值", "加权标准差", "差异系数", "限值", "结论"],
            body,
            [1.0, 5.4, 1.2, 2.0, 2.0, 1.6, 1.1, 1.3],
            left=(1,),
            note=("注：" + "；".join(note_bits) + "。") if note_bits else None,
        )
        if self.charts is not None and not rows.is_empty() and rows["n"].max():
            self.figure(self.charts.cv_chart(self.ev, self.county, level), f"{zh}校际差异系数")

    def _problem_indicators(self) -> list[tuple[str, str]]:
        """(level, indicator) pairs with an unmet segment or a CV over its limit."""
        found: list[tuple[str, str]] = []
        for level, _ in LEVELS:
            rows = self.scoped.filter(pl.col("level") == level)
            for item in self.standard.ratio_items:
                unmet = rows.filter(pl.col(f"{item.id}_met") == False).height  # noqa: E712
                cv_fail = self.balance.filter(
                    (pl.col("level") == level)
                    & (pl.col("indicator") == item.id)
                    & (pl.col("passes") == False)  # noqa: E712
                ).height
                if unmet or cv_fail:
                    found.append((level, item.id))
        return found

    # -- 三、四、五: item tables ---------------------------------------------------------------

    def _evidence(self, item: Item) -> list[str]:
        facts = item_facts(item)
        if self.notes.is_empty() or not facts:
            return []
        rows = self.notes.filter(pl.col("fact").is_in(sorted(facts)))
        if "school_id" in rows.columns:
            rows = rows.filter(pl.col("school_id").is_null())
        return [n for n in rows["note"].to_list() if n]

    def item_rows(self, part: str) -> list[list[Any]]:
        rows = []
        for item in self.standard.items_of(part):
            result = self.results.get(item.id)
            if result is None:
                continue
            text = situation_text(item, result)
            evidence = self._evidence(item)
            if evidence:
                text += "\n佐证材料：" + "；".join(evidence)
            rows.append([item.id, item.name, requirement_text(item), text, VERDICT[result.passes]])
        return rows

    def items_section(self, part: str, name: str) -> None:
        self.h(name, 1)
        results = [self.results[i.id] for i in self.standard.items_of(part) if i.id in self.results]
        n_ok = sum(r.passes is True for r in results)
        n_fail = sum(r.passes is False for r in results)
        n_null = sum(r.passes is None for r in results)
        text = f"{name}共{len(results)}项，{n_ok}项达到要求"
        if n_fail:
            failed = "、".join(r.item for r in results if r.passes is False)
            text += f"，{n_fail}项未达到要求（{failed}）"
        if n_null:
            unknown = "、".join(r.item for r in results if r.passes is None)
            text += f"，{n_null}项因数据缺失无法判定（{unknown}）"
        self.p(text + "。具体情况见下表。")
        self.table(
            f"{name}评估情况",
            ["编号", "评估内容", "要求", "实际情况", "结论"],
            self.item_rows(part),
            ITEM_WIDTHS,
            left=(1, 2, 3),
        )

    def recognition(self) -> None:
        self.h("社会认可度", 1)
        result = self.results.get("S1")
        policy = self.standard.policies.get("survey_favourable_options")
        n_fav = int(policy.value) if policy is not None else 2
        options = [SURVEY.column(c).zh.removesuffix("人次") for c in SURVEY_ANSWER_COLUMNS]
        favourable = "、".join(options[:n_fav])
        survey = self._survey()
        if survey is not None and survey.height:
            valid = int(survey["valid"].sum())
            parents = survey.filter(pl.col("group") == "家长")
            parent_n = int(parents["valid"].sum()) if parents.height else 0
            groups = "、".join(survey["group"].to_list())
            self.p(
                f"社会认可度调查面向{groups}等群体，采用匿名问卷方式开展，"
                f"共回收有效答卷{valid}份，其中家长答卷{parent_n}份"
                f"（占{fmt_percent(parent_n / valid if valid else None)}）。"
                f"认可度按选择“{favourable}”的答卷数占有效答卷数的比例计算。"
            )
        else:
            self.p(
                f"认可度按选择“{favourable}”的答卷数占有效答卷数的比例计算；"
                "未提供分组调查答卷数据，采用上报的社会认可度。"
            )
        self.table(
            "社会认可度评估情况",
            ["编号", "评估内容", "要求", "实际情况", "结论"],
            self.item_rows("S"),
            ITEM_WIDTHS,
            left=(1, 2, 3),
        )
        if survey is not None and survey.height:
            rows = [
                [r["group"], r["valid"], r["favourable"], fmt_percent(r["rate"])]
                for r in survey.iter_rows(named=True)
            ]
            pooled = result.value if result is not None else None
            rows.append(
                [
                    "合计",
                    int(survey["valid"].sum()),
                    int(survey["favourable"].sum()),
                    MISSING if pooled is None else fmt_percent(pooled),
                ]
            )
            self.table(
                "社会认可度调查分组情况",
                ["调查对象", "有效答卷（份）", f"认可答卷（{favourable}）", "认可度"],
                rows,
                [3.4, 3.6, 5.0, 3.6],
            )

    def _survey(self) -> pl.DataFrame | None:
        if self.dataset is None or self.dataset.survey.is_empty():
            return None
        policy = self.standard.policies.get("survey_favourable_options")
        n_fav = int(policy.value) if policy is not None else 2
        answers = [pl.col(c).fill_null(0) for c in SURVEY_ANSWER_COLUMNS]
        return (
            self.dataset.survey.filter(pl.col("county") == self.county)
            .select(
                "group",
                pl.sum_horizontal(answers).alias("valid"),
                pl.sum_horizontal(answers[:n_fav]).alias("favourable"),
            )
            .with_columns(
                pl.when(pl.col("valid") > 0)
                .then(pl.col("favourable") / pl.col("valid"))
                .otherwise(None)
                .alias("rate")
            )
        )

    # -- 六、存在的问题 -------------------------------------------------------------------------

    def problem_groups(self) -> list[tuple[str, list[str]]]:
        """The problems by aspect, each a list of sentences."""
        groups: list[tuple[str, list[str]]] = []
        resource: list[str] = []
        failing = self.scoped.filter(pl.col("passes") == False)  # noqa: E712
        if failing.height:
            names = "、".join(
                f"{r['name']}（{LEVEL_ZH.get(r['level'], r['level'])}）"
                for r in failing.iter_rows(named=True)
            )
            resource.append(
                f"全县纳入评估的{self.scoped.height}个学段中，有{failing.height}个学段未达到"
                f"“{self.standard.segment_rule.description.rstrip('。')}”的要求：{names}。"
            )
        resource += self._gap_sentences(ratio=True)
        for r in self.balance.filter(pl.col("passes") == False).iter_rows(named=True):  # noqa: E712
            resource.append(self._cv_sentence(r))
        if resource:
            groups.append(("资源配置方面", resource))
        for part, name in (
            ("G", "政府保障程度方面"),
            ("Q", "教育质量方面"),
            ("S", "社会认可度方面"),
        ):
            sentences = [
                self._item_sentence(self.results[i.id])
                for i in self.standard.items_of(part)
                if i.id in self.results and self.results[i.id].passes is False
            ]
            if part == "G":
                sentences += self._gap_sentences(ratio=False)
            if sentences:
                groups.append((name, sentences))
        vetoes = [
            self.results[i.id]
            for i in self.standard.items_of("V")
            if i.id in self.results and self.results[i.id].passes is False
        ]
        if vetoes:
            groups.append(
                (
                    "一票否决事项",
                    [f"存在{self.item(r.item).name}情形：{r.reason}。" for r in vetoes],
                )
            )
        missing = self.missing_sentences()
        if missing:
            groups.append(("数据缺失、无法判定的事项", missing))
        return groups

    def _gap_sentences(self, ratio: bool) -> list[str]:
        sentences = []
        for r in self.totals.iter_rows(named=True):
            item = self.item(r["item"])
            if (item.ratio is not None) != ratio:
                continue
            amount = f"{fmt_amount(r['total'])}{unit_word(r['unit'])}"
            if ratio:
                level = LEVEL_ZH.get(r["level"], "")
                threshold = fmt_plain(item.threshold[r["level"]])
                what = "" if r["what"] in item.name else r["what"]
                sentences.append(
                    f"全县有{r['schools']}所{level}{item.name}未达到{threshold}"
                    f"{unit_word(item.unit)}，合计缺口{what}{amount}。"
                )
            else:
                sentences.append(
                    f"全县有{r['schools']}所学校{r['what']}不足，合计缺少{r['what']}{amount}。"
                )
        return sentences

    def _cv_sentence(self, r: dict[str, Any]) -> str:
        item = self.item(r["indicator"])
        zh = LEVEL_ZH.get(r["level"], r["level"])
        cv = fmt_cv(r["cv"], r["limit"], r["passes"], self.standard)
        text = (
            f"{zh}{item.name}校际差异系数为{cv}，超过{fmt_plain(r['limit'])}的限值，"
            "校际配置不够均衡"
        )
        top = self.ev.top_contributors(3).filter(
            (pl.col("county") == self.county)
            & (pl.col("level") == r["level"])
            & (pl.col("indicator") == r["indicator"])
        )
        if top.height:
            drivers = "、".join(
                f"{t['name']}（{fmt_indicator(item.id, t['value'], None, None)}，{t['direction']}）"
                for t in top.iter_rows(named=True)
            )
            text += (
                f"，差异主要来自{drivers}，全县加权平均值为"
                f"{fmt_indicator(item.id, r['mean'], None, None)}"
            )
        return text + "。"

    def _item_sentence(self, result: ItemResult) -> str:
        item = self.item(result.item)
        if result.failing:
            bad = [f for f in result.failing if f["passes"] is False]
            unit = "个学段" if item.scope == "segment" else "所学校"
            details = "；".join(f"{f['name']}（{'，'.join(f['reasons'])}）" for f in bad)
            return f"{item.id} {item.name}：有{len(bad)}{unit}不符合要求，{details}。"
        return f"{item.id} {item.name}：{result.reason}。"

    def missing_sentences(self) -> list[str]:
        """Every undecided verdict with the data it lacks (levels without any segment aside:
        they are stated where the tables are)."""
        sentences = []
        for item in self.standard.ratio_items:
            rows = self.scoped.filter(pl.col(item.id).is_null())
            for r in rows.iter_rows(named=True):
                sentences.append(
                    f"{r['name']}（{LEVEL_ZH.get(r['level'], r['level'])}）{item.id} {item.name}"
                    f"无法计算：缺少{r[f'{item.id}_missing'] or '数据'}。"
                )
        # a level without in-scope schools is 不适用 (said once in Part R), not missing data
        undecided = self.balance.filter(pl.col("passes").is_null() & pl.col("applicable"))
        sentences += [f"{reason}。" for reason in dict.fromkeys(undecided["reason"].to_list())]
        for item_id, result in self.results.items():
            if result.passes is not None:
                continue
            item = self.item(item_id)
            missing = sorted({m for c in result.checks for m in c.missing})
            unknown = [f for f in result.failing if f["passes"] is None]
            if missing:
                sentences.append(f"{item.id} {item.name}无法判定：缺少{'、'.join(missing)}数据。")
            elif unknown:
                names = sorted(
                    {m for f in unknown for r in f["reasons"] for m in _MISSING_DATA.findall(r)}
                )
                schools = "、".join(f["name"] for f in unknown[:5]) + (
                    "等" if len(unknown) > 5 else ""
                )
                noun = "个学段" if item.scope == "segment" else "所学校"
                what = f"缺少{'、'.join(names)}数据" if names else "缺少数据"
                sentences.append(
                    f"{item.id} {item.name}无法判定：{len(unknown)}{noun}{what}（{schools}）。"
                )
            else:
                sentences.append(f"{item.id} {item.name}无法判定：{result.reason}。")
        return sentences

    def problems(self) -> None:
        self.h("存在的问题", 1)
        groups = self.problem_groups()
        if not groups:
            self.p("经自评，各项指标均达到标准要求，未发现需要整改的问题。")
            return
        self.p("对照评估标准，全县义务教育优质均衡发展还存在以下问题。")
        for title, sentences in groups:
            self.h(title, 2)
            for i, sentence in enumerate(sentences, start=1):
                self.p(f"{i}. {sentence}")

    # -- 七、整改措施与计划 ---------------------------------------------------------------------

    def measure_sentences(self) -> list[str]:
        """One measure per gap total, with quantities ("新建小学体育运动场馆452.30平方米…")."""
        sentences = []
        for r in self.totals.iter_rows(named=True):
            level = LEVEL_ZH.get(r["level"], "") if r["level"] else ""
            text = (
                f"{r['action']}{level}{r['what']}{fmt_amount(r['total'])}{unit_word(r['unit'])}"
                f"（涉及{r['schools']}所学校）"
            )
            floor = r.get("floor_total")
            if floor and floor > 0 and floor < r["total"]:
                floor_ratio = fmt_plain(self.standard.segment_rule.floor_ratio * 100)
                text += (
                    f"，其中{fmt_amount(floor)}{unit_word(r['unit'])}须优先完成，"
                    f"使相关学校达到标准的{floor_ratio}%"
                )
            sentences.append(text + "。")
        return sentences

    def measures(self) -> None:
        self.h("整改措施与计划", 1)
        self.p(
            "针对自评发现的问题，县人民政府将统筹规划、分类施策，明确责任单位和完成时限，"
            "逐项整改、逐项销号。"
        )
        quantities = self.measure_sentences()
        if quantities:
            self.h("补齐办学条件短板", 2)
            self.p("根据差距测算，需完成以下建设和配备任务：")
            for i, sentence in enumerate(quantities, start=1):
                self.p(f"{i}. {sentence}")
        balance_fail = self.balance.filter(pl.col("passes") == False)  # noqa: E712
        if balance_fail.height:
            self.h("缩小校际差距", 2)
            for i, r in enumerate(balance_fail.iter_rows(named=True), start=1):
                item = self.item(r["indicator"])
                zh = LEVEL_ZH.get(r["level"], r["level"])
                cv = fmt_cv(r["cv"], r["limit"], r["passes"], self.standard)
                short = SHORT_NAMES.get(item.id, item.name)
                self.p(
                    f"{i}. 统筹调配{zh}{short}资源，向低于全县平均水平"
                    f"的学校倾斜，将{zh}{item.name}校际差异系数由{cv}降至"
                    f"{fmt_plain(r['limit'])}以下。"
                )
        failing_items = [
            r
            for part in ("G", "Q", "S")
            for i in self.standard.items_of(part)
            if (r := self.results.get(i.id)) is not None and r.passes is False
        ]
        if failing_items:
            self.h("落实政府保障和教育质量要求", 2)
            for i, r in enumerate(failing_items, start=1):
                item = self.item(r.item)
                schools = "、".join(f["name"] for f in r.failing if f["passes"] is False)
                where = f"（涉及{schools}）" if schools else ""
                measure = ITEM_MEASURES.get(item.id, "制定专项整改方案，逐项落实整改")
                self.p(f"{i}. {item.id} {item.name}：{measure}{where}。")
        missing = self.missing_sentences()
        if missing:
            self.h("补齐缺失数据", 2)
            self.p(
                f"第六部分列出的{len(missing)}项因数据缺失无法判定，由县教育行政部门组织相关"
                "学校和部门限期补报数据，经审核后重新评估。"
            )
        self.h("整改任务清单", 2)
        self.task_table()

    def task_table(self) -> None:
        if not self.tasks:
            self.p([(TASKS_PLACEHOLDER, {"bold": True, "highlight": True})])
            return
        keys: list[str] = []
        for task in self.tasks:
            for key in task:
                if key not in keys:
                    keys.append(key)
        header = [TASK_COLUMNS.get(k, k) for k in keys]
        rows = [[_task_cell(task.get(k)) for k in keys] for task in self.tasks]
        self.p(f"整改任务共{len(self.tasks)}项，见下表。")
        self.table(
            "整改任务清单",
            header,
            rows,
            [max(1.2, min(4.0, 0.45 * max(len(h), 2) + 0.6)) for h in header],
            left=tuple(range(len(keys))),
        )

    # -- 附表 ---------------------------------------------------------------------------------

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
                _gap_value(self.item(r["item"]), r["value"], r["threshold"]),
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


def _kind_noun(kind: str) -> str:
    """九年一贯制 → 九年一贯制学校 (the kinds that are not nouns on their own)."""
    zh = KIND_ZH.get(kind, kind)
    return f"{zh}学校" if zh.endswith("一贯制") else zh


def _task_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)
