"""Every accounts view tried by every persona; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts.models import AffiliationChange, Consent, ConsentRecord, Profile, Supporter
from quartier.testing import client_for


def snapshot() -> dict[str, object]:
    return {
        "supporters": list(Supporter.objects.order_by("pk").values()),
        "profiles": list(Profile.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
        "consent_records": ConsentRecord.objects.count(),
        "affiliation_changes": AffiliationChange.objects.count(),
    }


# (name, method, url builder, data) — `target` is the supporter whose page is concerned.
PAGES = {
    "profile": ("get", lambda target: reverse("accounts:profile", args=[target.handle]), None),
    "settings_profile": ("get", lambda target: reverse("accounts:settings_profile"), None),
    "settings_email": ("get", lambda target: reverse("accounts:settings_email"), None),
    "settings_privacy": ("get", lambda target: reverse("accounts:settings_privacy"), None),
    "export_data": ("get", lambda target: reverse("accounts:export_data"), None),
    "home": ("get", lambda target: reverse("home"), None),
}

# Expected status per persona for pages about the verified `supporter`.
EXPECTED = {
    "profile": {"anonymous": 200, "unverified": 200, "supporter": 200, "other_supporter": 200, "staff": 200},
    "settings_profile": {
        "anonymous": 302,
        "unverified": 200,
        "supporter": 200,
        "other_supporter": 200,
        "staff": 200,
    },
    "settings_email": {
        "anonymous": 302,
        "unverified": 200,
        "supporter": 200,
        "other_supporter": 200,
        "staff": 200,
    },
    "settings_privacy": {
        "anonymous": 302,
        "unverified": 200,
        "supporter": 200,
        "other_supporter": 200,
        "staff": 200,
    },
    "export_data": {
        "anonymous": 302,
        "unverified": 200,
        "supporter": 200,
        "other_supporter": 200,
        "staff": 200,
    },
    "home": {"anonymous": 200, "unverified": 200, "supporter": 200, "other_supporter": 200, "staff": 200},
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_persona_gets_the_expected_answer_from_every_page(page, persona, supporter):
    name, who = persona
    method, url, _data = PAGES[page]
    client = client_for(who)
    before = snapshot()

    response = getattr(client, method)(url(supporter))

    assert response.status_code == EXPECTED[page][name]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


@pytest.mark.django_db
def test_the_export_holds_only_the_requesters_own_data(supporter, other_supporter):
    data = client_for(other_supporter).get(reverse("accounts:export_data")).json()

    assert data["data"]["account"]["email"] == other_supporter.email
    assert supporter.email not in str(data)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "unverified", "supporter", "other_supporter"])
def test_only_staff_can_set_a_transparency_label(request, who, supporter):
    client = client_for(request.getfixturevalue(who))
    before = snapshot()

    response = client.post(
        reverse("accounts:set_affiliation", args=[supporter.handle]), {"affiliation": "paid"}
    )

    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
def test_staff_can_set_a_transparency_label_and_it_is_logged(staff, supporter):
    response = client_for(staff).post(
        reverse("accounts:set_affiliation", args=[supporter.handle]), {"affiliation": "paid"}
    )

    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.affiliation == "paid"
    change = AffiliationChange.objects.get()
    assert (change.supporter, change.changed_by, change.previous, change.new) == (
        supporter,
        staff,
        "",
        "paid",
    )


@pytest.mark.django_db
def test_staff_get_a_clear_error_for_an_unknown_label(staff, supporter):
    client = client_for(staff)
    before = snapshot()

    response = client.post(
        reverse("accounts:set_affiliation", args=[supporter.handle]), {"affiliation": "king"}, follow=True
    )

    assert "Choose one of the listed affiliations" in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "unverified", "supporter", "other_supporter", "staff"])
def test_posting_to_a_profile_edit_changes_only_ones_own_profile(request, who, supporter):
    persona_supporter = request.getfixturevalue(who)
    others_before = list(
        Supporter.objects.exclude(pk=getattr(persona_supporter, "pk", None)).order_by("pk").values()
    )

    client_for(persona_supporter).post(
        reverse("accounts:settings_profile"),
        {"display_name": "Hijack", "handle": "hijack", "country": "CA", "postal_code": "H2X 1Y4",
         "town_visibility": "public", "bio_visibility": "public", "why_involved_visibility": "public",
         "causes_visibility": "public", "languages_visibility": "public", "links_visibility": "public",
         "photo_visibility": "public"},
    )  # fmt: skip

    others_after = list(
        Supporter.objects.exclude(pk=getattr(persona_supporter, "pk", None)).order_by("pk").values()
    )
    assert others_after == others_before
    if persona_supporter is None:
        assert not Supporter.objects.filter(handle="hijack").exists()
    else:
        assert Supporter.objects.get(pk=persona_supporter.pk).handle == "hijack"


@pytest.mark.django_db
def test_anonymous_cannot_delete_or_change_anything(supporter):
    before = snapshot()
    client = client_for(None)

    responses = [
        client.post(reverse("accounts:delete_account"), {"confirmation": "DELETE"}),
        client.post(reverse("accounts:settings_email"), {"news_consent": "on"}),
        client.post(reverse("accounts:settings_photo"), {"remove": "1"}),
    ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert snapshot() == before
