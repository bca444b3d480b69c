"""Every jurisdiction's rules at their boundaries, the donor's aggregate by identity, the form's refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from quartier.donations import compliance
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import limits as limits_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, DonorAggregate
from quartier.donations.tests.conftest import committed, draft, give

pytestmark = pytest.mark.django_db


def start(amount_minor: int, **overrides) -> Donation:
    return checkout_actions.start_donation(draft=draft(amount_minor, **overrides), gateway="sandbox")


@pytest.mark.parametrize(("given", "accepted"), [(350_000, True), (350_001, False)])
def test_us_federal_allows_3500_dollars_per_election_and_not_a_cent_more(us_federal, given, accepted):
    details = {"employer": "Hospital", "occupation": "Nurse"}
    if accepted:
        assert give(given, **details).status == Donation.Status.SUCCEEDED
    else:
        with pytest.raises(limits_actions.LimitExceeded) as refused:
            start(given, **details)
        assert refused.value.remaining_minor == 350_000
        assert Donation.objects.count() == 0


def test_us_primary_and_general_are_separate_elections(us_federal, settings):
    details = {"employer": "Hospital", "occupation": "Nurse"}
    give(350_000, **details)
    with pytest.raises(limits_actions.LimitExceeded):
        start(100, **details)
    settings.DONATIONS_ELECTION = "general"
    assert give(350_000, **details).period == "2026-general"


def test_the_aggregate_follows_the_person_not_the_account(us_federal, supporter, other_supporter):
    details = {"employer": "Hospital", "occupation": "Nurse"}
    give(200_000, supporter=supporter, **details)
    # The same person, signed in elsewhere, another email, spelled without accents and in capitals.
    with pytest.raises(limits_actions.LimitExceeded) as refused:
        start(150_001, supporter=other_supporter, email="other@example.org", first_name="ELISE", last_name="roy",
              postal_code="h2x1y4", **details)  # fmt: skip
    assert refused.value.remaining_minor == 150_000
    assert give(150_000, supporter=None, first_name="Elise ", **details).status == Donation.Status.SUCCEEDED
    assert DonorAggregate.objects.get().total_minor == 350_000


@pytest.mark.parametrize(("before", "gift", "needs_details"), [(0, 20_000, False), (0, 20_001, True), (15_000, 5_000, False), (15_000, 5_001, True)])  # fmt: skip
def test_us_asks_for_employer_and_occupation_above_200_dollars_in_the_cycle(
    us_federal, before, gift, needs_details
):
    if before:
        give(before)
    if needs_details:
        with pytest.raises(checkout_actions.DetailsRequired):
            start(gift)
        assert give(gift, employer="Acme", occupation="Welder").status == Donation.Status.SUCCEEDED
    else:
        assert give(gift).status == Donation.Status.SUCCEEDED


def test_a_renewal_that_passes_200_dollars_without_details_is_flagged_and_asked_once(us_federal, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    first = give(15_000, frequency="monthly")
    recurring = first.recurring
    later = timezone.now() + timedelta(days=95)
    with committed():
        recurring_actions.renew_due_sandbox_gifts(now=later)  # three renewals: 300, 450, 600 dollars

    flagged = Donation.objects.filter(flag=Donation.Flag.MISSING_DETAILS)
    assert flagged.count() == 3
    follow_ups = [mail for mail in mailoutbox if "employer" in mail.body]
    assert len(follow_ups) == 1
    assert str(compliance.JURISDICTIONS["us_federal"].best_efforts_wording) in follow_ups[0].body
    assert recurring.donations.count() == 4


def test_a_gift_paid_after_its_reservation_was_released_and_over_the_limit_is_flagged(us_federal):
    details = {"employer": "Hospital", "occupation": "Nurse"}
    first_tab = start(300_000, **details)
    gifts_actions.mark_failed(donation_id=first_tab.pk)  # the donor came back "cancelled" from one tab…
    give(300_000, **details)  # …gave in another…
    late = gifts_actions.mark_succeeded(
        donation_id=first_tab.pk
    )  # …and the first tab's payment went through anyway.

    assert late.flag == Donation.Flag.OVER_LIMIT
    assert (late.resolve_by - late.succeeded_at).days == 60
    assert DonorAggregate.objects.get().total_minor == 600_000


@pytest.mark.parametrize(("given", "accepted"), [(10_000, True), (10_001, False)])
def test_quebec_allows_100_dollars_a_year(quebec, given, accepted):
    if accepted:
        give(given)
    else:
        with pytest.raises(limits_actions.LimitExceeded):
            start(given)


@pytest.mark.parametrize(("given", "accepted"), [(20_000, True), (20_001, False)])
def test_quebec_allows_another_100_dollars_in_an_election_year(quebec, settings, given, accepted):
    from django.utils import timezone

    settings.DONATIONS_ELECTION_YEAR = timezone.localdate().year
    if accepted:
        give(given)
    else:
        with pytest.raises(limits_actions.LimitExceeded):
            start(given)


@pytest.mark.parametrize(("given", "accepted"), [(177_500, True), (177_501, False)])
def test_canada_federal_allows_1775_dollars_a_year(canada, given, accepted):
    if accepted:
        give(given)
    else:
        with pytest.raises(limits_actions.LimitExceeded):
            start(given)


def test_a_cause_with_no_legal_limit_takes_any_amount_up_to_the_page_maximum():
    assert give(1_000_000).status == Donation.Status.SUCCEEDED
    assert DonorAggregate.objects.count() == 0


# --- the form ---------------------------------------------------------------------------------


def form_data(**overrides) -> dict[str, str]:
    data = {
        "amount": "25", "other_amount": "", "frequency": "once", "currency": compliance.campaign_currency(),
        "first_name": "Élise", "last_name": "Roy", "email": "elise@example.org", "address_line": "1 rue Saint-Denis",
        "city": "Montréal", "region": "QC", "postal_code": "H2X 1Y4", "country": "CA", "employer": "", "occupation": "",
    }  # fmt: skip
    for attestation in compliance.jurisdiction().attestations:
        data[f"attest_{attestation.code}"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "other", "other_amount": "-5"}, "Enter an amount such as 25 or 25.50."),
        ({"amount": "other", "other_amount": "0"}, "The smallest amount is"),
        ({"amount": "other", "other_amount": "0.99"}, "The smallest amount is"),
        ({"amount": "other", "other_amount": "99999999"}, "The largest amount is"),
        ({"amount": "other", "other_amount": "twenty"}, "Enter an amount such as 25 or 25.50."),
        ({"amount": "other", "other_amount": "1e3"}, "Enter an amount such as 25 or 25.50."),
        ({"amount": "other", "other_amount": "NaN"}, "Enter an amount such as 25 or 25.50."),
        ({"amount": "", "other_amount": ""}, "Choose or enter an amount."),
        ({"amount": "37"}, "Select a valid choice"),
        ({"currency": "GBP"}, "This campaign takes gifts in CAD only."),
        ({"currency": "USD"}, "This campaign takes gifts in CAD only."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_input_re_renders_with_a_message_the_data_kept_and_no_payment_started(client, overrides, message):
    response = client.post("/donate/", form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'value="Élise"' in response.content.decode()
    assert Donation.objects.count() == 0


def test_bad_input_is_explained_in_french_too(client):
    client.cookies["django_language"] = "fr"
    response = client.post(
        "/donate/", form_data(amount="other", other_amount="abc"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Indiquez un montant" in response.content.decode()


def test_every_attestation_starts_unticked_and_is_required(us_federal, client):
    import re

    page = client.get("/donate/").content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*>', page)
    assert len(boxes) == 5 and not [box for box in boxes if "checked" in box]
    data = form_data(employer="Acme", occupation="Nurse")
    del data["attest_not_contractor"]
    response = client.post("/donate/", data)
    assert response.status_code == 400
    assert "Please confirm this statement to give." in response.content.decode()
    assert Donation.objects.count() == 0


def test_the_form_refuses_an_excessive_amount_before_payment_with_what_is_left(us_federal, client):
    give(300_000, employer="Acme", occupation="Nurse")
    response = client.post(
        "/donate/", form_data(amount="other", other_amount="600", employer="Acme", occupation="Nurse")
    )
    assert response.status_code == 400
    assert "you may still give up to $500" in response.content.decode()
    assert Donation.objects.count() == 1


def test_the_form_asks_for_employer_and_occupation_above_the_threshold(us_federal, client):
    response = client.post("/donate/", form_data(amount="250"))
    assert response.status_code == 400
    assert "the law asks for your employer and occupation" in response.content.decode()
    assert Donation.objects.count() == 0


def test_quebec_takes_electors_domiciled_in_quebec_only(quebec, client):
    response = client.post("/donate/", form_data(region="ON", postal_code="M5V 2T6", city="Toronto"))
    assert response.status_code == 400
    assert "Only electors domiciled in Québec may contribute" in response.content.decode()
    assert client.post("/donate/", form_data()).status_code == 302
    assert Donation.objects.count() == 1


def test_the_receipt_carries_the_jurisdictions_legal_mention_in_the_donors_language(quebec, mailoutbox):
    give(5000, language="fr")
    assert len(mailoutbox) == 1
    receipt = mailoutbox[0]
    assert receipt.subject.startswith("[Quartier] Votre reçu")
    assert "renseignements publics" in receipt.body or "publics" in receipt.body
    assert receipt.alternatives[0][1] == "text/html"


def test_jurisdictions_are_data_documented_with_their_sources():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "compliance.md").read_text()
    for rules in compliance.JURISDICTIONS.values():
        if rules.limit_minor is not None:
            assert f"${rules.limit_minor // 100:,}" in doc, rules.code
    assert "11 CFR" in doc and "E-3.3" in doc and "Canada Elections Act" in doc


def test_it_never_uses_floats_for_money():
    from quartier.donations.models import DailyTotal, FundraisingPage

    for model in (Donation, DonorAggregate, FundraisingPage, DailyTotal):
        assert not [field.name for field in model._meta.fields if field.get_internal_type() == "FloatField"]


def test_a_client_without_a_session_sees_no_one_elses_thanks_page(client):
    donation = give(2500)
    assert Client().get(f"/donate/thanks/{donation.pk}/").status_code == 404
