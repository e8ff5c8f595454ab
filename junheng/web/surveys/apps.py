from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "junheng.web.surveys"
    label = "surveys"
    verbose_name = "社会认可度调查"
