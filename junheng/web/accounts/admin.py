from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User

from junheng.web.accounts.models import FailedLogin, Profile


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """Whether a password is set, without Django's hash algorithm, rounds, salt and digest:
    they tell an administrator nothing and are not for reading."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not str(value).startswith(UNUSABLE_PASSWORD_PREFIX)
        label = "已设置密码（只保存不可还原的摘要，不能查看）" if usable else "未设置密码"
        context["summary"] = [{"label": label}]
        return context


class JunhengUserChangeForm(UserChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordStateWidget()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name_plural = "角色与范围"
    # a search box that shows the school's name, not a box for its database id
    autocomplete_fields = ["school"]
    filter_horizontal = [
        "supervised_schools",
        "inspected_counties",
        "inspected_cities",
        "inspected_provinces",
    ]


class JunhengUserAdmin(UserAdmin):
    form = JunhengUserChangeForm
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "is_active", "role"]

    @admin.display(description="角色")
    def role(self, user: User) -> str:
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"


admin.site.unregister(User)
admin.site.register(User, JunhengUserAdmin)


@admin.register(FailedLogin)
class FailedLoginAdmin(admin.ModelAdmin):
    """Who is locked out and since when; deleting a record unlocks (there is nothing to edit)."""

    list_display = ["who", "address", "failures", "last_attempt"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]

    @admin.display(description="用户名", ordering="username")
    def who(self, attempt: FailedLogin) -> str:
        return attempt.username or "—"

    @admin.display(description="地址", ordering="ip_address")
    def address(self, attempt: FailedLogin) -> str:
        return attempt.ip_address or "—"

    @admin.display(description="连续失败次数", ordering="failures_since_start")
    def failures(self, attempt: FailedLogin) -> int:
        return attempt.failures_since_start

    @admin.display(description="最近一次", ordering="attempt_time")
    def last_attempt(self, attempt: FailedLogin) -> Any:
        return attempt.attempt_time

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
