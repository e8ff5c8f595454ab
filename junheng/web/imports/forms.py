"""The upload form and, on the general import page, the choice of county and school year."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from junheng.web.registry.models import County

YEAR = re.compile(r"^\d{4}$")
"""School years are labelled by the calendar year in which they end, as in the registry."""


def valid_year(text: str) -> bool:
    return bool(YEAR.match(text or ""))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the browser's multiple file choice)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".xlsx,.csv,.zip", "multiple": True}),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        items = [item for item in items if item]
        if not items:
            raise forms.ValidationError("请选择要导入的文件。", code="required")
        single = super().clean
        return [single(item, initial) for item in items]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="选择文件",
        help_text="全县填报模板、一校一册（可一次选择多个）、CSV 文件，或装有它们的 .zip 压缩包。",
        error_messages={"required": "请选择要导入的文件。"},
    )


class TargetForm(UploadForm):
    """On the general import page: into which county and year (new counties: system admins)."""

    year = forms.CharField(label="学年", max_length=4, help_text="如 2026")
    county = forms.ModelChoiceField(
        label="县区", queryset=County.objects.none(), required=False, empty_label=None
    )
    province = forms.CharField(label="省", max_length=50, required=False)
    city = forms.CharField(label="市", max_length=50, required=False)
    county_name = forms.CharField(label="县区名称", max_length=50, required=False)

    field_order = ["year", "county", "province", "city", "county_name", "files"]

    def __init__(self, *args: Any, counties: QuerySet[County], may_register: bool, **kwargs: Any):
        # The page's labels stand above their fields, without Django's trailing colon.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.may_register = may_register
        field = self.fields["county"]
        field.queryset = counties.select_related("city", "city__province")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: f"{c.city.province.name} {c.city.name} {c.name}"  # type: ignore[attr-defined]
        if may_register:
            field.empty_label = "新县区（填写下面的省、市、县区名称）"  # type: ignore[attr-defined]
        else:
            for name in ("province", "city", "county_name"):
                del self.fields[name]

    def clean_year(self) -> str:
        year = self.cleaned_data["year"].strip()
        if not valid_year(year):
            raise forms.ValidationError("学年请填写四位年份，如 2026。")
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("county") is None and "county" not in self.errors:
            if not self.may_register:
                self.add_error("county", "请选择县区。")
            else:
                for name in ("province", "city", "county_name"):
                    data[name] = (data.get(name) or "").strip()
                    if not data[name]:
                        self.add_error(name, "新县区请填写省、市和县区名称。")
        return data
