# Data-entry workflow: comments on history rows, the county facts version, a history index.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0001_initial"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CountyFactsVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=0, verbose_name="版本")),
                (
                    "updated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="最后修改时间"),
                ),
            ],
            options={
                "verbose_name": "县级指标版本",
                "verbose_name_plural": "县级指标版本",
            },
        ),
        migrations.AddField(
            model_name="changelog",
            name="comment",
            field=models.TextField(blank=True, default="", verbose_name="意见"),
        ),
        migrations.AddIndex(
            model_name="changelog",
            index=models.Index(fields=["school", "year", "-at"], name="changelog_school_year_at"),
        ),
        migrations.AddField(
            model_name="countyfactsversion",
            name="county",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="registry.county",
                verbose_name="县区",
            ),
        ),
        migrations.AddField(
            model_name="countyfactsversion",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="最后修改人",
            ),
        ),
        migrations.AddField(
            model_name="countyfactsversion",
            name="year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                to="registry.schoolyear",
                verbose_name="学年",
            ),
        ),
        migrations.AddConstraint(
            model_name="countyfactsversion",
            constraint=models.UniqueConstraint(
                fields=("county", "year"), name="county_facts_version_unique"
            ),
        ),
    ]
