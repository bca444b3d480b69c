"""A fundraising page's photo keeps its shape (a 3:1 banner keeps its words) and needs a description."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from quartier.donations.models import FundraisingPage
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def picture(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, format="PNG")
    return SimpleUploadedFile("banner.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(("size", "stored"), [((2400, 800), (1200, 400)), ((700, 700), (700, 700))])
def test_the_page_photo_keeps_its_shape_and_shows_its_description(supporter, size, stored):
    client = client_for(supporter)
    data = {
        "title": "Run for Rosemont",
        "goal": "500",
        "photo": picture(*size),
        "photo_alt": "Run for Rosemont!",
    }

    client.post("/fundraise/new/", data)

    page = FundraisingPage.objects.get()
    with Image.open(page.photo.path) as image:
        assert image.size == stored
    html = client.get(page.get_absolute_url()).content.decode()
    assert f'alt="Run for Rosemont!" class="page-photo" width="{stored[0]}" height="{stored[1]}"' in html


def test_a_page_photo_without_a_description_is_refused_and_the_form_kept(supporter):
    data = {"title": "Run for Rosemont", "goal": "500", "photo": picture(900, 300)}

    response = client_for(supporter).post("/fundraise/new/", data)

    assert response.status_code == 400 and "Describe the photo in a few words" in response.content.decode()
    assert 'value="Run for Rosemont"' in response.content.decode() and not FundraisingPage.objects.exists()


def test_a_page_photo_longer_than_three_to_one_is_refused_with_a_clear_message(supporter):
    data = {"title": "Run for Rosemont", "goal": "500", "photo": picture(1600, 400), "photo_alt": "Too long"}

    response = client_for(supporter).post("/fundraise/new/", data, follow=True)

    assert "at most three times its shorter side" in response.content.decode()
    assert not FundraisingPage.objects.get().photo
