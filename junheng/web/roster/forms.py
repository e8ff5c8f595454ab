"""The planner's form: the limits a county sets for one plan (交流范围, 交流人数上限, 招聘名额 and
per subject, 核定编制)."""

from __future__ import annotations

from django import forms

from junheng.roster.planner_limits import SCOPES, SUBJECTS
from junheng.web.roster.planning import PlanRequest

HIRE_FIELDS: dict[str, str] = {f"hires_{s}": s for s in SUBJECTS}


class PlanForm(forms.Form):
    scope = forms.ChoiceField(
        label="交流范围",
        choices=list(SCOPES.items()),
        initial="county",
        help_text="同一乡镇内：只在同一乡镇的同学段学校之间交流（未填乡镇的学校不参加）。",
    )
    max_moves = forms.IntegerField(
        label="交流人数上限",
        min_value=0,
        max_value=100000,
        required=False,
        help_text="留空表示不设上限；不能少于 G11 要求的人数。",
    )
    max_hires = forms.IntegerField(
        label="新招聘教师名额（全县）",
        min_value=0,
        max_value=100000,
        required=False,
        initial=0,
        help_text="本年度预算和编制允许新招聘的专任教师总数；0 表示只交流、不招聘。",
    )
    hires_pe = forms.IntegerField(
        label="其中体育最多", min_value=0, max_value=100000, required=False
    )
    hires_music = forms.IntegerField(
        label="其中音乐最多", min_value=0, max_value=100000, required=False
    )
    hires_fine_art = forms.IntegerField(
        label="其中美术最多", min_value=0, max_value=100000, required=False
    )
    hires_other = forms.IntegerField(
        label="其中其他学科最多", min_value=0, max_value=100000, required=False
    )
    use_posts = forms.BooleanField(
        label="按核定编制限制调入和招聘（编制与招聘计划表）",
        required=False,
        initial=True,
    )

    def plan_request(self) -> PlanRequest:
        data = self.cleaned_data
        caps = tuple(
            (subject, data[name])
            for name, subject in HIRE_FIELDS.items()
            if data.get(name) is not None
        )
        return PlanRequest(
            scope=data["scope"],
            max_moves=data.get("max_moves"),
            max_hires=data.get("max_hires") or 0,
            hires_by_subject=caps,
            use_posts=bool(data.get("use_posts")),
        )
