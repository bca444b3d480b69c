"""Webhook staff pages: every persona, the secret shown once, ping, replay; SSRF refusals."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from quartier.api.models import WebhookDelivery, WebhookEndpoint
from quartier.api.tests.webhook_receiver import start_receiver
from quartier.api.webhooks import actions, network
from quartier.api.webhooks.checks import check_webhook_addresses
from quartier.testing import client_for


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def _form(url: str) -> dict:
    return {"url": url, "description": "CRM", "event_types": ["person.created", "donation.succeeded"]}


def test_only_staff_see_the_webhook_pages_and_register_endpoints(db, persona, receiver):
    name, person = persona
    client = client_for(person)
    listing = client.get(reverse("api:webhook_endpoints"))
    created = client.post(reverse("api:webhook_endpoints"), _form(receiver.url))
    if name == "staff":
        assert listing.status_code == 200
        assert created.status_code == 200
        assert WebhookEndpoint.objects.count() == 1
    else:
        assert listing.status_code in (302, 404)
        assert created.status_code in (302, 404)
        assert WebhookEndpoint.objects.count() == 0


def test_every_endpoint_action_is_refused_to_anyone_but_staff(
    db, persona, receiver, staff, django_capture_on_commit_callbacks
):
    name, person = persona
    endpoint = actions.create_endpoint(
        url=receiver.url, event_types=["person.created"], description="", created_by=staff
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="ping", payload={"id": "x"}, status="failed"
    )
    client = client_for(person)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.get(reverse("api:webhook_endpoint", args=[endpoint.pk])),
            client.post(reverse("api:webhook_ping", args=[endpoint.pk])),
            client.post(reverse("api:webhook_set_active", args=[endpoint.pk]), {"active": "0"}),
            client.post(reverse("api:webhook_replay", args=[delivery.pk])),
        ]
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    if name == "staff":
        assert [r.status_code for r in responses] == [200, 302, 302, 302]
        assert not endpoint.is_active
        assert len(receiver.requests) == 2  # the ping and the replay
    else:
        assert all(r.status_code in (302, 404) for r in responses)
        assert endpoint.is_active and delivery.status == "failed" and delivery.attempts == 0
        assert receiver.requests == []
        assert WebhookDelivery.objects.count() == 1
    if name == "staff":
        assert WebhookDelivery.objects.count() == 2


def test_the_secret_is_shown_once_when_the_endpoint_is_created(staff, receiver):
    client = client_for(staff)
    page = client.post(reverse("api:webhook_endpoints"), _form(receiver.url)).content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in page
    assert endpoint.secret not in client.get(reverse("api:webhook_endpoints")).content.decode()
    assert (
        endpoint.secret
        not in client.get(reverse("api:webhook_endpoint", args=[endpoint.pk])).content.decode()
    )


def test_a_ping_reaches_the_receiver_and_shows_in_the_log(
    staff, receiver, django_capture_on_commit_callbacks
):
    endpoint = actions.create_endpoint(
        url=receiver.url, event_types=["person.created"], description="", created_by=staff
    )
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api:webhook_ping", args=[endpoint.pk]))
    assert json.loads(receiver.requests[0].body)["type"] == "ping"
    page = client.get(reverse("api:webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert "ping" in page and "200" in page


def test_the_endpoint_page_reads_its_deliveries_in_few_queries(
    staff, receiver, django_assert_max_num_queries
):
    endpoint = actions.create_endpoint(
        url=receiver.url, event_types=["person.created"], description="", created_by=staff
    )
    for _ in range(20):
        actions.send_ping(endpoint)
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:webhook_endpoint", args=[endpoint.pk])).status_code == 200


def test_a_bad_url_re_renders_the_form_with_a_message(staff, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    response = client_for(staff).post(reverse("api:webhook_endpoints"), _form("http://127.0.0.1:8080/x"))
    assert response.status_code == 400
    assert "http://127.0.0.1:8080/x" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://10.0.0.8/x",
        "https://169.254.169.254/latest",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "ftp://example.org/x",
        "https://0.0.0.0/x",
    ],
)
def test_private_loopback_and_odd_addresses_are_refused_in_production(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(network.RefusedAddress):
        network.checked_address(url)
    outcome = network.post(url, b"{}", {})
    assert outcome.status_code is None and outcome.error.startswith("refused")


def test_a_delivery_to_a_private_address_never_leaves_when_they_are_not_allowed(
    receiver, staff, settings, django_capture_on_commit_callbacks
):
    endpoint = actions.create_endpoint(
        url=receiver.url, event_types=["person.created"], description="", created_by=staff
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_ping(endpoint)
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().last_error.startswith("refused")


def test_production_refuses_the_private_address_setting(settings):
    settings.QUARTIER_ENV = "production"
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert [error.id for error in check_webhook_addresses()] == ["quartier.E401"]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    assert check_webhook_addresses() == []
