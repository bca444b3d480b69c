"""The move to one model of consent: every record of `accounts.EmailConsent` and `outreach.AudienceConsent`
becomes a `ConsentRecord` (wording, language, source, time and address kept), and each person's latest
record per audience, by (created_at, id), becomes their decision in force (`Consent`), whatever the
stale `CurrentConsent` copy said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quartier.accounts.models import Consent, ConsentRecord
from quartier.outreach import queries

BEFORE = [("accounts", "0005_activity_region_country"), ("outreach", "0004_current_consent")]
T1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T2, T3 = T1 + timedelta(days=1), T1 + timedelta(days=2)


@pytest.fixture
def back_to_the_latest_schema_after():
    yield
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def _old_records(old, people):
    """Each person's records in the old tables, written in the order given (ids grow with it)."""
    EmailConsent = old.get_model("accounts", "EmailConsent")
    AudienceConsent = old.get_model("outreach", "AudienceConsent")
    EmailConsent.objects.all().delete()
    written = []
    for name, audience, granted, created_at in [
        # A later "no" overrides an earlier "yes", and the reverse.
        ("ana", "campaign_news", True, T1),
        ("ana", "campaign_news", False, T2),
        ("ben", "campaign_news", False, T1),
        ("ben", "campaign_news", True, T2),
        ("ana", "group:1", False, T1),
        ("ana", "group:1", True, T2),
        ("ben", "local_events", True, T1),
        ("ben", "local_events", False, T2),
        # The same time: the higher id is the later record.
        ("cleo", "campaign_news", True, T1),
        ("cleo", "campaign_news", False, T1),
        ("cleo", "event:5", False, T1),
        ("cleo", "event:5", True, T1),
        # Written out of order: the later time wins over the higher id.
        ("dan", "campaign_news", False, T3),
        ("dan", "campaign_news", True, T2),
        ("dan", "fundraising", True, T3),
        ("dan", "fundraising", False, T2),
        # One record only.
        ("eve", "group:2", True, T2),
    ]:
        fields = {
            "supporter_id": people[name].pk, "granted": granted, "wording": f"{name} {audience} {created_at:%d}",
            "language": "fr" if name == "cleo" else "en", "source": "settings", "ip_address": "192.0.2.4",
            "created_at": created_at,
        }  # fmt: skip
        if audience == "campaign_news":
            EmailConsent.objects.create(topic=audience, **fields)
        else:
            AudienceConsent.objects.create(audience=audience, **fields)
        written.append((name, audience, granted, fields["wording"], fields["language"], created_at))
    return written


@pytest.mark.django_db(transaction=True)
def test_every_decision_and_every_record_survive_the_move_to_one_model(
    make_supporter, back_to_the_latest_schema_after
):
    people = {name: make_supporter(name.title()) for name in ("ana", "ben", "cleo", "dan", "eve")}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    written = _old_records(old, people)
    # The stale copy says the opposite of the truth: it is not carried over.
    old.get_model("outreach", "CurrentConsent").objects.create(
        supporter_id=people["ana"].pk, topic="campaign_news", granted=True, record_created_at=T1, record_id=1
    )
    old.get_model("outreach", "ConsentSyncMark").objects.create(source="email_consent", last_id=1)

    after = MigrationExecutor(connection)
    after.migrate(after.loader.graph.leaf_nodes())

    names = {person.pk: name for name, person in people.items()}
    decisions = {
        (names[c.supporter_id], c.audience): c.granted for c in Consent.objects.select_related("record")
    }
    assert decisions == {
        ("ana", "campaign_news"): False,
        ("ben", "campaign_news"): True,
        ("ana", "group:1"): True,
        ("ben", "local_events"): False,
        ("cleo", "campaign_news"): False,
        ("cleo", "event:5"): True,
        ("dan", "campaign_news"): False,
        ("dan", "fundraising"): True,
        ("eve", "group:2"): True,
    }
    for consent in Consent.objects.select_related("record"):
        latest = ConsentRecord.objects.filter(
            supporter=consent.supporter_id, audience=consent.audience
        ).first()
        assert consent.record == latest and consent.granted == latest.granted
    records = sorted(
        (names[r.supporter_id], r.audience, r.granted, r.wording, r.language, r.created_at)
        for r in ConsentRecord.objects.all()
    )
    assert records == sorted(written)
    assert set(ConsentRecord.objects.values_list("source", "ip_address")) == {("settings", "192.0.2.4")}
    for (name, audience), granted in decisions.items():
        assert queries.has_consented(people[name], audience) is granted
