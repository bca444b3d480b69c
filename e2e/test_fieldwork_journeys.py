"""Fieldwork in Chromium: (a) a phone bank where two volunteers in two browser contexts get different
people, record results and the organiser's counts update; (b) a canvass at phone size that goes
offline, records three doors, comes back online, and each result is in the database once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, FieldCampaign, GroupAccess, Question, Result, Script, WalkList
from quartier.lib import contacts as lib
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "en-CA"}


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def _campaign_world(make_supporter, kind: str) -> tuple[FieldCampaign, dict]:
    leader = make_supporter("Léa Leader", email="lea@example.org")
    people = {"leader": leader, "ana": make_supporter("Ana Caller", email="ana@example.org"),
              "ben": make_supporter("Ben Caller", email="ben@example.org")}  # fmt: skip
    group = organizing_groups.create_group(
        creator=leader,
        draft=organizing_groups.GroupDraft(
            name="Plateau", description="", area="Plateau", country="CA", postal_code="H2X 1Y4", latitude=45.52,
            longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
        ),
    )  # fmt: skip
    GroupAccess.objects.create(group=group)  # staff approved the group's fieldwork
    script = Script.objects.create(name="Script", introduction="Hello from the campaign.")
    Question.objects.create(
        script=script, position=1, kind="single", text="Will you vote for us?", defines_success=True,
        success_values=["yes"], choices=[{"value": "yes", "label": "Yes", "next": 2}, {"value": "no", "label": "No", "next": 0}],
    )  # fmt: skip
    Question.objects.create(script=script, position=2, kind="scale", text="How sure are you?")
    campaign = FieldCampaign.objects.create(
        kind=kind, name="Plateau campaign", script=script, group=group, open_from_home=True,
        calling_hours_start=0, calling_hours_end=24,
    )  # fmt: skip
    for number, (first, address) in enumerate(
        [
            ("Alice", "11 rue Rachel"),
            ("Bruno", "13 rue Rachel"),
            ("Chloé", "15 rue Rachel"),
            ("Dora", "17 rue Rachel"),
        ]
    ):
        Contact.objects.create(
            first_name=first, last_name="Voisin", address=address, house_number=11 + 2 * number,
            street_name="rue rachel", postal_code="H2T 1S6", latitude=45.52, longitude=-73.58,
            household_key=lib.household_key(address, "H2T 1S6"), phone=f"+15145550{100 + number}",
            dedupe_key=f"e2e:{number}", scope_group=group,
        )  # fmt: skip
    return campaign, people


def test_two_volunteers_call_different_people_and_the_counts_update(new_context, make_supporter):
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.PHONE_BANK)
    calls_actions.add_targets(campaign=campaign, contacts=Contact.objects.all())
    organiser = new_context(locale="en-CA").new_page()
    sign_in(organiser, people["leader"].email)
    organiser.goto(f"/fieldwork/campaigns/{campaign.pk}/")
    assert organiser.locator("#count-calls").inner_text() == "0"

    pages = []
    for name in ("ana", "ben"):
        page = new_context(**PHONE).new_page()
        sign_in(page, people[name].email)
        page.goto("/fieldwork/")
        page.get_by_role("link", name="Plateau campaign").click()
        page.get_by_role("button", name="Next contact").click()
        page.wait_for_url("**/fieldwork/calls/**")
        pages.append(page)
    names = [page.locator("#contact-name").inner_text() for page in pages]
    assert names[0] != names[1]
    assert all(page.locator('a[href^="tel:+1514555"]').count() == 1 for page in pages)

    for page in pages:
        page.get_by_label("Supportive").check()
        page.get_by_label("Yes").check()
        assert page.get_by_text("How sure are you?").is_visible()  # the branch after "Yes"
        page.get_by_role("button", name="Save and next contact").click()
        page.wait_for_url("**/fieldwork/calls/**")
    following = [page.locator("#contact-name").inner_text() for page in pages]
    assert len(set(names + following)) == 4  # four different people, nobody twice

    expect(organiser.locator("#count-calls")).to_have_text("2", timeout=15_000)  # htmx refreshes every 5 s
    assert organiser.locator("#count-reached").inner_text() == "2"
    assert Result.objects.count() == 2 and Result.objects.filter(is_success=True).count() == 2


def test_a_canvass_on_a_phone_keeps_working_offline_and_syncs_each_door_once(new_context, make_supporter):
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.CANVASS)
    (walk_list,) = walk_lists_actions.cut_walk_lists(
        campaign=campaign, contacts=Contact.objects.all(), doors_per_list=10, max_lists=1
    )
    walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=people["ana"])
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, people["ana"].email)
    page.goto(f"/fieldwork/lists/{walk_list.pk}/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the service worker, which keeps a copy for offline use
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    context.set_offline(True)
    page.reload()  # served by the service worker
    assert page.locator("#door-address").inner_text() == "11 rue Rachel"
    for _door in range(3):
        page.locator("#outcome-buttons button[data-outcome='supportive']").click()
        page.get_by_role("button", name="Yes").click()
        page.get_by_role("button", name="Save result").click()
    assert page.locator("#pending-count").inner_text() == "3"
    assert Result.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending-count")).to_have_text("0", timeout=15_000)
    results = list(
        Result.objects.order_by("contact__house_number").values_list("contact__address", "outcome")
    )
    assert results == [
        ("11 rue Rachel", "supportive"),
        ("13 rue Rachel", "supportive"),
        ("15 rue Rachel", "supportive"),
    ]
    page.reload()  # a reload resends nothing
    page.wait_for_timeout(500)
    assert Result.objects.count() == 3


def test_a_walk_list_opened_once_online_works_offline_at_once(new_context, make_supporter):
    """Issue 20: the first offline reload after a single online visit was the worker's 503 page. Now
    the page asks its worker to keep it as soon as the worker runs: open once, go offline, reload,
    record, come back, sync, and the result is stored exactly once. The script's merge fields are
    filled on this page, offline too."""
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.CANVASS)
    (walk_list,) = walk_lists_actions.cut_walk_lists(
        campaign=campaign, contacts=Contact.objects.all(), doors_per_list=10, max_lists=1
    )
    walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=people["ana"])
    Script.objects.filter(pk=campaign.script_id).update(
        introduction="Hello {{ first_name }}, I'm {{volunteer_first_name}} <b>from</b> {{ unknown }}."
    )
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, people["ana"].email)
    page.goto(f"/fieldwork/lists/{walk_list.pk}/")  # once, and never reloaded online
    # The worker was not there when the page arrived: nothing served or kept it on the way.
    assert page.evaluate("performance.getEntriesByType('navigation')[0].workerStart") == 0
    expect(page.locator("#offline-ready")).to_be_visible(timeout=10_000)

    context.set_offline(True)
    page.reload()
    assert page.locator("#door-address").inner_text() == "11 rue Rachel"
    # The script's merge fields are filled offline too, as on the call page (text, never HTML).
    assert page.locator("#script-intro").inner_text() == "Hello Alice, I'm Ana <b>from</b> {{ unknown }}."
    page.locator("#outcome-buttons button[data-outcome='supportive']").click()
    page.get_by_role("button", name="Yes").click()
    page.get_by_role("button", name="Save result").click()
    assert page.locator("#pending-count").inner_text() == "1"
    assert page.locator("#script-intro").inner_text() == "Hello Bruno, I'm Ana <b>from</b> {{ unknown }}."
    assert Result.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending-count")).to_have_text("0", timeout=15_000)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second sync sends nothing more
    page.reload()
    page.wait_for_timeout(500)
    assert list(Result.objects.values_list("contact__address", "outcome")) == [
        ("11 rue Rachel", "supportive")
    ]


def test_the_turf_map_shows_the_contacts_places_and_the_doors_inside_before_cutting(
    new_context, make_supporter
):
    """Issue 20: the map centred on the first contact of the table (Toronto for a Montréal campaign)
    and showed no contact. At phone width, with no tile server: the campaign's contacts as dots, the
    place names, the doors inside the drawn area before the cut, then the cut."""
    Contact.objects.create(
        first_name="Tom", last_name="Elsewhere", address="1 King St", postal_code="M5V 2T6", latitude=43.65,
        longitude=-79.38, household_key="toronto", dedupe_key="e2e:toronto",
    )  # fmt: skip  # the first row of the table, in no group's scope
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.CANVASS)
    context = new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="en-CA"
    )
    page = context.new_page()
    sign_in(page, people["leader"].email)
    page.goto(f"/fieldwork/campaigns/{campaign.pk}/contacts/")
    expect(page.locator("#turf-map[data-loaded='true']")).to_have_count(1)
    assert page.locator("#turf-map").get_attribute("data-contacts") == "4"  # the campaign's, not Toronto
    assert page.locator("#turf-map .turf-dot").count() >= 1
    expect(page.locator("#turf-map .turf-place", has_text="Montréal")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.locator("#turf-map").scroll_into_view_if_needed()  # the whole map on screen before drawing on it
    box = page.locator("#turf-map").bounding_box()
    for fx, fy in ((0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)):  # around the middle, where they live
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    expect(page.locator("#turf-count")).to_have_text("4 doors to knock in this area (4 people).")
    assert WalkList.objects.count() == 0  # counted, not yet cut
    page.get_by_label("doors per list").fill("2")
    page.get_by_role("button", name="Cut the lists").click()
    page.wait_for_url(f"**/fieldwork/campaigns/{campaign.pk}/")
    assert sorted(WalkList.objects.values_list("door_count", flat=True)) == [2, 2]


def expect_eventually(page, expression: str, check, tries: int = 50) -> None:
    """Poll a (possibly asynchronous) expression until `check` accepts its value (5 s at most)."""
    value = None
    for _try in range(tries):
        value = page.evaluate(expression)
        if check(value):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{expression} stayed {value!r}")


def test_signing_out_on_a_shared_phone_leaves_no_walk_list_behind(new_context, make_supporter):
    """A volunteer opens their list (the service worker caches it), records a door, signs out: the
    result reached the server, and the phone keeps no cached list, no outbox, no names."""
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.CANVASS)
    (walk_list,) = walk_lists_actions.cut_walk_lists(
        campaign=campaign, contacts=Contact.objects.all(), doors_per_list=10, max_lists=1
    )
    walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=people["ana"])
    context = new_context(**PHONE)
    page = context.new_page()
    sign_in(page, people["ana"].email)
    url = f"/fieldwork/lists/{walk_list.pk}/"
    page.goto(url)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # through the service worker: the list goes into its cache (asynchronously)
    expect_eventually(page, "caches.keys().then(keys => keys.length)", lambda n: n >= 1)
    context.set_offline(True)
    page.locator("#outcome-buttons button[data-outcome='supportive']").click()
    page.get_by_role("button", name="Save result").click()
    assert page.locator("#pending-count").inner_text() == "1"
    context.set_offline(False)

    with page.expect_response(lambda r: r.url.endswith("/accounts/logout/")) as signed_out:
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda address: "/fieldwork/" not in address and "/logout/" not in address)
    page.wait_for_load_state()

    assert Result.objects.count() == 1  # the outbox was sent before it was dropped
    logout = signed_out.value
    assert logout.all_headers().get("clear-site-data") == '"cache", "storage"'
    expect_eventually(page, "caches.keys().then(keys => keys.length)", lambda n: n == 0)
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('quartier.canvass.')).length") == 0
    )
    assert "Alice" not in page.content() and "Rachel" not in page.content()
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(url)  # offline: no service worker and no cache answers with the list any more
