from __future__ import annotations

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "junheng.web.inspections"
    label = "inspections"
    verbose_name = "督导检查"

    def ready(self) -> None:
        from junheng.web.inspections.todo import planned_visits
        from junheng.web.notifications.todo import group, register

        register(planned_visits)
        group("督导检查", "visit_planned")
