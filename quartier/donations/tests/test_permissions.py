"""Every view x every persona (donor, page owner, team member, other supporter, unverified, anonymous,
staff): who may do what, and a refusal changes nothing."""

from __future__ import annotations

import pytest

from quartier.donations.actions import pages as pages_actions
from quartier.donations.models import Donation, FundraisingPage, RecurringGift, RefundRequest
from quartier.donations.tests.conftest import give
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "unverified", "owner", "team_member", "other_supporter", "staff"]


@pytest.fixture
def owner(supporter):
    return supporter


@pytest.fixture
def team_member(make_supporter, page):
    member = make_supporter("Théo Team")
    team = pages_actions.create_team(captain=page.owner, name="Plateau runners")
    pages_actions.update_page(
        page=page,
        draft=pages_actions.PageDraft(
            title=page.title, story=page.story, goal_minor=page.goal_minor, team=team
        ),
    )
    pages_actions.create_page(
        owner=member,
        draft=pages_actions.PageDraft(title="Théo's page", story="", goal_minor=50_000, team=team),
    )
    return member


@pytest.fixture(params=PERSONAS)
def who(request, page):
    return request.param, request.getfixturevalue(request.param)


def snapshot():
    return (
        list(
            FundraisingPage.objects.order_by("pk").values_list("title", "status", "goal_minor", "total_minor")
        ),
        list(Donation.objects.order_by("pk").values_list("status", "refunded_minor")),
        list(RecurringGift.objects.order_by("pk").values_list("status", "amount_minor")),
        RefundRequest.objects.count(),
    )


def test_everyone_may_see_the_donation_page_and_an_active_fundraising_page(who, page):
    _name, person = who
    client = client_for(person)
    assert client.get("/donate/").status_code == 200
    assert client.get(page.get_absolute_url()).status_code == 200
    assert client.get(f"/fundraise/{page.slug}/donate/").status_code == 200
    assert client.get("/fundraise/").status_code == 200


def test_a_hidden_page_is_seen_by_its_owner_and_staff_only(who, page):
    name, person = who
    pages_actions.set_page_status(page=page, status=FundraisingPage.Status.HIDDEN)
    expected = 200 if name in {"owner", "staff"} else 404
    assert client_for(person).get(page.get_absolute_url()).status_code == expected
    assert client_for(person).get(f"/fundraise/{page.slug}/donate/").status_code == 404


def test_only_verified_supporters_create_pages(who):
    name, person = who
    before = FundraisingPage.objects.count()
    response = client_for(person).post("/fundraise/new/", {"title": "My run", "goal": "500", "story": "Go"})
    if name in {"anonymous", "unverified"}:
        assert response.status_code == 302
        assert FundraisingPage.objects.count() == before
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert FundraisingPage.objects.count() == before + 1
        created = FundraisingPage.objects.latest("pk")
        assert created.owner == person and created.goal_minor == 50_000


def test_only_the_owner_edits_a_page_or_emails_from_it(who, page):
    name, person = who
    client = client_for(person)
    before = snapshot()
    edit = client.post(f"/fundraise/{page.slug}/edit/", {"title": "Hijacked", "goal": "1", "story": ""})
    email = client.post(
        f"/fundraise/{page.slug}/email/", {"addresses": "a@example.org", "subject": "Hi", "body": "Give"}
    )
    from quartier.outreach.models import Message

    if name == "owner":
        assert edit.status_code == 302 and email.status_code == 302
        assert FundraisingPage.objects.get(pk=page.pk).title == "Hijacked"
        assert Message.objects.filter(sender=person).count() == 1
    else:
        assert edit.status_code in {302, 404} and email.status_code in {302, 404}
        assert snapshot() == before
        assert Message.objects.count() == 0


def test_only_the_donor_sees_and_manages_their_gifts(who, owner):
    name, person = who
    gift = give(2500, supporter=owner)
    monthly = give(1000, supporter=owner, frequency="monthly")
    client = client_for(person)
    before = snapshot()
    history = client.get("/settings/gifts/")
    cancel = client.post(f"/settings/gifts/monthly/{monthly.recurring_id}/cancel/")
    change = client.post(f"/settings/gifts/monthly/{monthly.recurring_id}/change/", {"amount": "50"})
    refund = client.post(f"/settings/gifts/{gift.pk}/refund/", {"reason": "Oops"})
    if name == "owner":
        assert history.status_code == 200 and "$25" in history.content.decode()
        assert RefundRequest.objects.filter(donation=gift).count() == 1
        assert RecurringGift.objects.get().status == RecurringGift.Status.CANCELLED
    else:
        if name == "anonymous":
            assert history.status_code == 302
        else:
            assert "$25" not in history.content.decode()
        assert {cancel.status_code, change.status_code, refund.status_code} <= {302, 404}
        assert snapshot() == before


def test_only_staff_use_the_staff_tools_and_refuse_changes_nothing(who, page):
    name, person = who
    gift = give(2500, page=page)
    client = client_for(person)
    before = snapshot()
    pages = [client.get(url) for url in ("/staff/donations/", "/staff/donations/figures/", "/staff/donations/compliance/",
                                         "/staff/fundraising/", "/staff/donations/?format=csv")]  # fmt: skip
    refund = client.post(f"/staff/donations/{gift.pk}/refund/")
    hide = client.post(f"/staff/fundraising/{page.slug}/", {"status": "hidden"})
    if name == "staff":
        assert [response.status_code for response in pages] == [200] * 5
        assert refund.status_code == 302 and hide.status_code == 302
        assert Donation.objects.get(pk=gift.pk).refunded_minor == 2500
        assert FundraisingPage.objects.get(pk=page.pk).status == FundraisingPage.Status.HIDDEN
    else:
        assert [response.status_code for response in pages] == [404] * 5
        assert refund.status_code == 404 and hide.status_code == 404
        assert snapshot() == before


def test_a_staff_page_hidden_status_must_be_a_known_one(staff, page):
    response = client_for(staff).post(f"/staff/fundraising/{page.slug}/", {"status": "deleted"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_status"
    assert FundraisingPage.objects.get(pk=page.pk).status == FundraisingPage.Status.ACTIVE
