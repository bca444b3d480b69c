"""Campaign branding: staff set the name, logo, colours and sender; pages and mail use them."""

from __future__ import annotations

import io
from email.utils import parseaddr

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image

from quartier.accounts import branding
from quartier.accounts.models import Branding
from quartier.testing import client_for

URL = "/staff/branding/"
VALID = {
    "name": "Ensemble Montréal",
    "primary_colour": "#7a1f5c",
    "accent_colour": "#1B6B34",
    "sender_name": "Équipe Ensemble",
    "sender_address": "bonjour@ensemble.example.org",
}


def png(width: int, height: int) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(out, format="PNG")
    out.seek(0)
    out.name = "logo.png"
    return out


def test_contrast_ratio_follows_wcag():
    assert round(branding.contrast_with_white("#000000"), 1) == 21.0
    assert round(branding.contrast_with_white("#ffffff"), 1) == 1.0
    assert round(branding.contrast_with_white("#767676"), 2) == 4.54  # the lightest grey that passes
    assert branding.parse_colour("ABC") == "#aabbcc"
    assert branding.parse_colour("#12345g") is None
    assert branding.parse_colour("red") is None


@pytest.mark.django_db
def test_defaults_come_from_the_settings(settings):
    settings.SITE_NAME = "Campagne test"
    settings.DEFAULT_FROM_EMAIL = "Campagne <envoi@campagne.example.org>"
    brand = branding.current()
    assert brand.name == "Campagne test"
    assert brand.from_email == "Campagne <envoi@campagne.example.org>"
    assert brand.primary == branding.DEFAULT_PRIMARY
    assert brand.logo_url == ""


@pytest.mark.django_db
def test_staff_save_the_branding_and_pages_and_mail_use_it(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**VALID, "logo": png(1200, 300)})
    assert response.status_code == 302
    row = Branding.objects.get()
    assert (row.name, row.primary_colour, row.accent_colour) == ("Ensemble Montréal", "#7a1f5c", "#1b6b34")
    # Shrunk into 480 x 160, its shape kept (4:1), re-encoded as WebP on our own storage.
    assert (row.logo_width, row.logo_height) == (480, 120)
    assert row.logo.name.endswith(".webp")

    page = client_for(None).get(reverse("organizing:events")).content.decode()
    assert "Ensemble Montréal" in page
    assert row.logo.url in page
    brand = branding.current()
    assert brand.css_url in page
    css = client_for(None).get(brand.css_url)
    assert css["Content-Type"].startswith("text/css")
    assert "--brand-primary: #7a1f5c" in css.content.decode()
    assert "max-age=31536000" in css["Cache-Control"]
    assert "max-age" not in client_for(None).get("/branding.css?v=old")["Cache-Control"]

    mail.outbox.clear()
    client_for(None).post(reverse("account_reset_password"), {"email": staff.email})
    assert len(mail.outbox) == 1
    assert parseaddr(mail.outbox[0].from_email) == ("Équipe Ensemble", "bonjour@ensemble.example.org")
    html = mail.outbox[0].alternatives[0][0]
    assert "background:#7a1f5c" in html
    assert f"http://testserver{row.logo.url}" in html or row.logo.url in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("colour", "message"),
    [("#ffcc00", "contrast of 1.5:1"), ("pink", "six hexadecimal digits"), ("#12", "six hexadecimal digits")],
)
def test_unreadable_or_invalid_colours_are_refused_with_the_form_kept(staff, colour, message):
    response = client_for(staff).post(URL, {**VALID, "primary_colour": colour})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="Ensemble Montréal"' in page
    assert not Branding.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused(staff):
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    fake.name = "logo.png"
    response = client_for(staff).post(URL, {**VALID, "logo": fake})
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert not Branding.objects.exists()


@pytest.mark.django_db
def test_french_error_for_a_low_contrast_colour(staff):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client = client_for(staff)
    client.cookies["django_language"] = "fr"
    response = client.post(URL, {**VALID, "accent_colour": "#ffcc00"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "1,5" in response.content.decode()
    assert not Branding.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["anonymous", "unverified", "supporter", "other_supporter"])
def test_only_staff_may_see_or_change_the_branding(request, name):
    visitor = request.getfixturevalue(name)
    client = client_for(visitor)
    for response in (client.get(URL), client.post(URL, VALID)):
        if visitor is None:
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]
        else:
            assert response.status_code == 404
    assert not Branding.objects.exists()
    assert branding.current().name != "Ensemble Montréal"


@pytest.mark.django_db
def test_removing_the_logo_deletes_the_file(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**VALID, "logo": png(100, 100)})
    row = Branding.objects.get()
    storage, name = row.logo.storage, row.logo.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**VALID, "remove_logo": "on"})
    row.refresh_from_db()
    assert not row.logo
    assert not storage.exists(name)
    assert branding.current().logo_url == ""


@pytest.mark.django_db
def test_staff_still_setting_up_their_second_factor_get_the_stylesheet(make_supporter):
    newcomer = make_supporter("New Organiser", staff=True)  # no authenticator yet
    response = client_for(newcomer).get(branding.current().css_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


@pytest.mark.django_db
def test_pages_keep_the_configured_name_when_the_database_cannot_answer(settings, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    settings.SITE_NAME = "Campagne test"
    monkeypatch.setattr(branding, "load", broken)
    assert branding.current().name == "Campagne test"
    assert branding.cache.get(branding.CACHE_KEY) is None  # the fallback is not cached
