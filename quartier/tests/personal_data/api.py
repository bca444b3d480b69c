"""Factories for the personal data sources of `api` (see `registry.py`)."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.api.models import ApiKey, Tag, Tagging
from quartier.tests.personal_data.common import Factory, People, count_rows


def _taggings(supporter: Supporter, people: People) -> None:
    for number in range(2):
        tag, _created = Tag.objects.get_or_create(name=people.marker("api_taggings", number))
        Tagging.objects.create(tag=tag, supporter=supporter)


def _keys(supporter: Supporter, people: People) -> None:
    for number in range(2):
        ApiKey.issue(
            name=people.marker("api_keys_created", number), scopes=["people:read"], created_by=supporter
        )


FACTORIES: dict[str, Factory] = {
    "api_taggings": Factory(
        _taggings,
        owned=lambda s: {Tagging: Tagging.objects.filter(supporter=s)},
        exported=lambda data: {Tagging: count_rows(data)},
    ),
    "api_keys_created": Factory(
        _keys,
        owned=lambda s: {ApiKey: ApiKey.objects.filter(created_by=s)},
        exported=lambda data: {ApiKey: count_rows(data)},
    ),
}
