"""A synthetic campaign, in French and English, for the demo and for the benchmarks.

One generator serves both: `quartier load_demo` adds a few hundred supporters, `python -m bench` adds
two million. It streams supporters in batches (never the whole campaign in memory), hashes one password
for all of them, writes with PostgreSQL's COPY when it runs on PostgreSQL and with `bulk_create`
elsewhere, and appends on every run: emails `supporter-<n>@example.org` continue after the highest `n`
already present, handles end in `-<n>`, so a second run never collides with the first.

Names are drawn from pools made once by Faker (fr_FR, fr_CA, en_CA, en_US); places are real postal
codes (the bundled Canadian and French table and a few US ZIP codes) with coordinates jittered by up to
2 km; bios are short Markdown texts rendered once per text, not once per supporter.

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
from faker import Faker

from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.accounts.models import Cause, EmailConsent, Profile, Supporter, Visibility
from bench import organizing_texts
from quartier.lib.geo import haversine_km
from quartier.lib.ids import handle_from_name
from quartier.lib.places import Place, bundled_places, find_place
from quartier.lib.text import render_markdown
from quartier.organizing.models import Event, EventType, Group, Membership, Rsvp, Shift

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
    "longitude", "language", "email_verified_at", "date_joined",
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
                verified_at, date_joined,
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
    """The answer each supporter gave to the sign-up consent question, in the wording they saw."""
    rng = context.random
    wordings = consent_wordings()
    rows = [
        (
            supporter.id, EmailConsent.Topic.CAMPAIGN_NEWS.value, rng.random() < NEWS_CONSENT_SHARE,
            wordings[supporter.language], supporter.language, EmailConsent.Source.DEMO.value, None,
            supporter.date_joined,
        )
        for supporter in batch
    ]  # fmt: skip
    insert_rows(
        EmailConsent,
        ("supporter_id", "topic", "granted", "wording", "language", "source", "ip_address", "created_at"),
        rows,
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
    # Next: ("groups", …), ("events", …), ("friendships", …) with a power-law degree, ("donations", …).
]


def _add_seconds(report: GenerationReport, name: str, started: float) -> None:
    report.step_seconds[name] = report.step_seconds.get(name, 0.0) + time.perf_counter() - started


# --- entry point --------------------------------------------------------------------------------------


def generate_campaign(
    *,
    supporters: int,
    seed: int = 2008,
    batch_size: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Add `supporters` synthetic supporters (and every later step's data) to the current database."""
    if supporters < 0 or batch_size < 1:
        raise ValueError("supporters must be >= 0 and batch_size >= 1")
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
        password_hash=make_password(DEMO_PASSWORD),
        names=name_pools(seed),
    )
    say(
        f"Generating {supporters:,} supporters (from supporter-{first_number}@{GENERATED_EMAIL_DOMAIN}, "
        f"{'COPY' if context.use_copy else 'bulk_create'}, batches of {batch_size:,})…"
    )
    for name, step in STEPS:
        step_started = time.perf_counter()
        step(context)
        if name != "supporters":  # that one records its own parts
            _add_seconds(report, name, step_started)
    if context.use_copy and supporters:
        step_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after a large load
        _add_seconds(report, "analyze", step_started)
    report.seconds = time.perf_counter() - started
    say(
        f"Generated {report.supporters:,} supporters and {report.rows:,} rows in {report.seconds:,.1f} s "
        f"({report.supporters_per_second:,.0f} supporters per second)."
    )
    return report
