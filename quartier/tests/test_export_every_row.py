"""The data export holds every row the database holds for the supporter, in every source.

Each source is filled (`personal_data.registry.FACTORIES`) for the supporter and a bystander; the export has
as many rows per model as the database holds for the supporter (models left out on purpose say why),
every marker written into the supporter's rows, and none of the bystander's.
"""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts import privacy
from quartier.accounts.models import Supporter
from quartier.tests.personal_data.common import People
from quartier.tests.personal_data.registry import FACTORIES, every_owned_row


@pytest.fixture
def people(make_supporter, staff) -> People:
    return People(organiser=make_supporter("Olga Organiser"), staff=staff)


@pytest.mark.django_db
def test_the_export_lists_every_row_of_every_source_and_nobody_elses(make_supporter, people):
    supporter, bystander = make_supporter("Exporting Supporter"), make_supporter("Bystander")
    for factory in FACTORIES.values():
        factory.make(supporter, people)
    mine = list(people.markers)
    for factory in FACTORIES.values():
        factory.make(bystander, people)
    theirs = [marker for marker in people.markers if marker not in mine]
    supporter.refresh_from_db()

    export = privacy.export_personal_data(supporter)

    in_database = every_owned_row(supporter)
    for source in privacy.sources():
        counts = FACTORIES[source.name].exported(export[source.name])
        assert counts == {model: len(in_database[source.name][model]) for model in counts}, source.name
        for model in set(source.models) - set(counts):  # left out on purpose, and the factory says why
            assert model.__name__ in FACTORIES[source.name].not_exported, f"{source.name}: {model.__name__}"
    serialised = json.dumps(export, cls=DjangoJSONEncoder)
    assert [marker for marker in mine if marker not in serialised] == []
    assert [marker for marker in theirs if marker in serialised] == []
    assert "password" not in export["account"] and "md5$" not in serialised


# --- every status of every source (issue 19) ------------------------------------------------------


def _status_values(field) -> list[object]:
    """The values a status-like field takes: each choice, both booleans, a time or none for a nullable
    `..._at` time (hidden, cancelled, left, resolved...). Empty for any other field."""
    from django.db import models

    if field.choices and len(field.choices) <= 12:
        return [value for value, _label in field.flatchoices]
    if isinstance(field, models.BooleanField):
        return [True, False]
    if isinstance(field, models.DateTimeField) and field.null and field.name.endswith("_at"):
        return [timezone.now(), None]
    return []


@pytest.mark.django_db
def test_every_status_of_every_sources_rows_is_exported(make_supporter, people):
    """For each status-like field of each model of each source, the supporter's rows are put in each
    status in turn (every row at once), and the source's export lists every one of them."""
    supporter = make_supporter("Exporting Supporter")
    for factory in FACTORIES.values():
        factory.make(supporter, people)
    tried, refused = set(), set()
    for source in privacy.sources():
        factory = FACTORIES[source.name]
        for model, rows in factory.owned(supporter).items():
            pks = list(rows.values_list("pk", flat=True))
            if not pks or model.__name__ in factory.not_exported:
                continue
            for field in model._meta.concrete_fields:
                for value in _status_values(field):
                    try:
                        with transaction.atomic():
                            model.objects.filter(pk__in=pks).update(**{field.attname: value})
                            counts = factory.exported(source.export(supporter))
                            assert counts[model] == len(pks), (
                                f"{source.name}: {model.__name__}.{field.name}={value!r}"
                            )
                            raise _Undo
                    except _Undo:
                        tried.add((model.__name__, field.name))
                    except IntegrityError:  # a constraint ties this field to another: not a state of its own
                        refused.add((model.__name__, field.name, value))
    assert {
        ("RecurringGift", "status"),
        ("Donation", "status"),
        ("Post", "status"),
        ("Rsvp", "status"),
    } <= tried
    assert len(tried) >= 40, sorted(tried)
    # Constraints tie a few fields to others (an authenticator's type, a gateway, one connected account
    # per service): those values cannot be given to every row at once. Any other refusal is a new one.
    assert len(refused) < 14, sorted(refused)


def _make_unique_fields_new(copy) -> None:
    """A copy takes new values in its unique fields (a payment reference, a slug, a key)."""
    for field in copy._meta.concrete_fields:
        if not field.unique or field.primary_key or field.is_relation:
            continue
        value = getattr(copy, field.attname)
        if field.null:
            setattr(copy, field.attname, None)
        elif isinstance(value, str):
            setattr(copy, field.attname, f"{value}-c"[-(field.max_length or 200) :])


class _Undo(Exception):
    """Leaves the atomic block of one status, rolled back, before the next."""


# --- no source exports someone else's rows (issue 19) -----------------------------------------------


@pytest.mark.django_db
def test_no_source_exports_a_row_of_someone_else_that_names_the_supporter(make_supporter, people):
    """Someone else's rows that point at the supporter (a block against them, a gift credited to them, a
    report about them...) are that person's data. For every source and model, each of the bystander's
    rows is copied once per other link to a supporter (not the bystander's own), that link pointing at
    the supporter: the export lists exactly the rows the factories call the supporter's (a follow of the
    supporter is theirs too; a block against them is not)."""
    supporter, bystander = make_supporter("Exporting Supporter"), make_supporter("Bystander")
    for factory in FACTORIES.values():
        factory.make(supporter, people)
    for factory in FACTORIES.values():
        factory.make(bystander, people)
    copied = set()
    for source in privacy.sources():
        for model, rows in FACTORIES[source.name].owned(bystander).items():
            links = [
                field for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is Supporter and not field.one_to_one
            ]  # fmt: skip
            for row in rows.order_by("pk")[:1]:
                for link in links:
                    if getattr(row, link.attname) == bystander.pk:
                        continue  # the bystander's own link stays: the copy is still their row
                    copy = model.objects.get(pk=row.pk)
                    copy.pk = copy.id = None
                    setattr(copy, link.attname, supporter.pk)
                    _make_unique_fields_new(copy)
                    try:
                        with transaction.atomic():
                            copy.save()
                    except IntegrityError:
                        continue
                    copied.add((model.__name__, link.name))

    export = privacy.export_personal_data(supporter)

    in_database = every_owned_row(supporter)
    for source in privacy.sources():
        counts = FACTORIES[source.name].exported(export[source.name])
        assert counts == {model: len(in_database[source.name][model]) for model in counts}, source.name
    assert ("Block", "blocked") in copied  # the bystander blocked the supporter
    assert {("Follow", "followed"), ("Donation", "credited_to")} <= copied
    assert len(copied) >= 10, sorted(copied)
