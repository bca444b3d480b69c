"""`quartier load_demo [--supporters 500]`: the demo campaign, loaded once, with logins printed.

Named accounts for testers (an organiser with two-factor authentication, supporters in French and
English, an ambassador, a paid canvasser), then synthetic supporters, local groups and events from
`quartier/demo/generator.py`. The named accounts have a local life too: the organiser leads a group in Montréal and
hosts two upcoming events (a canvass with two shifts, an online phone bank), Marie is a member who has
RSVPed, and Léa (Paris) and Sam (Toronto) lead groups with an event each. Running it again loads nothing
(it only adds what is missing) and prints the logins. It refuses to run in production: every password is
public.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from quartier.accounts import actions
from quartier.accounts.actions import ProfileChanges
from quartier.accounts.models import CAMPAIGN_NEWS, Affiliation, ConsentRecord, Supporter, Visibility
from quartier.demo import dashboard_data
from quartier.demo.donations_data import create_demo_donations, demo_donation_links
from quartier.demo.fieldwork_data import load_fieldwork_demo
from quartier.demo.generator import (
    DEMO_PASSWORD,
    GENERATED_EMAIL_DOMAIN,
    consent_wordings,
    ensure_causes,
    generate_campaign,
)
from quartier.demo.outreach_data import load_outreach_demo
from quartier.demo.social_data import load_demo_social
from quartier.lib.places import find_place
from quartier.organizing.actions import common as organizing_common
from quartier.organizing.actions import events as organizing_events
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.forms.fields import HOST_CONSENT_WORDING, LEADER_CONSENT_WORDING
from quartier.organizing.models import Event, EventType, Group, Rsvp, Shift

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


MARIE_EMAIL = "marie@demo.quartier.test"


@dataclass(frozen=True)
class DemoShift:
    day: int  # days from today, moved forward to `weekday` when one is given
    start: tuple[int, int]  # local (hour, minute)
    minutes: int
    capacity: int


@dataclass(frozen=True)
class DemoEvent:
    title: str
    event_type: str
    description: str
    shifts: tuple[DemoShift, ...]
    weekday: int | None = None  # 0 = Monday … 5 = Saturday
    is_virtual: bool = False
    join_url: str = ""
    venue: str = ""
    address: str = ""
    address_visibility: str = Event.AddressVisibility.PUBLIC
    max_guests_per_rsvp: int = 0


@dataclass(frozen=True)
class DemoGroup:
    leader_email: str
    name: str
    area: str
    description: str
    country: str
    postal_code: str
    time_zone: str
    events: tuple[DemoEvent, ...]
    neighbour_codes: tuple[str, ...]  # generated supporters living at these postal code starts join in
    featured: bool = False


DEMO_GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup(
        leader_email=ORGANISER_EMAIL,
        name="Mile End pour le logement",
        area="Mile End",
        description=(
            "Locataires, propriétaires occupants et commerçants du Mile End : on se réunit pour des loyers "
            "abordables et des logements bien entretenus.\n\n*Tenants, owners and shopkeepers of the Mile "
            "End, organising for affordable, well-kept homes. English spoken at every meeting.*"
        ),
        country="CA",
        postal_code="H2T 1S6",
        time_zone="America/Montreal",
        neighbour_codes=("H2T", "H2J", "H2V", "H2S"),
        featured=True,
        events=(
            DemoEvent(
                title="Porte-à-porte : le Mile End / Mile End canvass",
                event_type=EventType.CANVASS,
                description=(
                    "On frappe aux portes pour parler logement avec les voisins. Séance d'accueil de 15 "
                    "minutes au début ; on part toujours à deux.\n\n*We knock on doors to talk housing with "
                    "our neighbours. A 15-minute briefing first; nobody goes alone.*"
                ),
                weekday=5,
                shifts=(DemoShift(3, (10, 0), 150, 12), DemoShift(3, (13, 0), 150, 12)),
                venue="Local de campagne",
                address="5350 boulevard Saint-Laurent",
            ),
            DemoEvent(
                title="Soirée d'appels bilingue / Bilingual phone bank",
                event_type=EventType.PHONE_BANK,
                description=(
                    "Des appels depuis chez vous : on invite les sympathisants au porte-à-porte de samedi. "
                    "Le lien est envoyé après l'inscription.\n\n*Calls from home, in French or English: the "
                    "link is shown once you RSVP.*"
                ),
                weekday=2,
                shifts=(DemoShift(1, (18, 30), 120, 30),),
                is_virtual=True,
                join_url="https://meet.example.org/quartier-mile-end-appels",
            ),
        ),
    ),
    DemoGroup(
        leader_email="lea@demo.quartier.test",
        name="Bénévoles du 11e",
        area="11e arrondissement",
        description=(
            "Le groupe des bénévoles du 11e arrondissement : porte-à-porte, marchés, AMAP et affiches. On se "
            "retrouve un jeudi sur deux."
        ),
        country="FR",
        postal_code="75011",
        time_zone="Europe/Paris",
        neighbour_codes=("75011", "75010", "75012", "75020", "75003"),
        events=(
            DemoEvent(
                title="Atelier affiches et tracts — 11e arrondissement",
                event_type=EventType.OTHER,
                description=(
                    "Feutres, peinture et grandes feuilles : on prépare les affiches du marché de dimanche. "
                    "Goûter offert."
                ),
                weekday=3,
                shifts=(DemoShift(7, (19, 0), 120, 20),),
                venue="Maison des associations",
                address="8 rue du Général-Renault",
            ),
        ),
    ),
    DemoGroup(
        leader_email="sam@demo.quartier.test",
        name="Christie Pits for Housing",
        area="Christie Pits",
        description=(
            "Neighbours around Christie Pits park who want a city teachers, nurses and baristas can afford "
            "to live in. Board games after every meeting."
        ),
        country="CA",
        postal_code="M6G 1K8",
        time_zone="America/Toronto",
        neighbour_codes=("M6G", "M5V", "M4Y"),
        events=(
            DemoEvent(
                title="Backyard house party: housing in Christie Pits",
                event_type=EventType.HOUSE_PARTY,
                description="Potluck in Sam's backyard (indoors if it rains). Bring a dish and a curious neighbour.",
                weekday=4,
                shifts=(DemoShift(10, (18, 30), 150, 25),),
                venue="At Sam's home",
                address="Christie Street",
                address_visibility=Event.AddressVisibility.ATTENDEES,
                max_guests_per_rsvp=2,
            ),
        ),
    ),
)
NEIGHBOURS_PER_GROUP = 10
NEIGHBOUR_RSVPS_PER_SHIFT = 5


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
        dashboard_data.load(progress=self.stdout.write)
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
        actions.record_consent(
            supporter=supporter,
            audience=CAMPAIGN_NEWS,
            granted=True,
            wording=wordings[account.language],
            language=account.language,
            source=ConsentRecord.Source.DEMO,
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


# --- the demo accounts' local life ---------------------------------------------------------------------


def _local_day(zone: ZoneInfo, days: int, weekday: int | None) -> date:
    """The day `days` from today where the event is, moved forward to `weekday` when one is given."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def _neighbours(codes: tuple[str, ...], count: int) -> list[Supporter]:
    """Verified generated supporters living at postal codes starting with one of `codes`."""
    found: list[Supporter] = []
    for code in codes:
        found += Supporter.objects.filter(
            email__startswith="supporter-",
            email__endswith=f"@{GENERATED_EMAIL_DOMAIN}",
            email_verified_at__isnull=False,
            postal_code__startswith=code,
        ).order_by("pk")[: count - len(found)]
        if len(found) >= count:
            break
    return found


