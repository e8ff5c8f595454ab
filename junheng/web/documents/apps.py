from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "junheng.web.documents"
    label = "documents"
    verbose_name = "报告与档案"
