"""Donor-facing rough edges of issue 20: the one-step address opened directly, refcodes with a hyphen,
the confirmation of a stopped monthly gift, the receipt's layout and links, the thanks page's offers."""

from __future__ import annotations

import pytest

from quartier.donations.models import Donation
from quartier.donations.tests.conftest import committed
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
