"""Every cached anonymous page is fresh after every write that changes what it shows (a missing stamp
bump fails here), a hit costs no query, and nothing made private is served from the cache.

Each case fills the cache for its pages (a second anonymous GET must be a hit: not rendered), commits
one write through its action (after-commit callbacks run, as a real commit would), then asks each page
again as a new anonymous visitor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Profile
from quartier.donations import sandbox
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import pages as pages_actions
from quartier.donations.models import FundraisingPage
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Membership
from quartier.organizing.tests.conftest import make_event, make_group  # noqa: F401 — fixtures
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import ModerationAction

pytestmark = pytest.mark.django_db

SEARCH = urlencode({"near": "H2T 1A1", "country": "CA", "within": 25})


@pytest.fixture(autouse=True)
def _donations_in_canada(settings):
    settings.DONATIONS_GATEWAY = "sandbox"
    settings.DONATIONS_JURISDICTION = "none"
    settings.DONATIONS_CURRENCY = "CAD"
    settings.DONATIONS_ELECTION_YEAR = 0


@dataclass
class World:
    host: object
    leader: object
    member: object
    staff: object
    group: object
    event: object
    post: object
    campaign_post: object
    group_post: object
    page: object
    paths: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(make_supporter, make_group, make_event, staff) -> World:  # noqa: F811 — the fixtures imported above
    host, leader, member = (
        make_supporter("Hana Host"),
        make_supporter("Léa Leader"),
        make_supporter("Max Member"),
    )
    group = make_group(leader, name="Plateau pour le climat")
    groups_actions.join_group(
        supporter=member, group=group, accepts_messages=False, consent_wording="", language="en",
        ip_address=None, is_listed=True,
    )  # fmt: skip
    event = make_event(leader, title="Porte-à-porte du samedi", capacity=10, group=group)

    def post(author, title, **place):
        draft = posts_actions.PostDraft(
            title=title, body="Parce que **ça marche**.", visibility="public", **place
        )
        return posts_actions.create_post(author=author, draft=draft, publish=True)

    page = pages_actions.create_page(
        owner=host,
        draft=pages_actions.PageDraft(title="La marche de Hana", story="Pourquoi", goal_minor=100_000),
    )
    world = World(
        host=host, leader=leader, member=member, staff=staff, group=group, event=event, page=page,
        post=post(host, "Pourquoi je frappe aux portes", group=None, for_campaign=False),
        campaign_post=post(staff, "Nouvelles de la campagne", group=None, for_campaign=True),
        group_post=post(leader, "Compte rendu du mardi", group=group, for_campaign=False),
    )  # fmt: skip
    world.paths = {
        "home": "/",
        "event": event.get_absolute_url(),
        "event search": f"/events/?{SEARCH}",
        "group": group.get_absolute_url(),
        "group search": f"/groups/?{SEARCH}",
        "profile": f"/people/{host.handle}/",
        "donate": "/donate/",
        "page donate": reverse("donations:page_donate", args=[page.slug]),
        "fundraising": page.get_absolute_url(),
        "post": world.post.get_absolute_url(),
        "blog": f"/blog/{host.handle}/",
        "group blog": f"/blog/group/{group.slug}/",
        "campaign blog": "/blog/campaign/",
    }
    return world


def warm(path: str) -> str:
    """Fill the cache for `path` and check that the next anonymous visitor is served from it."""
    first = Client().get(path)
    again = Client().get(path)
    assert first.status_code == 200, path
    assert again.templates == [], f"{path} is not served from the cache"
    return again.content.decode()


def visit(path: str):
    return Client().get(path)


def test_every_cached_page_is_a_hit_with_no_query(world, django_assert_num_queries):
    for path in world.paths.values():
        warm(path)
        with django_assert_num_queries(0):
            response = Client().get(path)
        assert response.templates == [], path
        assert response.status_code == 200


def profile_changes(supporter, **changes) -> accounts_actions.ProfileChanges:
    profile = Profile.objects.filter(supporter=supporter).first()
    values = {
        "handle": supporter.handle, "display_name": supporter.display_name, "country": supporter.country,
        "postal_code": supporter.postal_code, "bio": profile.bio if profile else "",
        "why_involved": profile.why_involved if profile else "", "causes": [], "languages_spoken": [],
        "links": [], "visibility": {},
    }  # fmt: skip
    values.update(changes)
    return accounts_actions.ProfileChanges(**values)


def edit_event(world, **changes):
    event = Event.objects.get(pk=world.event.pk)
    shifts = [
        events_actions.ShiftDraft(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity, pk=s.pk)
        for s in event.shifts.all()
    ]
    fields = {
        name: getattr(event, name)
        for name in ("title", "description", "event_type", "is_virtual", "join_url", "venue", "address",
                     "address_visibility", "country", "postal_code", "town", "latitude", "longitude",
                     "time_zone", "max_guests_per_rsvp", "group")
    }  # fmt: skip
    fields.update(changes)
    events_actions.update_event(event=event, draft=events_actions.EventDraft(**fields, shifts=shifts))


def edit_group(world, **changes):
    group = world.group
    draft = groups_actions.GroupDraft(
        name=group.name, description=group.description, area=group.area, country=group.country,
        postal_code=group.postal_code, latitude=group.latitude, longitude=group.longitude, town=group.town,
        join_policy=group.join_policy,
    )  # fmt: skip
    for name, value in changes.items():
        setattr(draft, name, value)
    groups_actions.update_group(group=group, draft=draft)


def give(world, amount_minor: int, *, show_name: bool):
    draft = checkout_actions.DonationDraft(
        first_name="Élise", last_name="Roy", email="elise@example.org", amount_minor=amount_minor,
        currency="CAD", address_line="1 rue Saint-Denis", city="Montréal", region="QC", postal_code="H2X 1Y4",
        country="CA", employer="", occupation="", page=world.page, show_name=show_name,
    )  # fmt: skip
    donation = checkout_actions.start_donation(draft=draft, gateway="sandbox")
    sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)


def hide_post(world, post):
    report = moderation_actions.report(reporter=world.member, reason="spam", details="", post=post)
    moderation_actions.moderate(
        moderator=world.staff, report=report, kind=ModerationAction.Kind.HIDE, reason="Spam"
    )


def rename(supporter, name):
    accounts_actions.update_profile(
        supporter=supporter, changes=profile_changes(supporter, display_name=name)
    )


@dataclass
class Case:
    pages: list[str]
    write: object  # world -> None
    shows: str | None = None  # on every page after the write
    hides: str | None = None  # from every page after the write (or the page is a 404)
    setup: object = None  # world -> None, committed before the pages are cached


CASES = {
    "event edited": Case(
        ["event", "event search", "group"],
        lambda w: edit_event(w, title="Porte-à-porte au Plateau"),
        shows="Porte-à-porte au Plateau",
    ),
    "event cancelled": Case(
        ["event search", "group"],
        lambda w: events_actions.cancel_event(event=w.event),
        hides="Porte-à-porte du samedi",
    ),
    "event cancelled, its page": Case(
        ["event"], lambda w: events_actions.cancel_event(event=w.event), shows="cancelled"
    ),
    "RSVP (places left)": Case(
        ["event"],
        lambda w: rsvps_actions.rsvp(supporter=w.member, shift=w.event.shifts.get()),
        shows="9 places left",
    ),
    "RSVP cancelled (places left)": Case(
        ["event"],
        lambda w: rsvps_actions.cancel_rsvp(rsvp_record=w.event.shifts.get().rsvps.get()),
        shows="10 places left",
        setup=lambda w: rsvps_actions.rsvp(supporter=w.member, shift=w.event.shifts.get()),
    ),
    "owner and author renamed": Case(
        ["profile", "fundraising", "post", "blog"],
        lambda w: rename(w.host, "Hana Nouveau-Nom"),
        hides="Hana Host",
    ),
    "host and leader renamed": Case(
        ["event", "event search", "group", "group blog"],
        lambda w: rename(w.leader, "Léa Nouveau-Nom"),
        hides="Léa Leader",
    ),
    "group renamed": Case(
        ["group", "group search", "event", "group blog"],
        lambda w: edit_group(w, name="Mile End en transition"),
        shows="Mile End en transition",
    ),
    "group closed": Case(
        ["group search", "group blog"],
        lambda w: groups_actions.close_group(group=w.group),
        hides="Plateau pour le climat",
    ),
    "member unlisted": Case(
        ["group"],
        lambda w: groups_actions.set_listed(
            membership=Membership.objects.get(group=w.group, supporter=w.member), is_listed=False
        ),
        hides="Max Member",
    ),
    "member left": Case(
        ["group"], lambda w: groups_actions.leave_group(supporter=w.member, group=w.group), hides="Max Member"
    ),
    "member renamed": Case(["group"], lambda w: rename(w.member, "Max Nouveau-Nom"), shows="Max Nouveau-Nom"),
    "bio edited": Case(
        ["profile"],
        lambda w: accounts_actions.update_profile(
            supporter=w.host, changes=profile_changes(w.host, bio="Bénévole depuis 2008")
        ),
        shows="Bénévole depuis 2008",
    ),
    "bio made private": Case(
        ["profile"],
        lambda w: accounts_actions.update_profile(
            supporter=w.host, changes=profile_changes(w.host, visibility={"bio": "private"})
        ),
        hides="Mon secret",
        setup=lambda w: accounts_actions.update_profile(
            supporter=w.host, changes=profile_changes(w.host, bio="Mon secret")
        ),
    ),
    "account deleted": Case(
        ["profile", "post", "blog"],
        lambda w: accounts_actions.delete_account(supporter=w.host),
        hides="Hana Host",
    ),
    "gift (honour roll)": Case(["fundraising"], lambda w: give(w, 4200, show_name=True), shows="Élise R."),
    "gift (thermometer)": Case(
        ["fundraising", "page donate"], lambda w: give(w, 4200, show_name=False), shows="42"
    ),
    "fundraising page edited": Case(
        ["fundraising", "page donate"],
        lambda w: pages_actions.update_page(
            page=w.page,
            draft=pages_actions.PageDraft(title="La grande marche", story="Pourquoi", goal_minor=100_000),
        ),
        shows="La grande marche",
    ),
    "fundraising page hidden": Case(
        ["fundraising"],
        lambda w: pages_actions.set_page_status(page=w.page, status=FundraisingPage.Status.HIDDEN),
        hides="La marche de Hana",
    ),
    "post edited": Case(
        ["post", "blog"],
        lambda w: posts_actions.update_post(
            post=w.post,
            draft=posts_actions.PostDraft(
                title="Pourquoi je fais du porte-à-porte", body="Encore.", visibility="public"
            ),
        ),
        shows="Pourquoi je fais du porte-à-porte",
    ),
    "post made private": Case(
        ["post", "blog"],
        lambda w: posts_actions.update_post(
            post=w.post,
            draft=posts_actions.PostDraft(title=w.post.title, body=w.post.body, visibility="followers"),
        ),
        hides="Pourquoi je frappe aux portes",
    ),
    "post unpublished": Case(
        ["post", "blog"],
        lambda w: posts_actions.unpublish_post(post=w.post),
        hides="Pourquoi je frappe aux portes",
    ),
    "post deleted": Case(
        ["post", "blog"],
        lambda w: posts_actions.delete_post(post=w.post),
        hides="Pourquoi je frappe aux portes",
    ),
    "post hidden by a moderator": Case(
        ["post", "blog"], lambda w: hide_post(w, w.post), hides="Pourquoi je frappe aux portes"
    ),
    "comment": Case(
        ["post"],
        lambda w: posts_actions.add_comment(author=w.member, post=w.post, body="Bravo, à samedi"),
        shows="Bravo, à samedi",
    ),
    "comment hidden by a moderator": Case(
        ["post"],
        lambda w: moderation_actions.moderate(
            moderator=w.staff,
            kind=ModerationAction.Kind.HIDE,
            reason="Spam",
            report=moderation_actions.report(
                reporter=w.leader, reason="spam", details="", comment=w.post.comments.get()
            ),
        ),
        hides="Achetez mes montres",
        setup=lambda w: posts_actions.add_comment(author=w.member, post=w.post, body="Achetez mes montres"),
    ),
    "new post on a blog": Case(
        ["blog"],
        lambda w: posts_actions.create_post(
            author=w.host,
            draft=posts_actions.PostDraft(title="Un deuxième billet", body="Oui.", visibility="public"),
            publish=True,
        ),
        shows="Un deuxième billet",
    ),
    "new group post": Case(
        ["group blog"],
        lambda w: posts_actions.create_post(
            author=w.leader,
            draft=posts_actions.PostDraft(
                title="Ordre du jour", body="Oui.", visibility="public", group=w.group
            ),
            publish=True,
        ),
        shows="Ordre du jour",
    ),
    "new campaign post": Case(
        ["campaign blog"],
        lambda w: posts_actions.create_post(
            author=w.staff,
            draft=posts_actions.PostDraft(
                title="Grand rassemblement", body="Oui.", visibility="public", for_campaign=True
            ),
            publish=True,
        ),
        shows="Grand rassemblement",
    ),
    "post featured on the campaign blog": Case(
        ["campaign blog"],
        lambda w: posts_actions.set_featured(post=w.post, featured=True),
        shows="Pourquoi je frappe aux portes",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_next_anonymous_visitor_sees_every_write(name, world, django_capture_on_commit_callbacks):
    case = CASES[name]
    paths = [world.paths[page] for page in case.pages]
    if case.setup is not None:
        with django_capture_on_commit_callbacks(execute=True):
            case.setup(world)
    shown = {path: warm(path) for path in paths}
    if case.hides is not None:
        assert [path for path, page in shown.items() if case.hides not in page] == []

    with django_capture_on_commit_callbacks(execute=True):
        case.write(world)
    after = {path: visit(path) for path in paths}

    for path, response in after.items():
        body = response.content.decode() if response.status_code == 200 else ""
        if case.shows is not None:
            assert case.shows in body, f"{name}: {path} does not show the change"
        if case.hides is not None:
            assert case.hides not in body, f"{name}: {path} still shows what was removed"


def test_a_stamp_bumped_before_commit_only_is_not_enough(world):
    """Without the after-commit callbacks (a rolled back write, or a missing bump), the page stays as it
    was: the cases above see the change through the bump, not by some other way around the cache."""
    warm(world.paths["event"])
    Event.objects.filter(pk=world.event.pk).update(title="Changé sans action")

    assert "Changé sans action" not in visit(world.paths["event"]).content.decode()


def test_a_hit_carries_the_headers_of_a_rendered_page(world):
    path = world.paths["event"]
    rendered = Client().get(path)
    hit = Client().get(path)

    assert hit.templates == []
    assert rendered.templates != []
    for header in (
        "Content-Type",
        "Content-Language",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert hit.get(header) == rendered.get(header), header
    assert set(hit["Vary"].replace(" ", "").split(",")) >= {"Accept-Language", "Cookie"}
    assert "csrftoken" in hit.cookies


def test_a_page_rendered_while_a_write_commits_is_not_stored(
    world, settings, django_capture_on_commit_callbacks
):
    """A body read before a commit must never be stored under the stamp bumped after it: the stamp is
    newer than the request's start, so the page is served but not stored."""
    settings.PAGE_CACHE_SETTLE_SECONDS = 3600  # every bump counts as "during this request"
    path = world.paths["event"]
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=world.member, shift=world.event.shifts.get())

    first, again = Client().get(path), Client().get(path)

    assert first.templates != []
    assert again.templates != []  # not stored: rendered again
