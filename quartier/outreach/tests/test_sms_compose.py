"""The staff page that texts a segment (`/organize/sms/`): counts only numbers that asked for texts,
each reader's language and STOP line, preview, queued sending once per form, quiet hours deferred."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quartier.organizing.actions import groups as groups_actions
from quartier.outreach import sms, sms_text
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.models import Delivery, Message
from quartier.outreach.tests.test_sms import sandbox_post, subscribed
from quartier.testing import client_for, run_together

pytestmark = pytest.mark.django_db

KEY = "k" * 24


@pytest.fixture(autouse=True)
def _daytime_and_empty_outbox(monkeypatch):
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: False)
    sms.SANDBOX_OUTBOX.clear()


@pytest.fixture
def texters(make_supporter):
    """An English reader, a French reader, one who texted STOP, and one with no number."""
    english, french, stopped, silent = (
        make_supporter("Alice Smith"),
        make_supporter("Benoît Roy", language="fr"),
        make_supporter("Carl Stop"),
        make_supporter("Dana Nonumber"),
    )
    subscribed(english, phone="+15145550001", time_zone="America/Vancouver")
    subscribed(french, phone="+15145550002", language="fr", time_zone="Europe/Paris")
    subscribed(stopped, phone="+15145550003")
    sandbox_post("STOP", message_id="stop-1", phone="+15145550003")
    sms.SANDBOX_OUTBOX.clear()
    return english, french, stopped, silent


def compose(client, action: str = "preview", **fields):
    data = {
        "body": "Hi {{ first_name }}, vote Sunday!",
        "body_fr": "Bonjour {{ first_name }}, votez dimanche !",
    }
    data.update({"send_key": KEY, "action": action, **fields})
    return client.post(reverse("outreach:text_new"), data)


def test_the_count_is_of_people_whose_number_asked_for_texts(staff, texters):
    page = client_for(staff).get(reverse("outreach:text_new")).content.decode()

    assert "<strong>2</strong> people can receive it." in page
    count = client_for(staff).get(reverse("outreach:text_count"), {"languages": "fr"}).content.decode()
    assert "<strong>1</strong> person can receive it." in count


def test_the_preview_shows_each_language_s_text_with_its_stop_line_and_length(staff, texters):
    page = compose(client_for(staff)).content.decode()

    assert "Quartier: Hi [first name], vote Sunday!\nReply STOP to stop." in page
    assert "Quartier\u00a0: Bonjour [prénom], votez dimanche !\nRépondez ARRÊT pour arrêter." in page
    assert 'value="send"' in page
    assert Message.objects.count() == 0  # a preview sends nothing


def test_sending_texts_each_reader_in_their_language_through_the_queue(
    staff, texters, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = compose(client_for(staff), "send")

    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outreach:text_detail", args=[message.pk]
    )
    assert sorted(sms.SANDBOX_OUTBOX) == [
        ("+15145550001", "Quartier: Hi Alice, vote Sunday!\nReply STOP to stop."),
        ("+15145550002", "Quartier\u00a0: Bonjour Benoît, votez dimanche !\nRépondez ARRÊT pour arrêter."),
    ]
    progress = client_for(staff).get(reverse("outreach:text_progress", args=[message.pk])).content.decode()
    assert '<dd class="sent">2</dd>' in progress


def test_a_double_click_or_a_resent_form_texts_no_one_twice(
    staff, texters, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        compose(client, "send")
    with django_capture_on_commit_callbacks(execute=True):
        again = compose(client, "send")

    assert Message.objects.count() == 1
    assert again["Location"] == reverse("outreach:text_detail", args=[Message.objects.get().pk])
    assert len(sms.SANDBOX_OUTBOX) == 2


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_write_one_message(staff, texters):
    outcomes = run_together([lambda: compose(client_for(staff), "send").status_code] * 2)

    assert outcomes == [302, 302]
    assert Message.objects.count() == 1
    assert Delivery.objects.count() == 2
    assert sorted(to for to, _text in sms.SANDBOX_OUTBOX) == ["+15145550001", "+15145550002"]


def test_quiet_hours_defer_a_reader_s_text_to_their_morning(
    staff, texters, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: zone == "Europe/Paris")
    with django_capture_on_commit_callbacks(execute=True):
        compose(client_for(staff), "send")

    message = Message.objects.get()
    assert [to for to, _text in sms.SANDBOX_OUTBOX] == ["+15145550001"]
    waiting = Delivery.objects.get(message=message, status="queued")
    assert waiting.not_before == delivery_actions.quiet_hours_end("Europe/Paris")
    progress = client_for(staff).get(reverse("outreach:text_progress", args=[message.pk])).content.decode()
    assert '<dd class="deferred">1</dd>' in progress
    assert 'hx-trigger="every 2s"' in progress  # still sending: the page keeps refreshing


def test_a_refused_text_says_which_field_and_keeps_what_was_written(staff, texters):
    page = compose(client_for(staff), "send", body_fr="Bonjour {{ prenom }}").content.decode()

    assert re.search(r'id="id_body_fr"[^>]*>\nBonjour \{\{ prenom \}\}</textarea>', page)
    assert "Unknown merge fields: {{ prenom }}." in page
    assert Message.objects.count() == 0


def test_the_counter_counts_as_the_sender_does():
    assert sms_text.length("a" * 160) == sms_text.Length("GSM-7", 160, 1)
    assert sms_text.length("a" * 161).segments == 2
    assert sms_text.length("€" * 80) == sms_text.Length("GSM-7", 160, 1)
    assert sms_text.length("ê" * 70) == sms_text.Length("UCS-2", 70, 1)
    assert sms_text.length("ê" * 71).segments == 2
    assert sms_text.length("👋").units == 2


@pytest.fixture
def group_leader(make_supporter):
    leader = make_supporter("Léa Leader")
    draft = groups_actions.GroupDraft(
        name="Plateau for Climate", description="Tuesdays.", area="Plateau", country="CA", postal_code="H2X 1Y4",
        latitude=45.52, longitude=-73.58, town="Montréal", join_policy="open",
    )  # fmt: skip
    groups_actions.create_group(creator=leader, draft=draft)
    return leader


@pytest.mark.parametrize("who", ["anonymous", "unverified", "supporter", "other_supporter", "group_leader"])
def test_only_staff_may_text_a_segment(who, request, staff, texters, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        compose(client_for(staff), "send", send_key="s" * 24)
    existing = Message.objects.get()
    sms.SANDBOX_OUTBOX.clear()
    client = client_for(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            client.get(reverse("outreach:text_list")),
            client.get(reverse("outreach:text_new")),
            client.get(reverse("outreach:text_count")),
            compose(client, "send"),
            client.get(reverse("outreach:text_detail", args=[existing.pk])),
            client.get(reverse("outreach:text_progress", args=[existing.pk])),
        ]

    assert [page.status_code for page in pages] == [404] * 6
    assert Message.objects.count() == 1
    assert Delivery.objects.exclude(message=existing).count() == 0
    assert sms.SANDBOX_OUTBOX == []


def test_staff_find_the_texts_in_their_navigation(staff):
    page = client_for(staff).get(reverse("outreach:message_list")).content.decode()

    assert f'href="{reverse("outreach:text_list")}"' in page
