"""Post photos keep their shape (a 3:1 banner keeps its words) and need a description (alt text),
asked for in the writer's language and used wherever the photo shows."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quartier.social.models import Post
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def picture(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, format="PNG")
    return SimpleUploadedFile("banner.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(("size", "stored"), [((1800, 600), (1200, 400)), ((900, 900), (900, 900))])
def test_a_photo_keeps_its_shape_and_its_description_shows_in_the_card(people, size, stored):
    client = client_for(people["author"])
    data = {"title": "Our banner", "body": "Look", "visibility": "public", "publish": "1"}
    client.post(reverse("social:post_create"), {**data, "image": picture(*size), "image_alt": "Climate now!"})

    post = Post.objects.get()
    with Image.open(post.image.path) as image:
        assert image.size == stored
    assert (post.image_width, post.image_height, post.image_alt) == (*stored, "Climate now!")
    html = client_for(people["follower"]).get(reverse("social:feed")).content.decode()
    assert f'alt="Climate now!" loading="lazy" width="{stored[0]}" height="{stored[1]}"' in html
    assert 'alt="Climate now!"' in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("language", "message"), [("en", "Describe the image in a few words"), ("fr", "Décrivez l’image")]
)
def test_a_photo_without_a_description_is_refused_in_the_writers_language(make_supporter, language, message):
    client = client_for(make_supporter("Wren Writer", language=language))
    data = {"title": "Our banner", "body": "Look", "visibility": "public", "image": picture(900, 300)}

    response = client.post(reverse("social:post_create"), data)

    assert response.status_code == 400 and message in response.content.decode()
    assert 'value="Our banner"' in response.content.decode() and not Post.objects.exists()


def test_a_photo_longer_than_three_to_one_is_refused_with_a_clear_message(people):
    data = {
        "title": "Too long",
        "body": "Look",
        "visibility": "public",
        "image": picture(1300, 400),
        "image_alt": "x",
    }

    response = client_for(people["author"]).post(reverse("social:post_create"), data, follow=True)

    assert "at most three times its shorter side" in response.content.decode()
    assert not Post.objects.get().image
