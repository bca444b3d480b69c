"""Issue 22: parsing a contact file is cached and takes shortcuts (the phone number's region and type
found once, ASCII text folded without Unicode decomposition, a batch's duplicates merged on plain
values); each shortcut gives exactly what the reference path gives, on the rows most likely to differ."""

from __future__ import annotations

import pytest

from quartier.fieldwork.import_rows import merge, merge_values
from quartier.fieldwork.models import Contact
from quartier.lib import contacts as lib

TRICKY_PHONES = [
    ("514 555 0101", "CA"), ("(212) 555-0147", "US"), ("+1 212 555 0147", "FR"), ("01 43 55 12 34", "FR"),
    ("+33 6 12 34 56 78", "CA"), ("06 12 34 56 78", "FR"), ("+32 2 555 12 12", "BE"), ("0470 12 34 56", "BE"),
    ("1-800-555-0199", "US"), ("+1 800 555 0199", "CA"), ("+1 684 733 1234", "US"), ("+1 876 555 0123", "CA"),
    ("+1 340 555 0123", "US"), ("+44 20 7946 0958", "CA"), ("+61 2 9374 4000", "CA"), ("+7 495 123 45 67", ""),
    ("+800 1234 5678", "CA"), ("+882 13 1234 5678", "CA"), ("12", "CA"), ("not a phone", "CA"), ("", "CA"),
    ("  514.555.0101 ext. 12 ", "CA"), ("+1 (514) 555-01O1", "CA"), ("0033 1 43 55 12 34", "FR"),
    ("514 555 0101", ""), ("+15145550101", "XX"), ("911", "US"), ("+1 867 555 0123", "CA"),
    ("+1 709 555 0123", "CA"), ("+1 236 555 0123", "CA"), ("+1 212 555 0147", "CA"), ("514 555 0101", "FR"),
]  # fmt: skip

TRICKY_TEXT = [
    "Rue  St-Denis", "Élodie Bédard", "ÉCOLE", "straße", "Ǆemal", "ﬁn", "Ⅻ rue", "rue_du_lac", "12B, rue Saint-Denis",
    "  ", "", "O'Brien", "Mc-Donald  Jr.", "İstanbul", "ß", "Ａｂｃ", "tab\there", "line\nbreak", "5e avenue",
    "Québec (ville)", "rue des Érables", "naïve café", "ǅ", "ﬀ", "١٢٣ شارع",
]  # fmt: skip


@pytest.mark.parametrize(("raw", "country"), TRICKY_PHONES)
def test_the_cached_phone_parser_agrees_with_phonenumbers_public_calls(raw, country):
    expected = lib.parse_phone_reference(raw, country)

    assert lib.parse_phone(raw, country) == expected
    assert lib.parse_phone(raw, country) == expected  # from the cache, the same answer


def test_the_tricky_phone_numbers_cover_valid_invalid_and_zoned_numbers():
    answers = [lib.parse_phone_reference(raw, country) for raw, country in TRICKY_PHONES]

    assert any(answer is None for answer in answers)
    assert any(answer and answer.time_zone for answer in answers)
    assert any(answer and answer.time_zone is None for answer in answers)  # several zones, or none


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_folding_agrees_with_the_unicode_reference(text):
    assert lib.fold(text) == lib.fold_unicode(text)
    assert lib.household_key(text, "h2t 1s6") == (
        f"{lib.fold_unicode(text)}|h2t1s6" if lib.fold_unicode(text) else ""
    )


VALUES = {
    "external_id": "V1", "first_name": "Anne", "last_name": "Roy", "email": "", "address": "1 rue Rachel",
    "house_number": 1, "street_name": "rue rachel", "town": "", "postal_code": "H2T 1S6", "country": "CA",
    "latitude": None, "longitude": -73.5, "household_key": "1 rue rachel|h2t1s6", "phone": "+15145550101",
    "time_zone": "America/Toronto", "language": "fr", "tags": ",climate,", "do_not_call": True, "do_not_knock": False,
}  # fmt: skip
LATER = VALUES | {
    "first_name": "", "last_name": "Roy-Martin", "address": "", "latitude": 45.5, "longitude": None,
    "tags": ",housing,climate,", "do_not_call": False, "do_not_knock": True, "email": "anne@example.org",
}  # fmt: skip


def test_merging_plain_values_follows_the_rule_of_merging_a_contact():
    contact = Contact(**VALUES)
    merge(contact, LATER)
    known = dict(VALUES)
    merge_values(known, LATER)

    assert known == {name: getattr(contact, name) for name in VALUES}
    assert (known["last_name"], known["address"], known["latitude"], known["longitude"]) == (
        "Roy-Martin", "1 rue Rachel", 45.5, -73.5,
    )  # fmt: skip
    assert (known["tags"], known["do_not_call"], known["do_not_knock"]) == (",climate,housing,", True, True)
