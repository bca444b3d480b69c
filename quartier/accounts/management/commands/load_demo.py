"""`quartier load_demo [--supporters 500]`: the demo campaign, loaded once, with logins printed.

Named accounts for testers (an organiser with two-factor authentication, supporters in French and
English, an ambassador, a paid canvasser), then synthetic supporters from `bench.generator`. Running it
again loads nothing and prints the logins. It refuses to run in production: every password is public.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from bench.generator import (
    DEMO_PASSWORD,
    GENERATED_EMAIL_DOMAIN,
    consent_wordings,
    ensure_causes,
    generate_campaign,
)
from quartier.accounts import actions
from quartier.accounts.actions import ProfileChanges
from quartier.accounts.models import Affiliation, EmailConsent, Supporter, Visibility

ORGANISER_EMAIL = "organiser@demo.quartier.test"
# A fixed secret so that testers can add the organiser to an authenticator app (or run `demo_code`).
DEMO_TOTP_SECRET = "QUARTIERDEMOQUARTIERDEMOQUARTIER"  # base32, 20 bytes


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str  # shown in the printed logins
    language: str
    country: str
    postal_code: str
    bio: str
    why_involved: str
    causes: tuple[str, ...]
    languages_spoken: tuple[str, ...]
    affiliation: str = Affiliation.NONE
    is_staff: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        email=ORGANISER_EMAIL,
        display_name="Camille Roy",
        role="organiser (staff, two-factor)",
        language="fr",
        country="CA",
        postal_code="H2T 1S6",
        bio=(
            "Organisatrice de la campagne pour le Grand Montréal. Avant, dix ans dans le milieu "
            "communautaire, surtout en logement.\n\n*Campaign organiser for Greater Montréal — écrivez-moi "
            "en français ou en anglais.*"
        ),
        why_involved=(
            "Parce que les campagnes se gagnent **quartier par quartier**, avec des gens qui se connaissent."
        ),
        causes=("housing", "democracy", "public-transit"),
        languages_spoken=("fr", "en"),
        affiliation=Affiliation.STAFF,
        is_staff=True,
    ),
    DemoAccount(
        email="marie@demo.quartier.test",
        display_name="Marie Tremblay",
        role="supporter (français, Montréal)",
        language="fr",
        country="CA",
        postal_code="H2J 2L1",
        bio=(
            "Infirmière au CLSC du Plateau, mère de deux ados et cycliste quatre saisons. Je fais partie du "
            "comité de ruelle verte de mon coin."
        ),
        why_involved=(
            "J'ai vu trop de patients attendre un médecin de famille. Je veux un réseau de santé public qui "
            "tient ses promesses."
        ),
        causes=("health-care", "climate"),
        languages_spoken=("fr", "en"),
    ),
    DemoAccount(
        email="sam@demo.quartier.test",
        display_name="Sam Okafor",
        role="supporter (English, Toronto)",
        language="en",
        country="CA",
        postal_code="M6G 1K8",
        bio=(
            "High-school history teacher in Toronto, amateur baker and board-game night host. I can lend "
            "my backyard for summer meetings."
        ),
        why_involved="Because my students deserve a city they can afford to stay in.",
        causes=("housing", "education", "public-transit"),
        languages_spoken=("en", "fr", "es"),
    ),
    DemoAccount(
        email="lea@demo.quartier.test",
        display_name="Léa Martin",
        role="supporter (français, Paris)",
        language="fr",
        country="FR",
        postal_code="75011",
        bio=(
            "Graphiste indépendante à Paris, bénévole à l'AMAP de mon quartier le jeudi soir. J'aime les "
            "affiches, les marchés et les longues discussions."
        ),
        why_involved="Pour une alimentation locale accessible à tout le monde, pas seulement à quelques-uns.",
        causes=("local-food", "climate"),
        languages_spoken=("fr", "en", "es"),
    ),
    DemoAccount(
        email="alex@demo.quartier.test",
        display_name="Alex Gagnon",
        role="ambassador",
        language="en",
        country="CA",
        postal_code="K1N 5T5",
        bio=(
            "Campaign ambassador in Ottawa. Public servant by day, bilingual by necessity and by choice. "
            "I help new volunteers find their first task."
        ),
        why_involved="I want the campaign to feel like a neighbourhood, not a call centre.",
        causes=("democracy", "reconciliation"),
        languages_spoken=("en", "fr"),
        affiliation=Affiliation.AMBASSADOR,
    ),
    DemoAccount(
        email="jordan@demo.quartier.test",
        display_name="Jordan Lee",
        role="paid canvasser",
        language="en",
        country="CA",
        postal_code="M5V 2T6",
        bio="Paid canvasser for the campaign this autumn. Former barista; I can talk to anyone.",
        why_involved="Good work, fair pay, and conversations that matter.",
        causes=("workers-rights", "affordable-childcare"),
        languages_spoken=("en",),
        affiliation=Affiliation.PAID,
    ),
)


def organiser_totp_secret() -> str | None:
    """The organiser's TOTP secret as stored by allauth (None before `load_demo`)."""
    authenticator = Authenticator.objects.filter(
        user__email=ORGANISER_EMAIL, type=Authenticator.Type.TOTP
    ).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def current_totp_code(secret: str) -> tuple[str, int]:
    """The code an authenticator app shows now for `secret`, and the seconds it stays valid."""
    now = int(time.time())
    period = mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


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
        lines.append("=" * 78)
        self.stdout.write("\n".join(lines))


@transaction.atomic
def create_demo_accounts() -> list[Supporter]:
    """The named demo accounts, verified, with profiles, consents and (for the organiser) two factors."""
    causes = {cause.slug: cause for cause in ensure_causes()[0]}
    wordings = consent_wordings()
    now = timezone.now()
    created: list[Supporter] = []
    organiser: Supporter | None = None
    for account in DEMO_ACCOUNTS:
        supporter = Supporter.objects.create_user(
            account.email,
            DEMO_PASSWORD,
            display_name=account.display_name,
            handle=actions.unique_handle(account.display_name),
            language=account.language,
            is_staff=account.is_staff,
            email_verified_at=now,
        )
        EmailAddress.objects.create(user=supporter, email=supporter.email, verified=True, primary=True)
        actions.update_profile(
            supporter=supporter,
            changes=ProfileChanges(
                handle=supporter.handle,
                display_name=account.display_name,
                country=account.country,
                postal_code=account.postal_code,
                bio=account.bio,
                why_involved=account.why_involved,
                causes=[causes[slug] for slug in account.causes],
                languages_spoken=list(account.languages_spoken),
                links=[],
                visibility=dict.fromkeys(("bio", "why_involved", "causes", "languages"), Visibility.PUBLIC),
            ),
        )
        actions.record_email_consent(
            supporter=supporter,
            topic=EmailConsent.Topic.CAMPAIGN_NEWS,
            granted=True,
            wording=wordings[account.language],
            language=account.language,
            source=EmailConsent.Source.DEMO,
            ip_address=None,
        )
        if account.is_staff:
            organiser = supporter
            TOTP.activate(supporter, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(supporter)
        created.append(supporter)
    assert organiser is not None
    for supporter, account in zip(created, DEMO_ACCOUNTS, strict=True):
        if account.affiliation:
            # Through the action, so that the labels have their audit trail like real ones.
            actions.set_affiliation(
                supporter=supporter, affiliation=account.affiliation, changed_by=organiser
            )
    return created
