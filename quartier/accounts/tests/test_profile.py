from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from quartier.accounts import branding
from quartier.accounts.models import Cause, Profile, Supporter, Visibility

PROFILE_FORM = {
    "display_name": "Marie Tremblay",
    "handle": "marie-t",
    "country": "CA",
    "postal_code": "H2T 1A1",
    "town_visibility": "public",
    "bio": "I **organise** in Mile End.",
    "bio_visibility": "public",
    "why_involved": "My kids' future.",
    "why_involved_visibility": "supporters",
    "causes_visibility": "public",
    "languages_spoken": ["fr", "en"],
    "languages_visibility": "private",
    "links": "https://example.org/marie",
    "links_visibility": "public",
    "photo_visibility": "public",
}


def image_bytes(fmt: str = "JPEG", size=(800, 600), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x8825] = {2: (45.0, 30.0, 0.0)}  # GPS info
        extra["exif"] = data.tobytes()
    image.save(out, format=fmt, **extra)
    return out.getvalue()


@pytest.fixture
def signed_in(supporter) -> Client:
    client = Client()
    client.force_login(supporter)
    return client


@pytest.mark.django_db
def test_it_saves_every_profile_field(signed_in, supporter):
    climate = Cause.objects.create(slug="climate", name_en="Climate", name_fr="Climat")

    response = signed_in.post(reverse("accounts:settings_profile"), {**PROFILE_FORM, "causes": [climate.pk]})

    assert response.status_code == 302
    supporter.refresh_from_db()
    profile = Profile.objects.get(supporter=supporter)
    assert supporter.handle == "marie-t"
    assert supporter.town == "Montréal"
    assert profile.bio_html == "<p>I <strong>organise</strong> in Mile End.</p>\n"
    assert profile.why_involved_visibility == Visibility.SUPPORTERS
    assert profile.languages_spoken == ["fr", "en"]
    assert profile.links == ["https://example.org/marie"]
    assert list(profile.causes.all()) == [climate]


@pytest.mark.django_db
def test_it_shows_each_viewer_only_the_fields_they_may_see(signed_in, supporter, other_supporter):
    signed_in.post(reverse("accounts:settings_profile"), PROFILE_FORM)
    url = reverse("accounts:profile", args=["marie-t"])

    anonymous_page = Client().get(url).content.decode()
    other = Client()
    other.force_login(other_supporter)
    supporter_page = other.get(url).content.decode()
    own_page = signed_in.get(url).content.decode()

    assert "organise" in anonymous_page and "Montréal" in anonymous_page
    assert "My kids" not in anonymous_page
    assert "My kids" in supporter_page
    assert "<h2>Languages</h2>" not in supporter_page
    assert "<h2>Languages</h2>" in own_page
    for page in (anonymous_page, supporter_page, own_page):
        assert "H2T" not in page  # the postal code itself is never shown


@pytest.mark.django_db
def test_it_hides_the_town_when_the_supporter_chooses_only_me(signed_in):
    signed_in.post(reverse("accounts:settings_profile"), {**PROFILE_FORM, "town_visibility": "private"})

    page = Client().get(reverse("accounts:profile", args=["marie-t"])).content.decode()

    assert "Montréal" not in page


@pytest.mark.django_db
def test_it_renders_the_profile_page_in_a_constant_number_of_queries(
    signed_in, supporter, django_assert_max_num_queries
):
    branding.current()  # the campaign's branding is read once, then served from the cache
    for slug in ("a", "b", "c"):
        cause = Cause.objects.create(slug=slug, name_en=slug, name_fr=slug)
        supporter.profile.causes.add(cause)
    url = reverse("accounts:profile", args=[supporter.handle])
    anonymous = Client()

    with django_assert_max_num_queries(2):  # the supporter with their profile, their causes
        assert anonymous.get(url).status_code == 200
    # Signed in, first time: the session and the user, who may open it, then the card's two reads.
    with django_assert_max_num_queries(5):
        assert signed_in.get(url).status_code == 200
    # Then the card and the user come from the cache: the session (here in the database), who may open it.
    with django_assert_max_num_queries(2):
        assert signed_in.get(url).status_code == 200