def _join(supporter: Supporter, group: Group) -> None:
    organizing_groups.join_group(
        supporter=supporter,
        group=group,
        accepts_messages=True,
        consent_wording=str(LEADER_CONSENT_WORDING),
        language=supporter.language,
        ip_address=None,
        is_listed=True,
    )


def _demo_rsvp(supporter: Supporter, shift: Shift, event: Event) -> None:
    """What `actions.rsvp` writes (confirmed while places remain), without the confirmation email."""
    if Rsvp.objects.filter(shift=shift, supporter=supporter).exists():
        return
    shift.refresh_from_db(fields=["confirmed_count"])
    confirmed = shift.confirmed_count + 1 <= shift.capacity
    Rsvp.objects.create(
        shift=shift,
        supporter=supporter,
        status=Rsvp.Status.CONFIRMED if confirmed else Rsvp.Status.WAITLISTED,
    )
    if confirmed:
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
    actions.record_consent(
        supporter=supporter,
        audience=organizing_common.event_audience(event),
        granted=True,
        wording=str(HOST_CONSENT_WORDING),
        language=supporter.language,
        source=ConsentRecord.Source.RSVP,
        ip_address=None,
    )


def _create_demo_event(group: Group, leader: Supporter, spec: DemoEvent, zone_name: str) -> Event:
    zone = ZoneInfo(zone_name)
    shifts = []
    for shift in spec.shifts:
        day = _local_day(zone, shift.day, spec.weekday)
        starts_at = datetime.combine(day, time_of_day(*shift.start), zone)
        shifts.append(
            organizing_events.ShiftDraft(
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=shift.minutes),
                capacity=shift.capacity,
            )
        )
    return organizing_events.create_event(
        host=leader,
        draft=organizing_events.EventDraft(
            title=spec.title, description=spec.description, event_type=spec.event_type,
            is_virtual=spec.is_virtual, join_url=spec.join_url, venue=spec.venue, address=spec.address,
            address_visibility=spec.address_visibility, country=group.country,
            postal_code="" if spec.is_virtual else group.postal_code, town="" if spec.is_virtual else group.town,
            latitude=None if spec.is_virtual else group.latitude,
            longitude=None if spec.is_virtual else group.longitude,
            time_zone=zone_name, max_guests_per_rsvp=spec.max_guests_per_rsvp, group=group, shifts=shifts,
        ),
    )  # fmt: skip


