from __future__ import annotations

from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "junheng.web.rectification"
    label = "rectification"
    verbose_name = "整改台账"
