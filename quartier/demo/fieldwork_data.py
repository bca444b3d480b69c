"""The demo's walking and calling campaigns: a contact file of a few thousand people around the demo
groups, a bilingual script with branching, a canvass cut into walk lists (one held by Marie, one by
the canvass event's first shift) and a phone bank open to calls from home.

Run once by `load_demo` (a second run finds the script and adds nothing).
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from quartier.accounts.models import Supporter
from quartier.demo.faker_extra import Faker
from quartier.fieldwork.actions import calls as fieldwork_calls
from quartier.fieldwork.actions import results as fieldwork_results
from quartier.fieldwork.actions import walk_lists as fieldwork_walk_lists
from quartier.fieldwork.models import Contact, FieldCampaign, GroupAccess, Outcome, Question, Result, Script
from quartier.fieldwork.queries import Turf, select_contacts
from quartier.lib import contacts as lib
from quartier.organizing.models import Event, EventType, Group

SCRIPT_NAME = "Logement 2026 / Housing 2026"
CONTACTS_PER_AREA = 1200

# Streets of each demo group's neighbourhood, the phone prefix, the Faker locale and the time zone.
AREAS = {
    "mile-end-pour-le-logement": {
        "streets": ["rue Saint-Viateur", "rue Fairmount", "avenue de l'Esplanade", "rue Clark", "avenue Laurier",
                    "rue Bernard", "avenue du Parc", "rue Jeanne-Mance", "rue Waverly", "rue Saint-Urbain"],
        "postal": ["H2T 1S6", "H2T 2A1", "H2V 1B2", "H2T 1X3"], "country": "CA", "phone": "+1514555",
        "locale": "fr_CA", "language": "fr", "zone": "America/Toronto",
    },
    "benevoles-du-11e": {
        "streets": ["rue Oberkampf", "rue de la Roquette", "boulevard Voltaire", "rue de Charonne",
                    "rue Saint-Maur", "avenue Parmentier"],
        "postal": ["75011"], "country": "FR", "phone": "+3314355", "locale": "fr_FR", "language": "fr",
        "zone": "Europe/Paris",
    },
    "christie-pits-for-housing": {
        "streets": ["Christie Street", "Crawford Street", "Shaw Street", "Bloor Street West", "Clinton Street",
                    "Manning Avenue"],
        "postal": ["M6G 1K8", "M6G 3A5", "M6G 2L9"], "country": "CA", "phone": "+1416555", "locale": "en_CA",
        "language": "en", "zone": "America/Toronto",
    },
}  # fmt: skip
TAGS = ["tenant", "owner", "student", "senior", "family", "housing", "transit"]


def _script() -> Script:
    script = Script.objects.create(
        name=SCRIPT_NAME,
        introduction=(
            "Hello, I'm a volunteer with the neighbourhood housing campaign. Do you have two minutes to "
            "talk about rents in our neighbourhood?"
        ),
        introduction_fr=(
            "Bonjour, je suis bénévole pour la campagne du quartier sur le logement. Auriez-vous deux "
            "minutes pour parler des loyers dans le quartier ?"
        ),
    )
    Question.objects.create(
        script=script, position=1, kind=Question.Kind.SINGLE, defines_success=True, success_values=["yes"],
        text="Will you support rent control in the next election?",
        text_fr="Soutiendrez-vous l'encadrement des loyers à la prochaine élection ?",
        choices=[
            {"value": "yes", "label": "Yes", "label_fr": "Oui", "next": 2},
            {"value": "maybe", "label": "Maybe", "label_fr": "Peut-être", "next": 3},
            {"value": "no", "label": "No", "label_fr": "Non", "next": 0},
        ],
    )  # fmt: skip
    Question.objects.create(
        script=script, position=2, kind=Question.Kind.MULTIPLE, text="How would you like to help?",
        text_fr="Comment aimeriez-vous aider ?",
        choices=[
            {"value": "doors", "label": "Knock on doors", "label_fr": "Faire du porte-à-porte"},
            {"value": "calls", "label": "Make calls", "label_fr": "Faire des appels"},
            {"value": "sign", "label": "A window sign", "label_fr": "Une affiche à la fenêtre"},
        ],
    )  # fmt: skip
    Question.objects.create(
        script=script, position=3, kind=Question.Kind.SCALE,
        text="How much does housing weigh in your vote (1 to 5)?",
        text_fr="Quel poids a le logement dans votre vote (1 à 5) ?",
    )  # fmt: skip
    Question.objects.create(
        script=script, position=4, kind=Question.Kind.TEXT, text="Anything the campaign should know?",
        text_fr="Quelque chose que la campagne devrait savoir ?",
    )  # fmt: skip
    return script


def _contacts(group: Group, spec: dict, rng: random.Random) -> list[Contact]:
    fake = Faker(spec["locale"])
    fake.seed_instance(rng.randint(0, 10**6))
    people: list[Contact] = []
    street_count = len(spec["streets"])
    while len(people) < CONTACTS_PER_AREA:
        index = rng.randrange(street_count)
        street = spec["streets"][index]
        number = rng.randint(1, 300)
        postal_code = spec["postal"][index % len(spec["postal"])]
        # Each street a line through the group's centre; numbers spread along about a kilometre.
        angle = math.pi * index / street_count
        along = (number - 150) / 150 * 0.008
        latitude = group.latitude + along * math.cos(angle) + rng.uniform(-0.0003, 0.0003)
        longitude = group.longitude + along * math.sin(angle) * 1.4 + rng.uniform(-0.0003, 0.0003)
        address = f"{number} {street}"
        last_name = fake.last_name()
        for _person in range(rng.choice((1, 1, 2, 2, 3))):
            phone = f"{spec['phone']}{rng.randint(0, 9999):04d}" if rng.random() < 0.7 else ""
            first_name = fake.first_name()
            people.append(
                Contact(
                    first_name=first_name, last_name=last_name, address=address, house_number=number,
                    street_name=lib.fold(street), town=group.town, postal_code=postal_code, country=spec["country"],
                    latitude=latitude, longitude=longitude, household_key=lib.household_key(address, postal_code),
                    phone=phone if lib.parse_phone(phone, spec["country"]) else "", time_zone=spec["zone"],
                    language=spec["language"], tags=lib.tags_field(rng.sample(TAGS, rng.randint(0, 2))),
                    do_not_call=rng.random() < 0.03, do_not_knock=rng.random() < 0.02,
                    dedupe_key=f"demo:{group.slug}:{len(people)}", scope_group=group,
                )
            )  # fmt: skip
    return people


@transaction.atomic
def load_fieldwork_demo(*, volunteer_email: str) -> list[str]:
    """Create the demo's contacts and campaigns once; returns lines to print (empty if already there)."""
    if Script.objects.filter(name=SCRIPT_NAME).exists():
        return []
    rng = random.Random(2008)
    groups = {group.slug: group for group in Group.objects.filter(slug__in=[slugify(s) for s in AREAS])}
    for slug, spec in AREAS.items():
        if slug in groups:
            # The demo's staff granted each group the contacts of its neighbourhood.
            GroupAccess.objects.get_or_create(group=groups[slug], defaults={"note": "Demo neighbourhood"})
            Contact.objects.bulk_create(_contacts(groups[slug], spec, rng), batch_size=1000)
    script = _script()
    lines = [f"  {Contact.objects.count()} demo contacts around the demo groups"]
    mile_end = groups.get("mile-end-pour-le-logement")
    if mile_end is None:
        return lines
    events = {e.event_type: e for e in Event.objects.filter(group=mile_end)}
    canvass = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.CANVASS, name="Porte-à-porte Mile End / Mile End canvass", script=script,
        group=mile_end, event=events.get(EventType.CANVASS),
        description="Deux par deux, une liste chacun. / Two by two, a list each.",
    )  # fmt: skip
    nearby = select_contacts(Turf(center=(mile_end.latitude, mile_end.longitude), radius_km=2), canvass)
    lists = fieldwork_walk_lists.cut_walk_lists(
        campaign=canvass, contacts=nearby, doors_per_list=25, max_lists=24
    )
    marie = Supporter.objects.filter(email=volunteer_email).first()
    if lists and marie is not None:
        fieldwork_walk_lists.assign_walk_list(walk_list=lists[0], volunteer=marie)
    canvass_event = events.get(EventType.CANVASS)
    if len(lists) > 1 and canvass_event is not None:
        fieldwork_walk_lists.assign_walk_list(
            walk_list=lists[1], volunteer=None, shift=canvass_event.shifts.first()
        )
    phone_bank = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK, name="Appels Mile End / Mile End phone bank", script=script,
        group=mile_end, event=events.get(EventType.PHONE_BANK), open_from_home=True,
        description="Invitez les voisins au porte-à-porte de samedi. / Invite neighbours to Saturday's canvass.",
    )  # fmt: skip
    called = fieldwork_calls.add_targets(
        campaign=phone_bank,
        contacts=Contact.objects.filter(dedupe_key__startswith="demo:mile-end").exclude(phone=""),
    )
    done = _past_results(canvass, phone_bank, lists[2:8], mile_end, rng)
    lines += [
        f"  a canvass cut into {len(lists)} walk lists (one held by Marie) and a phone bank of {called} people"
        f" open from home, with {done} doors and calls of the last ten days: see /fieldwork/",
    ]
    return lines


