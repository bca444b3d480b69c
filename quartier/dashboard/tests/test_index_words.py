"""The activity index in words: what counted, with the campaign's weights, in either language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from quartier.accounts.activity import record_activity
from quartier.dashboard import actions, kinds
from quartier.dashboard.admin import WEIGHT_PREFIX, IndexRulesForm
from quartier.dashboard.models import DEFAULT_LEVELS, DEFAULT_WEIGHTS, IndexRules
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PERSONAL = reverse("dashboard:personal")
ORGANIZE = reverse("dashboard:organize")


def page_in(person, language: str) -> str:
    person.language = language
    person.save(update_fields=["language"])
    client = client_for(person)
    client.cookies["django_language"] = language
    return client.get(PERSONAL, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def counted(body: str) -> list[tuple[str, ...]]:
    """The rows of "What counted", as text."""
    table = body[body.index('class="index-lines"') :].split("</table>")[0]
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table
    )
    return [tuple(cell.replace("\xa0", " ").replace("\u202f", " ") for cell in row) for row in rows]


def five_gifts_a_comment_and_two_messages(person) -> None:
    for number in range(5):
        record_activity(
            "donations.gift", supporter=person, key=f"gift:{number}", amount=2_500, currency="CAD"
        )
    record_activity("social.comment", supporter=person, key="comment:1")
    for number in range(2):
        record_activity("social.message", supporter=person, key=f"message:{number}")


def test_gifts_comments_and_messages_count_and_are_listed_in_words(supporter):
    five_gifts_a_comment_and_two_messages(supporter)
    body = page_in(supporter, "en")
    assert counted(body) == [
        ("Gave", "5 gifts", "2", "10 points"),
        ("Sent a message", "2 messages", "1", "2 points"),
        ("Commented", "1 comment", "1", "1 point"),
    ]
    assert "13 points" in body
    actions.roll_up()  # the same once the rollup has read the journal
    assert counted(page_in(supporter, "fr")) == [
        ("A donné", "5 dons", "2", "10 points"),
        ("A envoyé un message", "2 messages", "1", "2 points"),
        ("A commenté", "1 commentaire", "1", "1 point"),
    ]


def test_money_raised_counts_per_ten_in_the_campaign_currency(supporter, other_supporter, settings):
    settings.DONATIONS_CURRENCY = "EUR"
    record_activity("donations.gift", supporter=other_supporter, key="g", amount=12_000, currency="EUR",
                    credited_to=supporter)  # fmt: skip
    assert ("Money raised through my pages and links", "€120", "1 per €10 raised", "12 points") in counted(
        page_in(supporter, "en")
    )
    assert (
        "Argent recueilli par mes pages et mes liens",
        "120 €",
        "1 par tranche de 10 € récoltés",
        "12 points",
    ) in (counted(page_in(supporter, "fr")))


def test_no_internal_kind_name_reaches_the_page_in_either_language(supporter, other_supporter):
    five_gifts_a_comment_and_two_messages(supporter)
    for kind in kinds.NAMES:
        if not kind.startswith(kinds.CREDITED):
            record_activity(kind, supporter=supporter, key=f"every:{kind}", count=-1 if "cancel" in kind else 1,
                            amount=-2_500 if kind == "donations.refund" else 0, currency="CAD")  # fmt: skip
        else:
            kind = kind.removeprefix(kinds.CREDITED)
            record_activity(kind, supporter=other_supporter, key=f"credit:{kind}", credited_to=supporter,
                            amount=3_000 if kind == "donations.gift" else 0, currency="CAD")  # fmt: skip
    record_activity("newapp.something_new", supporter=supporter, key="new")
    for language, cancelled in (("en", "Cancelled a monthly gift"), ("fr", "A annulé un don mensuel")):
        body = page_in(supporter, language)
        assert cancelled in body  # the latest actions, in words
        for kind in [*kinds.NAMES, "newapp.something_new"]:
            assert kind.removeprefix(kinds.CREDITED) not in body, (language, kind)
        assert "(undone)" not in body and "(annulé)" not in body
    assert "-$25" in page_in(supporter, "en")  # the refund, with its currency
    assert "-25 $" in page_in(supporter, "fr").replace("\xa0", " ")


def test_staff_change_the_weights_in_words_and_the_index_follows(supporter):
    five_gifts_a_comment_and_two_messages(supporter)
    form = IndexRulesForm(instance=IndexRules())
    with translation.override("en"):
        assert str(form.fields[WEIGHT_PREFIX + "fieldwork.door"].label) == "Knocked on a door"
    assert form.fields[WEIGHT_PREFIX + "donations.gift"].initial == DEFAULT_WEIGHTS["donations.gift"]
    data = {"window_days": 90, "levels": str(DEFAULT_LEVELS)}
    data |= {WEIGHT_PREFIX + kind: DEFAULT_WEIGHTS.get(kind, 0) for kind in kinds.WEIGHTABLE}
    data |= {WEIGHT_PREFIX + "social.message": 5, WEIGHT_PREFIX + "donations.gift": 0}
    form = IndexRulesForm(data=data, instance=IndexRules())
    assert form.is_valid(), form.errors
    form.save()
    assert IndexRules.objects.get().weights["social.message"] == 5
    assert counted(page_in(supporter, "en")) == [
        ("Sent a message", "2 messages", "5", "10 points"),
        ("Commented", "1 comment", "1", "1 point"),
    ]
    refused = IndexRulesForm(data={**data, WEIGHT_PREFIX + "social.post": -1}, instance=IndexRules())
    assert not refused.is_valid()


def test_the_organiser_dashboard_shows_money_in_the_campaign_currency(staff, settings):
    settings.DONATIONS_CURRENCY = "CAD"
    record_activity("donations.gift", supporter=staff, key="g", amount=55_000, currency="CAD")
    actions.roll_up()
    english = client_for(staff).get(ORGANIZE).content.decode()
    assert 'data-figure="amount">$550 ·' in english
    assert "Gifts under $50 / under $200" in english
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client = client_for(staff)
    client.cookies["django_language"] = "fr"
    french = client.get(ORGANIZE, HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace("\xa0", " ")
    assert 'data-figure="amount">550 $ ·' in french
    assert "550,00" not in french
