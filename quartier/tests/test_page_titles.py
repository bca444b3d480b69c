"""Every page's title reads "<page> · <site>"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from quartier.testing import client_for


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("home", "Home · Quartier"),
        ("organizing:events", "Events near you · Quartier"),
        ("organizing:groups", "Find a local group · Quartier"),
        ("account_login", "Sign In · Quartier"),
    ],
)
def test_a_page_title_separates_the_page_from_the_site(url, title, db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse(url)).content.decode()

    assert " ".join(re.search(r"<title>(.*?)</title>", page, re.S).group(1).split()) == title


def test_a_signed_in_page_title_has_the_separator_too(supporter):
    page = client_for(supporter).get(reverse("accounts:settings_profile")).content.decode()

    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip().endswith(" · Quartier")
    assert "Quartier</title>" in page and "ProfileQuartier" not in page
