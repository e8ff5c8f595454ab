# The data revision of each county and school year, for a cheap "did the data change?" check.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountyYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "data_revision",
                    models.PositiveBigIntegerField(default=0, verbose_name="数据修订号"),
                ),
                (
                    "fingerprint",
                    models.CharField(blank=True, max_length=64, verbose_name="数据指纹"),
                ),
                (
                    "fingerprint_revision",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="指纹对应的修订号"
                    ),
                ),
                (
                    "county",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.county",
                        verbose_name="县区",
                    ),
                ),
                (
                    "year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="registry.schoolyear",
                        verbose_name="学年",
                    ),
                ),
            ],
            options={
                "verbose_name": "县区学年数据修订",
                "verbose_name_plural": "县区学年数据修订",
                "constraints": [
                    models.UniqueConstraint(fields=("county", "year"), name="county_year_unique")
                ],
            },
        ),
    ]
