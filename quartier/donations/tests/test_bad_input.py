"""No input makes a donations endpoint answer 500: Stripe's webhook (signed events with any field
replaced by hostile JSON) and the donation, monthly-gift, refund, details and staff forms.

Examples are derandomised, as in `quartier/tests/test_no_500.py`.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.donations.access import details_token
from quartier.donations.models import Donation, ParkedEvent, WebhookEvent
from quartier.donations.stripe_events import HANDLED
from quartier.donations.tests.conftest import SECRETS, give, post_event, start_stripe_gift
from quartier.donations.tests.test_compliance import form_data
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

HOSTILE_JSON = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False), st.sampled_from([1e20, -1e20, 1e308, 2**63, "1e20", "", "\x00", "x" * 500,
                                                 "99999999999999999999", [], {}, [1, 2], {"id": []}]),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)  # fmt: skip
FIELDS = [
    "id", "metadata", "client_reference_id", "payment_intent", "subscription", "invoice", "mode",
    "payment_status", "amount_refunded", "customer", "payment_method", "parent", "payments", "billing_reason",
]  # fmt: skip
EVENT_FIELDS = ["id", "type", "created", "data"]
FUZZ = settings(
    max_examples=60, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip


@pytest.mark.parametrize("created", [1e20, -1e20, 2**70, "soon", [], 253402300800])
def test_a_signed_event_with_an_impossible_created_is_refused_with_400(fake_stripe, client, created):
    donation, checkout = start_stripe_gift(2500)
    event = fake_stripe.pay_session(checkout.reference)[0]
    response = post_event(client, {**event, "created": created})
    assert response.status_code == 400 and response.json()["error"] == "malformed_event"
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING
    assert WebhookEvent.objects.count() == ParkedEvent.objects.count() == 0


@pytest.mark.parametrize("metadata", [[], "12", 7, None, {"donation_id": []}, {"donation_id": "9" * 40}])
def test_a_signed_event_with_odd_metadata_is_handled_without_a_500(fake_stripe, client, metadata):
    _donation, checkout = start_stripe_gift(2500)
    succeeded, completed = fake_stripe.pay_session(checkout.reference)
    for event in (succeeded, completed):
        event["data"]["object"]["metadata"] = metadata
        event["data"]["object"].pop("client_reference_id", None)
    # The payment intent's own id still names the gift once the session has attached it.
    assert post_event(client, completed).status_code == 200
    assert post_event(client, succeeded).status_code == 200


@FUZZ
@given(
    event_type=st.sampled_from(sorted(HANDLED)),
    changes=st.dictionaries(st.sampled_from(FIELDS), HOSTILE_JSON, max_size=4),
    event_changes=st.dictionaries(st.sampled_from(EVENT_FIELDS), HOSTILE_JSON, max_size=2),
)
def test_any_signed_event_gets_200_or_400_never_500(fake_stripe, client, event_type, changes, event_changes):
    base = {
        "id": "cs_1", "object": "x", "metadata": {"donation_id": "1"}, "payment_intent": "pi_1", "mode": "payment",
        "payment_status": "paid", "amount_refunded": 100, "subscription": "sub_1", "billing_reason": "subscription_cycle",
        "parent": {"subscription_details": {"subscription": "sub_1", "metadata": {"donation_id": "1"}}},
    }  # fmt: skip
    event = fake_stripe.event(event_type, {**base, **changes})
    event.update(event_changes)
    response = post_event(client, event)
    assert response.status_code in {200, 400}, response.content


def test_a_signed_body_that_is_no_event_or_too_deep_gets_400(fake_stripe, client):
    for body in [
        "[]",
        "null",
        '"text"',
        "[" * 100_000 + "]" * 100_000,
        '{"id": 1, "type": 2, "data": {"object": {}}}',
    ]:
        header = stripe.WebhookSignature.generate_signature_header(body, SECRETS[0])
        response = client.post(
            "/donate/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        assert response.status_code == 400, body[:40]
        assert response.json()["error"] == "malformed_event"


HOSTILE_TEXT = ["", "\x00", "9" * 30, "-1", "1e309", "nan", "<script>", "x" * 10_000, "3.5", "é" * 300]


@FUZZ
@given(field=st.sampled_from(list(form_data())), value=st.sampled_from(HOSTILE_TEXT))
def test_the_donation_form_never_answers_500(client, field, value):
    response = client.post("/donate/", {**form_data(), field: value})
    assert response.status_code in {200, 302, 400}


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_donor_and_staff_forms_never_answer_500(supporter, staff, value):
    gift = give(2500, supporter=supporter, frequency="monthly")
    owner, organiser = client_for(supporter), client_for(staff)
    answers = [
        owner.post(f"/settings/gifts/monthly/{gift.recurring_id}/change/", {"amount": value}),
        owner.post(f"/settings/gifts/{gift.pk}/refund/", {"reason": value}),
        owner.post(f"/donate/details/{details_token(gift)}/", {"employer": value, "occupation": value}),
        owner.get(f"/donate/details/{quote(value or 'x', safe='')}/"),
        owner.post("/fundraise/new/", {"title": value, "goal": value, "story": value}),
        organiser.post(f"/staff/donations/{gift.pk}/refund/", {"amount": value, "next": value}),
        organiser.get("/staff/donations/", {"status": value, "search": value, "page": value}),
    ]
    assert all(answer.status_code < 500 for answer in answers), [answer.status_code for answer in answers]
