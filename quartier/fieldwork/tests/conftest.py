"""Fixtures for fieldwork: contacts around Montréal, a script with branching, a canvass and a phone bank.

Personas beyond the shared ones: `leader` leads the group the campaigns belong to (staff approved its
fieldwork, and `make_contact` grants contacts to it), `volunteer` is a member of it, `outsider` is a
verified supporter with nothing to do with either campaign.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, FieldCampaign, GroupAccess, Question, Script, Target, WalkList
from quartier.lib import contacts as lib
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group

MONTREAL = (45.5200, -73.5800)


@pytest.fixture
def leader(make_supporter) -> Supporter:
    return make_supporter("Léa Leader")


@pytest.fixture
def volunteer(make_supporter) -> Supporter:
    return make_supporter("Victor Volunteer")


@pytest.fixture
def outsider(make_supporter) -> Supporter:
    return make_supporter("Oscar Outsider", postal_code="M5V 2T6")


@pytest.fixture
def group(db, leader, volunteer) -> Group:
    draft = organizing_groups.GroupDraft(
        name="Plateau door-knockers", description="", area="Plateau", country="CA", postal_code="H2X 1Y4",
        latitude=MONTREAL[0], longitude=MONTREAL[1], town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    group = organizing_groups.create_group(creator=leader, draft=draft)
    organizing_groups.join_group(
        supporter=volunteer, group=group, accepts_messages=False, consent_wording="No", language="en",
        ip_address=None,
    )  # fmt: skip
    GroupAccess.objects.create(group=group, note="Approved by staff for the tests")
    return group


@pytest.fixture
def make_contact(db, group) -> Callable[..., Contact]:
    """Contacts granted to `group` (its campaigns reach them) unless `scope_group` says otherwise."""
    counter = iter(range(1, 100_000))

    def make(
        first_name: str = "Anne",
        last_name: str | None = None,
        *,
        address: str | None = None,
        postal_code: str = "H2T 1S6",
        latitude: float | None = MONTREAL[0],
        longitude: float | None = MONTREAL[1],
        phone: str = "",
        time_zone: str = "America/Toronto",
        tags: tuple[str, ...] = (),
        scope_group: Group | None = group,
        **changes,
    ) -> Contact:
        number = next(counter)
        last_name = last_name if last_name is not None else f"Contact{number}"
        address = address if address is not None else f"{number} rue Saint-Denis"
        house, street = lib.split_address(address)
        contact = Contact.objects.create(
            first_name=first_name, last_name=last_name, address=address, house_number=house, street_name=street,
            postal_code=postal_code, latitude=latitude, longitude=longitude, phone=phone, time_zone=time_zone,
            household_key=lib.household_key(address, postal_code), tags=lib.tags_field(tags),
            dedupe_key=f"test:{number}", scope_group=scope_group, **changes,
        )  # fmt: skip
        return contact

    return make


@pytest.fixture
def script(db) -> Script:
    """Q1 support? yes → Q2 (volunteer?), no → end; Q3 scale; success: Q1 = yes."""
    script = Script.objects.create(name="Spring script", introduction="Hello, I volunteer with the campaign.",
                                   introduction_fr="Bonjour, je suis bénévole pour la campagne.")  # fmt: skip
    Question.objects.create(
        script=script, position=1, kind=Question.Kind.SINGLE, text="Will you vote for us?",
        text_fr="Voterez-vous pour nous ?", defines_success=True, success_values=["yes"],
        choices=[{"value": "yes", "label": "Yes", "label_fr": "Oui", "next": 2},
                 {"value": "no", "label": "No", "label_fr": "Non", "next": 0}],
    )  # fmt: skip
    Question.objects.create(
        script=script, position=2, kind=Question.Kind.MULTIPLE, text="How would you help?",
        choices=[{"value": "door", "label": "Knock doors"}, {"value": "call", "label": "Make calls"}],
    )  # fmt: skip
    Question.objects.create(
        script=script, position=3, kind=Question.Kind.SCALE, text="How much does climate matter?"
    )
    return script


@pytest.fixture
def phone_bank(db, group, script) -> FieldCampaign:
    return FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK,
        name="Call the Plateau",
        script=script,
        group=group,
        open_from_home=True,
        calling_hours_start=0,
        calling_hours_end=24,  # the quiet-hours tests set their own
    )


@pytest.fixture
def canvass(db, group, script) -> FieldCampaign:
    return FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.CANVASS, name="Knock the Plateau", script=script, group=group
    )


@pytest.fixture
def callable_contacts(make_contact, phone_bank) -> list[Contact]:
    """Five contacts with phone numbers, in the phone bank's queue."""
    people = [make_contact(f"Caller{n}", phone=f"+1514555{1000 + n}") for n in range(5)]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    return people


@pytest.fixture
def walk_list(make_contact, canvass, volunteer) -> WalkList:
    """A list of three doors (one a household of two) assigned to `volunteer`."""
    make_contact("Alice", "Martin", address="10 rue Rachel")
    make_contact("Bob", "Martin", address="10 rue Rachel")
    make_contact("Chloé", address="12 rue Rachel")
    make_contact("Driss", address="11 rue Rachel")
    (walk_list,) = walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=10, max_lists=1
    )
    return walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=volunteer)


def targets_of(walk_list: WalkList) -> list[Target]:
    return list(Target.objects.filter(walk_list=walk_list).select_related("contact").order_by("position"))