# What the demo's past doors and calls ended in, drawn with these weights.
PAST_OUTCOMES = {
    Outcome.NOT_HOME: 40, Outcome.SUPPORTIVE: 22, Outcome.UNDECIDED: 14, Outcome.OPPOSED: 8,
    Outcome.REFUSED: 6, Outcome.COME_BACK_LATER: 5, Outcome.MOVED: 3, Outcome.WRONG_NUMBER: 2,
}  # fmt: skip


def _past_results(
    canvass: FieldCampaign, phone_bank: FieldCampaign, lists: list, group: Group, rng: random.Random
) -> int:
    """Doors knocked and calls made by the group's members over the last ten days, through the same
    `record_result` volunteers use, so that progress pages and dashboards have something to show."""
    volunteers = list(Supporter.objects.filter(group_memberships__group=group).order_by("pk")[:8])
    if not volunteers:
        return 0
    first, *rest = Question.objects.filter(script=canvass.script).order_by("position")
    now = timezone.now()
    outcomes, weights = list(PAST_OUTCOMES), list(PAST_OUTCOMES.values())
    done = 0
    doors = [(target, walk_list) for walk_list in lists for target in walk_list.targets.order_by("position")]
    calls = list(phone_bank.targets.order_by("pk")[:60])
    for target, walk_list in [*doors[: len(doors) * 2 // 3], *((target, None) for target in calls)]:
        outcome = rng.choices(outcomes, weights)[0]
        answers = {}
        if outcome in {Outcome.SUPPORTIVE, Outcome.UNDECIDED, Outcome.OPPOSED}:
            vote = {"supportive": "yes", "undecided": "maybe", "opposed": "no"}[outcome]
            answers[first.pk] = [vote]
            if vote == "yes" and rest:
                answers[rest[0].pk] = rng.sample(["doors", "calls", "sign"], rng.randint(1, 2))
            elif vote == "maybe" and len(rest) > 1:
                answers[rest[1].pk] = [str(rng.randint(2, 5))]
        fieldwork_results.record_result(
            volunteer=rng.choice(volunteers), target=target, walk_list=walk_list,
            channel=Result.Channel.DOOR if walk_list is not None else Result.Channel.CALL,
            data=fieldwork_results.ResultInput(
                outcome=outcome, answers=answers,
                recorded_at=now - timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 8)),
            ),
        )  # fmt: skip
        done += 1
    return done
