"""One model of record for consent: `Consent` (the decision in force per supporter and audience) and
`ConsentRecord` (every yes and no, the evidence). Filled from the old tables by the next migrations."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_activity_region_country"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConsentRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("audience", models.CharField(max_length=64)),
                ("granted", models.BooleanField()),
                ("wording", models.TextField()),
                ("language", models.CharField(max_length=8)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("signup", "Sign-up form"),
                            ("settings", "Email preferences"),
                            ("unsubscribe", "Unsubscribe link"),
                            ("rsvp", "RSVP to an event"),
                            ("join", "Joining a group or signing up for an event"),
                            ("import", "Import"),
                            ("demo", "Demo data"),
                        ],
                        max_length=32,
                    ),
                ),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_records",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "consent record",
                "verbose_name_plural": "consent records",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["supporter", "audience", "-created_at"], name="consent_record_history")
                ],
            },
        ),
        migrations.CreateModel(
            name="Consent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("audience", models.CharField(max_length=64)),
                ("granted", models.BooleanField()),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.consentrecord"
                    ),
                ),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "consent",
                "verbose_name_plural": "consents",
                "indexes": [models.Index(fields=["audience", "granted", "supporter"], name="consent_yes")],
                "constraints": [
                    models.UniqueConstraint(fields=("supporter", "audience"), name="consent_once_per_audience")
                ],
            },
        ),
    ]
