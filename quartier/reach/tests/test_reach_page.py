"""`/organize/reach/` for staff, and each supporter's own tree in "My reach" on their dashboard."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.reach.actions import analytics
from quartier.reach.actions.attribution import record_conversion, sync_from_journal
from quartier.reach.models import CascadeSnapshot, Conversion
from quartier.reach.tasks import recompute_cascades
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
PAGE = "/organize/reach/"


@pytest.fixture
def cascade(join, supporter):
    """Marie brought Ben, who brought Chloé and Dan; Dan brought Eve."""
    ben = join("Ben Sharer", referred_by=supporter)
    chloe, dan = join("Chloé", referred_by=ben), join("Dan", referred_by=ben)
    join("Eve", referred_by=dan)
    sync_from_journal()
    record_conversion(kind=Conversion.Kind.GIFT, source_key="donation:1", converter=chloe, credited_to=dan)
    return ben


def test_the_url_is_named():
    assert reverse("reach:organize") == PAGE


def test_only_staff_see_the_campaign_s_cascades(persona, cascade):
    name, person = persona
    analytics.recompute_cascades()
    before = list(CascadeSnapshot.objects.values_list("computed_at", flat=True))

    response = client_for(person).get(PAGE)

    if name == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif name == "staff":
        assert response.status_code == 200
        body = response.content.decode()
        assert "Top citizen marketers" in body and "Ben Sharer" in body and "<svg" in body
    else:  # 404, as every staff page answers those who are not staff
        assert response.status_code == 404
        assert "Ben Sharer" not in response.content.decode()
    assert (
        list(CascadeSnapshot.objects.values_list("computed_at", flat=True)) == before
    )  # a page view writes nothing


def test_the_page_says_what_to_do_when_nobody_was_brought_in_yet(staff):
    body = client_for(staff).get(PAGE).content.decode()

    assert "Nobody has joined through a share link yet" in body
    assert "The curves have not been computed yet" in body


def test_the_page_is_french_for_a_french_speaker(staff, cascade):
    analytics.recompute_cascades()
    staff.language = "fr"
    staff.save(update_fields=["language"])

    body = client_for(staff).get(PAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Bouche-à-oreille" in body and "Meilleurs relais citoyens" in body


def test_the_page_s_queries_do_not_grow_with_the_cascades(staff, join, cascade):
    analytics.recompute_cascades()
    client = client_for(staff)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    sharer = cascade
    for number in range(15):
        sharer = join(f"Newcomer {number}", referred_by=sharer if number % 2 else cascade)
    sync_from_journal()
    recompute_cascades.delay()
    with CaptureQueriesContext(connection) as many:
        response = client.get(PAGE)

    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 10


def test_the_viral_night_is_named_on_the_page(staff, join, supporter):
    from datetime import timedelta

    from django.utils import timezone

    from quartier.reach.models import CascadeNode

    day_before = timezone.now() - timedelta(days=3)
    sharers = [join(f"Early {number}") for number in range(12)]
    for number, sharer in enumerate(sharers):
        record_conversion(
            kind=Conversion.Kind.SIGNUP, source_key=f"early:{number}", converter=None, credited_to=sharer,
            occurred_at=day_before,
        )  # fmt: skip
    CascadeNode.objects.update(joined_at=day_before)
    for number in range(216):
        record_conversion(
            kind=Conversion.Kind.SIGNUP, source_key=f"night:{number}", converter=None,
            credited_to=sharers[number % 12], occurred_at=day_before + timedelta(days=1),
        )  # fmt: skip
    analytics.recompute_cascades()

    body = client_for(staff).get(PAGE).content.decode()

    assert "from 24 to 240 people (×10.0)" in body


def test_my_reach_shows_my_own_tree(supporter, cascade):
    body = client_for(supporter).get("/dashboard/").content.decode()

    assert "My word-of-mouth tree" in body
    assert 'data-figure="tree-size">4<' in body and 'data-figure="generations">3<' in body
    assert 'data-figure="downstream">5<' in body  # four sign-ups and a gift down the tree


def test_my_reach_shows_no_tree_to_someone_who_brought_nobody(other_supporter, cascade):
    body = client_for(other_supporter).get("/dashboard/").content.decode()

    assert "My word-of-mouth tree" not in body
