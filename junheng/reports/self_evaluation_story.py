"""The parts of the 自评报告 the county supplies beside the evaluation: 主要做法与成效 (the
sections it writes in the web), the survey it ran (社会认可度) and which evaluation the report
rests on (评估依据 with the data fingerprint).

主要做法与成效 is always a chapter, right after 基本情况 as counties' reports have it, so the
chapter numbers of a report do not depend on whether the county has written anything yet: a
section without text says "（组织领导）尚未填写。" in plain words. A report made without the
web's sections (the command line) therefore lists every section as not written.
"""

from __future__ import annotations

import datetime as dt

from junheng.core.checks import ItemResult
from junheng.core.formatting import fmt_percent
from junheng.reports import docx_style as ds
from junheng.reports.story import PracticeSection, SurveyStory, practice_sections

FINGERPRINT_SHOWN = 8
"""Characters of the data fingerprint printed: enough to tell two runs apart on paper."""


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def paragraphs(text: str) -> list[str]:
    """The county's text as paragraphs: one per non-empty line (Word indents each)."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


class StoryChapters(ds.DocumentWriter):
    """主要做法与成效, the survey paragraphs and the basis line, as part of the report writer
    (`self_evaluation._Report` sets these attributes)."""

    county: str
    date: dt.date
    practice: list[PracticeSection] | None
    survey_story: SurveyStory | None
    fingerprint: str | None
    snapshot_label: str | None
    results: dict[str, ItemResult]

    def practice_chapter(self) -> None:
        self.h("主要做法与成效", 1)
        sections = self.practice if self.practice is not None else practice_sections({})
        if not any(s.text.strip() for s in sections):
            self.p("本部分各节由县级撰写，目前均尚未填写。")
        for section in sections:
            self.h(section.heading, 2)
            lines = paragraphs(section.text)
            if not lines:
                self.p(f"（{section.heading}）尚未填写。")
            for line in lines:
                self.p(line)

    def basis_line(self) -> None:
        """Which evaluation and which data the report rests on (web reports name the snapshot)."""
        if not self.snapshot_label and not self.fingerprint:
            return
        said = f"本报告的评估依据：{self.snapshot_label}" if self.snapshot_label else "本报告"
        if self.fingerprint:
            said += f"，数据指纹 {self.fingerprint[:FINGERPRINT_SHOWN]}"
        self.p(said.rstrip("。") + "。")

    def survey_paragraphs(self, survey: SurveyStory) -> None:
        """How the survey was run and what it found, from the survey itself."""
        groups = "、".join(g.group for g in survey.groups) or "各类调查对象"
        sample = f"（抽样方案要求{survey.required}份）" if survey.required else ""
        rate = fmt_percent(survey.rate) if survey.rate is not None else "—（缺数据）"
        self.p(
            f"{self.county}于{_day(survey.opens_on)}至{_day(survey.closes_on)}开展"
            f"“{survey.title}”，面向{groups}采用匿名问卷方式调查，共收回计入统计的问卷"
            f"{survey.responses}份{sample}。认可度按选择“{survey.favourable_options}”的答案数"
            f"占有效答案数的比例计算：有效答案{survey.valid}个，其中认可{survey.favourable}个，"
            f"全县社会认可度为{rate}。"
        )
        if survey.closes_on > self.date:
            self.p(
                f"调查至{_day(survey.closes_on)}截止，尚未结束，"
                f"以上为截至{_day(self.date)}收回的问卷。"
            )
        if survey.required and survey.responses < survey.required:
            self.p(
                f"计入统计的问卷比抽样方案要求少{survey.required - survey.responses}份，"
                "样本量不足。"
            )
        s1 = self.results.get("S1")
        used = fmt_percent(float(s1.value)) if s1 is not None and s1.value is not None else None
        if used is not None and survey.rate is not None and used != rate:
            self.p(
                f"评估采用的社会认可度为{used}（见下表），与本次调查结果不同："
                "调查结果尚未写入测评数据，写入后重新评估即一致。"
            )

    def survey_groups_table(self, survey: SurveyStory) -> None:
        rows = [
            [
                g.group,
                g.valid,
                g.favourable,
                fmt_percent(g.rate) if g.rate is not None else "—（缺数据）",
            ]
            for g in survey.groups
        ]
        rows.append(
            [
                "合计",
                survey.valid,
                survey.favourable,
                fmt_percent(survey.rate) if survey.rate is not None else "—（缺数据）",
            ]
        )
        self.table(
            "社会认可度调查分组情况",
            ["调查对象", "有效答案（个）", f"认可答案（{survey.favourable_options}）", "认可度"],
            rows,
            [3.4, 3.6, 5.0, 3.6],
        )
