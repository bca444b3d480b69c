"""A synthetic campaign, in French and English, for the demo and for the benchmarks.

One generator serves both: `quartier load_demo` adds a few hundred supporters, `python -m bench` adds
two million. It streams supporters in batches (never the whole campaign in memory), hashes one password
for all of them, writes with PostgreSQL's COPY when it runs on PostgreSQL and with `bulk_create`
elsewhere, and appends on every run: emails `supporter-<n>@example.org` continue after the highest `n`
already present, handles end in `-<n>`, so a second run never collides with the first.

Names are drawn from pools made once by Faker (fr_FR, fr_CA, en_CA, en_US; Faker comes with the `demo`
extra, not with the product); places are real postal codes (the bundled Canadian and French table and
a few US ZIP codes) with coordinates jittered by up to 2 km; bios are short Markdown texts rendered
once per text, not once per supporter.

Extension point: later capabilities add their data by appending to one of two lists.

- `SUPPORTER_BATCH_STEPS`: rows that belong to each new supporter (a profile, an email address, …),
  called once per batch, inside the batch's transaction, with the batch's `NewSupporter`s.
- `STEPS`: whole-campaign steps run in order after the supporters exist (groups, events, friendships,
  donations, …); each receives the `GenerationContext`, whose `supporter_ids` lists the supporters this
  run added and whose `random` is the seeded random source.

Local groups and events (the "groups" and "events" steps) are made around the generated supporters
already in the database, this run's and earlier runs' alike: by default 35,000 groups and 200,000 events
for two million supporters (`default_groups`, `default_events`), at the bundled places, led, hosted,
joined and attended by verified generated supporters living within `NEARBY_KM` of them.
"""

from __future__ import annotations

import json
import math
import random
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from functools import cache
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.text import slugify

from quartier.accounts.badges import Badge
from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.accounts.models import (
    CAMPAIGN_NEWS,
    Cause,
    Consent,
    ConsentRecord,
    Profile,
    Supporter,
    Visibility,
)
from quartier.demo import organizing_texts, social_data
from quartier.demo.faker_extra import Faker
from quartier.lib.geo import haversine_km
from quartier.lib.ids import handle_from_name
from quartier.lib.places import Place, bundled_places, find_place
from quartier.lib.text import render_markdown
from quartier.organizing.models import Event, EventType, Group, Membership, Rsvp, Shift, public_point

# Every generated supporter (and every named demo account) signs in with this password.
DEMO_PASSWORD = "quartier-demo"
GENERATED_EMAIL_DOMAIN = "example.org"
_GENERATED_EMAIL_REGEX = r"^supporter-[1-9][0-9]*@example\.org$"

NAME_LOCALES: dict[str, tuple[str, ...]] = {"fr": ("fr_FR", "fr_CA"), "en": ("en_CA", "en_US")}
NAMES_PER_LOCALE = 1500  # draws per locale; the pools keep the distinct names (a few thousand in all)
NAME_FROM_OWN_LANGUAGE = 0.85  # the rest borrow a first or last name from the other language's pool

US_ZIP_CODES = ("10001", "02139", "60614", "94110", "98103", "20001")
COUNTRY_SHARES = {"CA": 0.6, "FR": 0.3, "US": 0.1}
CANADIAN_LDU_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # letters allowed in the last three characters
JITTER_METRES = 2000.0
METRES_PER_DEGREE = 111_320.0

VERIFIED_SHARE = 0.9
NEWS_CONSENT_SHARE = 0.6
JOINED_WITHIN = timedelta(days=730)
CAUSE_COUNT_WEIGHTS = (0.2, 0.35, 0.3, 0.15)  # 0, 1, 2 or 3 causes per profile
OTHER_OFFICIAL_LANGUAGE_SHARE = 0.45
THIRD_LANGUAGE_SHARE = 0.12
THIRD_LANGUAGES = ("es", "ar", "ht", "pt", "zh-hans", "vi", "it", "de")
# Drawn with `random.choice`: 60 % public, 30 % supporters, 10 % private.
FIELD_VISIBILITY_DRAW = (Visibility.PUBLIC,) * 6 + (Visibility.SUPPORTERS,) * 3 + (Visibility.PRIVATE,)
TOWN_VISIBILITY_DRAW = (Visibility.SUPPORTERS,) * 5 + (Visibility.PUBLIC,) * 3 + (Visibility.PRIVATE,) * 2

# (slug, English name, French name)
CAUSES: tuple[tuple[str, str, str], ...] = (
    ("climate", "Climate", "Climat"),
    ("housing", "Housing", "Logement"),
    ("public-transit", "Public transit", "Transport en commun"),
    ("health-care", "Health care", "Santé"),
    ("education", "Education", "Éducation"),
    ("democracy", "Democracy", "Démocratie"),
    ("workers-rights", "Workers' rights", "Droits des travailleurs"),
    ("local-food", "Local food", "Alimentation locale"),
    ("affordable-childcare", "Affordable childcare", "Garderies abordables"),
    ("reconciliation", "Reconciliation", "Réconciliation"),
)

# Used until the French message catalogue translates the sign-up wording (see `consent_wordings`).
FRENCH_NEWS_CONSENT_WORDING = (
    "Oui, envoyez-moi par courriel les nouvelles et les appels à l'action de la campagne. "
    "Je peux me désabonner en tout temps."
)

BIOS: dict[str, tuple[str, ...]] = {
    "en": (
        "Retired high-school science teacher. I garden, I bike, and I read far too many newspapers.",
        "Night-shift nurse, mother of two, and a firm believer that *everyone* deserves a family doctor.",
        "I run a small bakery and sit on our neighbourhood merchants' association.",
        "Software developer by day, choir tenor by night. Happy to help with anything involving a "
        "spreadsheet.",
        "Second-year nursing student. First campaign! Still figuring out how door-knocking works.",
        "Union steward at a distribution warehouse. I care about **fair schedules** and safe workplaces.",
        "Grandfather of five. I have voted in every election since 1974 and I am not about to stop.",
        "Tenant organiser. Ask me about rent increases, repairs and your rights as a renter.",
        "Paramedic, minor-hockey coach and a decent cook. I can drive people to the polls on election day.",
        "I moved here from Lagos six years ago and became a citizen last spring. This is my first time "
        "volunteering for a campaign.",
        "Librarian. I like quiet rooms and loud debates.",
        "Small farmer: vegetables, eggs and maple syrup. Come and find me at the Saturday market.",
        "Graduate student in urban planning, working on bus network redesign.",
        "Stay-at-home dad of three. Free most weekday mornings, and my living room can host meetings.",
        "Accountant. Yes, I will happily check your fundraising numbers.",
        "Carpenter and amateur historian. I'm happiest when I'm building something with other people.",
        "Early childhood educator for 15 years.\n\nI know exactly what a waiting list of 2,000 families "
        "looks like.",
        "Pharmacist, runner, terrible guitarist.",
        "Recently retired from the post office. I know every street around here, and most of the dogs.",
        "Social worker. Things I can help with:\n\n- phone banking\n- translating into Spanish\n"
        "- baking for events",
    ),
    "fr": (
        "Enseignante au primaire depuis vingt ans. J'aime le vélo, les jardins communautaires et les "
        "bonnes discussions.",
        "Infirmière de nuit, maman de deux enfants, convaincue que *tout le monde* mérite un médecin de "
        "famille.",
        "Je tiens une petite boulangerie et je siège à l'association des commerçants du quartier.",
        "Développeur le jour, choriste le soir. Je peux aider avec tout ce qui ressemble à un tableur.",
        "Étudiante en science politique. Première campagne : j'apprends encore le porte-à-porte !",
        "Délégué syndical dans un entrepôt. Je tiens à des **horaires justes** et à des milieux de travail "
        "sécuritaires.",
        "Grand-père de cinq petits-enfants. J'ai voté à toutes les élections depuis 1976 et je ne compte "
        "pas arrêter.",
        "Militante pour les droits des locataires. Posez-moi vos questions sur les hausses de loyer et les "
        "réparations.",
        "Ambulancier, entraîneur de hockey mineur et bon cuisinier. Je peux conduire des gens au bureau de "
        "vote.",
        "Arrivée d'Haïti il y a huit ans, citoyenne depuis le printemps dernier. C'est mon premier "
        "engagement bénévole.",
        "Bibliothécaire. J'aime les salles calmes et les débats animés.",
        "Maraîcher bio : légumes, œufs et sirop d'érable. Venez me voir au marché du samedi.",
        "Étudiant à la maîtrise en urbanisme ; je travaille sur la refonte du réseau d'autobus.",
        "Papa au foyer, trois enfants. Disponible la plupart des matins de semaine, et mon salon peut "
        "accueillir des réunions.",
        "Comptable. Oui, je vérifierai volontiers vos chiffres de financement.",
        "Menuisier et historien amateur. Je suis heureux quand je construis quelque chose avec d'autres.",
        "Éducatrice de la petite enfance depuis 15 ans.\n\nJe sais ce qu'est une liste d'attente de "
        "2 000 familles.",
        "Pharmacienne, coureuse, guitariste médiocre.",
        "Facteur à la retraite. Je connais chaque rue du quartier, et la plupart des chiens.",
        "Travailleuse sociale. Je peux aider pour :\n\n- les appels téléphoniques\n- la traduction vers "
        "l'espagnol\n- les gâteaux pour les événements",
    ),
}

