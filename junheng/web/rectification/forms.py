"""Forms of the rectification pages; units offered are always the county's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from junheng.core.standard import Standard
from junheng.web.rectification.models import (
    Milestone,
    Person,
    Phase,
    PhaseKind,
    Plan,
    ProblemSource,
    Task,
    Unit,
    UnitKind,
)
from junheng.web.registry.models import County, School

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


UNIT_PREFIX, SCHOOL_PREFIX = "", "s"
"""A unit is chosen by its id (as before schools could be chosen), a school by "s" + its 标识码."""


def _party_choices(county: County) -> tuple[list[Any], dict[str, Unit | School]]:
    """The county's units (学校 units of a registered school excepted) and every school of the
    county, grouped; a school's value stands for its unit, made when the task is saved."""
    units = [u for u in Unit.objects.filter(county=county) if u.school_id is None]
    schools = list(School.objects.filter(county=county).order_by("township", "school_id"))
    parties: dict[str, Unit | School] = {f"{UNIT_PREFIX}{u.pk}": u for u in units}
    parties |= {f"{SCHOOL_PREFIX}{s.school_id}": s for s in schools}
    groups: list[Any] = []
    if units:
        groups.append(("县级单位与乡镇", [(f"{UNIT_PREFIX}{u.pk}", u.name) for u in units]))
    if schools:
        groups.append(
            (
                "学校（一校一案）",
                [
                    (
                        f"{SCHOOL_PREFIX}{s.school_id}",
                        f"{s.name}（{s.township}）" if s.township else s.name,
                    )
                    for s in schools
                ],
            )
        )
    return groups, parties


def party_value(unit: Unit) -> str:
    return (
        f"{SCHOOL_PREFIX}{unit.school.school_id}" if unit.school_id else f"{UNIT_PREFIX}{unit.pk}"
    )


class TaskForm(forms.ModelForm):
    """A task: its lead and responsible parties are the county's units or its schools (a
    school's unit is made on demand, `parties.unit_for_school`)."""

    lead_unit = forms.ChoiceField(
        label="牵头单位",
        error_messages={
            "required": "请选择牵头单位",
            "invalid_choice": "请从列表中选择本县的单位或学校",
        },
    )
    responsible_units = forms.MultipleChoiceField(
        label="责任单位",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请从列表中选择本县的单位或学校"},
    )
    field_order = [
        "lead_unit",
        "responsible_units",
        "person",
        "leader",
        "measures",
        "deadline",
        "budget_wan",
        "phase",
    ]

    class Meta:
        model = Task
        fields = ["person", "leader", "measures", "deadline", "budget_wan", "phase"]
        widgets = {
            "deadline": _DATE,
            "measures": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "measures": {"required": "请填写整改措施"},
            "deadline": {
                "required": "请填写完成时限",
                "invalid": "完成时限应为日期，如 2026-06-30",
            },
            "budget_wan": {"invalid": "预算应为数字（万元），如 12.5"},
        }

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups, self.parties = _party_choices(county)
        self.fields["lead_unit"].choices = [("", "请选择牵头单位"), *groups]
        self.fields["responsible_units"].choices = groups
        if self.instance.pk:
            self.initial["lead_unit"] = party_value(self.instance.lead_unit)
            self.initial["responsible_units"] = [
                party_value(u) for u in self.instance.responsible_units.all()
            ]
        self.fields["phase"].queryset = Phase.objects.filter(plan__county=county)
        self.fields["phase"].empty_label = "不归入阶段"
        self.fields["budget_wan"].min_value = 0
        # the county's people are offered, while a name not registered may still be typed
        self.fields["person"].widget.attrs["list"] = "rect-people"
        self.people = list(
            Person.objects.filter(unit__county=county)
            .select_related("unit")
            .order_by("unit__order", "id")
        )

    def chosen(self) -> tuple[Unit | School, list[Unit | School]]:
        """The lead party and the responsible ones, as units or schools (cleaned data)."""
        lead = self.parties[self.cleaned_data["lead_unit"]]
        others = [self.parties[v] for v in self.cleaned_data["responsible_units"]]
        return lead, others

    def clean_budget_wan(self) -> Any:
        value = self.cleaned_data.get("budget_wan")
        if value is not None and value < 0:
            raise forms.ValidationError("预算不能为负数")
        return value


