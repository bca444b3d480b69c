from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from quartier.accounts.models import Affiliation
from quartier.testing import PASSWORD, TOTP_SECRET, client_for, reauthenticate


def current_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db
def test_staff_without_two_factor_are_sent_to_set_it_up(make_supporter):
    organiser = make_supporter("New Organiser", staff=True)

    for url in (reverse("home"), reverse("accounts:settings_profile"), "/admin/"):
        response = client_for(organiser).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_staff_with_two_factor_reach_pages_and_the_admin(staff):
    client = client_for(staff)

    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_supporters_may_use_two_factor_but_are_not_forced(supporter):
    client = client_for(supporter)

    assert client.get(reverse("home")).status_code == 200
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "otpauth://" in page.content.decode() or "data:image/svg+xml" in page.content.decode()


@pytest.mark.django_db
def test_staff_sign_in_asks_for_the_second_factor(staff):
    client = Client()

    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if current_code() != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_the_admin_login_form_is_never_a_way_around_two_factor(staff):
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("affiliation", "label"),
    [(Affiliation.STAFF, "Campaign staff"), (Affiliation.PAID, "Paid by the campaign"),
     (Affiliation.AMBASSADOR, "Campaign ambassador")],
)  # fmt: skip
def test_the_transparency_label_shows_next_to_the_name(make_supporter, supporter, affiliation, label):
    labelled = make_supporter("Jordan Lee", affiliation=affiliation)

    profile_page = Client().get(reverse("accounts:profile", args=[labelled.handle])).content.decode()
    header = client_for(labelled).get(reverse("home")).content.decode() if affiliation != "staff" else ""

    assert f'class="label label-{affiliation}"' in profile_page
    assert label in profile_page
    if header:
        assert label in header


@pytest.mark.django_db
def test_a_plain_supporter_has_no_label_and_cannot_set_one_in_their_profile(supporter):
    client = client_for(supporter)
    page = client.get(reverse("accounts:profile", args=[supporter.handle])).content.decode()

    assert 'class="label' not in page
    assert "affiliation" not in client.get(reverse("accounts:settings_profile")).content.decode()


@pytest.mark.django_db
def test_an_organiser_is_labelled_staff_even_without_an_affiliation(make_supporter):
    organiser = make_supporter("Plain Organiser", staff=True)
    Authenticator.objects.create(user=organiser, type=Authenticator.Type.TOTP, data={"secret": "x"})

    assert organiser.transparency_label == Affiliation.STAFF
    page = Client().get(reverse("accounts:profile", args=[organiser.handle])).content.decode()
    assert "Campaign staff" in page
