"""Finding events and groups in Chromium: pages fit a 360 px phone, photos stay round, the map names
places without a tile server, share links copy, and online times follow the browser's zone."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from quartier.accounts import actions as account_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Event
from quartier.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "fr-CA"}


def draft(**changes) -> events_actions.EventDraft:
    start = timezone.now() + timedelta(days=3)
    shifts = [
        events_actions.ShiftDraft(
            starts_at=start + timedelta(hours=3 * n), ends_at=start + timedelta(hours=3 * n + 2), capacity=10
        )
        for n in range(3)
    ]
    values = events_actions.EventDraft(
        title="Porte-à-porte dans le Mile End, avec un titre assez long pour passer à la ligne",
        description="Apportez de **bonnes chaussures**.", event_type="canvass", is_virtual=False, join_url="",
        venue="Parc Lahaie", address="Boulevard Saint-Laurent", address_visibility="public", country="CA",
        postal_code="H2T 1A1", town="Montréal", latitude=45.523, longitude=-73.59, time_zone="America/Toronto",
        max_guests_per_rsvp=0, group=None, shifts=shifts,
    )  # fmt: skip
    for name, value in changes.items():
        setattr(values, name, value)
    return values


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def portrait_photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 500), (40, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("portrait.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def organiser(make_supporter):
    supporter = make_supporter("Dominique Organisatrice-Lévesque", email="dominique@example.org")
    account_actions.set_photo(supporter=supporter, upload=portrait_photo())
    return supporter


@pytest.fixture
def listed(organiser):
    group = groups_actions.create_group(
        creator=organiser,
        draft=groups_actions.GroupDraft(
            name="Plateau pour le climat", description="Le mardi.", area="Plateau", country="CA",
            postal_code="H2X 1Y4", latitude=45.512, longitude=-73.568, town="Montréal", join_policy="open",
        ),
    )  # fmt: skip
    event = events_actions.create_event(host=organiser, draft=draft(group=group))
    events_actions.create_event(
        host=organiser, draft=draft(title="Réunion à la maison", address_visibility="attendees", latitude=45.5712,
                                    longitude=-73.7203, town="Laval", postal_code="H7N 1A1"),
    )  # fmt: skip
    return group, event


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_main_pages_fit_a_360_pixel_phone_without_sideways_scrolling(new_context, organiser, listed):
    group, event = listed
    page = new_context(**PHONE).new_page()
    public = ["/", "/events/", "/events/?near=Montréal&within=25", "/groups/", "/groups/?near=H2X 1Y4",
              event.get_absolute_url(), group.get_absolute_url(), "/accounts/login/", "/accounts/signup/",
              f"/people/{organiser.handle}/"]  # fmt: skip
    for url in public:
        page.goto(url)
        assert horizontal_overflow(page) <= 0, url
    sign_in(page, organiser.email)
    for url in ["/settings/profile/", "/settings/email/", "/settings/privacy/", "/events/mine/",
                event.get_absolute_url(), "/events/new/"]:  # fmt: skip
        page.goto(url)
        assert horizontal_overflow(page) <= 0, url


def test_profile_photos_stay_round_on_a_phone_and_a_desktop(new_context, organiser):
    for options in (PHONE, {"viewport": {"width": 1280, "height": 800}}):
        page = new_context(**options).new_page()
        page.goto(f"/people/{organiser.handle}/")
        box = page.locator("img.avatar").bounding_box()
        assert box is not None and abs(box["width"] - box["height"]) < 1, box
        sign_in(page, organiser.email)
        page.goto("/settings/profile/")
        box = page.locator("img.avatar").bounding_box()
        assert box is not None and abs(box["width"] - box["height"]) < 1, box


def test_the_map_names_the_towns_and_the_place_searched_without_a_tile_server(new_context, listed):
    page = new_context(locale="fr-CA").new_page()
    page.goto("/events/?near=H2T 1A1&country=CA&within=25")
    page.wait_for_selector("#event-map .map-label")

    labels = page.locator("#event-map .map-label").evaluate_all("labels => labels.map(l => l.textContent)")
    assert sorted(labels) == ["Laval", "Montréal"]  # each town once: the one searched, and Laval's pin
    assert page.locator("#event-map .map-label-centre").text_content() == "Montréal"
    # Fitted to the results, not to the whole country, nor to a street nobody can see.
    scale = page.locator(".leaflet-control-scale-line").first.inner_text()
    assert scale.endswith("km"), scale
    assert int(scale.split()[0]) <= 10, scale


def test_group_search_has_a_map_too(new_context, listed):
    page = new_context().new_page()
    page.goto("/groups/?near=H2X 1Y4&country=CA")

    page.wait_for_selector("#event-map .leaflet-interactive")
    assert page.locator("#event-map").get_attribute("aria-label") == "Map of the groups listed"


def test_a_share_link_copies_with_one_click(new_context, listed):
    _group, event = listed
    context = new_context(locale="en-CA")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(event.get_absolute_url())

    page.get_by_role("button", name="Copy").click()

    page.wait_for_selector("#share-link-status:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#share-link").input_value()


def test_an_online_event_shows_the_browser_time_zone_after_the_first_page(new_context, organiser):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=5)
    event = events_actions.create_event(
        host=organiser,
        draft=draft(title="Formation en ligne", is_virtual=True, join_url="https://meet.example.org/x", venue="",
                    address="", postal_code="", town="", latitude=None, longitude=None,
                    shifts=[events_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=1), capacity=50)]),
    )  # fmt: skip
    assert Event.objects.get(pk=event.pk).is_virtual
    page = new_context(locale="en-GB", timezone_id="Europe/Paris").new_page()

    page.goto("/")
    page.goto(event.get_absolute_url())

    assert "Paris time" in page.locator(".event-when-line").inner_text()
