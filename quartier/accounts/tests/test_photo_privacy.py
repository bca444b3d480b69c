"""A photo's address dies when its visibility changes: nobody keeps it through an old link."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quartier.accounts.models import Profile
from quartier.accounts.tests.test_profile import PROFILE_FORM, image_bytes
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_url(supporter, django_capture_on_commit_callbacks) -> str:
    owner = client_for(supporter)
    upload = SimpleUploadedFile("me.png", image_bytes("PNG"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("accounts:settings_photo"), {"photo": upload})
    return Profile.objects.get(supporter=supporter).photo.url


def set_photo_visibility(supporter, level: str, capture) -> str:
    with capture(execute=True):
        response = client_for(supporter).post(
            reverse("accounts:settings_profile"),
            {**PROFILE_FORM, "handle": supporter.handle, "photo_visibility": level},
        )
    assert response.status_code == 302
    return Profile.objects.get(supporter=supporter).photo.url


def profile_page(viewer, supporter) -> str:
    return client_for(viewer).get(reverse("accounts:profile", args=[supporter.handle])).content.decode()


def test_a_photo_switched_to_only_me_is_gone_from_its_old_address_for_everyone(
    persona, supporter, photo_url, django_capture_on_commit_callbacks
):
    _name, viewer = persona
    assert client_for(viewer).get(photo_url).status_code == 200

    new_url = set_photo_visibility(supporter, "private", django_capture_on_commit_callbacks)

    assert new_url != photo_url
    assert client_for(viewer).get(photo_url).status_code == 404
    shown_on_profile = new_url in profile_page(viewer, supporter)
    assert shown_on_profile is (viewer == supporter)


def test_the_owner_still_sees_the_private_photo_at_its_new_address(
    supporter, photo_url, django_capture_on_commit_callbacks
):
    new_url = set_photo_visibility(supporter, "private", django_capture_on_commit_callbacks)

    settings_page = client_for(supporter).get(reverse("accounts:settings_profile")).content.decode()
    assert new_url in settings_page
    assert client_for(supporter).get(new_url).status_code == 200


@pytest.mark.parametrize(
    ("viewer_name", "sees_it"),
    [("anonymous", False), ("unverified", False), ("other_supporter", True), ("staff", True)],
)
def test_a_photo_for_supporters_only_leaves_its_public_address(
    request, supporter, photo_url, django_capture_on_commit_callbacks, viewer_name, sees_it
):
    viewer = request.getfixturevalue(viewer_name)

    new_url = set_photo_visibility(supporter, "supporters", django_capture_on_commit_callbacks)

    assert client_for(viewer).get(photo_url).status_code == 404
    assert (new_url in profile_page(viewer, supporter)) is sees_it


def test_saving_the_profile_without_changing_the_photo_visibility_keeps_its_address(
    supporter, photo_url, django_capture_on_commit_callbacks
):
    assert set_photo_visibility(supporter, "public", django_capture_on_commit_callbacks) == photo_url
    assert client_for(None).get(photo_url).status_code == 200


def test_only_one_photo_file_is_kept_after_a_visibility_change(
    supporter, photo_url, django_capture_on_commit_callbacks
):
    set_photo_visibility(supporter, "private", django_capture_on_commit_callbacks)

    profile = Profile.objects.get(supporter=supporter)
    assert profile.photo.storage.listdir("photos")[1] == [profile.photo.name.removeprefix("photos/")]
