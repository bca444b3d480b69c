"""The data export holds every row the database holds for the supporter, in every source.

Each source is filled (`personal_data.registry.FACTORIES`) for the supporter and a bystander; the export has
as many rows per model as the database holds for the supporter (models left out on purpose say why),
every marker written into the supporter's rows, and none of the bystander's.
"""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from quartier.accounts import privacy
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
