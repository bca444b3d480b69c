"""Copy the latest consent record per (supporter, topic) into `CurrentConsent`, incrementally.

Consent records are append-only, so each source is read from the highest id already copied
(`ConsentSyncMark`): the sweep (every minute), `record_consent` and the start of every send call
`sync()`, which then reads only what is new. Accounts records campaign-news consent itself (sign-up,
settings) without going through outreach, which is why this copies rather than writes alongside.
"""

from __future__ import annotations

from django.db import transaction

from quartier.accounts.models import EmailConsent
from quartier.outreach.models import CAMPAIGN_NEWS, TOPICS, AudienceConsent, ConsentSyncMark, CurrentConsent

CHUNK = 20_000


def _sources():
    yield "email_consent", EmailConsent.objects.filter(topic=CAMPAIGN_NEWS), "topic"
    yield (
        "audience_consent",
        AudienceConsent.objects.filter(audience__in=[t for t in TOPICS if t != CAMPAIGN_NEWS]),
        "audience",
    )


def sync(*, chunk: int = CHUNK) -> int:
    """Copy every new consent record; return how many records were read."""
    read = 0
    for name, records, topic_field in _sources():
        while True:
            with transaction.atomic():
                mark, _created = ConsentSyncMark.objects.select_for_update().get_or_create(source=name)
                rows = list(
                    records.filter(pk__gt=mark.last_id)
                    .order_by("pk")
                    .values_list("pk", "supporter_id", topic_field, "granted", "created_at")[:chunk]
                )
                if not rows:
                    break
                _copy(rows)
                mark.last_id = rows[-1][0]
                mark.save(update_fields=["last_id"])
                read += len(rows)
            if len(rows) < chunk:
                break
    return read


def _copy(rows: list[tuple]) -> None:
    latest: dict[tuple[int, str], tuple] = {}
    for pk, supporter_id, topic, granted, created_at in rows:
        key = (supporter_id, topic)
        if key not in latest or (created_at, pk) > (latest[key][4], latest[key][0]):
            latest[key] = (pk, supporter_id, topic, granted, created_at)
    existing = {
        (row.supporter_id, row.topic): row
        for row in CurrentConsent.objects.filter(supporter_id__in={key[0] for key in latest})
    }
    to_create, to_update = [], []
    for key, (pk, supporter_id, topic, granted, created_at) in latest.items():
        row = existing.get(key)
        if row is None:
            to_create.append(
                CurrentConsent(
                    supporter_id=supporter_id,
                    topic=topic,
                    granted=granted,
                    record_created_at=created_at,
                    record_id=pk,
                )
            )
        elif (created_at, pk) > (row.record_created_at, row.record_id):
            row.granted, row.record_created_at, row.record_id = granted, created_at, pk
            to_update.append(row)
    CurrentConsent.objects.bulk_create(to_create, batch_size=5000, ignore_conflicts=True)
    CurrentConsent.objects.bulk_update(
        to_update, ["granted", "record_created_at", "record_id"], batch_size=5000
    )
