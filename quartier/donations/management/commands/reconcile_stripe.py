"""`quartier reconcile_stripe`: list Stripe's recent events and apply any the webhook missed.

Safe to run at any time (cron, after an outage): each event applies once (see `stripe_events`), so
events already received change nothing. Parked events (their gift was not recorded yet) are tried
again, asking Stripe what they refer to; those that still match no gift are listed, and the command
exits with status 2 so that cron mails the list
(staff also see them in the admin's Parked events).
"""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from quartier.donations import inbox, stripe_events
from quartier.donations.gateways import stripe_client

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Apply Stripe events of the last hours that the webhook did not record; list unmatched ones."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--hours", type=int, default=72, help="How far back to look (Stripe keeps 30 days)."
        )

    def handle(self, *args, hours: int, **options) -> None:
        if hours <= 0 or hours > 30 * 24:
            raise CommandError("--hours must be between 1 and 720")
        since = int(time.time()) - hours * 3600
        counts: dict[str, int] = {}
        events = stripe_client().v1.events.list({"created": {"gte": since}, "limit": 100})
        # Oldest first, so that a gift is recorded before the refund that follows it (either order works).
        for event in reversed(list(events.auto_paging_iter())):
            try:
                outcome = stripe_events.apply_event(event.to_dict())
            except stripe_events.MalformedEvent as error:
                logger.warning("stripe event %s is malformed: %s", event.to_dict().get("id"), error)
                outcome = "malformed"
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items())) or "no events"
        self.stdout.write(f"Stripe events since {hours} h ago — {summary}")
        retried = stripe_events.retry_parked(ask_stripe=True)
        if retried:
            summary = ", ".join(f"{name}: {count}" for name, count in sorted(retried.items()))
            self.stdout.write(f"Parked events tried again — {summary}")
        waiting, given_up = stripe_events.unmatched(), inbox.failed()
        if not waiting and not given_up:
            return
        failures = [
            f"  {row.event_id} {row.type} received {row.received_at:%Y-%m-%d %H:%M} UTC, {row.attempts} tries: "
            f"{row.last_error[:200]}"
            for row in given_up
        ]
        lines = [
            f"  {parked.event_id} {parked.type} parked {parked.parked_at:%Y-%m-%d %H:%M} UTC, {parked.attempts} "
            f"attempts (payment {parked.payment_intent or '-'}, invoice {parked.invoice or '-'}, "
            f"subscription {parked.subscription or '-'}, gift {parked.donation_id_hint or '-'})"
            for parked in waiting
        ]
        message = "\n".join(
            (
                [f"{len(waiting)} Stripe event(s) match no gift and are NOT applied:", *lines]
                if waiting
                else []
            )
            + (
                [f"{len(given_up)} stored Stripe event(s) failed every try (the inbox):", *failures]
                if given_up
                else []
            )
        )
        logger.error(message)
        raise CommandError(message, returncode=2)
