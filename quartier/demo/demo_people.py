"""The named demo accounts and their local groups and events, as data.

Testers sign in as these people (every password is `generator.DEMO_PASSWORD`): an organiser with
two-factor authentication, supporters in French and English, an ambassador, a paid canvasser. The
organiser leads a group in Montréal and hosts two upcoming events (a canvass with two shifts, an online
phone bank), Marie is a member who has RSVPed, and Léa (Paris) and Sam (Toronto) lead groups with an
event each. `people_data.py` creates them; `load_demo` runs it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from quartier.accounts.models import Affiliation
from quartier.organizing.models import Event, EventType

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
