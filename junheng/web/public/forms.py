"""The county admin's settings of the public page."""

from __future__ import annotations

from django import forms

from junheng.web.public.models import PublicPage


class PublicPageForm(forms.ModelForm):
    class Meta:
        model = PublicPage
        fields = ["published", "show_schools", "slug", "intro"]
        labels = {
            "published": "公开本县创建工作进展（无需登录即可查看）",
            "show_schools": "公开各校数据（每所学校的资源配置结论和问题整改数）",
        }
        help_texts = {
            "intro": "最多 500 字，显示在公开页面顶部；其中的人名和电话号码不会显示。",
        }
        widgets = {"intro": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}
        error_messages = {"slug": {"unique": "这个公开地址已被其他县区使用，请换一个。"}}

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).strip().lower()
