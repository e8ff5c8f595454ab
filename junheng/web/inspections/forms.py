"""Forms of the 督导检查 pages; schools and 督学 offered are always within the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from junheng.inspections import kinds
from junheng.inspections.checklist import Checklist
from junheng.inspections.summary import PERIODS
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import School

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(forms.Form):
    """Labels without Django's English colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SchoolChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.township}）" if obj.township else obj.name


class InspectorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class PlanForm(_Form):
    # "请选择" as the other forms of the site, not Django's "---------"
    school = SchoolChoice(
        label="学校",
        queryset=School.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择学校"},
    )
    inspector = InspectorChoice(
        label="责任督学",
        queryset=get_user_model().objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择责任督学"},
    )
    planned_on = forms.DateField(
        label="计划日期",
        widget=_DATE,
        error_messages={"required": "请填写计划日期", "invalid": "日期格式应为 2026-12-07"},
    )
    kind = forms.ChoiceField(label="督导类型", choices=list(kinds.KINDS.items()))

    def __init__(
        self, *args: Any, schools: QuerySet[School], inspector: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools.order_by("township", "school_id")
        if inspector is not None:
            # a 责任督学 plans their own visits
            del self.fields["inspector"]
            self.own = inspector
        else:
            self.own = None
            counties = schools.values("county_id")
            self.fields["inspector"].queryset = (
                get_user_model()
                .objects.filter(
                    profile__role=Role.SCHOOL_INSPECTOR,
                    profile__county_id__in=counties,
                    is_active=True,
                )
                .order_by("username")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        school, inspector = data.get("school"), self.own or data.get("inspector")
        if school is not None and inspector is not None:
            assigned = Profile.objects.filter(
                user=inspector, role=Role.SCHOOL_INSPECTOR, supervised_schools=school
            ).exists()
            if not assigned:
                name = inspector.get_full_name() or inspector.get_username()
                raise forms.ValidationError(
                    f"{name}不是“{school.name}”的责任督学，请先在“责任督学分配”中分配该校"
                )
        data["inspector"] = inspector
        return data


class RecordForm(_Form):
    visited_on = forms.DateField(
        label="检查日期",
        widget=_DATE,
        error_messages={"required": "请填写检查日期", "invalid": "日期格式应为 2026-12-07"},
    )
    people_met = forms.CharField(
        label="访谈人员",
        required=False,
        widget=forms.Textarea({"rows": 2, "placeholder": "如：校长张某、教务主任、三年级学生"}),
    )
    remarks = forms.CharField(label="总体情况", required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for item in checklist.items:
            self.fields[f"result_{item.key}"] = forms.ChoiceField(
                label=item.label,
                choices=list(kinds.ANSWERS.items()),
                initial=kinds.UNCHECKED,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "请选择符合、不符合或未检查"},
            )
            self.fields[f"note_{item.key}"] = forms.CharField(
                label=f"{item.item} 说明", required=False, max_length=500
            )

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            i.key: (
                data.get(f"result_{i.key}") or kinds.UNCHECKED,
                data.get(f"note_{i.key}", "").strip(),
            )
            for i in self.checklist.items
        }

    def items(self) -> list[dict[str, Any]]:
        """The checklist's rows with their bound fields, for the template."""
        return [
            {"item": i, "result": self[f"result_{i.key}"], "note": self[f"note_{i.key}"]}
            for i in self.checklist.items
        ]


class FindingForm(_Form):
    title = forms.CharField(
        label="发现的问题", max_length=200, error_messages={"required": "请填写发现的问题"}
    )
    item = forms.ChoiceField(label="对应指标", required=False)
    description = forms.CharField(
        label="具体情况", required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen: dict[str, str] = {}
        for i in checklist.items:
            seen.setdefault(i.item, f"{i.item} {i.name}")
        self.fields["item"].choices = [("", "（不对应具体指标）"), *seen.items()]


class RecheckForm(_Form):
    result = forms.ChoiceField(
        label="复查结果",
        choices=list(kinds.RECHECKS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "请选择巩固或反弹"},
    )
    note = forms.CharField(label="说明", required=False, max_length=500)


class AssignForm(_Form):
    schools = forms.ModelMultipleChoiceField(
        label="负责督导的学校",
        queryset=School.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["schools"]
        field.queryset = schools.order_by("township", "school_id")
        field.label_from_instance = lambda s: f"{s.name}（{s.township}）" if s.township else s.name


class PeriodForm(_Form):
    period = forms.ChoiceField(label="统计周期", choices=list(PERIODS.items()), required=False)
    day = forms.DateField(label="所在日期", widget=_DATE, required=False)
