from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "junheng.web.notifications"
    label = "notifications"
    verbose_name = "待办与提醒"
