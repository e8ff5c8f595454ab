"""自评报告: the county's self-evaluation report as a Word document, laid out as counties write it.

一、基本情况 (schools and students, scope, the verdict, the basis of the evaluation)
二、主要做法与成效 (the sections the county writes; `self_evaluation_story`)
三、资源配置 (every segment's seven values, the 6-of-7 rule, the coefficients of variation)
四、政府保障程度  五、教育质量  六、社会认可度 (item tables with evidence; the survey the county
ran when one is given)
七、存在的问题 (sentences built from the failing items and the gap quantities)
八、整改措施与计划 (one measure per gap total; the ledger's measures and the task list;
`self_evaluation_actions`)
九、创建规划与目标年预测 (class sizes, finance, projects and places, staffing, the forecast
verdict of the target year; `self_evaluation_outlook`)
附表 (the full tables, on landscape pages)

Every number printed comes from the `Evaluation` (or, for the survey, ledger and county text,
from the records given); this module only words and lays it out. A value the evaluation could
not compute prints as "—（缺数据）" and the text names the missing data; an input that was not
given (no ledger tasks, a section not written) is named as missing in a plain sentence, never a
placeholder to fill in by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from docx.document import Document

from junheng import clock
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
from junheng.core.standard import Item
from junheng.core.wording import comparison_rule_text, policy_text, standard_text
from junheng.reports import docx_style as ds
from junheng.reports.report_format import (
    AREA_ZH,
    CV_DECIMALS,
    DEFAULT_DECIMALS,
    KIND_ZH,
    MARK,
    MAX_DECIMALS,
    MISSING,
    OWNERSHIP_ZH,
    R_DECIMALS,
    SHORT_NAMES,
    UNIT_WORDS,
    VERDICT,
    VETO,
    charts_module,
    fmt_against,
    fmt_amount,
    fmt_check_value,
    fmt_cv,
    fmt_indicator,
    fmt_mark,
    item_facts,
    requirement_text,
    situation_text,
    unit_word,
)
from junheng.reports.self_evaluation_actions import ITEM_MEASURES, TASK_COLUMNS, ActionChapters
from junheng.reports.self_evaluation_appendix import AppendixChapter
from junheng.reports.self_evaluation_outlook import OutlookChapter, report_forecast
from junheng.reports.self_evaluation_story import StoryChapters
from junheng.reports.story import LedgerStory, PracticeSection, SurveyStory

__all__ = [
    "AREA_ZH",
    "CV_DECIMALS",
    "DEFAULT_DECIMALS",
    "ITEM_MEASURES",
    "KIND_ZH",
    "MARK",
    "MAX_DECIMALS",
    "MISSING",
    "OWNERSHIP_ZH",
    "R_DECIMALS",
    "SHORT_NAMES",
    "TASK_COLUMNS",
    "UNIT_WORDS",
    "VERDICT",
    "VETO",
    "charts_module",
    "fmt_against",
    "fmt_amount",
    "fmt_check_value",
    "fmt_cv",
    "fmt_indicator",
    "fmt_mark",
    "requirement_text",
    "situation_text",
    "unit_word",
    "write_self_evaluation",
]

ITEM_WIDTHS = [1.0, 3.8, 4.0, 5.4, 1.4]
"""Column widths (cm) of the item tables: 编号, 评估内容, 要求, 实际情况, 结论."""


def write_self_evaluation(
    evaluation: Evaluation,
    county: str,
    path: Path,
    *,
    dataset: Dataset | None = None,
    tasks: list[dict[str, Any]] | None = None,
    date: dt.date | None = None,
    charts: bool = True,
    ledger: LedgerStory | None = None,
    survey: SurveyStory | None = None,
    practice: list[PracticeSection] | None = None,
    fingerprint: str | None = None,
    snapshot_label: str | None = None,
    target_year: int | None = None,
) -> Path:
    """Write the county's 自评报告 to `path` (.docx, written atomically) and return the path.

    `dataset` adds the school register and evidence notes; `charts=False` leaves the charts out.
    The county's own records, when given: `ledger` (the rectification ledger: its measures by
    problem and the task list of 整改措施与计划; `tasks`, plain task records, is the older way
    and is used only without a ledger), `survey` (the survey run in the web, for 社会认可度),
    `practice` (the sections of 主要做法与成效), `fingerprint` and `snapshot_label` (which
    evaluation and data the report rests on, printed under 评估依据), `target_year` (the
    county's target year for 创建规划与目标年预测; by default the year after the grade data)."""
    if county not in evaluation.counties:
        raise KeyError(f"评估结果中没有县区“{county}”")
    report = _Report(evaluation, county, dataset, tasks, date or clock.today(), charts)
    report.ledger, report.survey_story, report.practice = ledger, survey, practice
    report.fingerprint, report.snapshot_label = fingerprint, snapshot_label
    report.outlook, report.outlook_note = report_forecast(dataset, evaluation, target_year)
    return ds.save(report.build(), Path(path))


class _Report(ActionChapters, StoryChapters, OutlookChapter, AppendixChapter):
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
        self.ledger = None
        self.survey_story = None
        self.practice = None
        self.fingerprint = None
        self.snapshot_label = None
        self.outlook = None
        self.outlook_note = ""
        self.problems_number = ""
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
        self.practice_chapter()
        self.resources()
        self.items_section("G", "政府保障程度")
        self.items_section("Q", "教育质量")
        self.recognition()
        self.problems()
        self.measures()
        self.outlook_chapter()
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
        self.basis_line()

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
        story = self.survey_story
        survey = self._survey() if story is None else None
        if story is not None:
            self.survey_paragraphs(story)
        elif survey is not None and survey.height:
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
        if story is not None:
            self.survey_groups_table(story)
        elif survey is not None and survey.height:
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
