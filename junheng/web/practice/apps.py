from __future__ import annotations

from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "junheng.web.practice"
    label = "practice"
    verbose_name = "主要做法与成效"