WHY_INVOLVED: dict[str, tuple[str, ...]] = {
    "en": (
        "Because rent has gone up 40% in five years and my neighbours are being pushed out.",
        "My kids will live with the climate we leave them. I want to be able to tell them I did something.",
        "I waited 14 months for a family doctor. Nobody should have to.",
        "Politics works better when ordinary people show up, so I'm showing up.",
        "The bus that got me to work was cut last year. **Transit is a lifeline**, not a luxury.",
        "I volunteered in the last campaign and met some of my best friends knocking on doors.",
        "Because democracy is not a spectator sport.",
        "Child care cost more than our rent. Affordable child care changed everything for my family.",
        "I want our food to come from farms nearby, and those farms to survive.",
        "My grandmother survived residential school. Reconciliation has to be more than words.",
        "Good jobs with fair pay built my parents' lives. I want the same for the next generation.",
        "I teach teenagers who feel nobody listens to them. I'd like to prove them wrong.",
        "Because *someone* has to make the phone calls, and I like talking to people.",
        "I came here for a better life and I want to give back to the community that welcomed me.",
        "Housing, transit and climate are one problem: how we build our cities.",
        "I retired last year and finally have time to do what I always said I would.",
        "Public schools gave me everything. They deserve proper funding.",
        "I'm tired of complaining at the dinner table. Time to organise.",
        "I want elections decided by voters, not by whoever has the biggest budget.",
        "Three reasons:\n\n1. my neighbours\n2. my kids\n3. the river behind our house",
    ),
    "fr": (
        "Parce que les loyers ont grimpé de 40 % en cinq ans et que mes voisins sont poussés dehors.",
        "Mes enfants vivront avec le climat qu'on leur laisse. Je veux pouvoir leur dire que j'ai agi.",
        "J'ai attendu 14 mois pour avoir un médecin de famille. Personne ne devrait attendre autant.",
        "La politique fonctionne mieux quand les gens ordinaires s'en mêlent, alors je m'en mêle.",
        "L'autobus qui m'amenait au travail a été supprimé l'an dernier. **Le transport en commun est "
        "essentiel**, pas un luxe.",
        "J'ai été bénévole à la dernière campagne et j'y ai rencontré certains de mes meilleurs amis.",
        "Parce que la démocratie n'est pas un sport de spectateurs.",
        "La garderie nous coûtait plus cher que le loyer. Des places abordables ont tout changé pour ma "
        "famille.",
        "Je veux que ce qu'on mange vienne des fermes d'à côté, et que ces fermes survivent.",
        "Ma grand-mère a survécu aux pensionnats. La réconciliation doit aller au-delà des mots.",
        "De bons emplois bien payés ont fait vivre mes parents. Je veux la même chose pour la prochaine "
        "génération.",
        "J'enseigne à des ados qui pensent que personne ne les écoute. J'aimerais leur prouver le contraire.",
        "Parce qu'il faut bien *quelqu'un* pour faire les appels, et j'aime parler aux gens.",
        "Je suis venue ici pour une vie meilleure et je veux redonner à la communauté qui m'a accueillie.",
        "Logement, transport et climat, c'est le même problème : la façon dont on bâtit nos villes.",
        "J'ai pris ma retraite l'an dernier et j'ai enfin le temps de faire ce que je me promettais.",
        "L'école publique m'a tout donné. Elle mérite d'être financée correctement.",
        "J'en ai assez de râler à table. Il est temps de s'organiser.",
        "Je veux que les élections soient décidées par les électeurs, pas par le plus gros budget.",
        "Trois raisons :\n\n1. mes voisins\n2. mes enfants\n3. la rivière derrière chez nous",
    ),
}


# --- what a run produces ------------------------------------------------------------------------------


@dataclass
class GenerationReport:
    """Rows a run added, and how long it took (in total and per step)."""

    supporters: int = 0
    profiles: int = 0
    email_addresses: int = 0
    email_consents: int = 0
    profile_causes: int = 0
    causes_created: int = 0
    groups: int = 0
    memberships: int = 0
    events: int = 0
    shifts: int = 0
    rsvps: int = 0
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Every row added, whatever its table (new integer fields count automatically)."""
        return sum(getattr(self, item.name) for item in fields(self) if item.type == "int")

    @property
    def supporters_per_second(self) -> float:
        return self.supporters / self.seconds if self.seconds else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class NewSupporter:
    """What the per-supporter steps need to know about a supporter the run just inserted."""

    id: int
    number: int
    email: str
    language: str
    country: str
    town: str
    latitude: float
    longitude: float
    date_joined: datetime
    email_verified_at: datetime | None


@dataclass
class GenerationContext:
    """Shared by every step of one run."""

    supporters: int
    batch_size: int
    random: random.Random
    report: GenerationReport
    progress: Callable[[str], None]
    now: datetime
    first_number: int
    use_copy: bool
    password_hash: str = ""
    # First and last names per language (see `name_pools`).
    names: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    cause_ids: list[int] = field(default_factory=list)
    # Ids of the supporters this run added, in insertion order (8 bytes each: 16 MB for two million).
    supporter_ids: array = field(default_factory=lambda: array("q"))
    # Local groups and events to add (see `default_groups` and `default_events`).
    groups: int = 0
    events: int = 0
    # Where the generated supporters live (loaded once, by the first step that needs it).
    neighbourhoods: Neighbourhoods | None = None
    # The active groups this run added, for the events step to tie events to.
    group_seeds: list[GroupSeed] = field(default_factory=list)


Step = Callable[[GenerationContext], None]
SupporterBatchStep = Callable[[GenerationContext, Sequence[NewSupporter]], None]


# --- reference data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignPlace:
    place: Place
    weight: float
    french_share: float  # share of supporters living there whose language is French


def _french_share(place: Place) -> float:
    if place.country == "FR":
        return 0.96
    if place.country == "US":
        return 0.03
    first = place.postal_code[0]
    if first in "GHJ":  # Québec
        return 0.82
    if first == "E":  # New Brunswick
        return 0.35
    if place.postal_code.startswith("K1"):  # Ottawa
        return 0.3
    return 0.1


@cache
def campaign_places() -> tuple[CampaignPlace, ...]:
    """The bundled Canadian and French places plus a few US ZIP codes, weighted by country share."""
    places = [place for place in bundled_places() if place.latitude is not None]
    places += [place for code in US_ZIP_CODES if (place := find_place("US", code)) is not None]
    per_country: dict[str, int] = {}
    for place in places:
        per_country[place.country] = per_country.get(place.country, 0) + 1
    return tuple(
        CampaignPlace(
            place=place,
            weight=COUNTRY_SHARES.get(place.country, 0.0) / per_country[place.country],
            french_share=_french_share(place),
        )
        for place in places
        if COUNTRY_SHARES.get(place.country)
    )


def full_postal_code(place: Place, rng: random.Random) -> str:
    """A full postal code in the place: Canadian FSAs get a local delivery unit (`H2X` → `H2X 1Y4`)."""
    if place.country == "CA" and len(place.postal_code) == 3:
        letters = CANADIAN_LDU_LETTERS
        return f"{place.postal_code} {rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}"
    return place.postal_code


def jittered(place: Place, rng: random.Random) -> tuple[float, float]:
    """A point uniformly spread within `JITTER_METRES` of the place's centroid."""
    assert place.latitude is not None and place.longitude is not None
    distance = JITTER_METRES * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    latitude = place.latitude + distance * math.cos(bearing) / METRES_PER_DEGREE
    longitude = place.longitude + distance * math.sin(bearing) / (
        METRES_PER_DEGREE * math.cos(math.radians(place.latitude))
    )
    return round(latitude, 6), round(longitude, 6)


