# Births per county and year (the optional births table of the Dataset), kept per school year.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0003_grade_counts"),
        ("registry", "0002_county_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="BirthCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("birth_year", models.IntegerField(verbose_name="出生年份（年）")),
                (
                    "births",
                    models.IntegerField(blank=True, null=True, verbose_name="出生人数（人）"),
                ),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="birth_counts",
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
                "verbose_name": "出生人口",
                "verbose_name_plural": "出生人口",
                "ordering": ["year", "county", "birth_year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("county", "year", "birth_year"), name="birth_count_unique"
                    )
                ],
            },
        ),
    ]
