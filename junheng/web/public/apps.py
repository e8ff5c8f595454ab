from __future__ import annotations

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "junheng.web.public"
    label = "public"
    verbose_name = "创建进展公开"

    def ready(self) -> None:
        from junheng.web.public import signals

        signals.connect()
