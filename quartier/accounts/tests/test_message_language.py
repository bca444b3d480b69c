"""Flash messages are in the language of the page that shows them."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from quartier.testing import PASSWORD, client_for


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_signing_in_from_an_english_browser_greets_a_french_supporter_in_french(make_supporter):
    francoise = make_supporter("Françoise", language="fr")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(
        reverse("account_login"), {"login": francoise.email, "password": PASSWORD}, follow=True
    )

    assert response.content.decode().startswith('<!DOCTYPE html>\n\n<html lang="fr">')
    assert shown_messages(response) == ["Connexion avec Françoise réussie."]


def test_signing_out_says_goodbye_in_the_language_of_the_next_page(make_supporter):
    francoise = make_supporter("Françoise", language="fr")
    client = client_for(francoise)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(reverse("account_logout"), follow=True)

    assert '<html lang="en">' in response.content.decode()
    assert shown_messages(response) == ["You have signed out."]
