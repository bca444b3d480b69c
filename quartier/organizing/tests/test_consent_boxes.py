"""Every consent box starts unticked, on every form, for every persona (GDPR, CASL, Law 25)."""

from __future__ import annotations

import importlib
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from django import forms as django_forms
from django.urls import reverse

import quartier
from quartier.organizing.forms import groups as organizing_groups
from quartier.organizing.forms import rsvps as organizing_rsvps
from quartier.testing import client_for

CONSENT_FIELDS = {"shares_contact", "accepts_messages", "news_consent", "is_listed"}


class Checkboxes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, bool] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "checkbox":
            self.found[attributes.get("name") or ""] = "checked" in attributes


def checkboxes(html: str) -> dict[str, bool]:
    parser = Checkboxes()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
def test_the_event_page_rsvp_form_has_every_consent_box_unticked(persona, make_event, host):
    _name, supporter = persona
    event = make_event(host, shifts=2)

    html = client_for(supporter).get(event.get_absolute_url()).content.decode()

    boxes = checkboxes(html)
    consents = {key: value for key, value in boxes.items() if key in CONSENT_FIELDS}
    expected = {"shares_contact", "accepts_messages"} | ({"news_consent"} if supporter is None else set())
    assert set(consents) == expected
    assert not any(consents.values())
    assert boxes["shift"] is False  # two open shifts: none chosen for the visitor


@pytest.mark.django_db
def test_the_group_page_join_form_has_every_consent_box_unticked(persona, group):
    _name, supporter = persona

    html = client_for(supporter).get(group.get_absolute_url()).content.decode()

    consents = {key: value for key, value in checkboxes(html).items() if key in CONSENT_FIELDS}
    if supporter is None:
        assert consents == {}  # signed out: a link to sign up, no form
    else:
        assert consents == {"accepts_messages": False, "is_listed": False}


@pytest.mark.django_db
def test_the_sign_up_form_has_its_consent_box_unticked(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert checkboxes(html) == {"news_consent": False}


@pytest.mark.django_db
def test_email_preferences_start_unticked_for_someone_who_never_said_yes(supporter):
    html = client_for(supporter).get(reverse("accounts:settings_email")).content.decode()

    assert checkboxes(html).get("news_consent") is False


def every_forms_module() -> list[ModuleType]:
    """Every `forms` module of every app, and every module of a `forms` package."""
    root = Path(quartier.__file__).parent
    names = [
        ".".join(path.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in root.rglob("*.py")
        if "tests" not in path.parts and ("forms" in path.parts or path.name == "forms.py")
    ]
    return [importlib.import_module(name) for name in sorted(names)]


# Boxes that are an organiser's settings, not a person's consent: they may start ticked.
SETTINGS_NOT_CONSENT = {
    "quartier.fieldwork.forms.CampaignSettingsForm.is_open",
}


def test_no_form_starts_with_a_consent_box_ticked():
    form_classes = [
        value
        for module in every_forms_module()
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, django_forms.BaseForm)
        and value.__module__ == module.__name__
    ]
    assert organizing_rsvps.GuestRsvpForm in form_classes and organizing_groups.JoinGroupForm in form_classes
    ticked = [
        f"{form_class.__module__}.{form_class.__name__}.{name}"
        for form_class in form_classes
        for name, field in form_class.base_fields.items()
        if isinstance(field, django_forms.BooleanField) and field.initial
    ]
    assert ticked == sorted(SETTINGS_NOT_CONSENT)
