"""Consent now lives in `accounts.Consent` and `accounts.ConsentRecord`: the per-audience records and
the synced copy (`CurrentConsent`, with its high-water marks) go."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0005_copy_audience_consents"),
    ]

    operations = [
        migrations.DeleteModel(name="AudienceConsent"),
        migrations.DeleteModel(name="ConsentSyncMark"),
        migrations.DeleteModel(name="CurrentConsent"),
    ]
