"""`quartier load_demo [--supporters 500]`: the demo campaign, loaded once, with logins printed.

Named accounts for testers (`demo_people.py`, created by `people_data.py`), then synthetic supporters,
local groups and events from `quartier/demo/generator.py`, and each app's demo data (`*_data.py`).
Running it again loads nothing (it only adds what is missing) and prints the logins. It refuses to run
in production: every password is public.
"""

from __future__ import annotations

import os
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.accounts.models import Supporter
from quartier.demo import dashboard_data, reach_data
from quartier.demo.demo_people import DEMO_ACCOUNTS, DEMO_TOTP_SECRET, MARIE_EMAIL, ORGANISER_EMAIL
from quartier.demo.donations_data import create_demo_donations, demo_donation_links
from quartier.demo.fieldwork_data import load_fieldwork_demo
from quartier.demo.generator import DEMO_PASSWORD, GENERATED_EMAIL_DOMAIN, generate_campaign
from quartier.demo.lending_data import load_lending_demo
from quartier.demo.outreach_data import load_outreach_demo
from quartier.demo.people_data import (
    create_demo_accounts,
    create_demo_groups,
    current_totp_code,
    demo_links,
    organiser_totp_secret,
)
from quartier.demo.social_data import load_demo_social


class Command(BaseCommand):
    help = "Load the demo campaign once (named demo accounts and synthetic supporters) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supporters", type=int, default=500, help="synthetic supporters to add")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("load_demo creates accounts with published passwords: not in production.")
        if Supporter.objects.filter(email=ORGANISER_EMAIL).exists():
            self.stdout.write("The demo campaign is already loaded.")
        else:
            self.stdout.write("Loading the demo campaign…")
            create_demo_accounts()
            self.stdout.write(f"  {len(DEMO_ACCOUNTS)} demo accounts created")
            generate_campaign(supporters=options["supporters"], progress=self.stdout.write)
        groups = create_demo_groups()
        if groups:
            self.stdout.write(f"  {len(groups)} groups of the demo accounts created, with their events")
        load_outreach_demo(ORGANISER_EMAIL, progress=self.stdout.write)
        gifts = create_demo_donations(
            {s.email: s for s in Supporter.objects.filter(email__endswith="@demo.quartier.test")}
        )
        if gifts:
            self.stdout.write(f"  {gifts} gifts and 2 fundraising pages created (sandbox payments)")
        load_demo_social(self.stdout.write)
        self.stdout.write(
            "\n".join(load_fieldwork_demo(volunteer_email=MARIE_EMAIL)) or "  fieldwork demo: already loaded"
        )
        reach_data.add_cascades()  # journalled before the dashboards count the journal
        load_lending_demo(ORGANISER_EMAIL, MARIE_EMAIL, self.stdout.write)
        dashboard_data.load(progress=self.stdout.write)
        reach_data.load(progress=self.stdout.write)
        self.print_logins()

    def print_logins(self) -> None:
        port = os.environ.get("PORT", "8000")
        secret = organiser_totp_secret() or DEMO_TOTP_SECRET
        code, seconds_left = current_totp_code(secret)
        organiser = Supporter.objects.get(email=ORGANISER_EMAIL)
        recovery = Authenticator.objects.filter(
            user=organiser, type=Authenticator.Type.RECOVERY_CODES
        ).first()
        recovery_codes = RecoveryCodes(recovery).get_unused_codes()[:3] if recovery else []
        width = max(len(account.email) for account in DEMO_ACCOUNTS)
        lines = [
            "",
            "=" * 78,
            f"Quartier demo: http://127.0.0.1:{port}",
            "",
            f"Every demo login below uses the password: {DEMO_PASSWORD}",
        ]
        lines += [f"  {account.email:<{width}}  {account.role}" for account in DEMO_ACCOUNTS]
        lines += [
            f"  supporter-<n>@{GENERATED_EMAIL_DOMAIN:<{width - 14}}  generated supporters (n = 1, 2, …)",
            "",
            "The organiser signs in with a second factor (TOTP):",
            f"  secret (base32, for an authenticator app): {secret}",
            f"  current code: {code} (valid {seconds_left} s more); run `quartier demo_code` for a fresh one",
        ]
        if recovery_codes:
            lines.append(f"  unused recovery codes: {', '.join(recovery_codes)}")
        links = demo_links(port)
        if links:
            lines += [
                "",
                "Local groups and events of the demo accounts (Marie is a member and has RSVPed):",
                *links,
            ]
        lines += demo_donation_links(port)
        lines.append("=" * 78)
        self.stdout.write("\n".join(lines))
