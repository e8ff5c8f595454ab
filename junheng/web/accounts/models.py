"""A user's role and scope. Every page and service checks scope through `accounts.scope`."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from junheng.web.registry.models import City, County, Province, School


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    COUNTY_ADMIN = "county_admin", "县级管理员"
    SCHOOL_USER = "school_user", "学校填报员"
    LEADER = "leader", "县级领导"
    INSPECTOR = "inspector", "督导检查人员"
    TOWNSHIP_USER = "township_user", "学区（中心校）用户"
    SCHOOL_INSPECTOR = "school_inspector", "责任督学"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name="用户",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属县区",
        help_text="县级管理员、县级领导、学区（中心校）用户和责任督学必填",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属学校",
        help_text="学校填报员必填",
    )
    township = models.CharField(
        "所属乡镇（学区）",
        max_length=50,
        blank=True,
        help_text="学区（中心校）用户必填，与学校的“乡镇”一致",
    )
    supervised_schools = models.ManyToManyField(
        School,
        blank=True,
        related_name="school_inspectors",
        verbose_name="负责督导的学校",
        help_text="责任督学挂牌督导的学校",
    )
    inspected_counties = models.ManyToManyField(
        County, blank=True, related_name="+", verbose_name="负责的县区"
    )
    inspected_cities = models.ManyToManyField(
        City, blank=True, related_name="+", verbose_name="负责的市"
    )
    inspected_provinces = models.ManyToManyField(
        Province, blank=True, related_name="+", verbose_name="负责的省"
    )

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"

    def clean(self) -> None:
        # A role without its scope would see nothing, which looks like a bug to the user;
        # refuse it when the profile is saved through a form instead.
        if self.role in (Role.COUNTY_ADMIN, Role.LEADER) and self.county_id is None:
            raise ValidationError({"county": "县级管理员和县级领导必须指定所属县区。"})
        if self.role == Role.SCHOOL_USER and self.school_id is None:
            raise ValidationError({"school": "学校填报员必须指定所属学校。"})
        if self.role == Role.TOWNSHIP_USER and (self.county_id is None or not self.township):
            raise ValidationError(
                {"township": "学区（中心校）用户必须指定所属县区和所属乡镇（学区）。"}
            )
        if self.role == Role.SCHOOL_INSPECTOR and self.county_id is None:
            raise ValidationError({"county": "责任督学必须指定所属县区。"})


class FailedLogin(AccessAttempt):
    """django-axes' record of wrong passwords, shown in 系统管理 in Chinese; deleting a record
    lifts the lock it causes (accounts/throttle.py)."""

    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
