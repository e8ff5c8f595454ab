"""Forms of the decisions and meetings pages; units, townships and schools offered are always
the county's own."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from junheng.rectification.appraisal import periods_between
from junheng.web.appraisal.models import (
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    TargetKind,
)
from junheng.web.appraisal.services import decision_lines, townships
from junheng.web.clock import today
from junheng.web.rectification.models import Unit, UnitKind
from junheng.web.registry.models import County, School

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_REQUIRED = "请填写{}"


def _county_units(county: County) -> Any:
    return Unit.objects.filter(county=county).exclude(kind=UnitKind.SCHOOL).order_by("order", "id")


def period_choices(day: date) -> list[tuple[str, str]]:
    """The years and quarters of the last three years up to `day`, newest first."""
    first = date(day.year - 2, 1, 1)
    periods = periods_between(first, day, "year") + periods_between(first, day, "quarter")
    return [("", "不关联考核周期")] + [(p.code, p.label) for p in periods]


class DecisionForm(forms.ModelForm):
    township = forms.ChoiceField(label="乡镇（学区）", required=False)
    period = forms.ChoiceField(
        label="考核周期",
        required=False,
        error_messages={"invalid_choice": "请从列表中选择考核周期"},
    )
    document = forms.FileField(
        label="决定文件",
        required=False,
        help_text="PDF、Word、图片等，类型和大小限制与整改佐证材料相同",
    )

    class Meta:
        model = Decision
        fields = [
            "kind",
            "target_kind",
            "unit",
            "township",
            "school",
            "day",
            "reason",
            "text",
            "period",
        ]
        widgets = {
            "day": _DATE,
            "reason": forms.Textarea(attrs={"rows": 3}),
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.county = county
        self.fields["unit"].queryset = _county_units(county)  # type: ignore[attr-defined]
        self.fields["school"].queryset = School.objects.filter(  # type: ignore[attr-defined]
            county=county
        ).order_by("township", "school_id")
        self.fields["kind"].choices = [("", "请选择"), *DecisionKind.choices]  # type: ignore[attr-defined]
        self.fields["target_kind"].choices = [("", "请选择"), *TargetKind.choices]  # type: ignore[attr-defined]
        for name, kind in (("unit", "单位"), ("township", "乡镇（学区）"), ("school", "学校")):
            self.fields[name].help_text = f"对象类型为“{kind}”时必选"
        self.fields["period"].choices = period_choices(today())  # type: ignore[attr-defined]
        self.fields["township"].choices = [("", "请选择")] + [(t, t) for t in townships(county)]  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.error_messages["required"] = _REQUIRED.format(field.label)
            if name in ("unit", "school"):
                field.empty_label = "请选择"  # type: ignore[attr-defined]
                field.error_messages["invalid_choice"] = f"请从列表中选择本县的{field.label}"
        self.fields["day"].error_messages["invalid"] = "日期格式应为 年-月-日，如 2026-03-31"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("target_kind")
        chosen = {
            TargetKind.UNIT: ("unit", "请选择被表彰或问责的单位"),
            TargetKind.TOWNSHIP: ("township", "请选择被表彰或问责的乡镇（学区）"),
            TargetKind.SCHOOL: ("school", "请选择被表彰或问责的学校"),
        }
        if kind in chosen:
            field, message = chosen[TargetKind(kind)]
            if not data.get(field):
                self.add_error(field, message)
            # only the chosen target is kept
            for other, _ in chosen.values():
                if other != field:
                    data[other] = "" if other == "township" else None
        return data


class MeetingForm(forms.ModelForm):
    decisions = forms.CharField(
        label="会议决定事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一项；登记后可逐项转为整改台账的问题和任务",
    )

    class Meta:
        model = Meeting
        fields = ["kind", "day", "title", "units", "attendees", "minutes"]
        widgets = {
            "day": _DATE,
            "units": forms.CheckboxSelectMultiple,
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"attendees": "参会的县领导、列席单位等，如“分管副县长、各学区校长”"}

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _county_units(county)  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", "请选择"), *MeetingKind.choices]  # type: ignore[attr-defined]
        self.fields["units"].error_messages["invalid_choice"] = "请从列表中选择本县的单位"
        for field in self.fields.values():
            field.error_messages["required"] = _REQUIRED.format(field.label)
        self.fields["day"].error_messages["invalid"] = "日期格式应为 年-月-日，如 2026-03-31"

    def clean_decisions(self) -> list[str]:
        return decision_lines(self.cleaned_data.get("decisions") or "")


class DecisionTaskForm(forms.Form):
    """What a meeting decision needs to become a ledger task."""

    lead_unit = forms.ModelChoiceField(
        label="牵头单位",
        queryset=Unit.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择牵头单位",
            "invalid_choice": "请从列表中选择本县的单位",
        },
    )
    deadline = forms.DateField(
        label="完成时限",
        widget=_DATE,
        error_messages={
            "required": "请填写完成时限",
            "invalid": "日期格式应为 年-月-日，如 2026-03-31",
        },
    )
    measures = forms.CharField(
        label="整改措施",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写整改措施"},
    )

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _county_units(county)  # type: ignore[attr-defined]


class MeetingEditForm(MeetingForm):
    """The meeting's own fields when it is corrected; its decisions have forms of their own
    (`DecisionEditForm`) and new ones are typed one per line."""

    def __init__(self, *args: Any, county: County, **kwargs: Any) -> None:
        super().__init__(*args, county=county, **kwargs)
        self.fields["decisions"].label = "新增决定事项"
        self.fields["decisions"].help_text = "每行一项，排在已有决定事项之后"
        self.fields["decisions"].widget.attrs["rows"] = 3


class DecisionEditForm(forms.Form):
    """One decision on the meeting's edit page. A decision already in the ledger has its
    wording only: its task's lead unit and deadline are the ledger's."""

    text = forms.CharField(
        label="决定事项",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    lead_unit = forms.ModelChoiceField(
        label="拟牵头单位",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="暂不确定",
        error_messages={"invalid_choice": "请从列表中选择本县的单位"},
    )
    deadline = forms.DateField(
        label="拟完成时限",
        widget=_DATE,
        required=False,
        error_messages={"invalid": "日期格式应为 年-月-日，如 2026-03-31"},
    )
    delete = forms.BooleanField(label="删除此项", required=False)

    def __init__(self, *args: Any, county: County, converted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.converted = converted
        if converted:
            for name in ("lead_unit", "deadline", "delete"):
                del self.fields[name]
        else:
            self.fields["lead_unit"].queryset = _county_units(county)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["text"] = (data.get("text") or "").strip()
        if not data["text"] and not data.get("delete"):
            hint = "" if self.converted else "（不需要的事项请勾选“删除此项”）"
            self.add_error("text", f"请填写决定事项{hint}")
        return data
