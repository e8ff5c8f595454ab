"""Permission names in Chinese.

Django names the permissions it creates for every model "Can add school", from the model's
untranslated `verbose_name_raw`, and stores that name; the administration site then lists
"区域与学校 | 学校 | Can add 学校". After every migration the default permissions are renamed
from the translated verbose name (可以添加学校), so the names a system administrator chooses
from are Chinese, Django's own models (用户, 组 …) included.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_name(codename: str, verbose_name: str) -> str | None:
    """可以添加学校 for add_school; None for a codename that is not a default permission."""
    action, _, _ = codename.partition("_")
    if action not in ACTIONS:
        return None
    return f"可以{ACTIONS[action]}{verbose_name}"


def rename_permissions(**kwargs: Any) -> None:
    """post_migrate receiver: every default permission named in Chinese (custom ones kept)."""
    from django.contrib.auth.models import Permission

    using = kwargs.get("using", "default")
    changed = []
    with translation.override(settings.LANGUAGE_CODE):
        for permission in Permission.objects.using(using).select_related("content_type"):
            model = permission.content_type.model_class()
            if model is None:
                continue
            meta = model._meta
            if permission.codename not in {
                f"{a}_{meta.model_name}" for a in meta.default_permissions
            }:
                continue
            name = chinese_name(permission.codename, str(meta.verbose_name))
            if name is not None and permission.name != name:
                permission.name = name[:255]
                changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
