"""Carry every `EmailConsent` (campaign news) over: each record into `ConsentRecord`, in its original
order, and the latest one per (supporter, topic), by (created_at, id), as the decision in force."""

from django.db import migrations

CHUNK = 5000


def copy_records(apps, schema_editor):
    EmailConsent = apps.get_model("accounts", "EmailConsent")
    ConsentRecord = apps.get_model("accounts", "ConsentRecord")
    Consent = apps.get_model("accounts", "Consent")
    latest: dict[tuple[int, str], tuple] = {}
    last_id = 0
    while chunk := list(EmailConsent.objects.filter(pk__gt=last_id).order_by("pk")[:CHUNK]):
        copies = ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    supporter_id=old.supporter_id, audience=old.topic, granted=old.granted, wording=old.wording,
                    language=old.language, source=old.source, ip_address=old.ip_address, created_at=old.created_at,
                )  # fmt: skip
                for old in chunk
            ]
        )
        for old, copy in zip(chunk, copies, strict=True):
            if copy.pk is None:
                raise RuntimeError("the database did not return the ids of the copied consent records")
            key, order = (old.supporter_id, old.topic), (old.created_at, old.pk)
            if key not in latest or order > latest[key][0]:
                latest[key] = (order, copy.pk, old.granted)
        last_id = chunk[-1].pk
    Consent.objects.bulk_create(
        [
            Consent(supporter_id=supporter_id, audience=audience, granted=granted, record_id=record_id)
            for (supporter_id, audience), (_order, record_id, granted) in latest.items()
        ],
        batch_size=CHUNK,
    )


def copy_back(apps, schema_editor):
    EmailConsent = apps.get_model("accounts", "EmailConsent")
    ConsentRecord = apps.get_model("accounts", "ConsentRecord")
    records = ConsentRecord.objects.filter(audience="campaign_news")
    EmailConsent.objects.bulk_create(
        [
            EmailConsent(
                supporter_id=record.supporter_id, topic=record.audience, granted=record.granted,
                wording=record.wording, language=record.language, source=record.source,
                ip_address=record.ip_address, created_at=record.created_at,
            )  # fmt: skip
            for record in records.order_by("pk").iterator(chunk_size=CHUNK)
        ],
        batch_size=CHUNK,
    )
    apps.get_model("accounts", "Consent").objects.filter(audience="campaign_news").delete()
    records.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_consent"),
    ]

    operations = [migrations.RunPython(copy_records, copy_back)]
