"""Celery tasks: thin wrappers around `actions` (run at once when Celery is eager, without REDIS_URL)."""

from __future__ import annotations

from celery import shared_task

from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions


@shared_task(acks_late=True, ignore_result=True)
def send_deliveries(message_id: int, first_id: int, last_id: int) -> dict[str, int]:
    """Send one batch of a message's deliveries; safe to run twice (see `actions.send_deliveries`)."""
    return delivery_actions.send_deliveries(message_id=message_id, first_id=first_id, last_id=last_id)


@shared_task(acks_late=True, ignore_result=True)
def start_sending(message_id: int) -> int:
    """Snapshot a scheduled message's audience and queue its batches (once, see `actions.start_sending`)."""
    return campaign_send_actions.start_sending(message_id)


@shared_task(ignore_result=True)
def sweep() -> dict[str, int]:
    """Start due messages, requeue deliveries of dead workers and lost batches (celery beat)."""
    return campaign_send_actions.sweep()