@cache
def name_pools(seed: int) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """First and last names per language, drawn once from Faker (Faker per row is far too slow)."""
    pools: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for language, locales in NAME_LOCALES.items():
        first_names: set[str] = set()
        last_names: set[str] = set()
        for locale in locales:
            fake = Faker(locale)
            fake.seed_instance(seed)
            for _draw in range(NAMES_PER_LOCALE):
                first_names.add(fake.first_name())
                last_names.add(fake.last_name())
        pools[language] = (tuple(sorted(first_names)), tuple(sorted(last_names)))
    return pools


@cache
def rendered_texts() -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    """Each pool text with its HTML, rendered once: {"bio": {"en": ((markdown, html), …)}, …}."""
    return {
        name: {
            language: tuple((text, render_markdown(text)) for text in texts)
            for language, texts in pool.items()
        }
        for name, pool in (("bio", BIOS), ("why_involved", WHY_INVOLVED))
    }


def consent_wordings() -> dict[str, str]:
    """The sign-up consent sentence in each language, as the sign-up form shows it."""
    english = str(NEWS_CONSENT_WORDING)
    with translation.override("fr"):
        french = str(NEWS_CONSENT_WORDING)
    return {"en": english, "fr": french if french != english else FRENCH_NEWS_CONSENT_WORDING}


def generated_email(number: int) -> str:
    return f"supporter-{number}@{GENERATED_EMAIL_DOMAIN}"


def generated_handle(display_name: str, number: int) -> str:
    """`marie-tremblay-1234`: the name's handle, shortened so that `-<number>` fits in 30 characters."""
    suffix = f"-{number}"
    base = handle_from_name(display_name)[: 30 - len(suffix)].strip("-")
    return f"{base or 'supporter'}{suffix}"


def next_generated_number() -> int:
    """One more than the highest `n` of the `supporter-<n>@example.org` emails already stored."""
    highest = (
        Supporter.objects.filter(email__regex=_GENERATED_EMAIL_REGEX)
        .order_by(Length("email").desc(), "-email")  # same length: text order is number order
        .values_list("email", flat=True)
        .first()
    )
    if highest is None:
        return 1
    return int(highest.split("@", 1)[0].removeprefix("supporter-")) + 1


# --- writing rows -------------------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy_value(value: object) -> object:
    return json.dumps(value) if isinstance(value, list | dict) else value


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[object, ...]], *, use_copy: bool
) -> None:
    """Insert rows given as tuples of `columns` (attribute names); other fields take their defaults.

    On PostgreSQL this streams the rows through COPY; elsewhere it builds model instances for
    `bulk_create`. The caller holds the transaction.
    """
    if not rows:
        return
    if not use_copy:
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        return
    meta = model._meta
    by_attname = {item.attname: item for item in meta.concrete_fields}
    missing = [
        item
        for item in meta.concrete_fields
        if item.attname not in columns and not (item.primary_key and isinstance(item, models.AutoField))
    ]
    defaults = tuple(_copy_value(item.get_default()) for item in missing)
    json_positions = [
        position for position, name in enumerate(columns) if isinstance(by_attname[name], models.JSONField)
    ]
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(by_attname[name].column) for name in columns) + "".join(
        f", {quote(item.column)}" for item in missing
    )
    statement = f"COPY {quote(meta.db_table)} ({column_list}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if json_positions:
                values = list(row)
                for position in json_positions:
                    values[position] = json.dumps(values[position])
                copy.write_row((*values, *defaults))
            else:
                copy.write_row((*row, *defaults))


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Take `count` ids from the table's sequence, so that COPY can write the primary keys itself."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# --- steps --------------------------------------------------------------------------------------------


def ensure_causes() -> tuple[list[Cause], int]:
    """The campaign's causes, created when missing; returns them and how many were created."""
    causes, created_count = [], 0
    for slug, name_en, name_fr in CAUSES:
        cause, created = Cause.objects.get_or_create(
            slug=slug, defaults={"name_en": name_en, "name_fr": name_fr}
        )
        causes.append(cause)
        created_count += created
    return causes, created_count


def create_causes(context: GenerationContext) -> None:
    causes, created = ensure_causes()
    context.cause_ids = [cause.pk for cause in causes]
    context.report.causes_created += created


SUPPORTER_COLUMNS = (
    "id", "password", "email", "handle", "display_name", "country", "postal_code", "town", "latitude",
    "longitude", "language", "email_verified_at", "date_joined", "shown_badges",
)  # fmt: skip


def _insert_supporters(context: GenerationContext, first_number: int, count: int) -> list[NewSupporter]:
    rng = context.random
    places = campaign_places()
    chosen = rng.choices(places, weights=[place.weight for place in places], k=count)
    names = context.names
    joined_span = JOINED_WITHIN.total_seconds()
    rows: list[list[object]] = []
    batch: list[NewSupporter] = []
    for offset, campaign_place in enumerate(chosen):
        number = first_number + offset
        place = campaign_place.place
        language = "fr" if rng.random() < campaign_place.french_share else "en"
        other = "en" if language == "fr" else "fr"
        first_pool = names[language if rng.random() < NAME_FROM_OWN_LANGUAGE else other][0]
        last_pool = names[language if rng.random() < NAME_FROM_OWN_LANGUAGE else other][1]
        display_name = f"{rng.choice(first_pool)} {rng.choice(last_pool)}"[:80]
        latitude, longitude = jittered(place, rng)
        date_joined = context.now - timedelta(seconds=rng.random() * joined_span)
        verified_at = None
        if rng.random() < VERIFIED_SHARE:
            verified_at = min(date_joined + timedelta(minutes=rng.expovariate(1 / 180)), context.now)
        email = generated_email(number)
        rows.append(
            [
                None, context.password_hash, email, generated_handle(display_name, number), display_name,
                place.country, full_postal_code(place, rng), place.town, latitude, longitude, language,
                verified_at, date_joined, int(Badge.EMAIL) if verified_at else 0,
            ]
        )  # fmt: skip
        batch.append(
            NewSupporter(
                id=0,
                number=number,
                email=email,
                language=language,
                country=place.country,
                town=place.town,
                latitude=latitude,
                longitude=longitude,
                date_joined=date_joined,
                email_verified_at=verified_at,
            )
        )
    _avoid_taken_handles(rows, rng)
    if context.use_copy:
        for row, supporter_id in zip(rows, _reserve_ids(Supporter, count), strict=True):
            row[0] = supporter_id
        insert_rows(Supporter, SUPPORTER_COLUMNS, [tuple(row) for row in rows], use_copy=True)
        ids = [row[0] for row in rows]
    else:
        objects = [Supporter(**dict(zip(SUPPORTER_COLUMNS, row, strict=True))) for row in rows]
        Supporter.objects.bulk_create(objects)
        ids = [obj.pk for obj in objects]
        if any(pk is None for pk in ids):  # a backend that cannot return ids from a bulk insert
            by_email = dict(
                Supporter.objects.filter(email__in=[obj.email for obj in objects]).values_list("email", "id")
            )
            ids = [by_email[obj.email] for obj in objects]
    for new_supporter, supporter_id in zip(batch, ids, strict=True):
        new_supporter.id = supporter_id
    return batch


