# The optional plan tables of the Dataset (班级学生数, 县级教育经费, 建设项目, 编制与招聘计划),
# kept per county or school and school year loaded.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0004_birth_counts"),
        ("registry", "0002_county_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="BuildingProject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project_id", models.TextField(blank=True, null=True, verbose_name="项目编号")),
                ("name", models.TextField(blank=True, null=True, verbose_name="项目名称")),
                (
                    "kind",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("new", "新建"),
                            ("expand", "改扩建"),
                            ("repair", "维修"),
                            ("equipment", "设备购置"),
                        ],
                        max_length=9,
                        null=True,
                        verbose_name="项目类型",
                    ),
                ),
                (
                    "new_school_name",
                    models.TextField(blank=True, null=True, verbose_name="新建学校名称"),
                ),
                ("township", models.TextField(blank=True, null=True, verbose_name="乡镇")),
                (
                    "level",
                    models.CharField(
                        blank=True,
                        choices=[("primary", "小学"), ("junior", "初中")],
                        max_length=7,
                        null=True,
                        verbose_name="学段",
                    ),
                ),
                (
                    "places_primary",
                    models.IntegerField(blank=True, null=True, verbose_name="新增小学学位（个）"),
                ),
                (
                    "places_junior",
                    models.IntegerField(blank=True, null=True, verbose_name="新增初中学位（个）"),
                ),
                (
                    "teaching_aux_area_m2",
                    models.FloatField(
                        blank=True, null=True, verbose_name="新增教学及辅助用房面积（㎡）"
                    ),
                ),
                (
                    "sports_ground_area_m2",
                    models.FloatField(
                        blank=True, null=True, verbose_name="新增体育运动场地面积（㎡）"
                    ),
                ),
                (
                    "indoor_sports_area_m2",
                    models.FloatField(
                        blank=True, null=True, verbose_name="新增室内体育用房面积（㎡）"
                    ),
                ),
                (
                    "multimedia_rooms",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="新增网络多媒体教室（间）"
                    ),
                ),
                (
                    "music_rooms",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="新增音乐专用教室（间）"
                    ),
                ),
                (
                    "art_rooms",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="新增美术专用教室（间）"
                    ),
                ),
                (
                    "equipment_value_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="新增教学仪器设备值（元）"
                    ),
                ),
                (
                    "budget_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="计划投资（元）"),
                ),
                (
                    "funding_source",
                    models.TextField(blank=True, null=True, verbose_name="资金来源"),
                ),
                ("planned_start", models.TextField(blank=True, null=True, verbose_name="计划开工")),
                (
                    "planned_finish",
                    models.TextField(blank=True, null=True, verbose_name="计划竣工"),
                ),
                ("actual_start", models.TextField(blank=True, null=True, verbose_name="实际开工")),
                ("actual_finish", models.TextField(blank=True, null=True, verbose_name="实际竣工")),
                (
                    "status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("planned", "未开工"),
                            ("building", "在建"),
                            ("completed", "已完工"),
                        ],
                        max_length=9,
                        null=True,
                        verbose_name="项目状态",
                    ),
                ),
                (
                    "progress_pct",
                    models.FloatField(blank=True, null=True, verbose_name="形象进度（%）"),
                ),
                ("note", models.TextField(blank=True, null=True, verbose_name="备注")),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="registry.county",
                        verbose_name="县区",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projects",
                        to="registry.school",
                        verbose_name="学校",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="registry.schoolyear",
                        verbose_name="学年",
                    ),
                ),
            ],
            options={
                "verbose_name": "建设项目",
                "verbose_name_plural": "建设项目",
                "ordering": ["year", "id"],
                "indexes": [models.Index(fields=["county", "year"], name="project_county_year")],
            },
        ),
        migrations.CreateModel(
            name="ClassCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "plan_year",
                    models.IntegerField(blank=True, null=True, verbose_name="年份（年）"),
                ),
                ("grade", models.IntegerField(blank=True, null=True, verbose_name="年级")),
                ("class_name", models.TextField(blank=True, null=True, verbose_name="班级")),
                (
                    "students",
                    models.IntegerField(blank=True, null=True, verbose_name="学生数（人）"),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="class_counts",
                        to="registry.school",
                        verbose_name="学校",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="registry.schoolyear",
                        verbose_name="学年",
                    ),
                ),
            ],
            options={
                "verbose_name": "班级学生数",
                "verbose_name_plural": "班级学生数",
                "ordering": ["year", "id"],
                "indexes": [
                    models.Index(fields=["school", "year"], name="class_count_school_year")
                ],
            },
        ),
        migrations.CreateModel(
            name="CountyFinance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "plan_year",
                    models.IntegerField(blank=True, null=True, verbose_name="年度（年）"),
                ),
                (
                    "education_expenditure_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="一般公共预算教育支出（元）"
                    ),
                ),
                (
                    "students",
                    models.IntegerField(blank=True, null=True, verbose_name="在校学生数（人）"),
                ),
                (
                    "per_student_expenditure_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="生均一般公共预算教育支出（元）"
                    ),
                ),
                (
                    "public_expenditure_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="一般公共预算支出（元）"),
                ),
                (
                    "land_revenue_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="土地出让收益（元）"),
                ),
                (
                    "land_revenue_education_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="土地出让收益计提教育资金（元）"
                    ),
                ),
                (
                    "urban_surcharge_collected_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="城市教育费附加征收额（元）"
                    ),
                ),
                (
                    "urban_surcharge_allocated_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="城市教育费附加拨付教育额（元）"
                    ),
                ),
                (
                    "local_surcharge_collected_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="地方教育附加征收额（元）"
                    ),
                ),
                (
                    "local_surcharge_allocated_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="地方教育附加拨付教育额（元）"
                    ),
                ),
                (
                    "public_funds_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="中小学公用经费（元）"),
                ),
                (
                    "training_funds_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="教师培训经费（元）"),
                ),
                (
                    "teacher_avg_pay_yuan",
                    models.FloatField(blank=True, null=True, verbose_name="教师平均工资收入（元）"),
                ),
                (
                    "civil_servant_avg_pay_yuan",
                    models.FloatField(
                        blank=True, null=True, verbose_name="当地公务员平均工资收入（元）"
                    ),
                ),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="finance_years",
                        to="registry.county",
                        verbose_name="县区",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="registry.schoolyear",
                        verbose_name="学年",
                    ),
                ),
            ],
            options={
                "verbose_name": "县级教育经费",
                "verbose_name_plural": "县级教育经费",
                "ordering": ["year", "id"],
                "indexes": [
                    models.Index(fields=["county", "year"], name="county_finance_county_year")
                ],
            },
        ),
        migrations.CreateModel(
            name="StaffingPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "plan_year",
                    models.IntegerField(blank=True, null=True, verbose_name="年份（年）"),
                ),
                (
                    "level",
                    models.CharField(
                        blank=True,
                        choices=[("primary", "小学"), ("junior", "初中")],
                        max_length=7,
                        null=True,
                        verbose_name="学段",
                    ),
                ),
                (
                    "approved_posts",
                    models.IntegerField(blank=True, null=True, verbose_name="核定编制数（人）"),
                ),
                (
                    "hires",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="计划招聘专任教师（人）"
                    ),
                ),
                (
                    "hires_postgraduate",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="其中：研究生学历（人）"
                    ),
                ),
                (
                    "hires_bachelor",
                    models.IntegerField(blank=True, null=True, verbose_name="其中：本科学历（人）"),
                ),
                (
                    "hires_pe",
                    models.IntegerField(blank=True, null=True, verbose_name="其中：体育教师（人）"),
                ),
                (
                    "hires_music",
                    models.IntegerField(blank=True, null=True, verbose_name="其中：音乐教师（人）"),
                ),
                (
                    "hires_fine_art",
                    models.IntegerField(blank=True, null=True, verbose_name="其中：美术教师（人）"),
                ),
                (
                    "backbone_new",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="新增县级及以上骨干教师（人）"
                    ),
                ),
                (
                    "leavers",
                    models.IntegerField(
                        blank=True, null=True, verbose_name="预计退休及调出专任教师（人）"
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staffing_plans",
                        to="registry.school",
                        verbose_name="学校",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="registry.schoolyear",
                        verbose_name="学年",
                    ),
                ),
            ],
            options={
                "verbose_name": "编制与招聘计划",
                "verbose_name_plural": "编制与招聘计划",
                "ordering": ["year", "id"],
                "indexes": [
                    models.Index(fields=["school", "year"], name="staffing_plan_school_year")
                ],
            },
        ),
    ]
