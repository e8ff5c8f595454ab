"""存在的问题 and 整改措施与计划 of the 自评报告 (七、 and 八、 as the outline numbers them).

The problems are sentences built from the failing items and the gap quantities; the measures are
one per gap total, per CV over its limit and per failing item, then the county's own ledger: its
measures by problem and the 整改任务清单 (序号, 问题, 整改措施, 牵头单位, 责任单位, 完成时限,
状态). Without a ledger the task list is not invented: one sentence names the ledger as missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from junheng.core.checks import ItemResult
from junheng.core.evaluate import Evaluation
from junheng.core.formatting import fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.core.standard import Item, Standard
from junheng.reports import docx_style as ds
from junheng.reports.report_format import (
    MISSING_DATA,
    SHORT_NAMES,
    fmt_amount,
    fmt_cv,
    fmt_indicator,
    unit_word,
)
from junheng.reports.story import LedgerStory, LedgerTask

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


class ActionChapters(ds.DocumentWriter):
    """The problem and measure chapters, as part of the report writer (`self_evaluation._Report`
    sets these attributes)."""

    ev: Evaluation
    standard: Standard
    county: str
    scoped: pl.DataFrame
    balance: pl.DataFrame
    totals: pl.DataFrame
    results: dict[str, ItemResult]
    tasks: list[dict[str, Any]] | None
    ledger: LedgerStory | None
    date: dt.date
    problems_number: str
    """The chapter number of 存在的问题 (七 with 主要做法与成效 before it), for the sentence of
    the measures that points back to it."""

    def item(self, item_id: str) -> Item:
        return self.standard.items[item_id]

    # -- 存在的问题 ---------------------------------------------------------------------------

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
                    {m for f in unknown for r in f["reasons"] for m in MISSING_DATA.findall(r)}
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
        self.problems_number = ds.chinese_numeral(self.outline.counts[0])
        groups = self.problem_groups()
        if not groups:
            self.p("经自评，各项指标均达到标准要求，未发现需要整改的问题。")
            return
        self.p("对照评估标准，全县义务教育优质均衡发展还存在以下问题。")
        for title, sentences in groups:
            self.h(title, 2)
            for i, sentence in enumerate(sentences, start=1):
                self.p(f"{i}. {sentence}")

    # -- 整改措施与计划 -----------------------------------------------------------------------

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
                f"第{self.problems_number}部分列出的{len(missing)}项因数据缺失无法判定，"
                "由县教育行政部门组织相关学校和部门限期补报数据，经审核后重新评估。"
            )
        if self.ledger is not None and self.ledger.problems:
            self.h("整改台账中的整改措施", 2)
            self.ledger_measures(self.ledger)
        self.h("整改任务清单", 2)
        if self.ledger is not None:
            self.ledger_table(self.ledger)
        else:
            self.task_table()

    # -- the county's ledger -------------------------------------------------------------------

    def ledger_measures(self, ledger: LedgerStory) -> None:
        """The ledger's measures by problem, each with its units, deadline and state."""
        self.p(f"县整改台账登记问题{len(ledger.problems)}项，各项问题的整改措施如下。")
        for n, problem in enumerate(ledger.problems, start=1):
            number = f"（问题编号{problem.number}）" if problem.number else ""
            state = f"，{problem.status}" if problem.status else ""
            self.p(f"{n}. {problem.title}{number}{state}。")
            if not problem.tasks:
                self.p("尚未分解整改任务。")
            for k, task in enumerate(problem.tasks, start=1):
                units = "、".join(task.units)
                deadline = _date_text(task.deadline) if task.deadline else "未定"
                text = (
                    f"（{k}）{task.measures.rstrip('。；;.')}。牵头单位：{task.lead_unit}"
                    + (f"；责任单位：{units}" if units else "")
                    + f"；完成时限：{deadline}；"
                )
                if task.status == "已销号" and task.closed_on:
                    text += f"已于{_date_text(task.closed_on)}销号"
                else:
                    text += self.task_state(task)
                if task.status == "已销号" and task.closing_evidence:
                    text += f"，销号依据：{task.closing_evidence}"
                self.p(text + "。")

    def task_state(self, task: LedgerTask) -> str:
        """状态 as the table prints it: 已销号 with its date, 逾期 beside an open status."""
        if task.status == "已销号":
            return f"已销号（{_date_text(task.closed_on)}）" if task.closed_on else "已销号"
        return f"{task.status}（逾期）" if task.overdue(self.date) else task.status

    def ledger_table(self, ledger: LedgerStory) -> None:
        rows = ledger.tasks
        if not rows:
            self.p(
                "整改台账尚未建立任务：台账中"
                + (f"登记的{len(ledger.problems)}项问题" if ledger.problems else "没有登记问题，")
                + ("均未分解整改措施、牵头单位、责任单位和完成时限。" if ledger.problems else "")
                + "建立任务后重新生成本报告，任务即列入本表。"
            )
            return
        counts = ledger.counts()
        said = "、".join(f"{status}{n}项" for status, n in counts.items() if n)
        overdue = ledger.overdue(self.date)
        late = f"；已过完成时限尚未销号的{overdue}项" if overdue else ""
        self.p(f"整改任务共{len(rows)}项，其中{said}{late}。具体见下表。")
        self.table(
            "整改任务清单",
            ["序号", "问题", "整改措施", "牵头单位", "责任单位", "完成时限", "状态"],
            [
                [
                    n,
                    problem.title,
                    task.measures,
                    task.lead_unit,
                    "、".join(task.units) or "—",
                    _date_text(task.deadline) if task.deadline else "—",
                    self.task_state(task),
                ]
                for n, (problem, task) in enumerate(rows, start=1)
            ],
            [0.8, 2.8, 3.1, 1.6, 1.7, 2.9, 2.7],
            left=(1, 2, 3, 4),
            font_size=ds.SIZES["小五"],
        )

    def task_table(self) -> None:
        """Task records given as dictionaries (the older way of passing a ledger)."""
        if not self.tasks:
            self.p(
                "整改台账尚未建立任务：整改任务清单应逐项列明问题、整改措施、牵头单位、责任单位、"
                "完成时限和状态，在整改台账中建立任务后重新生成本报告，任务即列入本表。"
            )
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


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _task_cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return _date_text(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)
