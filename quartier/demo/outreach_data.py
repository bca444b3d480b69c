"""Outreach in the demo campaign: topic consents, a sent bilingual campaign email with its figures, a
draft ready to send from `/organize/email/`, a text subscription and a suppressed address."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import ConsentRecord, Supporter
from quartier.lib.urls import absolute_url
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import (
    CAMPAIGN_NEWS,
    TOPIC_LOCAL_EVENTS,
    TOPICS,
    Delivery,
    Message,
    SmsSubscription,
    Suppression,
)

LOCAL_EVENTS_SHARE = 0.4
WORDING = {
    "en": "Yes, email me: Events near me.",
    "fr": "Oui, écrivez-moi : Événements près de chez moi.",
}


@transaction.atomic
def load_outreach_demo(organiser_email: str, progress=print) -> None:
    if Message.objects.filter(audience__in=list(TOPICS)).exists():
        return
    organiser = Supporter.objects.get(email=organiser_email)
    events_url = absolute_url(reverse("organizing:events"))
    rng = random.Random(10)
    people = list(Supporter.objects.filter(deleted_at__isnull=True).values_list("pk", "language"))
    for pk, language in people:
        if rng.random() < LOCAL_EVENTS_SHARE:
            accounts_actions.record_consent(
                supporter=Supporter(pk=pk), audience=TOPIC_LOCAL_EVENTS, granted=True,
                wording=WORDING.get(language, WORDING["en"]), language=language,
                source=ConsentRecord.Source.DEMO, ip_address=None,
            )  # fmt: skip
    sent = drafts_actions.save_draft(
        author=organiser,
        draft=drafts_actions.Draft(
            subject="{{ first_name }}, the spring canvass starts Saturday",
            preview_text="Two hours, one street, real conversations",
            body=(
                "Hello {{ first_name }},\n\nThe spring canvass starts **this Saturday**. The nearest event to you: "
                "*{{ next_event }}*.\n\nTwo hours, one street, real conversations. "
                f"[Find an event]({events_url})"
            ),
            versions={
                "fr": {
                    "subject": "{{ first_name }}, le porte-à-porte du printemps commence samedi",
                    "preview_text": "Deux heures, une rue, de vraies conversations",
                    "body": (
                        "Bonjour {{ first_name }},\n\nLe porte-à-porte du printemps commence **ce samedi**. "
                        "L’événement le plus proche : *{{ next_event }}*.\n\n"
                        f"[Trouver un événement]({events_url})"
                    ),
                }
            },
            segment={"topic": CAMPAIGN_NEWS},
        ),
    )
    # Its figures as if it had gone out last week (the demo does not mail hundreds of people).
    started = timezone.now() - timedelta(days=6)
    Message.objects.filter(pk=sent.pk).update(
        status=Message.Status.SENT,
        scheduled_at=started,
        started_at=started,
        finished_at=started + timedelta(minutes=4),
    )
    from quartier.outreach import segments

    readers = list(segments.recipients(segments.Segment()).values_list("pk", flat=True))
    Delivery.objects.bulk_create(
        [
            Delivery(
                message=sent,
                supporter_id=pk,
                status=Delivery.Status.SENT,
                sent_at=started,
                claimed_at=started,
                attempted_at=started,
                delivered_at=started if rng.random() < 0.97 else None,
                bounced_at=started if rng.random() < 0.01 else None,
                unsubscribed_at=started if rng.random() < 0.005 else None,
            )
            for pk in readers
        ],
        batch_size=1000,
    )
    Message.objects.filter(pk=sent.pk).update(recipient_count=len(readers))
    drafts_actions.save_draft(
        author=organiser,
        draft=drafts_actions.Draft(
            subject="Meet your neighbours in {{ town }}",
            body="Hello {{ first_name }},\n\nThere is a group near you: **{{ group }}**. Come and say hello!",
            versions={
                "fr": {
                    "subject": "Rencontrez vos voisins à {{ town }}",
                    "body": "Bonjour {{ first_name }},\n\nUn groupe près de chez vous : **{{ group }}**. Venez le rencontrer !",
                }
            },
            segment={"topic": TOPIC_LOCAL_EVENTS},
        ),
    )
    marie = Supporter.objects.filter(email="marie@demo.quartier.test").first()
    if marie is not None:
        sms_actions.sms_opt_in(
            phone="+15145550142", wording=str(sms_actions.SMS_WORDING_DEFAULT), language="fr",
            source=SmsSubscription.Source.DEMO, supporter=marie,
        )  # fmt: skip
    Suppression.objects.get_or_create(
        address="bounced@example.org", defaults={"reason": Suppression.Reason.BOUNCED, "source": "demo"}
    )
    progress(f"  outreach: 1 campaign email sent to {len(readers)}, 1 draft, topic consents")
