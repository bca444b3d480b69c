from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quartier.lib.address_lists import (
    addresses_in_csv,
    addresses_in_text,
    addresses_in_upload,
    addresses_in_vcard,
)


def test_it_finds_addresses_in_pasted_text():
    text = 'Ana Lopez <ana@example.org>, bob@example.org; "Chloé" chloe@example.fr\nnot-an-address, dan@'
    assert addresses_in_text(text) == ["ana@example.org", "bob@example.org", "chloe@example.fr"]


def test_it_reads_every_cell_of_a_csv_export():
    exported = "Name;E-mail;Other\nAna;ana@example.org;\nBob;bob@example.org;bob.work@example.com\n"
    assert addresses_in_csv(exported) == ["ana@example.org", "bob@example.org", "bob.work@example.com"]


def test_it_reads_the_email_lines_of_a_vcard_file_folded_or_grouped():
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\nEMAIL;TYPE=home:ana@exam\r\n ple.org\r\nitem1.EMAIL:ana.work@example.org\r\n"
        "NOTE:write to someone@example.com\r\nEND:VCARD\r\n"
    )
    assert addresses_in_vcard(card) == ["ana@example.org", "ana.work@example.org"]
    assert addresses_in_upload("contacts.vcf", card.encode()) == ["ana@example.org", "ana.work@example.org"]


def test_an_upload_of_garbage_is_read_without_error():
    # Candidates only: outreach validates each address before anything is sent.
    found = addresses_in_upload("x.csv", bytes(range(256)) * 50)
    assert found and all("@" in address for address in found)
    assert addresses_in_upload("x.csv", b"\xff\xfe\x00no address here") == []


@given(st.text(max_size=2000))
def test_any_text_is_read_without_error(text):
    assert all("@" in address for address in addresses_in_text(text))
    addresses_in_csv(text)
    addresses_in_vcard(text)
