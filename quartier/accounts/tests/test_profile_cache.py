"""The profile page's card is cached once per audience (`queries.profile_audience`): nobody sees what
another audience sees (a field shown to signed-in supporters never reaches an anonymous visitor or an
unconfirmed account, the owner's controls never reach anybody else), a signed-in viewer sees each write
to the card on their next request, and a hit costs one narrow query."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quartier.accounts import actions, branding
from quartier.accounts.models import Affiliation, Profile
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

MEMBERS_ONLY = "Réservé aux membres confirmés"
OWN_CONTROLS = "Edit my profile"


def changes(supporter, **values) -> actions.ProfileChanges:
    profile = Profile.objects.filter(supporter=supporter).first()
    fields = {
        "handle": supporter.handle, "display_name": supporter.display_name, "country": supporter.country,
        "postal_code": supporter.postal_code, "bio": profile.bio if profile else "",
        "why_involved": profile.why_involved if profile else "", "causes": [], "languages_spoken": [],
        "links": [], "visibility": {},
    }  # fmt: skip
    fields.update(values)
    return actions.ProfileChanges(**fields)


def commit(write, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        write()


@pytest.fixture
def owner(make_supporter, django_capture_on_commit_callbacks):
    person = make_supporter("Hana Host")
    commit(
        lambda: actions.update_profile(
            supporter=person, changes=changes(person, bio=MEMBERS_ONLY, visibility={"bio": "supporters"})
        ),
        django_capture_on_commit_callbacks,
    )
    return person


def page(client: Client, owner) -> str:
    response = client.get(owner.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_each_audience_sees_its_own_card_whoever_filled_the_cache(owner, make_supporter, unverified, staff):
    reader = client_for(make_supporter("Max Member"))
    for _ in range(2):  # the second time from the cache
        as_supporter = page(reader, owner)
        as_unconfirmed = page(client_for(unverified), owner)
        as_anonymous = page(Client(), owner)
        as_owner = page(client_for(owner), owner)
        as_staff = page(client_for(staff), owner)
        assert MEMBERS_ONLY in as_supporter and OWN_CONTROLS not in as_supporter
        assert MEMBERS_ONLY not in as_unconfirmed and OWN_CONTROLS not in as_unconfirmed
        assert MEMBERS_ONLY not in as_anonymous and OWN_CONTROLS not in as_anonymous
        assert MEMBERS_ONLY in as_owner and OWN_CONTROLS in as_owner
        assert MEMBERS_ONLY in as_staff and OWN_CONTROLS not in as_staff
        assert "Staff: transparency label" in as_staff
        assert "Staff: transparency label" not in as_supporter + as_owner


def test_a_hit_costs_one_narrow_query_and_no_template_of_the_card(owner, make_supporter):
    reader = client_for(make_supporter("Max Member"))
    page(reader, owner)
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(owner.get_absolute_url())
    assert "accounts/profile_card.html" not in [template.name for template in response.templates]
    reads = [query["sql"] for query in captured.captured_queries if "django_session" not in query["sql"]]
    assert (
        len(reads) == 1
    )  # who may open it (the session is in the database in tests, in Redis in production)
    assert "bio_html" not in reads[0] and '"password"' not in reads[0]


def test_an_anonymous_first_visit_reads_the_shown_columns_in_one_query(owner, django_assert_num_queries):
    branding.current()  # read once per process, then from the cache
    with CaptureQueriesContext(connection) as captured:
        page(Client(), owner)
    assert len(captured.captured_queries) == 1  # no cause chosen: none read
    assert '"password"' not in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(0):
        page(Client(), owner)


@dataclass
class Case:
    write: object  # owner, staff -> None, committed
    shows: str | None = None
    hides: str | None = None
    gone: bool = False


CASES = {
    "renamed": Case(
        lambda o, s: actions.update_profile(supporter=o, changes=changes(o, display_name="Hana Nouveau-Nom")),
        shows="Hana Nouveau-Nom",
    ),
    "bio edited": Case(
        lambda o, s: actions.update_profile(
            supporter=o, changes=changes(o, bio="Bénévole depuis 2008", visibility={"bio": "supporters"})
        ),
        shows="Bénévole depuis 2008",
    ),
    "bio made private": Case(
        lambda o, s: actions.update_profile(supporter=o, changes=changes(o, visibility={"bio": "private"})),
        hides=MEMBERS_ONLY,
    ),
    "label set by staff": Case(
        lambda o, s: actions.set_affiliation(supporter=o, affiliation=Affiliation.AMBASSADOR, changed_by=s),
        shows="Campaign ambassador",
    ),
    "account deleted": Case(lambda o, s: actions.delete_account(supporter=o), gone=True),
    "account deactivated": Case(
        lambda o, s: o.__class__.objects.filter(pk=o.pk).update(is_active=False), gone=True
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_signed_in_viewer_sees_every_write_on_the_next_request(
    name, owner, make_supporter, staff, django_capture_on_commit_callbacks
):
    case = CASES[name]
    reader = client_for(make_supporter("Max Member"))
    before = page(reader, owner)
    again = reader.get(owner.get_absolute_url())
    assert "accounts/profile_card.html" not in [t.name for t in again.templates]  # the card is cached
    commit(lambda: case.write(owner, staff), django_capture_on_commit_callbacks)
    response = reader.get(f"/people/{owner.handle}/")
    if case.gone:
        assert response.status_code == 404
        return
    after = response.content.decode()
    if case.shows is not None:
        assert case.shows not in before and case.shows in after
    if case.hides is not None:
        assert case.hides in before and case.hides not in after
