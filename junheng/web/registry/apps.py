from __future__ import annotations

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "junheng.web.registry"
    label = "registry"
    verbose_name = "区域与学校"

    def ready(self) -> None:
        from junheng.web.registry.revisions import connect_signals

        connect_signals()
