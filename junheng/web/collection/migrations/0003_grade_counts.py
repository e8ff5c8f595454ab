# Grade enrolment (the optional grades table of the Dataset), kept per school year loaded.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0002_entry_workflow"),
        ("registry", "0002_county_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="GradeCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("grade_year", models.IntegerField(verbose_name="年份（年）")),
                ("grade", models.PositiveSmallIntegerField(verbose_name="年级")),
                (
                    "students",
                    models.IntegerField(blank=True, null=True, verbose_name="在校生数（人）"),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grade_counts",
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
                "verbose_name": "年级在校生",
                "verbose_name_plural": "年级在校生",
                "ordering": ["year", "school", "grade_year", "grade"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("school", "year", "grade_year", "grade"), name="grade_count_unique"
                    )
                ],
            },
        ),
    ]
