# The county's own dated class-size targets (创建目标（班额）), kept per county and school year
# loaded, like the other plan tables of 0005.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0005_plan_tables"),
        ("registry", "0002_county_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClassTarget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "plan_year",
                    models.IntegerField(blank=True, null=True, verbose_name="目标年份（年）"),
                ),
                (
                    "band",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("over_standard", "超标准班额及以上"),
                            ("large", "56人以上大班额"),
                            ("super_large", "66人以上超大班额"),
                        ],
                        max_length=13,
                        null=True,
                        verbose_name="班额目标",
                    ),
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
                    "max_classes",
                    models.IntegerField(blank=True, null=True, verbose_name="最多保留班数（个）"),
                ),
                (
                    "max_share",
                    models.FloatField(blank=True, null=True, verbose_name="最多保留比例（%）"),
                ),
                ("source", models.TextField(blank=True, null=True, verbose_name="目标依据")),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="class_targets",
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
                "verbose_name": "创建目标（班额）",
                "verbose_name_plural": "创建目标（班额）",
                "ordering": ["year", "id"],
                "indexes": [
                    models.Index(fields=["county", "year"], name="class_target_county_year")
                ],
            },
        ),
    ]
