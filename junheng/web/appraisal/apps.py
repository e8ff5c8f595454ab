from __future__ import annotations

from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "junheng.web.appraisal"
    label = "appraisal"
    verbose_name = "考核与会议"
