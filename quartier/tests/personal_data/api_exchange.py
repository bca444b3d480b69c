"""Factories for the personal data sources of the api app's webhooks, imports and phone numbers."""

from __future__ import annotations

from django.core.files.base import ContentFile

from quartier.accounts.models import Supporter
from quartier.api.models import PeopleImport, SupporterPhone, WebhookDelivery, WebhookEndpoint
from quartier.tests.personal_data.common import Factory, People, count_rows


def _phones(supporter: Supporter, people: People) -> None:
    for number in ("+15145550101", "+15145550102"):
        SupporterPhone.objects.create(supporter=supporter, number=number)


def _deliveries(supporter: Supporter, people: People) -> None:
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.org/quartier", event_types=["person.created"]
    )
    for number in range(2):
        WebhookDelivery.objects.create(
            endpoint=endpoint, activity_id=None, event_type="person.created", supporter=supporter,
            payload={"data": {"marker": people.marker("api_webhook_deliveries", number)}},
        )  # fmt: skip


def _endpoints(supporter: Supporter, people: People) -> None:
    for number in range(2):
        WebhookEndpoint.objects.create(
            url="https://hooks.example.org/x", event_types=["rsvp.created"], created_by=supporter,
            description=people.marker("api_webhook_endpoints_created", number),
        )  # fmt: skip


def _imports(supporter: Supporter, people: People) -> None:
    """Two people files uploaded (one waiting for its columns, one done)."""
    for number, status in ((1, PeopleImport.Status.UPLOADED), (2, PeopleImport.Status.DONE)):
        job = PeopleImport.objects.create(
            original_name=people.marker("api_people_imports", number), uploaded_by=supporter, status=status
        )
        job.file.save("people.csv", ContentFile(b"email,name\nanne@example.org,Anne\n"))


FACTORIES: dict[str, Factory] = {
    "api_phone_numbers": Factory(
        _phones,
        owned=lambda s: {SupporterPhone: SupporterPhone.objects.filter(supporter=s)},
        exported=lambda data: {SupporterPhone: count_rows(data)},
    ),
    "api_webhook_deliveries": Factory(
        _deliveries,
        owned=lambda s: {WebhookDelivery: WebhookDelivery.objects.filter(supporter=s)},
        exported=lambda data: {WebhookDelivery: count_rows(data)},
    ),
    "api_webhook_endpoints_created": Factory(
        _endpoints,
        owned=lambda s: {WebhookEndpoint: WebhookEndpoint.objects.filter(created_by=s)},
        exported=lambda data: {WebhookEndpoint: count_rows(data)},
    ),
    "api_people_imports": Factory(
        _imports,
        owned=lambda s: {PeopleImport: PeopleImport.objects.filter(uploaded_by=s)},
        exported=lambda data: {PeopleImport: count_rows(data)},
    ),
}
