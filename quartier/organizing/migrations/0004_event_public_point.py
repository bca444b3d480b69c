"""Events get a public point: searches, distances and maps for people who may not see an
attendee-only address use it instead of the exact one (issue 12.1)."""

from django.conf import settings
from django.db import migrations, models

from quartier.lib.geo import approximate_point


def fill_public_points(apps, schema_editor):
    Event = apps.get_model("organizing", "Event")
    located = Event.objects.filter(latitude__isnull=False, longitude__isnull=False).only(
        "latitude", "longitude", "address_visibility"
    )
    last = 0
    while batch := list(located.filter(pk__gt=last).order_by("pk")[:5000]):
        for event in batch:
            if event.address_visibility == "public":
                event.public_latitude, event.public_longitude = event.latitude, event.longitude
            else:
                event.public_latitude, event.public_longitude = approximate_point(event.latitude, event.longitude)
        Event.objects.bulk_update(batch, ["public_latitude", "public_longitude"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("organizing", "0003_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="public_latitude",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="public_longitude",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_public_points, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="event", name="event_near"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["status", "public_latitude", "public_longitude", "ends_at", "is_virtual"],
                name="event_near_public",
            ),
        ),
    ]
