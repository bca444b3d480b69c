"""`quartier demo_code`: the demo organiser's current two-factor code, for testers without an app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from quartier.demo.demo_people import ORGANISER_EMAIL
from quartier.demo.people_data import current_totp_code, organiser_totp_secret


class Command(BaseCommand):
    help = "Print the demo organiser's current 6-digit TOTP code."

    def handle(self, *args: Any, **options: Any) -> None:
        secret = organiser_totp_secret()
        if secret is None:
            raise CommandError(f"{ORGANISER_EMAIL} has no authenticator: run `quartier load_demo` first.")
        code, seconds_left = current_totp_code(secret)
        self.stdout.write(code)
        self.stderr.write(f"{ORGANISER_EMAIL}: valid for {seconds_left} more seconds")
