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


def _person_details(supporter: Supporter, people: People) -> None:
    from quartier.api.models import PersonDetails

    PersonDetails.objects.create(
        supporter=supporter,
        given_name=people.marker("api_person_details", 0)[:80],
        custom_fields={"note": people.marker("api_person_details", 1)},
    )


def _form_submissions(supporter: Supporter, people: People) -> None:
    from quartier.api.models import Form, Submission

    form = Form.objects.create(title="Signup")
    for _number in range(2):
        Submission.objects.create(form=form, supporter=supporter)


def _forms_created(supporter: Supporter, people: People) -> None:
    from quartier.api.models import Form

    for number in range(2):
        Form.objects.create(title=people.marker("api_forms_created", number), created_by=supporter)


def _osdi_factories() -> dict[str, Factory]:
    from quartier.api.models import Form, PersonDetails, Submission

    return {
        "api_person_details": Factory(
            _person_details,
            owned=lambda s: {PersonDetails: PersonDetails.objects.filter(supporter=s)},
            exported=lambda data: {PersonDetails: count_rows(data)},
        ),
        "api_form_submissions": Factory(
            _form_submissions,
            owned=lambda s: {Submission: Submission.objects.filter(supporter=s)},
            exported=lambda data: {Submission: count_rows(data)},
        ),
        "api_forms_created": Factory(
            _forms_created,
            owned=lambda s: {Form: Form.objects.filter(created_by=s)},
            exported=lambda data: {Form: count_rows(data)},
        ),
    }


FACTORIES |= _osdi_factories()
