from __future__ import annotations

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "junheng.web.inspections"
    label = "inspections"
    verbose_name = "督导检查"
