"""Weekly and monthly sums of the daily figures, for long ranges of the organiser dashboard; filled
here from the daily rows already counted (the rollups keep them from now on)."""

from django.db import migrations, models

# As `dashboard.actions.BY_PERIOD` (written out: a migration keeps what it did when the code moves on).
BY_PERIOD = """
INSERT INTO {target} ({owner}, metric, period, start, label, count, amount)
SELECT {owner}, metric, %s, {start}, label, SUM(count), SUM(amount) FROM {source}
GROUP BY {owner}, metric, {start}, label HAVING SUM(count) <> 0 OR SUM(amount) <> 0
"""
STARTS = {
    "postgresql": {
        "week": "CAST(date_trunc('week', CAST(day AS timestamp)) AS date)",
        "month": "CAST(date_trunc('month', CAST(day AS timestamp)) AS date)",
    },
    "sqlite": {"week": "date(day, 'weekday 0', '-6 days')", "month": "date(day, 'start of month')"},
}


def fill_from_days(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for target, source, owner in (
            ("dashboard_regionperiodfigure", "dashboard_regionfigure", "region"),
            ("dashboard_groupperiodfigure", "dashboard_groupfigure", "group_id"),
        ):
            for period, start in STARTS[connection.vendor].items():
                cursor.execute(
                    BY_PERIOD.format(target=target, source=source, owner=owner, start=start), [period]
                )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_recount_by_country"),
    ]

    operations = [
        migrations.CreateModel(
            name="GroupPeriodFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(choices=[("week", "week"), ("month", "month")], max_length=5)),
                ("start", models.DateField()),
                ("metric", models.CharField(max_length=48)),
                ("group_id", models.BigIntegerField()),
                ("label", models.CharField(blank=True, max_length=200)),
                ("count", models.BigIntegerField(default=0)),
                ("amount", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["metric", "period", "start"], name="groupperiodfigure_metric")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("group_id", "metric", "period", "start", "label"),
                        name="groupperiodfigure_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RegionPeriodFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(choices=[("week", "week"), ("month", "month")], max_length=5)),
                ("start", models.DateField()),
                ("metric", models.CharField(max_length=48)),
                ("region", models.CharField(max_length=10)),
                ("label", models.CharField(blank=True, max_length=200)),
                ("count", models.BigIntegerField(default=0)),
                ("amount", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["metric", "period", "start"], name="regionperiodfigure_metric")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "metric", "period", "start", "label"), name="regionperiodfigure_key"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_from_days, migrations.RunPython.noop),
    ]
