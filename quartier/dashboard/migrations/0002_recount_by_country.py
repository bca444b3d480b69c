"""Region rows are now keyed by country (`CA:H2X`, `CA-QC`, `US-NY`): empty every summary table and
move the cursor back to the start, so that the next rollup (celery beat, every 30 s) recounts the
whole journal, as `rebuild_dashboards` would."""

from django.db import migrations


def recount(apps, schema_editor):
    for name in ("RegionFigure", "GroupFigure", "SupporterFigure", "LastActive", "Referral"):
        apps.get_model("dashboard", name).objects.all().delete()
    apps.get_model("dashboard", "Cursor").objects.update(last_id=0, gaps={})


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("accounts", "0005_activity_region_country"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
