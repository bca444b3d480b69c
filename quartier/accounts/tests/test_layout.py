"""The layout's parts rendered once per process, language and role (`templatetags/layout.py`) still show
each viewer their own navigation: the current page marked, staff links for staff only, the page's own
address and CSRF token in the language switch, the language's labels."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from quartier.accounts.templatetags import layout
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_parts():
    layout._rendered.clear()
    yield
    layout._rendered.clear()


def test_the_current_page_alone_is_marked_in_the_navigation():
    events = Client().get("/events/").content.decode()
    groups = Client().get("/groups/").content.decode()

    assert re.findall(r'href="([^"]+)" aria-current="page"', events) == ["/events/"]
    assert re.findall(r'href="([^"]+)" aria-current="page"', groups) == ["/groups/"]
    assert "<%" not in events + groups


def test_staff_links_reach_staff_only_whoever_came_first(staff, supporter):
    staff_page = client_for(staff).get("/events/").content.decode()
    supporter_page = client_for(supporter).get("/events/").content.decode()
    anonymous_page = Client().get("/events/").content.decode()

    assert "/moderation/" in staff_page
    assert ["/moderation/" in page for page in (supporter_page, anonymous_page)] == [False, False]
    assert "My dashboard" in supporter_page
    assert "My dashboard" not in anonymous_page
    assert "Sign in" in anonymous_page
    assert "Sign in" not in supporter_page


def test_the_language_switch_carries_the_page_and_a_token_a_post_accepts():
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/events/?type=canvass").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page).group(1)

    switched = visitor.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "fr", "next": "/events/"}
    )
    french = visitor.get("/events/").content.decode()

    assert 'name="next" type="hidden" value="/events/?type=canvass"' in page
    assert switched.status_code == 302
    assert "Se connecter" in french or "Connexion" in french
    assert 'value="fr" selected' in french
    assert 'value="en" selected' not in french


def test_each_script_carries_the_nonce_of_its_own_response():
    first, second = Client().get("/events/"), Client().get("/events/")

    nonces = [set(re.findall(r'nonce="([^"]+)"', response.content.decode())) for response in (first, second)]

    assert [len(found) for found in nonces] == [1, 1]
    assert nonces[0] != nonces[1]
    assert nonces[0].pop() in first["Content-Security-Policy"]
