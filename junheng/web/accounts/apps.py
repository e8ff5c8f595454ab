from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

THIRD_PARTY_NAMES = {"axes": "登录保护"}


class AccountsConfig(AppConfig):
    name = "junheng.web.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from junheng.web.accounts.permission_names import rename_permissions

        # connected after django.contrib.auth's create_permissions (auth is listed first in
        # INSTALLED_APPS), so the permissions a migration creates are renamed in the same run
        post_migrate.connect(rename_permissions, dispatch_uid="junheng-chinese-permissions")
        # third-party apps name themselves in English ("Axes"), which the administration site
        # shows as a section and in every permission's name; a translation cannot reach it
        for label, name in THIRD_PARTY_NAMES.items():
            if apps.is_installed(label):
                apps.get_app_config(label).verbose_name = name
