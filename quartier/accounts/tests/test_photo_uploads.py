"""Photo uploads are limited per supporter: decoding images costs the server."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quartier.accounts.models import Profile
from quartier.accounts.tests.test_profile import image_bytes
from quartier.lib.tests.test_images import png_header_only
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

TOO_MANY = "You have sent many photos in a short time. Please try again later."


def upload(client, content: bytes, name: str = "me.png"):
    photo = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(reverse("accounts:settings_photo"), {"photo": photo}, follow=True)


def test_a_supporter_uploading_photo_after_photo_is_stopped_and_the_photo_kept(supporter):
    client = client_for(supporter)
    for _ in range(3):
        assert "Your photo is saved." in upload(client, image_bytes("PNG")).content.decode()
    kept = Profile.objects.get(supporter=supporter).photo.name

    response = upload(client, image_bytes("PNG"))

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [TOO_MANY]
    assert Profile.objects.get(supporter=supporter).photo.name == kept


def test_the_limit_of_one_supporter_does_not_stop_another(supporter, other_supporter):
    client = client_for(supporter)
    for _ in range(4):
        upload(client, image_bytes("PNG"))

    response = upload(client_for(other_supporter), image_bytes("PNG"))

    assert [str(message) for message in response.context["messages"]] == ["Your photo is saved."]


def test_a_photo_with_too_many_pixels_is_refused_with_a_reason(supporter):
    response = upload(client_for(supporter), png_header_only(5_000, 3_000))

    assert [str(message) for message in response.context["messages"]] == [
        "This image has too many pixels; please send a smaller one."
    ]
    assert not Profile.objects.get(supporter=supporter).photo
