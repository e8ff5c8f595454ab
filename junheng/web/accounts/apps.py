from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "junheng.web.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from junheng.web.accounts.permission_names import rename_permissions

        # connected after django.contrib.auth's create_permissions (auth is listed first in
        # INSTALLED_APPS), so the permissions a migration creates are renamed in the same run
        post_migrate.connect(rename_permissions, dispatch_uid="junheng-chinese-permissions")
