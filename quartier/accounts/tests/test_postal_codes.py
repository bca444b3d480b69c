from __future__ import annotations

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from quartier.accounts import actions
from quartier.accounts.models import PostalCode, Supporter
from quartier.accounts.queries import find_place

SAMPLE = Path(__file__).parent / "data" / "geonames_sample.txt"
SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)

pytestmark = pytest.mark.django_db


def import_postal_codes(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_postal_codes", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def codes(country: str) -> set[str]:
    return set(PostalCode.objects.filter(country=country).values_list("code", flat=True))


@pytest.fixture
def imported() -> None:
    import_postal_codes(SAMPLE)


def test_it_imports_a_geonames_file():
    output = import_postal_codes(SAMPLE)

    assert PostalCode.objects.count() == 16
    assert codes("CA") == {"H2X", "H2T", "H2J", "H3A", "J8X", "K2K", "M4Y", "M5V"}
    assert codes("FR") == {"75005", "75011", "75020", "69001", "69007", "13001", "31000", "01000"}
    lyon = PostalCode.objects.get(country="FR", code="69001")
    assert (lyon.place_name, lyon.admin_name1) == ("Lyon 01", "Auvergne-Rhône-Alpes")
    assert (lyon.latitude, lyon.longitude) == (45.7676, 4.8344)
    assert "17 lines read: 17 rows imported (16 new postal codes, 1 updates or repeated codes)" in output
    assert "0 malformed lines skipped" in output


def test_a_code_listed_twice_keeps_its_last_row():
    import_postal_codes(SAMPLE)

    # 01000 is shared by Bourg-en-Bresse and Saint-Denis-lès-Bourg; the file lists Bourg first.
    assert PostalCode.objects.get(country="FR", code="01000").place_name == "Saint-Denis-lès-Bourg"


def test_importing_again_updates_and_never_duplicates(tmp_path):
    import_postal_codes(SAMPLE)
    output = import_postal_codes(SAMPLE)

    assert PostalCode.objects.count() == 16
    assert "(0 new postal codes" in output

    changed = tmp_path / "CA.txt"
    changed.write_text(
        "".join(SAMPLE_LINES).replace("45.5115\t-73.5683", "45.5\t-73.6").replace("Hull Southeast", "Hull"),
        encoding="utf-8",
    )
    import_postal_codes(changed)

    assert PostalCode.objects.count() == 16
    h2x = PostalCode.objects.get(country="CA", code="H2X")
    assert (h2x.latitude, h2x.longitude) == (45.5, -73.6)
    assert PostalCode.objects.get(country="CA", code="J8X").place_name == "Hull"


def test_malformed_lines_are_skipped_and_counted(tmp_path):
    dump = tmp_path / "FR.txt"
    dump.write_bytes(
        "".join(SAMPLE_LINES[8:11]).encode()
        + b"FR\t75012\tParis 12\n"  # too few columns
        + b"FR\t75013\tParis 13\t\t\t\t\t\t\tnorth\t2.36\t5\n"  # latitude is not a number
        + b"FR\t75014\tParis 14\t\t\t\t\t\t\t123.4\t2.32\t5\n"  # latitude out of range
        + b"FR\t\tNowhere\t\t\t\t\t\t\t48.8\t2.3\t5\n"  # no postal code
        + b"F1\t75015\tParis 15\t\t\t\t\t\t\t48.84\t2.30\t5\n"  # not a country code
        + b"FR\t75016\tParis \xe9 16\t\t\t\t\t\t\t48.86\t2.26\t5\n"  # Latin-1, not UTF-8
        + b"\n"  # a blank line is not malformed, just ignored
        + b"FR\t75017\tParis 17\t\xc3\x8ele-de-France\t11\tParis\t75\tParis\t751\t48.887\t2.306\t\n"
    )

    output = import_postal_codes(dump)

    assert codes("FR") == {"75005", "75011", "75020", "75017"}
    assert "10 lines read: 4 rows imported" in output
    assert "6 malformed lines skipped" in output


def test_a_zip_from_geonames_works(tmp_path):
    archive = tmp_path / "CA.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "Readme for GeoNames Postal Code files\n")
        handle.writestr("CA.txt", "".join(SAMPLE_LINES[:8]))

    import_postal_codes(archive)

    assert len(codes("CA")) == 8 and not codes("FR")


def test_the_country_option_keeps_one_country(tmp_path):
    archive = tmp_path / "allCountries.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("allCountries.txt", "".join(SAMPLE_LINES))

    output = import_postal_codes(archive, "--country", "fr")

    assert len(codes("FR")) == 8 and not codes("CA")
    assert "8 rows of other countries skipped" in output


def test_it_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_postal_codes(tmp_path / "missing.txt")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(CommandError, match="expected one GeoNames data file"):
        import_postal_codes(archive)
    with pytest.raises(CommandError, match="two-letter"):
        import_postal_codes(SAMPLE, "--country", "Canada")
    assert not PostalCode.objects.exists()


def test_small_batches_give_the_same_result():
    import_postal_codes(SAMPLE, "--batch-size", "3")

    assert PostalCode.objects.count() == 16
    assert PostalCode.objects.get(country="FR", code="01000").place_name == "Saint-Denis-lès-Bourg"


def test_a_signup_with_an_imported_code_gets_its_town_and_centroid(imported, make_supporter):
    montreal = make_supporter("Marie Tremblay", country="CA", postal_code="h2x1y4")
    lyon = make_supporter("Léa Martin", country="FR", postal_code="69001")

    montreal = Supporter.objects.get(pk=montreal.pk)
    assert (montreal.postal_code, montreal.town) == ("H2X 1Y4", "Plateau Mont-Royal Southeast")
    assert (montreal.latitude, montreal.longitude) == (45.5115, -73.5683)
    assert Supporter.objects.get(pk=lyon.pk).town == "Lyon 01"


def test_moving_to_an_imported_code_updates_the_town(imported, supporter):
    actions.set_location(supporter, country="CA", postal_code="M5V 2T6")
    supporter.save()

    supporter.refresh_from_db()
    # The long list of neighbourhoods after the town is left out: the town fits `Supporter.town`.
    assert supporter.town == "Downtown Toronto"
    assert (supporter.latitude, supporter.longitude) == (43.6404, -79.3995)


def test_a_full_code_wins_over_its_fsa(imported):
    PostalCode.objects.create(
        country="CA", code="H2X 1Y4", place_name="Montréal", latitude=45.5106, longitude=-73.5697
    )

    assert find_place("CA", "H2X 1Y4").latitude == 45.5106
    assert find_place("CA", "H2X 3V9").latitude == 45.5115


def test_a_zip_plus_four_code_finds_its_zip():
    PostalCode.objects.create(
        country="US", code="10001", place_name="New York City", latitude=40.7484, longitude=-73.9967
    )

    place = find_place("US", "10001-1234")

    assert (place.postal_code, place.town, place.latitude) == ("10001-1234", "New York City", 40.7484)


def test_unknown_codes_still_fall_back_to_the_bundled_data(imported):
    assert find_place("FR", "69003").town == "Lyon"  # in the bundled table only
    assert find_place("CA", "T2P 1J9").town == "Alberta"  # the province, from the first letter
    assert find_place("US", "10001").town == "New York"  # the zipcodes package
    assert find_place("FR", "99999") is None


def test_one_lookup_is_one_query(imported, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert find_place("CA", "H2X 1Y4").town == "Plateau Mont-Royal Southeast"
    with django_assert_num_queries(1):
        assert find_place("FR", "69003").town == "Lyon"
    with django_assert_num_queries(0):
        assert find_place("CA", "not a code") is None
