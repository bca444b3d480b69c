from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.outreach.models import Delivery
from quartier.outreach.tests.helpers import consent, send
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def superuser(staff: Supporter) -> Supporter:
    Supporter.objects.filter(pk=staff.pk).update(is_superuser=True)
    staff.refresh_from_db()
    return staff


def test_the_message_list_shows_delivery_counts_in_a_constant_number_of_queries(
    staff, members, django_capture_on_commit_callbacks
):
    client = client_for(superuser(staff))
    url = reverse("admin:outreach_message_changelist")
    people = members(3)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(staff, people, subject="First message")
    Delivery.objects.filter(message=message, supporter=people[0]).update(status="failed", error="refused")
    with CaptureQueriesContext(connection) as one_message:
        response = client.get(url)
    assert response.status_code == 200
    cells = response.content.decode()
    assert "First message" in cells
    assert '<td class="field-sent_count">2</td>' in cells
    assert '<td class="field-failed_count">1</td>' in cells

    for number in range(4):
        send(staff, people, subject=f"Message {number}")
    with CaptureQueriesContext(connection) as five_messages:
        assert client.get(url).status_code == 200

    assert len(five_messages) == len(one_message)


def test_messages_cannot_be_added_changed_or_deleted_in_the_admin(staff, members):
    client = client_for(superuser(staff))
    message = send(staff, members(1))

    assert client.get(reverse("admin:outreach_message_add")).status_code == 403
    assert client.get(reverse("admin:outreach_message_change", args=[message.pk])).status_code == 200
    client.post(reverse("admin:outreach_message_delete", args=[message.pk]), {"post": "yes"})
    assert type(message).objects.filter(pk=message.pk).exists()


def test_a_supporter_who_is_not_staff_cannot_see_the_message_list(supporter):
    consent(supporter)

    response = client_for(supporter).get(reverse("admin:outreach_message_changelist"))

    assert response.status_code == 302