def _avoid_taken_handles(rows: list[list[object]], rng: random.Random) -> None:
    """Generated handles end in a fresh number, but a person may have picked one of them by hand."""
    handles = [str(row[3]) for row in rows]
    taken: set[str] = set()
    for chunk in _chunks(handles, 900):
        taken.update(Supporter.objects.filter(handle__in=chunk).values_list("handle", flat=True))
    if not taken:
        return
    for row in rows:
        if row[3] in taken:
            number = str(row[2]).split("@", 1)[0].removeprefix("supporter-")
            row[3] = f"supporter-{number}-{rng.getrandbits(24):06x}"


def create_supporters(context: GenerationContext) -> None:
    """Supporters in batches; each batch, with its per-supporter rows, in one transaction."""
    done, started = 0, time.perf_counter()
    report_every = max(1, context.supporters // 20)
    next_report = report_every
    while done < context.supporters:
        count = min(context.batch_size, context.supporters - done)
        with transaction.atomic():
            step_started = time.perf_counter()
            batch = _insert_supporters(context, context.first_number + done, count)
            _add_seconds(context.report, "supporters", step_started)
            for name, step in SUPPORTER_BATCH_STEPS:
                step_started = time.perf_counter()
                step(context, batch)
                _add_seconds(context.report, name, step_started)
        context.supporter_ids.extend(supporter.id for supporter in batch)
        context.report.supporters += count
        done += count
        if done >= next_report or done == context.supporters:
            elapsed = time.perf_counter() - started
            context.progress(
                f"  {done:,} / {context.supporters:,} supporters ({done / elapsed:,.0f} per second)"
            )
            next_report = done + report_every


PROFILE_COLUMNS = (
    "supporter_id", "bio", "bio_html", "bio_visibility", "why_involved", "why_involved_html",
    "why_involved_visibility", "town_visibility", "causes_visibility", "languages_spoken",
    "languages_visibility", "photo_visibility", "links_visibility", "updated_at",
)  # fmt: skip


def add_profiles(context: GenerationContext, batch: Sequence[NewSupporter]) -> None:
    """A profile in the supporter's language, each field shown to a varied audience."""
    rng = context.random
    texts = rendered_texts()
    visibility = FIELD_VISIBILITY_DRAW
    rows = []
    for supporter in batch:
        language = supporter.language
        bio, bio_html = rng.choice(texts["bio"][language])
        why_involved, why_involved_html = rng.choice(texts["why_involved"][language])
        rows.append(
            (
                supporter.id,
                bio, bio_html, rng.choice(visibility),
                why_involved, why_involved_html, rng.choice(visibility),
                rng.choice(TOWN_VISIBILITY_DRAW),
                rng.choice(visibility),
                _languages_spoken(language, rng), rng.choice(visibility),
                rng.choice(visibility),
                rng.choice(visibility),
                supporter.email_verified_at or supporter.date_joined,
            )
        )  # fmt: skip
    insert_rows(Profile, PROFILE_COLUMNS, rows, use_copy=context.use_copy)
    context.report.profiles += len(rows)


def _languages_spoken(language: str, rng: random.Random) -> list[str]:
    spoken = [language]
    if rng.random() < OTHER_OFFICIAL_LANGUAGE_SHARE:
        spoken.append("en" if language == "fr" else "fr")
    if rng.random() < THIRD_LANGUAGE_SHARE:
        spoken.append(rng.choice(THIRD_LANGUAGES))
    return spoken


def add_email_addresses(context: GenerationContext, batch: Sequence[NewSupporter]) -> None:
    """allauth's record of each address, verified exactly when the supporter is."""
    rows = [
        (supporter.id, supporter.email, supporter.email_verified_at is not None, True) for supporter in batch
    ]
    insert_rows(EmailAddress, ("user_id", "email", "verified", "primary"), rows, use_copy=context.use_copy)
    context.report.email_addresses += len(rows)


def add_email_consents(context: GenerationContext, batch: Sequence[NewSupporter]) -> None:
    """The answer each supporter gave to the sign-up consent question, in the wording they saw: its
    record and the decision in force, written in bulk as `accounts.actions.record_consent` would."""
    rng = context.random
    wordings = consent_wordings()
    rows = [
        (
            supporter.id, CAMPAIGN_NEWS, rng.random() < NEWS_CONSENT_SHARE,
            wordings[supporter.language], supporter.language, ConsentRecord.Source.DEMO.value, None,
            supporter.date_joined,
        )
        for supporter in batch
    ]  # fmt: skip
    record_ids = _insert_with_ids(
        ConsentRecord,
        ("supporter_id", "audience", "granted", "wording", "language", "source", "ip_address", "created_at"),
        rows,
        use_copy=context.use_copy,
    )
    insert_rows(
        Consent,
        ("supporter_id", "audience", "granted", "record_id"),
        [(row[0], row[1], row[2], record_id) for row, record_id in zip(rows, record_ids, strict=True)],
        use_copy=context.use_copy,
    )
    context.report.email_consents += len(rows)


def add_profile_causes(context: GenerationContext, batch: Sequence[NewSupporter]) -> None:
    """Zero to three causes per profile, through the many-to-many table."""
    rng = context.random
    counts = rng.choices(range(len(CAUSE_COUNT_WEIGHTS)), weights=CAUSE_COUNT_WEIGHTS, k=len(batch))
    rows = [
        (supporter.id, cause_id)
        for supporter, count in zip(batch, counts, strict=True)
        for cause_id in rng.sample(context.cause_ids, min(count, len(context.cause_ids)))
    ]
    insert_rows(Profile.causes.through, ("profile_id", "cause_id"), rows, use_copy=context.use_copy)
    context.report.profile_causes += len(rows)


# --- local groups and events -------------------------------------------------------------------------

GROUPS_PER_SUPPORTER = 35_000 / 2_000_000
EVENTS_PER_SUPPORTER = 200_000 / 2_000_000
MIN_GROUPS, MIN_EVENTS = 5, 20  # so that even a small demo has some of each
NEARBY_KM = 12.0  # members, hosts' co-organisers and attendees live this close to the group or event
OWN_PLACE_WEIGHT = 3.0  # people from the place itself are this much likelier than from its neighbours

GROUP_APPROVAL_SHARE = 0.15
GROUP_CLOSED_SHARE = 0.01
GROUP_FEATURED_SHARE = 0.002
MIN_FEATURED_GROUPS = 3
MAX_GROUP_MEMBERS = 400
CO_LEADER_WEIGHTS = (0.5, 0.35, 0.15)  # 0, 1 or 2 co-leaders
GROUP_AGE_DAYS = (14, 720)
GROUP_HOSTS_KEPT = 8  # leaders and first members remembered per group, to host its events

EVENT_GROUP_SHARE = 0.3
EVENT_DAYS = (-30.0, 120.0)  # events start from 30 days ago to 120 days ahead
EVENT_CANCELLED_SHARE = 0.03
EVENT_PENDING_SHARE = 0.03  # of the upcoming ones; the rest are published
SHIFT_GAP = timedelta(minutes=30)
FULL_SHIFT_SHARE = 0.15  # shifts filled to capacity, most with a waiting list
WAITLIST_SIZES = (0, 1, 2, 3, 4, 6)
CANCELLED_RSVP_SHARE = 0.2  # shifts with one or two cancelled RSVPs
WALK_IN_SHARE = 0.3  # past shifts with one to three walk-ins
ATTENDED_SHARE = 0.85
PHONE_SHARE = 0.3
SHARES_CONTACT_SHARE = 0.9


@dataclass(frozen=True)
class EventPlan:
    """How events of one type look: how common, when, how long, how big."""

    weight: float  # relative frequency
    virtual_share: float  # share held online
    local_starts: tuple[tuple[int, int], ...]  # start times, local (hour, minute)
    shift_minutes: int
    capacity: tuple[int, int]  # per shift, inclusive range within 5 to 60
    max_guests: tuple[int, ...]  # drawn with `random.choice`
    shift_count_weights: tuple[float, float, float]  # 1, 2 or 3 shifts
    attendees_only_share: float  # share showing the address only to people who RSVPed


EVENT_PLANS: dict[str, EventPlan] = {
    EventType.CANVASS: EventPlan(24, 0.0, ((10, 0), (13, 0), (17, 30)), 150, (8, 30), (0,), (0.35, 0.4, 0.25), 0.05),
    EventType.PHONE_BANK: EventPlan(14, 0.3, ((18, 0), (18, 30), (13, 0)), 120, (5, 25), (0,), (0.5, 0.35, 0.15), 0.1),
    EventType.HOUSE_PARTY: EventPlan(9, 0.03, ((19, 0), (18, 30), (14, 0)), 180, (10, 40), (0, 1, 2), (1, 0, 0), 0.8),
    EventType.RALLY: EventPlan(5, 0.0, ((12, 0), (14, 0), (11, 0)), 120, (30, 60), (0, 2, 5), (1, 0, 0), 0.0),
    EventType.MEETING: EventPlan(16, 0.15, ((19, 0), (18, 30)), 90, (10, 50), (0,), (0.95, 0.05, 0), 0.1),
    EventType.FUNDRAISER: EventPlan(7, 0.1, ((18, 0), (17, 30)), 150, (15, 60), (0, 1, 3), (0.9, 0.1, 0), 0.1),
    EventType.VOTER_REGISTRATION: EventPlan(8, 0.0, ((11, 0), (15, 0)), 180, (5, 20), (0,), (0.4, 0.4, 0.2), 0.0),
    EventType.TRAINING: EventPlan(10, 0.25, ((19, 0), (10, 0)), 120, (8, 40), (0,), (0.85, 0.15, 0), 0.1),
    EventType.OTHER: EventPlan(7, 0.1, ((14, 0), (18, 0)), 120, (5, 40), (0, 1), (0.9, 0.1, 0), 0.1),
}  # fmt: skip

US_TIME_ZONES = {
    "10001": "America/New_York", "02139": "America/New_York", "20001": "America/New_York",
    "60614": "America/Chicago", "94110": "America/Los_Angeles", "98103": "America/Los_Angeles",
}  # fmt: skip
# Québec's events say "heure de Montréal", not Toronto's (the same clock, but not the name people use).
CANADIAN_TIME_ZONES = {
    "V": "America/Vancouver", "R": "America/Winnipeg", "E": "America/Halifax",
    "G": "America/Montreal", "H": "America/Montreal", "J": "America/Montreal",
}  # fmt: skip


def default_groups(supporters: int) -> int:
    """Groups for a run adding `supporters`: 35,000 per two million, at least 5, at most one per 10."""
    if supporters <= 0:
        return 0
    return min(max(MIN_GROUPS, round(supporters * GROUPS_PER_SUPPORTER)), supporters // 10)


def default_events(supporters: int) -> int:
    """Events for a run adding `supporters`: one per 10 supporters, at least 20, at most one per 2."""
    if supporters <= 0:
        return 0
    return min(max(MIN_EVENTS, round(supporters * EVENTS_PER_SUPPORTER)), supporters // 2)


def place_key(country: str, postal_code: str) -> str:
    """The bundled place a postal code belongs to: `CA:H2T` for `H2T 1S6`, `FR:75011`, `US:10001`."""
    code = postal_code.replace(" ", "").upper()
    return f"{country}:{code[:3] if country == 'CA' else code[:5]}"


def time_zone_for(place: Place) -> str:
    """The IANA time zone of a campaign place (the choices of the event form)."""
    if place.country == "FR":
        return "Europe/Paris"
    if place.country == "US":
        return US_TIME_ZONES.get(place.postal_code[:5], "America/New_York")
    return CANADIAN_TIME_ZONES.get(place.postal_code[:1], "America/Toronto")  # Ontario


def area_in(language: str, area: str) -> str:
    """The neighbourhood as a name or title in `language` says it ("le Plateau" in French)."""
    return organizing_texts.FRENCH_FORMS.get(area, area) if language == "fr" else area


def fill_name(template: str, area: str, language: str, cause: str = "") -> str:
    """A group name or event title: `{area}` (with "de le" → "du" and the like) and `{cause}` filled."""
    area = area_in(language, area)
    if language == "fr" and "de {area}" in template:
        for article, contracted in (("le ", "du "), ("les ", "des "), ("la ", "de la "), ("l'", "de l'")):
            if area.startswith(article):
                template = template.replace("de {area}", contracted + "{area}")
                area = area.removeprefix(article)
                break
        else:
            if area[:1] in "AEIOUÉÈÎÔ":
                template = template.replace("de {area}", "d'{area}")
    text = template.format(area=area, cause=cause)
    return text[:1].upper() + text[1:]


@cache
def rendered_organizing_texts() -> dict[str, dict]:
    """Group and event descriptions with their HTML, each rendered once."""
    return {
        "group": {
            language: tuple((text, render_markdown(text)) for text in texts)
            for language, texts in organizing_texts.GROUP_DESCRIPTIONS.items()
        },
        "event": {
            event_type: {
                language: tuple((text, render_markdown(text)) for text in texts)
                for language, texts in by_language.items()
            }
            for event_type, by_language in organizing_texts.EVENT_DESCRIPTIONS.items()
        },
    }


@dataclass
class Neighbourhoods:
    """Verified generated supporters by the campaign place they live in, and the places near each."""

    places: dict[str, CampaignPlace]
    residents: dict[str, array]
    nearby: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = field(default_factory=dict)
    keys: tuple[str, ...] = ()  # places with residents
    cumulative: tuple[float, ...] = ()  # their resident counts, accumulated (to draw a place)

    @property
    def people(self) -> int:
        return sum(len(ids) for ids in self.residents.values())

    def draw_place(self, rng: random.Random) -> str:
        """A place, chosen in proportion to the supporters living there."""
        return rng.choices(self.keys, cum_weights=self.cumulative)[0]

    def resident(self, key: str, rng: random.Random) -> int:
        ids = self.residents[key]
        return ids[rng.randrange(len(ids))]

    def available(self, key: str) -> int:
        return sum(len(self.residents[other]) for other in self.nearby[key][0])

    def draw_nearby(self, key: str, count: int, rng: random.Random, exclude: Iterable[int] = ()) -> list[int]:
        """Up to `count` distinct supporters living near the place, none of them in `exclude`."""
        taken = set(exclude)
        count = min(count, self.available(key) - len(taken))
        if count <= 0:
            return []
        keys, cumulative = self.nearby[key]
        residents = self.residents
        chosen: list[int] = []
        attempts = 0
        while len(chosen) < count and attempts < 4 * count + 20:
            for other in rng.choices(keys, cum_weights=cumulative, k=count - len(chosen)):
                ids = residents[other]
                person = ids[rng.randrange(len(ids))]
                attempts += 1
                if person not in taken:
                    taken.add(person)
                    chosen.append(person)
        return chosen


def load_neighbourhoods(context: GenerationContext) -> Neighbourhoods:
    """Where the verified generated supporters live (ids only: about 8 bytes a supporter)."""
    if context.neighbourhoods is not None:
        return context.neighbourhoods
    started = time.perf_counter()
    places = {place_key(item.place.country, item.place.postal_code): item for item in campaign_places()}
    residents: dict[str, array] = {key: array("q") for key in places}
    rows = (
        Supporter.objects.filter(
            email__startswith="supporter-",
            email__endswith=f"@{GENERATED_EMAIL_DOMAIN}",
            email_verified_at__isnull=False,
            is_active=True,
            deleted_at__isnull=True,
        )
        .values_list("id", "country", "postal_code")
        .iterator(chunk_size=20_000)
    )
    for supporter_id, country, postal_code in rows:
        ids = residents.get(place_key(country, postal_code))
        if ids is not None:
            ids.append(supporter_id)
    residents = {key: ids for key, ids in residents.items() if ids}
    hoods = Neighbourhoods(places=places, residents=residents)
    for key in residents:
        here = places[key].place
        keys, weights = [], []
        for other in residents:
            there = places[other].place
            if (
                other == key
                or haversine_km(here.latitude, here.longitude, there.latitude, there.longitude) <= NEARBY_KM
            ):
                keys.append(other)
                weights.append(len(residents[other]) * (OWN_PLACE_WEIGHT if other == key else 1.0))
        hoods.nearby[key] = (tuple(keys), tuple(_accumulate(weights)))
    hoods.keys = tuple(residents)
    hoods.cumulative = tuple(_accumulate([len(ids) for ids in residents.values()]))
    context.neighbourhoods = hoods
    context.progress(
        f"  {hoods.people:,} verified generated supporters in {len(residents)} places "
        f"(read in {time.perf_counter() - started:,.1f} s)"
    )
    return hoods


def _accumulate(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _insert_with_ids(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[object, ...]], *, use_copy: bool
) -> list[int]:
    """Insert rows and return their new primary keys, in order."""
    if not rows:
        return []
    if use_copy:
        ids = _reserve_ids(model, len(rows))
        insert_rows(
            model, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)], use_copy=True
        )
        return ids
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects)
    ids = [obj.pk for obj in objects]
    if any(pk is None for pk in ids):
        raise RuntimeError(
            f"{connection.vendor} did not return the ids of the new {model._meta.verbose_name_plural}"
        )
    return ids


