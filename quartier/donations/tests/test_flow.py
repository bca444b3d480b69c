"""The whole flow through the pages: give through the sandbox's hosted page, receipts, refcodes and
preset links, the returning donor's one step, monthly gifts on the sandbox clock, pages and their
honour rolls, email to one's network, staff lists and exports, the dashboards' figures."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quartier.accounts.models import Activity
from quartier.donations import queries, sandbox
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import limits as limits_actions
from quartier.donations.actions import pages as pages_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import DailyTotal, Donation, FundraisingPage, RecurringGift, SavedPaymentMethod
from quartier.donations.tests.conftest import committed, give
from quartier.donations.tests.test_compliance import form_data
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def checkout(client: Client, url: str = "/donate/", **overrides):
    response = client.post(url, form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def test_a_donor_gives_through_the_sandbox_page_and_gets_one_receipt(client, mailoutbox):
    hosted = checkout(client, amount="50", refcode="spring_email")
    assert hosted.startswith("/donate/sandbox/sbx_cs_")
    assert "4242 4242 4242 4242" in client.get(hosted).content.decode()
    with committed():
        paid = client.post(hosted, {"card": "4242 4242 4242 4242"})
    donation = Donation.objects.get()
    assert paid["Location"] == f"/donate/thanks/{donation.pk}/"
    assert "Thank you!" in client.get(paid["Location"]).content.decode()
    assert (donation.status, donation.amount_minor, donation.refcode) == ("succeeded", 5000, "spring_email")
    assert len(mailoutbox) == 1 and "$50" in mailoutbox[0].body
    # Given without an account: no link to a gift history they could not open (a login page).
    assert "http://" in mailoutbox[0].body and "/settings/gifts/" not in mailoutbox[0].body
    # Paying again (back button) changes nothing and sends nothing more.
    with committed():
        client.post(hosted, {"card": "4242 4242 4242 4242"})
    assert len(mailoutbox) == 1
    assert Activity.objects.get(kind="donations.gift").detail == {
        "page": None,
        "recurring": False,
        "refcode": "spring_email",
    }


def test_a_declined_card_charges_nothing_and_the_donor_may_try_another(client):
    hosted = checkout(client)
    declined = client.post(hosted, {"card": "4000 0000 0000 0002"})
    assert declined.status_code == 400 and "declined" in declined.content.decode()
    assert Donation.objects.get().status == Donation.Status.PENDING
    assert client.post(hosted, {"card": "4242424242424242"}).status_code == 302
    assert Donation.objects.get().status == Donation.Status.SUCCEEDED


def test_a_card_that_asks_for_authentication_takes_an_extra_step(client):
    hosted = checkout(client)
    step = client.post(hosted, {"card": "4000 0025 0000 3155"})
    assert "Confirm the payment" in step.content.decode()
    failed = client.post(hosted, {"card": "4000 0025 0000 3155", "authenticated": "no"})
    assert failed.status_code == 400 and Donation.objects.get().status == Donation.Status.PENDING
    client.post(hosted, {"card": "4000 0025 0000 3155", "authenticated": "yes"})
    assert Donation.objects.get().status == Donation.Status.SUCCEEDED


def test_cancelling_on_the_hosted_page_gives_the_reservation_back(client, us_federal):
    hosted = checkout(client, amount="other", other_amount="3500", employer="Acme", occupation="Nurse")
    response = client.post(hosted, {"cancel": "1"})
    assert response["Location"].startswith("/donate/cancelled/")
    donation = Donation.objects.get()
    assert donation.status == Donation.Status.FAILED
    assert limits_actions.committed_minor(identity_key=donation.identity_key, period=donation.period) == 0
    assert client.get(hosted).status_code == 410


def test_links_preset_the_amount_and_monthly_as_actblue_links_do(client):
    page = client.get("/donate/?amount=100&recurring=1&refcode=fb_ad_7").content.decode()
    assert re.search(r'value="100"[^>]*checked', page)
    assert re.search(r'value="monthly"[^>]*checked', page)
    assert 'name="refcode" value="fb_ad_7"' in page
    custom = client.get("/donate/?amount=42.50").content.decode()
    assert 'value="42.50"' in custom
    bad = client.get("/donate/?refcode=<script>").content.decode()
    assert "&lt;script" not in bad and 'name="refcode" value=""' not in bad.replace('id="id_refcode"', "")


def test_a_signed_in_donor_finds_the_form_prefilled(supporter):
    page = client_for(supporter).get("/donate/").content.decode()
    assert 'value="Marie"' in page and 'value="Tremblay"' in page and supporter.email in page


def test_a_returning_donor_gives_again_in_one_step_with_the_card_the_processor_kept(supporter, mailoutbox):
    client = client_for(supporter)
    hosted = checkout(client, first_name="Marie", last_name="Tremblay")
    client.post(hosted, {"card": "4242424242424242"})
    assert SavedPaymentMethod.objects.get(supporter=supporter).label == "Sandbox card •••• 4242"
    assert "Give again in one step" in client.get("/donate/").content.decode()

    with committed():
        response = client.post("/donate/again/", {"amount": "25"})
    assert response.status_code == 302 and "/donate/thanks/" in response["Location"]
    again = Donation.objects.latest("pk")
    assert (again.status, again.amount_minor, again.express, again.last_name) == (
        "succeeded",
        2500,
        True,
        "Tremblay",
    )
    assert Donation.objects.count() == 2


def test_someone_who_never_gave_has_no_one_step_button(supporter):
    assert "Give again in one step" not in client_for(supporter).get("/donate/").content.decode()
    response = client_for(supporter).post("/donate/again/", {"amount": "25"})
    assert response.status_code == 302 and Donation.objects.count() == 0


def test_a_monthly_gift_renews_on_the_sandbox_clock_and_can_be_changed_or_stopped(supporter):
    client = client_for(supporter)
    client.post(checkout(client, amount="10", frequency="monthly"), {"card": "4242424242424242"})
    recurring = RecurringGift.objects.get()
    assert recurring.status == RecurringGift.Status.ACTIVE
    assert recurring_actions.renew_due_sandbox_gifts(now=timezone.now() + timedelta(days=31)) == 1
    assert (
        recurring_actions.renew_due_sandbox_gifts(now=timezone.now() + timedelta(days=31)) == 0
    )  # the clock ran once

    client.post(f"/settings/gifts/monthly/{recurring.pk}/change/", {"amount": "15"})
    recurring.refresh_from_db()
    assert recurring.amount_minor == 1500
    recurring_actions.renew_due_sandbox_gifts(now=timezone.now() + timedelta(days=62))
    assert list(recurring.donations.order_by("pk").values_list("amount_minor", flat=True)) == [
        1000,
        1000,
        1500,
    ]
    client.post(f"/settings/gifts/monthly/{recurring.pk}/cancel/")
    assert recurring_actions.renew_due_sandbox_gifts(now=timezone.now() + timedelta(days=200)) == 0
    figures = queries.organiser_figures()
    assert (figures["monthly_revenue_minor"], figures["monthly_donor_count"]) == (0, 0)


def test_the_change_form_refuses_a_bad_amount_and_changes_nothing(supporter):
    give(1000, supporter=supporter, frequency="monthly")
    recurring = RecurringGift.objects.get()
    response = client_for(supporter).post(
        f"/settings/gifts/monthly/{recurring.pk}/change/", {"amount": "-3"}, follow=True
    )
    assert "Enter an amount such as 25 or 25.50." in response.content.decode()
    assert RecurringGift.objects.get().amount_minor == 1000


def test_a_refund_request_is_approved_by_staff_and_reverses_the_totals(supporter, staff, page):
    gift = give(4000, supporter=supporter, page=page)
    client_for(supporter).post(f"/settings/gifts/{gift.pk}/refund/", {"reason": "Gave twice"})
    staff_list = client_for(staff).get("/staff/donations/").content.decode()
    assert "Gave twice" in staff_list
    client_for(staff).post(f"/staff/donations/{gift.pk}/refund/")

    gift.refresh_from_db()
    page.refresh_from_db()
    assert gift.refunded_minor == 4000 and page.total_minor == 0
    assert gift.refund_requests.get().status == "approved"
    assert queries.organiser_figures()["refund_minor"] == 4000


def test_a_page_shows_its_thermometer_and_an_honour_roll_that_respects_each_donors_choice(client, page):
    give(2500, page=page, credited_to=page.owner, show_name=True)
    give(5000, page=page, credited_to=page.owner, first_name="Hidden", last_name="Person", show_name=False)
    html = client.get(page.get_absolute_url()).content.decode()
    assert 'value="7"' in html  # 75 of 1,000 dollars
    assert "$75" in html and "$1,000" in html
    assert "Élise R." in html and "Anonymous" in html and "Hidden" not in html and "Person" not in html
    assert Activity.objects.filter(kind="donations.gift", credited_to=page.owner).count() == 2


def test_a_refcode_in_a_page_link_follows_the_visitor_to_the_form(client, page):
    html = client.get(f"{page.get_absolute_url()}?refcode=email&ref=abc").content.decode()
    assert f'href="/fundraise/{page.slug}/donate/?refcode=email"' in html
    assert (
        'name="refcode" value="email"'
        in client.get(f"/fundraise/{page.slug}/donate/?refcode=email").content.decode()
    )


def test_gifts_through_a_page_are_credited_to_it_and_to_its_owner(client, page):
    client.post(
        checkout(client, f"/fundraise/{page.slug}/donate/", show_name="on"), {"card": "4242424242424242"}
    )
    donation = Donation.objects.get()
    assert (donation.page, donation.credited_to, donation.show_name) == (page, page.owner, True)


def test_the_page_and_the_donation_page_cost_a_fixed_number_of_queries(
    client, page, django_assert_max_num_queries
):
    for number in range(30):
        give(1000 + number, page=page, first_name=f"Donor{number}", show_name=True)
    client.get(page.get_absolute_url())  # the owner's referral code is made on the first view
    with django_assert_max_num_queries(4):
        client.get(page.get_absolute_url())
    with django_assert_max_num_queries(2):
        client.get("/donate/")
    with django_assert_max_num_queries(3):
        client.get("/fundraise/")


def test_teams_add_up_their_pages(client, page, make_supporter):
    team = pages_actions.create_team(captain=page.owner, name="Plateau runners")
    pages_actions.update_page(
        page=page, draft=pages_actions.PageDraft(title=page.title, story="", goal_minor=100_000, team=team)
    )
    other = pages_actions.create_page(
        owner=make_supporter("Ana"),
        draft=pages_actions.PageDraft(title="Ana's", story="", goal_minor=50_000, team=team),
    )
    give(2000, page=page)
    give(3000, page=other, first_name="Bob")
    html = client.get(team.get_absolute_url()).content.decode()
    assert "$50" in html and "$1,500" in html and "Ana&#x27;s" in html


def test_the_leaderboard_ranks_pages_by_what_they_raised(client, page, make_supporter):
    small = pages_actions.create_page(
        owner=make_supporter("Ana"),
        draft=pages_actions.PageDraft(title="Small one", story="", goal_minor=10_000),
    )
    give(500, page=small)
    give(9000, page=page, first_name="Bob")
    html = client.get("/fundraise/").content.decode()
    assert html.index(page.title.replace("'", "&#x27;")) < html.index("Small one")


def test_a_verified_supporter_creates_a_page_with_a_photo_and_markdown_story(supporter):
    from io import BytesIO

    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (900, 600), "red").save(image, format="PNG")
    image.seek(0)
    image.name = "me.png"
    response = client_for(supporter).post(
        "/fundraise/new/",
        {
            "title": "Run for Rosemont",
            "goal": "1 500",
            "story": "I *run* <script>x</script>",
            "photo": image,
            "photo_alt": "Me at the finish line",
        },
    )
    page = FundraisingPage.objects.get()
    assert response["Location"] == page.get_absolute_url()
    assert (
        page.goal_minor == 150_000 and "<em>run</em>" in page.story_html and "<script>" not in page.story_html
    )
    assert page.photo.name.endswith(".webp")
    assert Activity.objects.get(kind="donations.page_created").supporter == supporter


def test_a_bad_page_form_re_renders_with_the_data_and_a_message(supporter):
    response = client_for(supporter).post("/fundraise/new/", {"title": "Run for Rosemont", "goal": "lots"})
    assert response.status_code == 400
    assert "Enter an amount such as 25 or 25.50." in response.content.decode()
    assert 'value="Run for Rosemont"' in response.content.decode()
    assert FundraisingPage.objects.count() == 0


def test_the_owner_emails_friends_once_each_with_suppression_and_progress(
    supporter, page, mailoutbox, settings
):
    from quartier.outreach.models import Suppression

    Suppression.objects.create(address="gone@example.org", reason="unsubscribed")
    client = client_for(supporter)
    vcard = io.BytesIO(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cara\r\nEMAIL:cara@example.org\r\nEND:VCARD\r\n")
    vcard.name = "friends.vcf"
    with committed():
        response = client.post(
            f"/fundraise/{page.slug}/email/",
            {"addresses": "ana@example.org, bob@example.org\ngone@example.org, not-an-address@", "subject": "Help me",
             "body": "Please give.", "contacts_file": vcard},
        )  # fmt: skip
    assert response.status_code == 302
    progress = client.get(response["Location"]).content.decode()
    assert "3 of 3 sent." in progress and "1 person asked not to get email from this site." in progress
    sent = {message.to[0]: message for message in mailoutbox}
    assert set(sent) == {"ana@example.org", "bob@example.org", "cara@example.org"}
    body = sent["ana@example.org"].body
    assert f"{settings.SITE_URL}{page.get_absolute_url()}?ref=" in body and "refcode=email" in body
    assert "Marie Tremblay" in sent["ana@example.org"].from_email
    # Sending again to the same friends from the same page sends nothing more.
    with committed():
        client.post(
            f"/fundraise/{page.slug}/email/",
            {"addresses": "ana@example.org", "subject": "Again", "body": "Please."},
        )
    assert len(mailoutbox) == 3


def test_the_email_form_needs_an_address_and_keeps_what_was_typed(supporter, page):
    response = client_for(supporter).post(
        f"/fundraise/{page.slug}/email/", {"addresses": "nobody", "subject": "Help", "body": "Please"}
    )
    assert response.status_code == 400 and "Add at least one email address." in response.content.decode()
    assert "Please</textarea>" in response.content.decode()


def test_staff_filter_the_list_and_export_it_as_csv(staff, page):
    give(2500, page=page, refcode="tv")
    give(7000, first_name="Zoé", last_name="Lavoie", email="zoe@example.org", postal_code="G1R 4S9")
    client = client_for(staff)
    filtered = client.get("/staff/donations/?search=Lavoie").content.decode()
    assert "Zoé" in filtered and "Élise" not in filtered
    response = client.get("/staff/donations/?format=csv&refcode=tv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["id", "created_at", "succeeded_at", "status", "amount"]
    assert len(rows) == 2 and rows[1][4] == "25.00" and rows[1][18] == page.slug


def test_a_csv_export_does_not_let_a_donor_inject_a_formula(staff):
    give(2500, first_name='=HYPERLINK("http://evil")')
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client_for(staff).get("/staff/donations/?format=csv").streaming_content).decode()
            )
        )
    )
    assert rows[1][8].startswith("'=")


def test_schedule_a_lists_the_donors_above_200_dollars_with_their_aggregate(staff, us_federal):
    give(15_000)
    give(10_000, employer="Acme", occupation="Welder")
    give(5000, first_name="Small", last_name="Donor")
    response = client_for(staff).get("/staff/donations/compliance/?format=schedule_a")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == ["Roy", "Roy"]
    assert rows[2][9:12] == ["100.00", "250.00", "2026-primary"]


def test_the_compliance_queue_shows_flagged_gifts_and_staff_resolve_them(staff, us_federal):
    donation = checkout_actions.start_donation(
        draft=__import__("quartier.donations.tests.conftest", fromlist=["draft"]).draft(
            300_000, employer="A", occupation="B"
        ),
        gateway="sandbox",
    )
    gifts_actions.mark_failed(donation_id=donation.pk)
    give(300_000, employer="A", occupation="B")
    gifts_actions.mark_succeeded(donation_id=donation.pk)
    client = client_for(staff)
    assert "Over the legal limit" in client.get("/staff/donations/compliance/").content.decode()
    client.post(f"/staff/donations/{donation.pk}/resolve/")
    assert "Nothing to review" in client.get("/staff/donations/compliance/").content.decode()


def test_the_dashboards_figures_come_from_the_daily_rows(staff):
    for amount in (1000, 4999, 5000, 19_999, 20_000, 100_000):
        give(amount, first_name=f"D{amount}")
    figures = queries.organiser_figures()
    assert figures["gift_count"] == 6 and figures["amount_minor"] == 150_998
    assert (figures["under_50_count"], figures["under_200_count"]) == (2, 4)
    assert figures["average_minor"] == 150_998 // 6
    assert figures["days"][-1]["amount_minor"] == 150_998 and len(figures["days"]) == 30
    assert DailyTotal.objects.count() <= 8
    assert "Raised per day" in client_for(staff).get("/staff/donations/figures/").content.decode()


def test_the_personal_dashboard_summary_and_panel(supporter, page):
    from django.template.loader import render_to_string

    assert queries.dashboard_summary(supporter) != {}
    give(1000, supporter=supporter, frequency="monthly")
    summary = queries.dashboard_summary(supporter)
    assert summary["pages"] == [page] and len(summary["gifts"]) == 1 and len(summary["monthly"]) == 1
    html = render_to_string("donations/_dashboard_panel.html", {"summary": summary})
    assert page.title.replace("'", "&#x27;") in html and "$10" in html


def test_the_dashboard_summary_is_empty_for_someone_with_nothing(other_supporter):
    from django.template.loader import render_to_string

    assert queries.dashboard_summary(other_supporter) == {}
    assert "start a fundraising page" in render_to_string("donations/_dashboard_panel.html", {"summary": {}})


def test_stale_sandbox_checkouts_release_their_reservation(us_federal):
    donation = checkout_actions.start_donation(
        draft=__import__("quartier.donations.tests.conftest", fromlist=["draft"]).draft(
            100_000, employer="A", occupation="B"
        ),
        gateway="sandbox",
    )
    Donation.objects.filter(pk=donation.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert checkout_actions.expire_stale_checkouts() == 1
    assert Donation.objects.get(pk=donation.pk).status == Donation.Status.FAILED
    assert sandbox.outcome_of("nonsense") == "invalid"


def test_an_anonymous_visitor_gets_the_cached_page_until_a_gift_changes_it(
    client, page, django_assert_max_num_queries
):
    give(2500, page=page, show_name=True)
    first = client.get(page.get_absolute_url()).content.decode()
    assert "$25" in first
    give(5000, page=page, first_name="Zoé", show_name=True)
    second = client.get(page.get_absolute_url()).content.decode()
    assert "$75" in second and "Zoé R." in second
    with django_assert_max_num_queries(3):
        client.get("/donate/")
        assert 'name="csrfmiddlewaretoken"' in client.get("/donate/").content.decode()
