"""Donor-facing rough edges of issue 20: the one-step address opened directly, refcodes with a hyphen,
the confirmation of a stopped monthly gift, the receipt's layout and links, the thanks page's offers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, RecurringGift
from quartier.donations.tests.conftest import committed, give
from quartier.donations.tests.test_flow import checkout
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def test_opening_the_one_step_address_leads_to_the_donate_page(client, supporter):
    for visitor in (client, client_for(supporter)):
        response = visitor.get("/donate/again/")
        assert (response.status_code, response["Location"]) == (302, "/donate/")
    assert Donation.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "kept"),
    [("ux-newsletter", "ux-newsletter"), ("spring.2026", "spring.2026"), ("ux newsletter", "ux_newsletter"),
     ("été-2026", "t_-2026"), ("<b>x</b>", "b_x_b")],
)  # fmt: skip
def test_a_refcode_is_kept_or_normalised_never_dropped(client, raw, kept):
    from urllib.parse import quote

    assert f'name="refcode" value="{kept}"' in client.get(f"/donate/?refcode={quote(raw)}").content.decode()


def test_a_gift_through_a_hyphenated_refcode_is_credited_to_it(client, mailoutbox):
    page = client.get("/donate/?refcode=ux-newsletter").content.decode()
    assert 'name="refcode" value="ux-newsletter"' in page
    hosted = checkout(client, amount="50", refcode="ux-newsletter")
    with committed():
        client.post(hosted, {"card": "4242 4242 4242 4242"})
    assert Donation.objects.get().refcode == "ux-newsletter"


def _html(message) -> str:
    return message.alternatives[0][0]


def test_the_receipt_uses_the_shared_layout_and_links_a_donor_with_an_account_to_their_gifts(
    supporter, mailoutbox
):
    with committed():
        give(2500, supporter=supporter, email=supporter.email)
    (receipt,) = mailoutbox
    html = _html(receipt)
    assert "max-width:560px" in html and "border-radius:6px" in html  # the shared layout, its button
    assert "/settings/gifts/" in html and "/settings/gifts/" in receipt.body
    assert "/accounts/login/" not in html + receipt.body
    assert "about your gift to" in html and "about your account on" not in html


def test_the_receipt_of_a_donor_without_an_account_has_no_link_to_a_login_page(mailoutbox):
    with committed():
        give(2500)
    (receipt,) = mailoutbox
    html = _html(receipt)
    assert "max-width:560px" in html
    for text in (html, receipt.body):
        assert "/settings/gifts/" not in text and "/accounts/login/" not in text


def test_stopping_a_monthly_gift_sends_one_confirmation_in_the_donors_language(supporter, mailoutbox):
    supporter.language = "fr"
    supporter.save(update_fields=["language"])
    with committed():
        give(1000, supporter=supporter, frequency="monthly", email=supporter.email)
    recurring = RecurringGift.objects.get()
    mailoutbox.clear()
    client = client_for(supporter)
    with committed():
        client.post(f"/settings/gifts/monthly/{recurring.pk}/cancel/")
    assert RecurringGift.objects.get().status == RecurringGift.Status.CANCELLED
    (sent,) = mailoutbox
    assert sent.to == [supporter.email] and sent.extra_headers["Content-Language"] == "fr"
    assert "don mensuel" in sent.subject.lower() and "Votre don mensuel de 10\xa0$" in sent.body
    assert "max-width:560px" in _html(sent) and "/settings/gifts/" in _html(sent)
    # Stopping it again (a second click, the processor's own event) sends nothing more.
    with committed():
        client.post(f"/settings/gifts/monthly/{recurring.pk}/cancel/")
        recurring_actions.mark_recurring_cancelled(recurring_id=recurring.pk)
    assert len(mailoutbox) == 1


def test_a_refused_stop_sends_nothing(supporter, other_supporter, mailoutbox):
    with committed():
        give(1000, supporter=supporter, frequency="monthly", email=supporter.email)
    recurring = RecurringGift.objects.get()
    mailoutbox.clear()
    with committed():
        response = client_for(other_supporter).post(f"/settings/gifts/monthly/{recurring.pk}/cancel/")
    assert response.status_code == 404
    assert RecurringGift.objects.get().status == RecurringGift.Status.ACTIVE and mailoutbox == []


def test_the_thanks_page_offers_the_campaign_link_and_a_monthly_gift_to_a_visitor(client, settings):
    with committed():
        client.post(checkout(client, amount="other", other_amount="42.50"), {"card": "4242 4242 4242 4242"})
    donation = Donation.objects.get()
    html = client.get(f"/donate/thanks/{donation.pk}/").content.decode()
    assert f'value="{settings.SITE_URL}/donate/"' in html and "?ref=" not in html
    assert 'href="/donate/?recurring=1&amp;amount=42.50"' in html
    form = client.get("/donate/?recurring=1&amount=42.50").content.decode()
    assert 'value="42.50"' in form and re.search(r'value="monthly"[^>]*checked', form)


def test_the_thanks_page_gives_a_signed_in_donor_their_own_share_link(supporter, settings):
    from quartier.reach.models import ReferralCode

    code = ReferralCode.objects.get(supporter=supporter).code
    client = client_for(supporter)
    with committed():
        client.post(checkout(client, amount="50"), {"card": "4242 4242 4242 4242"})
    html = client.get(f"/donate/thanks/{Donation.objects.get().pk}/").content.decode()
    assert f'value="{settings.SITE_URL}/donate/?ref={code}"' in html
    assert 'href="/donate/?recurring=1&amp;amount=50"' in html


def test_a_monthly_gift_is_not_offered_to_become_monthly(supporter):
    client = client_for(supporter)
    with committed():
        client.post(checkout(client, amount="10", frequency="monthly"), {"card": "4242424242424242"})
    html = client.get(f"/donate/thanks/{Donation.objects.get().pk}/").content.decode()
    assert "Thank you!" in html and "recurring=1" not in html


def _follow_up_link(mailoutbox) -> str:
    follow_ups = [mail for mail in mailoutbox if "employer" in mail.body]
    assert len(follow_ups) == 1
    return re.search(r"http://\S+/donate/details/\S+/", follow_ups[0].body).group(0)


def test_a_donor_without_an_account_completes_their_details_from_the_follow_up_link(us_federal, mailoutbox):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    first = give(15_000, frequency="monthly", supporter=None)
    with committed():
        recurring_actions.renew_due_sandbox_gifts(now=timezone.now() + timedelta(days=35))  # 300 dollars
    flagged = Donation.objects.get(flag=Donation.Flag.MISSING_DETAILS)
    assert flagged.supporter_id is None and first.supporter_id is None
    path = urlsplit(_follow_up_link(mailoutbox)).path
    visitor = Client()  # no account, no session: the link alone opens the form
    page = visitor.get(path)
    assert page.status_code == 200
    assert 'name="occupation"' in page.content.decode()
    assert visitor.post(path, {"employer": "Hospital", "occupation": "Nurse"}).status_code == 302
    flagged.refresh_from_db()
    assert (flagged.employer, flagged.occupation) == ("Hospital", "Nurse")
    assert flagged.resolved_at is not None


def test_a_forged_or_altered_details_link_changes_nothing(us_federal, supporter):
    from django.test import Client

    from quartier.donations.access import details_token

    gift = give(15_000, supporter=None, employer="", occupation="")
    token = details_token(gift)
    for visitor in (Client(), client_for(supporter)):
        for path in (f"/donate/details/{token[:-2]}xx/", f"/donate/details/{gift.pk}/", "/donate/details/x/"):
            assert visitor.get(path).status_code == 404
            assert visitor.post(path, {"employer": "Evil", "occupation": "Evil"}).status_code == 404
    gift.refresh_from_db()
    assert (gift.employer, gift.occupation) == ("", "")
