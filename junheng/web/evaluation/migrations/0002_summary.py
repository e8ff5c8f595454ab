from typing import Any

import django.core.serializers.json
from django.db import migrations, models

from junheng.core.output import county_summary


def fill_summaries(apps: Any, schema_editor: Any) -> None:
    # Snapshots are immutable evidence; the summary only restates their stored result.
    Snapshot = apps.get_model("evaluation", "Snapshot")
    batch = []
    for snapshot in Snapshot.objects.only("id", "result").iterator(chunk_size=200):
        snapshot.summary = snapshot.result.get("summary") or county_summary(snapshot.result)
        batch.append(snapshot)
        if len(batch) >= 200:
            Snapshot.objects.bulk_update(batch, ["summary"])
            batch = []
    if batch:
        Snapshot.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="summary",
            field=models.JSONField(
                blank=True,
                default=dict,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                verbose_name="结论摘要",
            ),
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop),
    ]