@pytest.mark.django_db
def test_it_neutralises_script_in_the_bio(signed_in, supporter):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">[x](javascript:alert(3))'
    signed_in.post(reverse("accounts:settings_profile"), {**PROFILE_FORM, "bio": payload})

    page = Client().get(reverse("accounts:profile", args=["marie-t"])).content.decode()

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"handle": "Bad Handle!"}, "handle", "lower-case"),
        ({"handle": "admin"}, "handle", "lower-case"),
        ({"postal_code": "ABC"}, "postal_code", "not a valid postal code"),
        ({"links": "javascript:alert(1)"}, "links", "not a web address"),
        ({"links": "\n".join(f"https://e.org/{n}" for n in range(6))}, "links", "five"),
        ({"bio_visibility": "everyone-ish"}, "bio_visibility", "valid choice"),
    ],
)
def test_it_rerenders_a_bad_profile_with_the_data_kept(signed_in, supporter, changes, field, message):
    before = Supporter.objects.values().get(pk=supporter.pk)

    response = signed_in.post(reverse("accounts:settings_profile"), {**PROFILE_FORM, **changes})

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Mile End" in response.content.decode()
    assert Supporter.objects.values().get(pk=supporter.pk) == before
    assert Profile.objects.get(supporter=supporter).bio == ""


@pytest.mark.django_db
def test_it_says_when_a_handle_is_taken(signed_in, other_supporter):
    response = signed_in.post(
        reverse("accounts:settings_profile"), {**PROFILE_FORM, "handle": other_supporter.handle}
    )

    assert response.status_code == 400
    assert "already taken" in str(response.context["form"].errors["handle"])


@pytest.mark.django_db
def test_it_reencodes_an_uploaded_photo_without_its_metadata(signed_in, supporter):
    upload = SimpleUploadedFile("me.jpg", image_bytes(exif=True), content_type="image/jpeg")

    response = signed_in.post(reverse("accounts:settings_photo"), {"photo": upload})

    assert response.status_code == 302
    profile = Profile.objects.get(supporter=supporter)
    with profile.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "WEBP"
        assert image.size == (400, 400)
        assert not image.getexif()
        assert "exif" not in image.info
    assert Client().get(profile.photo.url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<?php echo 'hi'; ?>", "me.jpg", "not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\x00" * 100, "me.gif", "not a JPEG, PNG or WebP"),
        (b"\xff\xd8\xff" + b"\x00" * 100, "broken.jpg", "not a JPEG, PNG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024 + 10), "huge.png", "larger than 5 MB"),
    ],
)
def test_it_refuses_fake_or_oversized_photos_with_a_reason(signed_in, supporter, content, name, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")

    response = signed_in.post(reverse("accounts:settings_photo"), {"photo": upload}, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Profile.objects.get(supporter=supporter).photo


@pytest.mark.django_db
def test_it_replaces_and_removes_a_photo(signed_in, supporter, django_capture_on_commit_callbacks):
    for fmt in ("PNG", "WEBP"):
        upload = SimpleUploadedFile(f"me.{fmt.lower()}", image_bytes(fmt), content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(reverse("accounts:settings_photo"), {"photo": upload})
    profile = Profile.objects.get(supporter=supporter)
    storage = profile.photo.storage
    assert len(storage.listdir("photos")[1]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("accounts:settings_photo"), {"remove": "1"})

    assert not Profile.objects.get(supporter=supporter).photo
    assert storage.listdir("photos")[1] == []


@pytest.mark.django_db
def test_it_keeps_an_unverified_profile_private(unverified, supporter):
    url = reverse("accounts:profile", args=[unverified.handle])

    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(supporter)
    assert other.get(url).status_code == 404
    own = Client()
    own.force_login(unverified)
    assert "Only you can see this page" in own.get(url).content.decode()


@pytest.mark.django_db
def test_a_handle_taken_at_the_last_moment_is_reported_not_a_crash(
    signed_in, supporter, other_supporter, monkeypatch
):
    from quartier.accounts import forms

    # The form's own check passes (as if the other person took the handle a moment later).
    monkeypatch.setattr(forms.ProfileForm, "clean_handle", lambda self: self.cleaned_data["handle"])

    response = signed_in.post(
        reverse("accounts:settings_profile"), {**PROFILE_FORM, "handle": other_supporter.handle}
    )

    assert response.status_code == 400
    assert "already taken" in str(response.context["form"].errors["handle"])
    supporter.refresh_from_db()
    assert supporter.handle != other_supporter.handle


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.dictionaries(
        st.sampled_from(sorted(PROFILE_FORM)),
        st.one_of(
            st.text(max_size=60), st.sampled_from(["", "public", "private", "ZZ", "CA", "\x00", "💥" * 3])
        ),
    )
)
def test_no_profile_input_produces_a_server_error(signed_in, values):
    response = signed_in.post(reverse("accounts:settings_profile"), {**PROFILE_FORM, **values})

    assert response.status_code in {302, 400}


@pytest.mark.django_db
def test_fields_for_supporters_stay_hidden_from_unconfirmed_accounts(signed_in, unverified):
    signed_in.post(reverse("accounts:settings_profile"), PROFILE_FORM)
    viewer = Client()
    viewer.force_login(unverified)

    page = viewer.get(reverse("accounts:profile", args=["marie-t"])).content.decode()

    assert "organise" in page
    assert "My kids" not in page
