from __future__ import annotations

from django.apps import AppConfig
from django_tasks_db.apps import TasksAppConfig


class DocumentsConfig(AppConfig):
    name = "junheng.web.documents"
    label = "documents"
    default = True
    verbose_name = "报告与档案"


class QueueConfig(TasksAppConfig):
    """The queue's own app under a Chinese name: the permission lists of the administration site
    name every app, and the library's name is English."""

    default = False
    verbose_name = "后台任务队列"
