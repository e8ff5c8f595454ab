from __future__ import annotations

from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "junheng.web.roster"
    label = "roster"
    verbose_name = "教师名册"
