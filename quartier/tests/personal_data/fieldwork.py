"""Factories for the personal data sources of `fieldwork` (see `registry.py`)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db.models import Q

from quartier.accounts.models import (
    Supporter,
)
from quartier.fieldwork.actions import calls as fieldwork_calls
from quartier.fieldwork.actions import results as fieldwork_results
from quartier.fieldwork.actions import walk_lists as fieldwork_walk_lists
from quartier.fieldwork.models import Contact, FieldCampaign, ImportJob, Result, Target, WalkList
from quartier.tests.personal_data.common import Factory, People, count_rows


def _fieldwork_imports(supporter: Supporter, people: People) -> None:
    """Two contact files uploaded (one waiting for its columns, one done)."""
    for number, status in ((1, ImportJob.Status.UPLOADED), (2, ImportJob.Status.DONE)):
        job = ImportJob.objects.create(
            original_name=people.marker("fieldwork_imports", number), uploaded_by=supporter, status=status
        )
        job.file.save("contacts.csv", ContentFile(b"name,address\nAnne,1 rue Rachel\n"))


def _fieldwork_contact_record(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        marker = people.marker("fieldwork_contact_record", number)
        Contact.objects.create(first_name=marker, supporter=supporter, dedupe_key=f"id:{marker}")


def _fieldwork_volunteering(supporter: Supporter, people: People) -> None:
    """Two walk lists held, two doors knocked (with notes), a contact called and one leased."""
    canvass = FieldCampaign.objects.create(kind="canvass", name="Knock")
    bank = FieldCampaign.objects.create(kind="phone_bank", name="Call", open_from_home=True,
                                        calling_hours_start=0, calling_hours_end=24)  # fmt: skip
    tag = f"{supporter.pk}-{len(people.markers)}"
    contacts = [
        Contact.objects.create(
            first_name="Door",
            address=f"{n} rue {tag}",
            household_key=f"{n}|{tag}",
            phone=f"+1514555{n:04d}",
            dedupe_key=f"door:{tag}:{n}",
        )
        for n in range(1, 5)
    ]
    chosen = Contact.objects.filter(pk__in=[c.pk for c in contacts])
    lists = fieldwork_walk_lists.cut_walk_lists(
        campaign=canvass, contacts=chosen, doors_per_list=2, max_lists=2
    )
    for walk_list in lists:
        fieldwork_walk_lists.assign_walk_list(walk_list=walk_list, volunteer=supporter)
        target = walk_list.targets.order_by("position").first()
        fieldwork_results.record_result(
            volunteer=supporter, target=target, walk_list=walk_list, channel=Result.Channel.DOOR,
            data=fieldwork_results.ResultInput(outcome="supportive", notes=people.marker("fieldwork_volunteering", 1)),
        )  # fmt: skip
    fieldwork_calls.add_targets(campaign=bank, contacts=chosen)
    # One contact called (the supporter is its caller from now on), one held on a lease.
    called = fieldwork_calls.claim_next_call(volunteer=supporter, campaign=bank)
    fieldwork_results.record_result(
        volunteer=supporter, target=called, channel=Result.Channel.CALL,
        data=fieldwork_results.ResultInput(outcome="not_home", notes=people.marker("fieldwork_volunteering", 2)),
    )  # fmt: skip
    fieldwork_calls.claim_next_call(volunteer=supporter, campaign=bank)


FACTORIES: dict[str, Factory] = {
    "fieldwork_contact_record": Factory(
        _fieldwork_contact_record,
        owned=lambda s: {Contact: Contact.objects.filter(supporter=s)},
        exported=lambda data: {Contact: count_rows(data)},
    ),
    "fieldwork_volunteering": Factory(
        _fieldwork_volunteering,
        owned=lambda s: {
            Result: Result.objects.filter(volunteer=s),
            WalkList: WalkList.objects.filter(assigned_to=s),
            Target: Target.objects.filter(Q(leased_to=s) | Q(caller=s)),
        },
        exported=lambda data: {
            Result: count_rows(data["results"]),
            WalkList: count_rows(data["walk_lists"]),
            Target: count_rows(data["contacts_held"]),
        },
    ),
    "fieldwork_imports": Factory(
        _fieldwork_imports,
        owned=lambda s: {ImportJob: ImportJob.objects.filter(uploaded_by=s)},
        exported=lambda data: {ImportJob: count_rows(data)},
    ),
}
