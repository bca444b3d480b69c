"""Share links only read (issue 17, point 14): the code comes with the account, never with a page view."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.donations.actions import pages as pages_actions
from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.reach.models import ReferralCode
from quartier.reach.queries import share_url
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
make_event = organizing_fixtures.make_event
make_group = organizing_fixtures.make_group
WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_in(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(WRITES)
    ]


def test_a_new_account_has_its_code_from_sign_up(make_supporter):
    supporter = make_supporter("Nora New")

    code = ReferralCode.objects.get(supporter=supporter).code
    assert share_url("/events/1/", supporter).endswith(f"/events/1/?ref={code}")


def test_sign_up_through_the_form_gives_the_code(client):
    from quartier.testing import PASSWORD

    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD,
         "display_name": "New Person", "country": "CA", "postal_code": "H2T 1A1"},
    )  # fmt: skip

    assert ReferralCode.objects.filter(supporter__email="new@example.org").exists()


def test_share_url_only_reads(make_supporter, django_assert_num_queries):
    supporter = make_supporter("Olga Old")
    ReferralCode.objects.filter(supporter=supporter).delete()  # an account from before codes at sign-up

    with django_assert_num_queries(1) as captured:
        url = share_url("/events/1/", supporter)

    assert "ref=" not in url and writes_in(captured) == []
    assert not ReferralCode.objects.filter(supporter=supporter).exists()


def test_an_anonymous_view_of_a_fundraising_page_writes_nothing(
    make_supporter, django_assert_max_num_queries
):
    owner = make_supporter("Paula Page")
    page = pages_actions.create_page(
        owner=owner, draft=pages_actions.PageDraft(title="My walk", story="Why", goal_minor=10_000)
    )
    code = ReferralCode.objects.get(supporter=owner).code
    ReferralCode.objects.filter(supporter=owner).delete()  # a page made before pages made codes
    client = client_for(None)

    with django_assert_max_num_queries(40) as captured:
        response = client.get(reverse("donations:page", args=[page.slug]))

    assert response.status_code == 200
    assert writes_in(captured) == []
    assert not ReferralCode.objects.filter(supporter=owner).exists()
    # With its code (every account has one after the migration), the page's link carries it.
    ReferralCode.objects.create(supporter=owner, code=code)
    cache.clear()  # anonymous pages are cached
    assert f"ref={code}" in client_for(None).get(reverse("donations:page", args=[page.slug])).content.decode()


def test_a_supporter_viewing_an_event_or_a_group_writes_no_code(
    make_supporter, make_event, make_group, django_assert_max_num_queries
):
    host, viewer = make_supporter("Hana Host"), make_supporter("Vic Viewer")
    event, group = make_event(host), make_group(host)
    ReferralCode.objects.filter(supporter=viewer).delete()
    client = client_for(viewer)
    client.get(reverse("organizing:event", args=[event.pk]))  # the session settles on the first view

    for url in (reverse("organizing:event", args=[event.pk]), group.get_absolute_url()):
        with django_assert_max_num_queries(60) as captured:
            assert client.get(url).status_code == 200
        assert not [sql for sql in writes_in(captured) if "reach_referralcode" in sql], url
    assert not ReferralCode.objects.filter(supporter=viewer).exists()


def test_the_migration_gives_every_supporter_without_a_code_one(make_supporter):
    kept, missing, erased = (
        make_supporter("Kim Kept"),
        make_supporter("Mo Missing"),
        make_supporter("Ed Erased"),
    )
    kept_code = ReferralCode.objects.get(supporter=kept).code
    ReferralCode.objects.filter(supporter__in=[missing, erased]).delete()
    Supporter.objects.filter(pk=erased.pk).update(is_active=False)

    migration = importlib.import_module("quartier.reach.migrations.0003_referral_codes_for_everyone")
    migration.give_codes(apps, None)

    assert ReferralCode.objects.get(supporter=kept).code == kept_code
    assert len(ReferralCode.objects.get(supporter=missing).code) == 8
    assert not ReferralCode.objects.filter(supporter=erased).exists()
    assert ReferralCode.objects.values("code").distinct().count() == ReferralCode.objects.count()
