"""`quartier rebuild_dashboards`: journal what the raw tables hold, then recount every figure."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from quartier.dashboard import actions, backfill


class Command(BaseCommand):
    help = "Backfill the activity journal from existing records, then recount every dashboard figure."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-backfill", action="store_true", help="Only recount the figures.")

    def handle(self, *args, no_backfill: bool = False, **options) -> None:
        started = time.monotonic()
        if not no_backfill:
            for kind, added in backfill.backfill_journal(progress=self.stdout.write):
                self.stdout.write(f"journal: {kind}: {added} rows written")
        read = actions.rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Recounted {read} journal rows in {time.monotonic() - started:.1f} s")
        )
