"""`quartier reconcile_stripe`: list Stripe's recent events and apply any the webhook missed.

Safe to run at any time (cron, after an outage): each event applies once (see `stripe_events`), so
events already received change nothing.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from quartier.donations import stripe_events
from quartier.donations.gateways import stripe_client


class Command(BaseCommand):
    help = "Apply Stripe events of the last hours that the webhook did not record."

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
            outcome = stripe_events.apply_event(event.to_dict())
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items())) or "no events"
        self.stdout.write(f"Stripe events since {hours} h ago — {summary}")
