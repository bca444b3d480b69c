"""Permission-checked loaders of the webhook pages: staff only, 404 for anyone else."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from quartier.accounts.access import require_staff
from quartier.accounts.models import Supporter
from quartier.api.models import WebhookDelivery, WebhookEndpoint


def get_endpoint_for_staff(viewer: Supporter | AnonymousUser, endpoint_id: int) -> WebhookEndpoint:
    require_staff(viewer)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


def get_delivery_for_staff(viewer: Supporter | AnonymousUser, delivery_id: int) -> WebhookDelivery:
    require_staff(viewer)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return delivery