@transaction.atomic
def create_demo_groups() -> list[Group]:
    """The named accounts' groups and events (each created once: a group found by its address is kept)."""
    created: list[Group] = []
    marie = Supporter.objects.get(email=MARIE_EMAIL)
    for spec in DEMO_GROUPS:
        if Group.objects.filter(slug=slugify(spec.name)).exists():
            continue
        leader = Supporter.objects.get(email=spec.leader_email)
        place = find_place(spec.country, spec.postal_code)
        assert place is not None and place.latitude is not None and place.longitude is not None
        group = organizing_groups.create_group(
            creator=leader,
            draft=organizing_groups.GroupDraft(
                name=spec.name, description=spec.description, area=spec.area, country=spec.country,
                postal_code=place.postal_code, latitude=place.latitude, longitude=place.longitude, town=place.town,
                join_policy=Group.JoinPolicy.OPEN,
            ),
        )  # fmt: skip
        if spec.featured:
            organizing_groups.set_group_featured(group=group, featured=True)
        neighbours = _neighbours(spec.neighbour_codes, NEIGHBOURS_PER_GROUP)
        with_marie = spec.leader_email == ORGANISER_EMAIL
        for supporter in [marie, *neighbours] if with_marie else neighbours:
            _join(supporter, group)
        for event_spec in spec.events:
            event = _create_demo_event(group, leader, event_spec, spec.time_zone)
            for index, shift in enumerate(event.shifts.order_by("starts_at", "pk")):
                # Neighbours take a few places; Marie goes to the first shift of the organiser's canvass.
                attendees = neighbours[index::2][:NEIGHBOUR_RSVPS_PER_SHIFT]
                if with_marie and index == 0 and event.event_type == EventType.CANVASS:
                    attendees = [marie, *attendees]
                for supporter in attendees:
                    _demo_rsvp(supporter, shift, event)
        created.append(group)
    return created


def demo_links(port: str) -> list[str]:
    """The addresses of the demo accounts' groups and events, for the printed logins."""
    lines: list[str] = []
    for spec in DEMO_GROUPS:
        group = Group.objects.filter(slug=slugify(spec.name)).first()
        if group is None:
            continue
        leader = next(account for account in DEMO_ACCOUNTS if account.email == spec.leader_email)
        lines.append(
            f"  group  http://127.0.0.1:{port}{group.get_absolute_url()}  {group.name} (led by {leader.display_name})"
        )
        for event in Event.objects.filter(group=group, host=group.created_by).order_by("starts_at", "pk"):
            shifts = event.shifts.count()
            lines.append(
                f"  event  http://127.0.0.1:{port}{event.get_absolute_url()}  {event.title} "
                f"({event.get_event_type_display().lower()}, {shifts} shift{'s' if shifts > 1 else ''})"
            )
    return lines
