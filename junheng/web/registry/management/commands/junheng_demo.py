"""`python -m junheng.web.manage junheng_demo`: a ready-to-use system on the demo county.

Creates the database tables, loads the demo county 示范县 as school year 2026, creates the
administrator and runs the first evaluation. Running it again changes nothing that exists: data
already loaded is kept (it may have been edited), the administrator's password is not reset
unless JUNHENG_ADMIN_PASSWORD is given, and a new snapshot is made only when the data changed.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import SchoolYearData
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import data_changed_since, latest_snapshot
from junheng.web.services import load_dataset, run_evaluation

DEMO_PROVINCE = "示范省"
DEMO_CITY = "示范市"
DEMO_YEAR = "2026"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "建立数据库，载入示范县 2026 年数据，创建管理员并完成首次评估（可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已就绪。")
        admin, password = self._admin()
        county = self._demo_data(admin)
        self._evaluation(county, admin)
        self._login_help(password)

    def _admin(self) -> tuple[Any, str | None]:
        """The administrator and, when it was just set, its password (printed once)."""
        users = get_user_model()
        wanted = os.environ.get("JUNHENG_ADMIN_PASSWORD") or None
        with transaction.atomic():
            admin = users.objects.filter(username=ADMIN_USERNAME).first()
            password: str | None = None
            if admin is None:
                password = wanted or secrets.token_urlsafe(12)
                admin = users.objects.create_superuser(ADMIN_USERNAME, "", password)
                self.stdout.write(f"已创建管理员账号 {ADMIN_USERNAME}。")
            elif wanted and not admin.check_password(wanted):
                admin.set_password(wanted)
                admin.save(update_fields=["password"])
                password = wanted
                self.stdout.write(
                    f"已按 JUNHENG_ADMIN_PASSWORD 重设管理员 {ADMIN_USERNAME} 的密码。"
                )
            Profile.objects.get_or_create(user=admin, defaults={"role": Role.SYSTEM_ADMIN})
        return admin, password

    def _demo_data(self, admin: Any) -> County:
        existing = SchoolYearData.objects.filter(
            school__county__name=DEMO_COUNTY,
            school__county__city__name=DEMO_CITY,
            year__label=DEMO_YEAR,
        ).exists()
        if existing:
            self.stdout.write(f"{DEMO_COUNTY} {DEMO_YEAR} 年数据已存在，保留现有数据。")
        else:
            counts = load_dataset(
                demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY, user=admin
            )
            self.stdout.write(
                f"已载入 {DEMO_PROVINCE}{DEMO_CITY}{DEMO_COUNTY} {DEMO_YEAR} 年数据："
                f"学校 {counts.schools} 所，学段 {counts.segments} 个。"
            )
        return County.objects.get(name=DEMO_COUNTY, city__name=DEMO_CITY)

    def _evaluation(self, county: County, admin: Any) -> None:
        year = SchoolYear.objects.get(label=DEMO_YEAR)
        snapshot = latest_snapshot(county, year)
        if snapshot is not None and not data_changed_since(snapshot):
            self.stdout.write("最近一次评估之后数据未变化，未重新评估。")
            return
        snapshot = run_evaluation(county, year, admin)
        verdict = {True: "达标", False: "未达标", None: "无法判定"}[snapshot.passes]
        self.stdout.write(f"已完成评估：{county.name} {year.label} 年，结论：{verdict}。")

    def _login_help(self, password: str | None) -> None:
        self.stdout.write("")
        self.stdout.write("启动服务：python -m junheng.web.manage runserver")
        self.stdout.write("然后在浏览器中打开 http://127.0.0.1:8000/admin/ 登录。")
        self.stdout.write(f"用户名：{ADMIN_USERNAME}")
        if password is not None:
            self.stdout.write(f"密码：{password}（只显示这一次，请妥善保存）")
        else:
            self.stdout.write(
                "密码：首次运行时已显示；忘记时可设置环境变量 JUNHENG_ADMIN_PASSWORD "
                "后再次运行本命令。"
            )
