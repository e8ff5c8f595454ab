from __future__ import annotations

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "junheng.web.archive"
    label = "archive"
    verbose_name = "创建档案"
