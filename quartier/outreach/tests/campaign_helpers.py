"""Helpers of the campaign email tests (composing, targeting and the send's lifecycle)."""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from quartier.accounts.models import Supporter
from quartier.outreach import tasks
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Message
from quartier.outreach.tests.helpers import consent


def reader_named(make_supporter, name: str, *, language: str = "en", **fields: object) -> Supporter:
    """A verified supporter; `fields` (town, coordinates) are set after sign-up."""
    supporter = make_supporter(name, language=language)
    if fields:
        Supporter.objects.filter(pk=supporter.pk).update(**fields)
        supporter.refresh_from_db()
    return supporter


def news_consent(supporter: Supporter, granted: bool = True) -> None:
    consent(supporter, CAMPAIGN_NEWS, granted=granted)


def form_data(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "Hello {{ first_name }}",
        "preview_text": "Saturday in {{ town }}",
        "body": "Dear {{ first_name }}, join us **Saturday**. [RSVP](http://127.0.0.1:8000/events/)",
        "subject_fr": "Bonjour {{ first_name }}",
        "preview_text_fr": "Samedi à {{ town }}",
        "body_fr": "Chère, cher {{ first_name }}, rejoignez-nous **samedi**.",
        "topic": CAMPAIGN_NEWS,
        "donor": "",
        "attended": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def draft(staff: Supporter, **fields: object) -> Message:
    segment = fields.pop("segment", {"topic": CAMPAIGN_NEWS})
    values = {
        "subject": "Hello {{ first_name }}",
        "body": "Dear {{ first_name }} of {{ town }}, come on **Saturday**.",
        "versions": {
            "fr": {"subject": "Bonjour {{ first_name }}", "body": "Chère, cher {{ first_name }}, venez."}
        },
    }
    values.update(fields)
    return drafts_actions.save_draft(author=staff, draft=drafts_actions.Draft(segment=segment, **values))


@contextmanager
def broker_outage():
    """Tasks queued meanwhile are lost, as when the broker is down."""
    with mock.patch.object(tasks.send_deliveries, "delay", lambda *args: None):
        yield


def snapshot(message: Message, capture) -> None:
    """Start the send (deliveries written) with none of its batches run."""
    with capture(execute=False):
        drafts_actions.schedule(message=message, at=None)
    with broker_outage():
        campaign_send_actions.start_sending(message.pk)


def send_now(message: Message, capture) -> None:
    with capture(execute=True):
        drafts_actions.schedule(message=message, at=None)
