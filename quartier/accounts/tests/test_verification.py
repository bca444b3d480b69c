"""Verification badges: each badge is earned as it says, shown next to the name and on the profile,
hidden when the supporter chooses; phone codes are hashed, expire, allow few tries and are rate
limited; only leaders vouch; every refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quartier.accounts import actions, verification
from quartier.accounts.badges import Badge
from quartier.accounts.models import Supporter
from quartier.accounts.templatetags.supporters import supporter_name
from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch
from quartier.testing import client_for, run_together
from quartier.tests.personal_data.common import People

NUMBER = "514 555 0123"
E164 = "+15145550123"


@pytest.fixture
def leader(make_supporter, staff) -> Supporter:
    person = make_supporter("Lea Leader")
    People(organiser=person, staff=staff).make_group(person, name="Plateau for Climate")
    return person


def sent_code(sent_texts, django_capture_on_commit_callbacks, supporter, number=NUMBER) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        result = verification.send_phone_code(supporter=supporter, raw_number=number)
    assert result.outcome is verification.PhoneOutcome.SENT
    to, body = sent_texts[-1]
    assert to == E164
    return body.split()[0]


def shown(supporter: Supporter) -> int:
    return Supporter.objects.get(pk=supporter.pk).shown_badges


# --- email ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirming_the_email_address_earns_the_email_badge(unverified):
    assert shown(unverified) == 0
    actions.mark_email_verified(unverified)
    assert shown(unverified) == Badge.EMAIL


# --- the name and the profile --------------------------------------------------------------------------


@pytest.mark.django_db
def test_badges_follow_the_name_with_their_meaning_and_nothing_for_none(supporter, other_supporter):
    Verification.objects.create(supporter=supporter, kind=Verification.Kind.IN_PERSON, evidence="event:1")
    verification.refresh_badges(supporter)
    with translation.override("en"):
        html = str(supporter_name(Supporter.objects.get(pk=supporter.pk), link=True))
    assert 'aria-label="Met in person"' in html and reverse("accounts:badges") in html
    assert "badge" not in str(supporter_name(other_supporter))


@pytest.mark.django_db
def test_a_name_loaded_without_the_badges_column_costs_no_query(supporter, django_assert_num_queries):
    verification.refresh_badges(supporter)
    narrow = Supporter.objects.only("display_name", "handle", "is_active", "is_staff", "affiliation").get(
        pk=supporter.pk
    )
    with django_assert_num_queries(0):
        assert "badge" not in str(supporter_name(narrow))


@pytest.mark.django_db
def test_the_profile_lists_the_badges_and_the_explanation_page_says_what_each_does_not_prove(supporter):
    Verification.objects.create(supporter=supporter, kind=Verification.Kind.PHONE, evidence=E164)
    verification.refresh_badges(supporter)
    profile = Client().get(reverse("accounts:profile", args=[supporter.handle])).content.decode()
    assert "Phone verified" in profile and f"{reverse('accounts:badges')}#phone" in profile
    assert E164 not in profile
    page = Client().get(reverse("accounts:badges")).content.decode()
    for slug in ("email", "phone", "in_person", "donor", "vouched"):
        assert f'id="{slug}"' in page
    assert page.count("What it does not prove") == 5


@pytest.mark.django_db
def test_the_donor_badge_is_hidden_until_the_supporter_shows_it(supporter):
    Verification.objects.create(supporter=supporter, kind=Verification.Kind.DONOR, evidence="gift:1")
    verification.refresh_badges(supporter)
    assert not shown(supporter) & Badge.DONOR
    client_for(supporter).post(
        reverse("accounts:settings_verification"), {"step": "visibility", "shown": ["email", "donor"]}
    )
    assert shown(supporter) & Badge.DONOR


@pytest.mark.django_db
def test_a_hidden_badge_leaves_the_name_and_comes_back_when_shown(supporter):
    actions.mark_email_verified(supporter)
    Verification.objects.create(supporter=supporter, kind=Verification.Kind.IN_PERSON, evidence="event:1")
    verification.refresh_badges(supporter)
    assert shown(supporter) == Badge.EMAIL | Badge.IN_PERSON
    client = client_for(supporter)
    client.post(reverse("accounts:settings_verification"), {"step": "visibility", "shown": ["email"]})
    assert shown(supporter) == Badge.EMAIL
    client.post(
        reverse("accounts:settings_verification"), {"step": "visibility", "shown": ["email", "in_person"]}
    )
    assert shown(supporter) == Badge.EMAIL | Badge.IN_PERSON


@pytest.mark.django_db
def test_an_unknown_badge_choice_re_renders_with_an_error_and_changes_nothing(supporter):
    before = Supporter.objects.get(pk=supporter.pk).hidden_badges
    response = client_for(supporter).post(
        reverse("accounts:settings_verification"), {"step": "visibility", "shown": ["crown"]}
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert Supporter.objects.get(pk=supporter.pk).hidden_badges == before


@pytest.mark.django_db
def test_a_deleted_account_shows_no_badge_and_keeps_no_verification(supporter, leader):
    verification.vouch(voucher=leader, vouchee=supporter)
    Verification.objects.create(supporter=supporter, kind=Verification.Kind.PHONE, evidence=E164)
    verification.refresh_badges(supporter)
    actions.delete_account(supporter=supporter)
    assert shown(supporter) == 0
    assert not Verification.objects.filter(supporter=supporter).exists()
    assert not Vouch.objects.filter(vouchee=supporter).exists()


# --- phone ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_texted_code_verifies_the_phone_and_only_its_hash_is_kept(
    supporter, sent_texts, django_capture_on_commit_callbacks
):
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    challenge = PhoneChallenge.objects.get(supporter=supporter)
    assert code not in challenge.code_hash and len(code) == 6
    result = verification.confirm_phone_code(supporter=supporter, code=code)
    assert result.outcome is verification.PhoneOutcome.CONFIRMED
    assert Verification.objects.get(supporter=supporter, kind="phone").evidence == E164
    assert shown(supporter) & Badge.PHONE


@pytest.mark.django_db
def test_the_phone_page_sends_then_confirms_through_the_forms(
    supporter, sent_texts, django_capture_on_commit_callbacks
):
    client = client_for(supporter)
    url = reverse("accounts:settings_verification")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"step": "send", "phone": NUMBER}).status_code == 302
    page = client.get(url).content.decode()
    assert "+1 ••• ••• 0123" in page and 'name="code"' in page
    code = sent_texts[-1][1].split()[0]
    assert client.post(url, {"step": "confirm", "code": code}).status_code == 302
    assert "Your verified number: +1 ••• ••• 0123" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_code_is_texted_in_the_supporters_language(
    make_supporter, sent_texts, django_capture_on_commit_callbacks
):
    french = make_supporter("Jeanne Dion", language="fr")
    sent_code(sent_texts, django_capture_on_commit_callbacks, french)
    assert "code de vérification" in sent_texts[-1][1]


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_changes_nothing(
    supporter, sent_texts, django_capture_on_commit_callbacks
):
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client_for(supporter).post(
        reverse("accounts:settings_verification"), {"step": "confirm", "code": wrong}
    )
    assert response.status_code == 400 and "not the code we sent" in response.content.decode()
    assert not Verification.objects.filter(supporter=supporter).exists()
    assert shown(supporter) & Badge.PHONE == 0


@pytest.mark.django_db
def test_an_expired_code_is_refused(supporter, sent_texts, django_capture_on_commit_callbacks):
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    PhoneChallenge.objects.filter(supporter=supporter).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    result = verification.confirm_phone_code(supporter=supporter, code=code)
    assert result.outcome is verification.PhoneOutcome.NO_CODE
    assert not Verification.objects.filter(supporter=supporter).exists()


@pytest.mark.django_db
def test_after_the_last_attempt_even_the_right_code_is_refused(
    supporter, sent_texts, django_capture_on_commit_callbacks, settings
):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = [verification.confirm_phone_code(supporter=supporter, code=wrong).outcome for _ in range(3)]
    assert outcomes == [verification.PhoneOutcome.WRONG_CODE] * 3
    assert verification.confirm_phone_code(supporter=supporter, code=code).outcome is (
        verification.PhoneOutcome.TOO_MANY_ATTEMPTS
    )
    assert not Verification.objects.filter(supporter=supporter).exists()


@pytest.mark.django_db
def test_a_new_code_replaces_the_previous_one(supporter, sent_texts, django_capture_on_commit_callbacks):
    first = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    second = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    if first != second:
        assert verification.confirm_phone_code(supporter=supporter, code=first).outcome is (
            verification.PhoneOutcome.WRONG_CODE
        )
    assert verification.confirm_phone_code(supporter=supporter, code=second).outcome is (
        verification.PhoneOutcome.CONFIRMED
    )


@pytest.mark.django_db
def test_codes_are_limited_per_account(supporter, sent_texts, django_capture_on_commit_callbacks, settings):
    settings.PHONE_CODES_PER_ACCOUNT_PER_HOUR = 2
    for _ in range(2):
        sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    with django_capture_on_commit_callbacks(execute=True):
        result = verification.send_phone_code(supporter=supporter, raw_number=NUMBER)
    assert result.outcome is verification.PhoneOutcome.TOO_MANY_FOR_ACCOUNT
    assert len(sent_texts) == 2 and PhoneChallenge.objects.count() == 2


@pytest.mark.django_db
def test_codes_are_limited_per_number_across_accounts(
    make_supporter, sent_texts, django_capture_on_commit_callbacks, settings
):
    settings.PHONE_CODES_PER_NUMBER_PER_DAY = 2
    for name in ("One", "Two"):
        sent_code(sent_texts, django_capture_on_commit_callbacks, make_supporter(name))
    third = make_supporter("Three")
    with django_capture_on_commit_callbacks(execute=True):
        result = verification.send_phone_code(supporter=third, raw_number=NUMBER)
    assert result.outcome is verification.PhoneOutcome.TOO_MANY_FOR_NUMBER
    assert len(sent_texts) == 2 and not PhoneChallenge.objects.filter(supporter=third).exists()


@pytest.mark.django_db
def test_one_number_verifies_one_account(
    supporter, other_supporter, sent_texts, django_capture_on_commit_callbacks
):
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    verification.confirm_phone_code(supporter=supporter, code=code)
    with django_capture_on_commit_callbacks(execute=True):
        result = verification.send_phone_code(supporter=other_supporter, raw_number=NUMBER)
    assert result.outcome is verification.PhoneOutcome.NUMBER_TAKEN
    assert len(sent_texts) == 1


@pytest.mark.django_db
def test_removing_the_number_takes_the_badge_away_and_frees_the_number(
    supporter, sent_texts, django_capture_on_commit_callbacks
):
    code = sent_code(sent_texts, django_capture_on_commit_callbacks, supporter)
    verification.confirm_phone_code(supporter=supporter, code=code)
    client_for(supporter).post(reverse("accounts:settings_verification"), {"step": "remove_phone"})
    assert not Verification.objects.filter(supporter=supporter).exists()
    assert shown(supporter) & Badge.PHONE == 0


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["", "hello", "123", "+1" + "9" * 40])
def test_a_number_that_is_not_one_re_renders_with_an_error(supporter, number, sent_texts):
    response = client_for(supporter).post(
        reverse("accounts:settings_verification"), {"step": "send", "phone": number}
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not PhoneChallenge.objects.exists() and sent_texts == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"step": "confirm", "code": "abc"}, {"step": "confirm"}, {"step": "nonsense"}, {}]
)
def test_odd_posts_to_the_phone_page_change_nothing(supporter, body):
    response = client_for(supporter).post(reverse("accounts:settings_verification"), body)
    assert response.status_code in {302, 400}
    assert not Verification.objects.exists() and not PhoneChallenge.objects.exists()


@pytest.mark.django_db
def test_the_phone_page_is_for_verified_supporters_only(anonymous, unverified, sent_texts):
    url = reverse("accounts:settings_verification")
    for client in (Client(), client_for(unverified)):
        assert client.get(url).status_code == 302
        assert client.post(url, {"step": "send", "phone": NUMBER}).status_code == 302
    assert not PhoneChallenge.objects.exists() and sent_texts == []


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_at_once_never_pass_the_attempt_limit(supporter, sent_texts, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    verification.send_phone_code(supporter=supporter, raw_number=NUMBER)  # no transaction: sent at once
    code = sent_texts[-1][1].split()[0]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = run_together(
        [lambda: verification.confirm_phone_code(supporter=supporter, code=wrong).outcome for _ in range(8)]
    )
    assert outcomes.count(verification.PhoneOutcome.WRONG_CODE) == 3
    assert outcomes.count(verification.PhoneOutcome.TOO_MANY_ATTEMPTS) == 5
    assert PhoneChallenge.objects.get(supporter=supporter).attempts == 3


@pytest.mark.django_db(transaction=True)
def test_the_right_code_sent_twice_at_once_confirms_once(supporter, sent_texts):
    verification.send_phone_code(supporter=supporter, raw_number=NUMBER)
    code = sent_texts[-1][1].split()[0]
    outcomes = run_together(
        [lambda: verification.confirm_phone_code(supporter=supporter, code=code).outcome] * 4
    )
    assert outcomes.count(verification.PhoneOutcome.CONFIRMED) == 1
    assert Verification.objects.filter(supporter=supporter, kind="phone").count() == 1


# --- vouches -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_group_leader_vouches_and_the_badge_follows_until_revoked(leader, supporter):
    response = client_for(leader).post(
        reverse("accounts:vouch", args=[supporter.handle]), {"note": "Neighbour", "confirm": "on"}
    )
    assert response.status_code == 302
    assert shown(supporter) & Badge.VOUCHED
    client_for(leader).post(reverse("accounts:vouch", args=[supporter.handle]), {"step": "revoke"})
    assert Vouch.objects.get(voucher=leader, vouchee=supporter).revoked_at is not None
    assert shown(supporter) & Badge.VOUCHED == 0


@pytest.mark.django_db
def test_staff_vouch_and_vouching_again_revives_the_same_row(staff, supporter):
    verification.vouch(voucher=staff, vouchee=supporter)
    verification.revoke_vouch(voucher=staff, vouchee=supporter)
    verification.vouch(voucher=staff, vouchee=supporter, note="Again")
    assert Vouch.objects.filter(voucher=staff, vouchee=supporter, revoked_at__isnull=True).count() == 1
    assert Vouch.objects.count() == 1


@pytest.mark.django_db
def test_the_vouch_needs_the_box_ticked(leader, supporter):
    response = client_for(leader).post(reverse("accounts:vouch", args=[supporter.handle]), {"note": "x"})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert not Vouch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "unverified", "other_supporter", "supporter"])
def test_anyone_but_a_leader_finds_no_vouch_page_and_changes_nothing(who, request, supporter):
    person = request.getfixturevalue(who)
    client = client_for(person)
    url = reverse("accounts:vouch", args=[supporter.handle])
    expected = {302} if person is None or not person.is_verified else {404}
    assert client.get(url).status_code in expected
    assert client.post(url, {"note": "x", "confirm": "on"}).status_code in expected
    assert client.get(reverse("accounts:vouch_button", args=[supporter.handle])).content == b""
    assert not Vouch.objects.exists() and shown(supporter) & Badge.VOUCHED == 0


@pytest.mark.django_db
def test_a_leader_cannot_vouch_for_themselves_nor_an_unconfirmed_account(leader, unverified):
    for handle in (leader.handle, unverified.handle):
        assert (
            client_for(leader).post(reverse("accounts:vouch", args=[handle]), {"confirm": "on"}).status_code
            == 404
        )
    with pytest.raises(verification.VouchRefused):
        verification.vouch(voucher=leader, vouchee=leader)
    assert not Vouch.objects.exists()


@pytest.mark.django_db
def test_vouches_per_leader_per_day_are_limited(leader, make_supporter, settings):
    settings.VOUCHES_PER_LEADER_PER_DAY = 2
    people = [make_supporter(f"Person {number}") for number in range(3)]
    for person in people[:2]:
        verification.vouch(voucher=leader, vouchee=person)
    with pytest.raises(verification.VouchRefused):
        verification.vouch(voucher=leader, vouchee=people[2])
    assert Vouch.objects.count() == 2


@pytest.mark.django_db
def test_the_profile_loads_the_vouch_button_for_a_leader(leader, supporter):
    client = client_for(leader)
    profile = client.get(reverse("accounts:profile", args=[supporter.handle])).content.decode()
    assert reverse("accounts:vouch_button", args=[supporter.handle]) in profile
    button = client.get(reverse("accounts:vouch_button", args=[supporter.handle])).content.decode()
    assert reverse("accounts:vouch", args=[supporter.handle]) in button


@pytest.mark.django_db
def test_a_banned_voucher_no_longer_counts(staff, supporter):
    verification.vouch(voucher=staff, vouchee=supporter)
    Supporter.objects.filter(pk=staff.pk).update(is_active=False)
    assert verification.refresh_badges(supporter) & Badge.VOUCHED == 0


@pytest.mark.django_db
def test_every_persona_gets_the_phone_page_or_is_sent_to_sign_in_first(persona, sent_texts):
    name, person = persona
    response = client_for(person).get(reverse("accounts:settings_verification"))
    assert response.status_code == (302 if name in {"anonymous", "unverified"} else 200)
    if response.status_code == 200:
        assert 'name="phone"' in response.content.decode()


@pytest.mark.django_db
def test_every_persona_on_the_vouch_page_only_staff_vouches(persona, make_supporter):
    name, person = persona
    vouchee = make_supporter("Vera Vouchee")
    client = client_for(person)
    url = reverse("accounts:vouch", args=[vouchee.handle])
    expected = {"anonymous": 302, "unverified": 302, "supporter": 404, "other_supporter": 404, "staff": 200}
    assert client.get(url).status_code == expected[name]
    client.post(url, {"confirm": "on"})
    assert Vouch.objects.filter(vouchee=vouchee).count() == (1 if name == "staff" else 0)


@pytest.mark.django_db
def test_the_badges_page_is_public_and_cached(django_assert_num_queries):
    from quartier.accounts import branding

    branding.current()
    assert Client().get(reverse("accounts:badges")).status_code == 200
    with django_assert_num_queries(0):
        assert Client().get(reverse("accounts:badges")).status_code == 200


@pytest.mark.django_db
def test_the_vouch_button_is_empty_for_someone_a_leader_cannot_vouch_for(leader, unverified):
    for handle in (unverified.handle, leader.handle, "nobody-here"):
        response = client_for(leader).get(reverse("accounts:vouch_button", args=[handle]))
        assert (response.status_code, response.content) == (200, b"")


@pytest.mark.django_db(transaction=True)
def test_two_leaders_vouching_for_each_other_at_once_both_succeed(staff, make_supporter):
    other_staff = make_supporter("Olivier Staff", staff=True)
    outcomes = run_together(
        [
            lambda: verification.vouch(voucher=staff, vouchee=other_staff).pk,
            lambda: verification.vouch(voucher=other_staff, vouchee=staff).pk,
        ]
    )
    assert not [outcome for outcome in outcomes if str(outcome).startswith("error")]
    assert Vouch.objects.count() == 2
    assert all(shown(person) & Badge.VOUCHED for person in (staff, other_staff))