@dataclass(slots=True)
class GroupSeed:
    """An active group events can be tied to, and who may host them."""

    id: int
    key: str
    hosts: tuple[int, ...]


GROUP_COLUMNS = (
    "name", "slug", "description", "description_html", "area", "country", "postal_code", "town", "latitude",
    "longitude", "join_policy", "status", "is_featured", "created_by_id", "created_at", "member_count",
)  # fmt: skip
MEMBERSHIP_COLUMNS = ("group_id", "supporter_id", "role", "status", "joined_at")


def _next_group_number() -> int:
    highest = Group.objects.aggregate(highest=models.Max("id"))["highest"]
    return (highest or 0) + 1


def _avoid_taken_slugs(slugs: list[str], rng: random.Random) -> list[str]:
    taken: set[str] = set()
    for chunk in _chunks(slugs, 900):
        taken.update(Group.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    return [f"{slug}-{rng.getrandbits(24):06x}" if slug in taken else slug for slug in slugs]


def create_groups(context: GenerationContext) -> None:
    """Local groups at the places where supporters live, with leaders, co-leaders and members from nearby."""
    if context.groups <= 0:
        return
    hoods = load_neighbourhoods(context)
    if not hoods.residents:
        raise RuntimeError("Groups need verified generated supporters: generate supporters first.")
    rng = context.random
    texts = rendered_organizing_texts()["group"]
    causes = list(organizing_texts.GROUP_CAUSES.values())
    count, now = context.groups, context.now
    featured = set(
        rng.sample(range(count), min(count, max(MIN_FEATURED_GROUPS, round(count * GROUP_FEATURED_SHARE))))
    )
    number = _next_group_number()
    started, report_every = time.perf_counter(), max(1, count // 10)
    done, next_report = 0, report_every
    while done < count:
        size = min(context.batch_size, count - done)
        group_rows: list[tuple[object, ...]] = []
        people: list[tuple[str, list[tuple[int, str, str, datetime]]]] = []
        for index in range(done, done + size):
            key = hoods.draw_place(rng)
            campaign_place = hoods.places[key]
            place = campaign_place.place
            language = "fr" if rng.random() < campaign_place.french_share else "en"
            area = rng.choice(organizing_texts.NEIGHBOURHOODS.get(key, (place.town,)))
            cause_en, cause_fr = rng.choice(causes)
            template = rng.choice(organizing_texts.GROUP_NAMES[language])
            name = fill_name(template, area, language, cause_fr if language == "fr" else cause_en)[:120]
            description, description_html = rng.choice(texts[language])
            latitude, longitude = jittered(place, rng)
            created_at = now - timedelta(days=rng.uniform(*GROUP_AGE_DAYS))
            approval = rng.random() < GROUP_APPROVAL_SHARE
            closed = index not in featured and rng.random() < GROUP_CLOSED_SHARE
            leader = hoods.resident(key, rng)
            wanted = min(MAX_GROUP_MEMBERS, 1 + int(rng.paretovariate(1.4) * 5))
            others = hoods.draw_nearby(key, wanted, rng, exclude=(leader,))
            co_leaders = min(rng.choices(range(3), weights=CO_LEADER_WEIGHTS)[0], len(others) // 3)
            span = (now - created_at).total_seconds()
            members = [(leader, Membership.Role.LEADER, Membership.Status.ACTIVE, created_at)]
            for position, person in enumerate(others):
                role = Membership.Role.CO_LEADER if position < co_leaders else Membership.Role.MEMBER
                joined = created_at + timedelta(seconds=rng.random() * span)
                members.append((person, role, Membership.Status.ACTIVE, joined))
            if approval:
                waiting = hoods.draw_nearby(key, rng.randrange(5), rng, exclude=[leader, *others])
                for person in waiting:
                    joined = now - timedelta(days=rng.uniform(0, 14))
                    members.append((person, Membership.Role.MEMBER, Membership.Status.PENDING, joined))
            group_rows.append(
                (
                    name, f"{slugify(name)[:110].strip('-') or 'group'}-{number + index}", description,
                    description_html, area, place.country, full_postal_code(place, rng), place.town, latitude,
                    longitude, Group.JoinPolicy.APPROVAL if approval else Group.JoinPolicy.OPEN,
                    Group.Status.CLOSED if closed else Group.Status.ACTIVE, index in featured, leader, created_at,
                    1 + len(others),
                )
            )  # fmt: skip
            people.append((key, members))
        slugs = _avoid_taken_slugs([str(row[1]) for row in group_rows], rng)
        group_rows = [(row[0], slug, *row[2:]) for row, slug in zip(group_rows, slugs, strict=True)]
        with transaction.atomic():
            ids = _insert_with_ids(Group, GROUP_COLUMNS, group_rows, use_copy=context.use_copy)
            membership_rows = [
                (group_id, person, role, status, joined)
                for group_id, (_key, members) in zip(ids, people, strict=True)
                for person, role, status, joined in members
            ]
            insert_rows(Membership, MEMBERSHIP_COLUMNS, membership_rows, use_copy=context.use_copy)
        for group_id, row, (key, members) in zip(ids, group_rows, people, strict=True):
            if row[11] == Group.Status.ACTIVE:
                hosts = tuple(
                    person
                    for person, _role, status, _joined in members[:GROUP_HOSTS_KEPT]
                    if status == "active"
                )
                context.group_seeds.append(GroupSeed(group_id, key, hosts))
        context.report.groups += len(group_rows)
        context.report.memberships += len(membership_rows)
        done += size
        if done >= next_report or done == count:
            elapsed = time.perf_counter() - started
            context.progress(f"  {done:,} / {count:,} groups ({done / elapsed:,.0f} per second)")
            next_report = done + report_every


def _existing_group_seeds(hoods: Neighbourhoods) -> list[GroupSeed]:
    """Active groups led by generated supporters, when this run added none (events added later)."""
    rows = Group.objects.filter(
        status=Group.Status.ACTIVE,
        created_by__email__startswith="supporter-",
        created_by__email__endswith=f"@{GENERATED_EMAIL_DOMAIN}",
    ).values_list("id", "country", "postal_code", "created_by_id")
    seeds = []
    for group_id, country, postal_code, leader in rows.iterator(chunk_size=20_000):
        key = place_key(country, postal_code)
        if key in hoods.residents:
            seeds.append(GroupSeed(group_id, key, (leader,)))
    return seeds


EVENT_COLUMNS = (
    "title", "description", "description_html", "event_type", "host_id", "group_id", "status", "is_virtual",
    "join_url", "venue", "address", "address_visibility", "country", "postal_code", "town", "latitude",
    "longitude", "public_latitude", "public_longitude", "time_zone", "starts_at", "ends_at", "max_guests_per_rsvp",
    "created_at", "updated_at",
)  # fmt: skip
SHIFT_COLUMNS = ("event_id", "starts_at", "ends_at", "capacity", "confirmed_count")
RSVP_COLUMNS = (
    "shift_id", "supporter_id", "status", "guests", "phone", "shares_contact", "attended", "is_walk_in",
    "created_at", "updated_at",
)  # fmt: skip


def _event_types(count: int, rng: random.Random) -> list[str]:
    """Every type once (so that a small demo has each), then drawn by frequency."""
    types = list(EVENT_PLANS)
    rng.shuffle(types)
    types = types[:count]
    weights = [plan.weight for plan in EVENT_PLANS.values()]
    types += rng.choices(list(EVENT_PLANS), weights=weights, k=count - len(types))
    return types


def _phone(country: str, rng: random.Random) -> str:
    """A number reserved for fiction (555-01xx in North America, 01 99 00 xx xx in France)."""
    if country == "FR":
        return f"01 99 00 {rng.randrange(100):02d} {rng.randrange(100):02d}"
    return f"555-01{rng.randrange(100):02d}"


def _street_address(place: Place, rng: random.Random) -> str:
    streets = organizing_texts.STREETS.get(place.town) or organizing_texts.STREETS[place.country]
    number = rng.randint(1, 180) if place.country == "FR" else rng.randint(10, 7999)
    return f"{number} {rng.choice(streets)}"


def _shift_rsvps(
    context: GenerationContext,
    hoods: Neighbourhoods,
    key: str,
    *,
    host: int,
    capacity: int,
    max_guests: int,
    starts_at: datetime,
    created_at: datetime,
    country: str,
) -> tuple[int, list[tuple[object, ...]]]:
    """A shift's RSVPs as rows without their shift id, and its confirmed places.

    RSVPs come in order: confirmed while their places fit, waitlisted once the shift is full (as
    `actions.rsvp` does), a few cancelled, and walk-ins at past shifts (walk-ins never take a place).
    """
    rng, now = context.random, context.now
    if rng.random() < FULL_SHIFT_SHARE:
        target, waitlist = capacity, rng.choice(WAITLIST_SIZES)
    else:
        days_ahead = (starts_at - now).total_seconds() / 86400
        freshness = 1.0 if days_ahead <= 14 else max(0.25, 1 - (days_ahead - 14) / 140)
        target, waitlist = round(capacity * rng.uniform(0.0, 0.95) * freshness), 0
    guests: list[int] = []
    places = 0
    while places < target:
        extra = rng.choice((0, 0, 0, rng.randint(0, max_guests))) if max_guests else 0
        extra = min(extra, target - places - 1)
        guests.append(extra)
        places += 1 + extra
    cancelled = rng.choice((1, 2)) if rng.random() < CANCELLED_RSVP_SHARE else 0
    past = starts_at <= now
    walk_ins = rng.randint(1, 3) if past and rng.random() < WALK_IN_SHARE else 0
    people = hoods.draw_nearby(key, len(guests) + waitlist + cancelled + walk_ins, rng, exclude=(host,))
    confirmed_people = people[: len(guests)]
    if len(confirmed_people) < len(guests):  # a small campaign has fewer neighbours than places
        guests, waitlist, cancelled, walk_ins = guests[: len(confirmed_people)], 0, 0, 0
    rest = people[len(guests) :]
    waiting_people, rest = rest[:waitlist], rest[waitlist:]
    cancelled_people, walk_in_people = rest[:cancelled], rest[cancelled : cancelled + walk_ins]
    confirmed_places = sum(1 + extra for extra in guests)
    if confirmed_places < capacity:
        waiting_people = []  # nobody waits for a shift with room
    closes = min(now, starts_at)
    span = max((closes - created_at).total_seconds(), 60.0)
    times = sorted(
        created_at + timedelta(seconds=rng.random() * span) for _ in range(len(guests) + len(waiting_people))
    )
    rows: list[tuple[object, ...]] = []

    def contact() -> tuple[str, bool]:
        return (
            _phone(country, rng) if rng.random() < PHONE_SHARE else ""
        ), rng.random() < SHARES_CONTACT_SHARE

    for person, extra, at in zip(confirmed_people, guests, times, strict=False):
        attended = (rng.random() < ATTENDED_SHARE) if past else None
        rows.append((person, Rsvp.Status.CONFIRMED, extra, *contact(), attended, False, at, now))
    for person, at in zip(waiting_people, times[len(guests) :], strict=True):
        extra = rng.randint(0, max_guests) if max_guests else 0
        rows.append((person, Rsvp.Status.WAITLISTED, extra, *contact(), None, False, at, now))
    for person in cancelled_people:
        at = created_at + timedelta(seconds=rng.random() * span)
        rows.append((person, Rsvp.Status.CANCELLED, 0, *contact(), None, False, at, now))
    for person in walk_in_people:
        at = starts_at + timedelta(minutes=rng.randint(0, 45))
        rows.append((person, Rsvp.Status.CONFIRMED, 0, *contact(), True, True, at, now))
    return confirmed_places, rows


def create_events(context: GenerationContext) -> None:
    """Events of every type near the supporters, with shifts, RSVPs, waiting lists and walk-ins."""
    if context.events <= 0:
        return
    hoods = load_neighbourhoods(context)
    if not hoods.residents:
        raise RuntimeError("Events need verified generated supporters: generate supporters first.")
    seeds = context.group_seeds or _existing_group_seeds(hoods)
    rng, now = context.random, context.now
    texts = rendered_organizing_texts()["event"]
    count = context.events
    types = _event_types(count, rng)
    zones = {zone: ZoneInfo(zone) for zone in {time_zone_for(item.place) for item in hoods.places.values()}}
    started, report_every = time.perf_counter(), max(1, count // 10)
    done, next_report = 0, report_every
    while done < count:
        size = min(context.batch_size, count - done)
        event_rows: list[tuple[object, ...]] = []
        shift_rows: list[tuple[int, tuple[object, ...]]] = []  # (event position, row without event id)
        rsvp_rows: list[tuple[int, tuple[object, ...]]] = []  # (shift position, row without shift id)
        for event_type in types[done : done + size]:
            plan = EVENT_PLANS[event_type]
            group_id = None
            if seeds and rng.random() < EVENT_GROUP_SHARE:
                seed = rng.choice(seeds)
                key, group_id, host = seed.key, seed.id, rng.choice(seed.hosts)
            else:
                key = hoods.draw_place(rng)
                host = hoods.resident(key, rng)
            campaign_place = hoods.places[key]
            place = campaign_place.place
            language = "fr" if rng.random() < campaign_place.french_share else "en"
            area = rng.choice(organizing_texts.NEIGHBOURHOODS.get(key, (place.town,)))
            title = fill_name(rng.choice(organizing_texts.EVENT_TITLES[event_type][language]), area, language)
            description, description_html = rng.choice(texts[event_type][language])
            zone_name = time_zone_for(place)
            zone = zones[zone_name]
            day = (now + timedelta(days=rng.uniform(*EVENT_DAYS))).astimezone(zone).date()
            shifts = rng.choices((1, 2, 3), weights=plan.shift_count_weights)[0]
            # Several shifts follow one another from the type's earliest start, so the day ends in time.
            hour, minute = rng.choice(plan.local_starts) if shifts == 1 else min(plan.local_starts)
            first = datetime.combine(day, time_of_day(hour, minute), tzinfo=zone).astimezone(UTC)
            length = timedelta(minutes=plan.shift_minutes)
            starts = [first + index * (length + SHIFT_GAP) for index in range(shifts)]
            status = Event.Status.PUBLISHED
            draw = rng.random()
            if draw < EVENT_CANCELLED_SHARE:
                status = Event.Status.CANCELLED
            elif draw < EVENT_CANCELLED_SHARE + EVENT_PENDING_SHARE and first > now:
                status = Event.Status.PENDING
            created_at = min(now, first) - timedelta(days=rng.uniform(1, 45))
            max_guests = rng.choice(plan.max_guests)
            if rng.random() < plan.virtual_share:
                virtual, join_url = True, f"https://meet.example.org/quartier-{rng.getrandbits(40):010x}"
                venue = address = postal_code = town = ""
                latitude = longitude = None
                visibility = Event.AddressVisibility.PUBLIC
            else:
                virtual, join_url = False, ""
                at_home = event_type == EventType.HOUSE_PARTY
                venue = (
                    organizing_texts.HOME_VENUES[language]
                    if at_home
                    else rng.choice(organizing_texts.VENUES[language])
                )
                address, postal_code, town = (
                    _street_address(place, rng),
                    full_postal_code(place, rng),
                    place.town,
                )
                latitude, longitude = jittered(place, rng)
                attendees_only = rng.random() < plan.attendees_only_share
                visibility = (
                    Event.AddressVisibility.ATTENDEES if attendees_only else Event.AddressVisibility.PUBLIC
                )
            position = len(event_rows)
            for shift_start in starts:
                capacity = rng.randint(*plan.capacity)
                confirmed, rsvps = 0, []
                if status != Event.Status.PENDING:
                    confirmed, rsvps = _shift_rsvps(
                        context, hoods, key, host=host, capacity=capacity, max_guests=max_guests,
                        starts_at=shift_start, created_at=created_at, country=place.country,
                    )  # fmt: skip
                shift_position = len(shift_rows)
                shift_rows.append((position, (shift_start, shift_start + length, capacity, confirmed)))
                rsvp_rows.extend((shift_position, row) for row in rsvps)
            event_rows.append(
                (
                    title, description, description_html, event_type, host, group_id, status, virtual, join_url,
                    venue, address, visibility, place.country, postal_code, town, latitude, longitude,
                    *public_point(latitude, longitude, exact=visibility == Event.AddressVisibility.PUBLIC), zone_name,
                    starts[0], starts[-1] + length, max_guests, created_at, now,
                )
            )  # fmt: skip
        with transaction.atomic():
            event_ids = _insert_with_ids(Event, EVENT_COLUMNS, event_rows, use_copy=context.use_copy)
            shift_ids = _insert_with_ids(
                Shift, SHIFT_COLUMNS, [(event_ids[position], *row) for position, row in shift_rows],
                use_copy=context.use_copy,
            )  # fmt: skip
            rows = [(shift_ids[position], *row) for position, row in rsvp_rows]
            for chunk_start in range(0, len(rows), 50_000):
                insert_rows(
                    Rsvp, RSVP_COLUMNS, rows[chunk_start : chunk_start + 50_000], use_copy=context.use_copy
                )
        context.report.events += len(event_rows)
        context.report.shifts += len(shift_rows)
        context.report.rsvps += len(rsvp_rows)
        done += size
        if done >= next_report or done == count:
            elapsed = time.perf_counter() - started
            context.progress(f"  {done:,} / {count:,} events ({done / elapsed:,.0f} per second)")
            next_report = done + report_every


# The extension points (see the module docstring). Order matters: later steps may use earlier rows.
SUPPORTER_BATCH_STEPS: list[tuple[str, SupporterBatchStep]] = [
    ("profiles", add_profiles),
    ("email_addresses", add_email_addresses),
    ("email_consents", add_email_consents),
    ("profile_causes", add_profile_causes),
]
STEPS: list[tuple[str, Step]] = [
    ("causes", create_causes),
    ("supporters", create_supporters),
    ("groups", create_groups),
    ("events", create_events),
    ("social", social_data.create_social),
    # Next: ("donations", …).
]


def _add_seconds(report: GenerationReport, name: str, started: float) -> None:
    report.step_seconds[name] = report.step_seconds.get(name, 0.0) + time.perf_counter() - started


# --- entry point --------------------------------------------------------------------------------------


def generate_campaign(
    *,
    supporters: int,
    groups: int | None = None,
    events: int | None = None,
    seed: int = 2008,
    batch_size: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Add `supporters` synthetic supporters (and every later step's data) to the current database.

    `groups` and `events` default to `default_groups(supporters)` and `default_events(supporters)`;
    they are drawn around every verified generated supporter in the database, so a run may add groups
    and events alone (`supporters=0`) to a campaign loaded earlier.
    """
    groups = default_groups(supporters) if groups is None else groups
    events = default_events(supporters) if events is None else events
    if supporters < 0 or groups < 0 or events < 0 or batch_size < 1:
        raise ValueError("supporters, groups and events must be >= 0 and batch_size >= 1")
    say = progress or (lambda message: None)
    started = time.perf_counter()
    report = GenerationReport()
    first_number = next_generated_number()
    context = GenerationContext(
        supporters=supporters,
        batch_size=batch_size,
        # Seeded by the run's first number too, so that a second run does not repeat the first one.
        random=random.Random(f"{seed}:{first_number}"),
        report=report,
        progress=say,
        now=timezone.now(),
        first_number=first_number,
        use_copy=connection.vendor == "postgresql",
        password_hash=make_password(DEMO_PASSWORD) if supporters else "",
        names=name_pools(seed) if supporters else {},
        groups=groups,
        events=events,
    )
    say(
        f"Generating {supporters:,} supporters (from supporter-{first_number}@{GENERATED_EMAIL_DOMAIN}), "
        f"{groups:,} groups and {events:,} events ({'COPY' if context.use_copy else 'bulk_create'}, "
        f"batches of {batch_size:,})…"
    )
    for name, step in STEPS:
        step_started = time.perf_counter()
        step(context)
        if name != "supporters":  # that one records its own parts
            _add_seconds(report, name, step_started)
    if context.use_copy and (supporters or groups or events):
        step_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after a large load
        _add_seconds(report, "analyze", step_started)
    report.seconds = time.perf_counter() - started
    say(
        f"Generated {report.supporters:,} supporters, {report.groups:,} groups, {report.events:,} events "
        f"and {report.rows:,} rows in {report.seconds:,.1f} s ({report.rows_per_second:,.0f} rows per second)."
    )
    return report