NO_ITEM = "不涉及具体指标"
NO_SCHOOL = "不涉及具体学校"


class ProblemForm(forms.Form):
    source = forms.ChoiceField(
        label="来源",
        choices=[
            (ProblemSource.INSPECTION.value, ProblemSource.INSPECTION.label),
            (ProblemSource.SELF_CHECK.value, ProblemSource.SELF_CHECK.label),
        ],
    )
    title = forms.CharField(label="问题", max_length=500, error_messages={"required": "请填写问题"})
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea({"rows": 3}))
    found_on = forms.DateField(
        label="发现日期",
        widget=_DATE,
        error_messages={"required": "请填写发现日期", "invalid": "发现日期应为日期，如 2026-05-20"},
    )
    found_by = forms.CharField(label="检查单位", max_length=100, required=False)
    item = forms.ChoiceField(
        label="涉及指标",
        required=False,
        error_messages={"invalid_choice": "请从列表中选择评估标准中的指标"},
    )
    school = forms.ChoiceField(
        label="涉及学校",
        required=False,
        error_messages={"invalid_choice": "请从列表中选择本县的学校"},
    )

    def __init__(self, *args: Any, county: County, standard: Standard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_part: dict[str, list[tuple[str, str]]] = {}
        for item in standard.items.values():
            by_part.setdefault(standard.parts.get(item.part, item.part), []).append(
                (item.id, f"{item.id} {item.name}")
            )
        self.fields["item"].choices = [("", NO_ITEM), *by_part.items()]
        self.schools = {
            s.school_id: s.name for s in School.objects.filter(county=county).order_by("name")
        }
        self.fields["school"].choices = [("", NO_SCHOOL), *self.schools.items()]

    def school_name(self) -> str:
        return self.schools.get(self.cleaned_data.get("school") or "", "")


class ProgressForm(forms.Form):
    text = forms.CharField(
        label="本次进展",
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "请填写本次进展"},
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "name", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"name": {"required": "请填写单位名称"}}

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        self.fields["kind"].choices = UnitKind.choices

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Unit.objects.filter(county=self.county, name=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"本县已有单位“{name}”")
        return name


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["unit", "name", "post", "phone"]
        error_messages = {"name": {"required": "请填写姓名"}, "unit": {"required": "请选择单位"}}

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(county=county)
        self.fields["unit"].empty_label = "请选择单位"


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["target_year", "target_date"]
        widgets = {"target_date": _DATE}
        error_messages = {"target_year": {"required": "请填写目标年份"}}

    def clean_target_year(self) -> int:
        year = self.cleaned_data["target_year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("目标年份应为四位年份，如 2027")
        return year


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["kind", "name", "start", "end"]
        widgets = {"start": _DATE, "end": _DATE}
        error_messages = {
            "name": {"required": "请填写阶段名称"},
            "start": {"required": "请填写开始日期", "invalid": "开始日期应为日期"},
            "end": {"required": "请填写结束日期", "invalid": "结束日期应为日期"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PhaseKind.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("结束日期不能早于开始日期")
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["phase", "name", "day"]
        widgets = {"day": _DATE}
        error_messages = {
            "name": {"required": "请填写节点名称"},
            "day": {"required": "请填写日期", "invalid": "日期应为日期，如 2026-09-01"},
        }

    def __init__(self, *args: Any, plan: Plan | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(plan=plan)
        self.fields["phase"].empty_label = "请选择阶段"


class MemberForm(forms.Form):
    """A login for a department: a new user who works for one unit of the county."""

    unit = forms.ModelChoiceField(
        label="所属单位",
        queryset=Unit.objects.none(),
        empty_label="请选择单位",
        error_messages={"required": "请选择单位"},
    )
    username = forms.CharField(
        label="登录名", max_length=150, error_messages={"required": "请填写登录名"}
    )
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        error_messages={"required": "请填写初始密码"},
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(county=county)

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError(f"登录名“{name}”已被使用")
        return name

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # The new user as it will be saved, so that a password like the login name or the
        # person's name is refused too (Django's similarity check reads the user's fields).
        user = get_user_model()(
            username=self.cleaned_data.get("username", ""),
            first_name=self.cleaned_data.get("full_name", ""),
        )
        validate_password(password, user)
        return password
