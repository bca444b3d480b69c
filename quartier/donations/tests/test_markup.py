"""The donation pages' markup: one id per element (the returning donor's one-step form and the full
form both list amounts), and the thanks page's status box once."""

from __future__ import annotations

import pytest

from quartier.donations.tests.test_flow import checkout
from quartier.testing import client_for, repeated_ids

pytestmark = pytest.mark.django_db


def test_the_returning_donor_page_repeats_no_id(supporter):
    client = client_for(supporter)
    hosted = checkout(client, first_name="Marie", last_name="Tremblay")
    thanks = client.post(hosted, {"card": "4242424242424242"})["Location"]
    page = client.get("/donate/").content.decode()

    assert "Give again in one step" in page
    assert repeated_ids(page) == []
    assert repeated_ids(client.get(thanks).content.decode()) == []
