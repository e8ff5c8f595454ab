from __future__ import annotations

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "junheng.web.evaluation"
    label = "evaluation"
    verbose_name = "评估"
