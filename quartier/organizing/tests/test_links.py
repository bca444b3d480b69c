"""Every link that leaves the site starts with SITE_URL and works, whatever port the site is served on.

The site runs on pytest-django's live server (a port of its own, never 8000) with SITE_URL set to it,
as `quartier serve` sets it from PORT; each email, header and calendar is collected and every link in
it is followed with a real HTTP client.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from quartier.accounts import actions as accounts_actions
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import EventTypePolicy, Group, Membership, Rsvp
from quartier.outreach.queries import has_consented
from quartier.testing import client_for

ROOT = Path(__file__).resolve().parents[3]
LINK = re.compile(r"https?://[^\s\"'<>]+")


def site_url_with(**env: str) -> str:
    """SITE_URL as the settings module computes it in a fresh process with this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import quartier.settings as s; print(s.SITE_URL)"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_site_url_follows_the_port_the_site_is_served_on():
    assert site_url_with() == "http://127.0.0.1:8000"
    assert site_url_with(PORT="18801") == "http://127.0.0.1:18801"
    assert site_url_with(HOST="0.0.0.0", PORT="18801") == "http://127.0.0.1:18801"
    assert (
        site_url_with(PORT="18801", SITE_URL="https://quartier.example.org/")
        == "https://quartier.example.org"
    )


def test_a_malformed_site_url_stops_the_start():
    clean = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import quartier.settings"], cwd=ROOT, env={**clean, "SITE_URL": "quartier.example.org"},
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SITE_URL must be an http(s) address" in result.stderr


def links_of(message) -> list[str]:
    """Every absolute link of an email: text part, HTML hrefs, List-Unsubscribe, calendar URL: lines."""
    found = LINK.findall(message.body)
    for content, mimetype in message.alternatives:
        if mimetype == "text/html":
            found += [html.unescape(href) for href in re.findall(r'href="([^"]+)"', content) if "://" in href]
    if "List-Unsubscribe" in message.extra_headers:
        found += re.findall(r"<([^>]+)>", message.extra_headers["List-Unsubscribe"])
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            found += calendar_urls(part.get_payload(decode=True))
    return found


def calendar_urls(content: bytes) -> list[str]:
    return [str(entry["url"]) for entry in Calendar.from_ical(content).walk("VEVENT") if "url" in entry]


def fetch(url: str, *, data: bytes | None = None) -> tuple[int, str, str]:
    """(status, final URL, body) with redirects followed, as a mail program or a calendar would."""
    request = urllib.request.Request(url, data=data, headers={"Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.url, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, url, ""


@pytest.mark.django_db(transaction=True)
def test_every_link_in_mail_headers_and_calendars_starts_with_the_site_url_and_works(
    live_server, settings, make_supporter, make_event, make_group, host, leader, staff
):
    settings.SITE_URL = live_server.url
    assert not live_server.url.endswith(":8000")
    first, second = make_supporter("Ana Attendee"), make_supporter("Ben Waiting")

    # RSVP, waiting list, promotion (capacity 1), with consent to the host's messages.
    event = make_event(host, title="Door-knocking in Mile End", capacity=1)
    shift = event.shifts.get()
    for person in (first, second):
        rsvps_actions.rsvp(supporter=person, shift=shift)
        accounts_actions.record_consent(
            supporter=person, audience=common_actions.event_audience(event), granted=True, wording="Yes", language="en",
            source="join", ip_address=None,
        )  # fmt: skip
    rsvps_actions.cancel_rsvp(rsvp_record=Rsvp.objects.get(supporter=first))
    # A message from the host to attendees, then from a group leader to members.
    events_actions.message_attendees(sender=host, event=event, subject="Bring water", body="See you there.")
    group = make_group(leader, name="Plateau for Climate", join_policy=Group.JoinPolicy.APPROVAL)
    membership = groups_actions.join_group(
        supporter=first,
        group=group,
        accepts_messages=True,
        consent_wording="Yes",
        language="en",
        ip_address=None,
    )
    groups_actions.approve_member(membership=membership)
    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.ACTIVE
    groups_actions.message_group(sender=leader, group=group, subject="Tuesday", body="We meet at 7.")
    # An event that needs approval: submitted, then approved.
    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    rally = make_event(host, title="March for transit", event_type="rally")
    events_actions.review_event(event=rally, reviewer=staff, approve=True, reason="Bring the permit.")
    # A reminder, then the cancellation of the first event.
    from quartier.organizing import tasks

    tasks.send_reminder(Rsvp.objects.get(supporter=second).pk, 24)
    events_actions.cancel_event(event=event, message="The hall flooded.")

    subjects = sorted(m.subject for m in mail.outbox)
    for needed in ("You’re in", "waiting list", "A place freed up", "Bring water", "Welcome to", "Tuesday",
                   "Waiting for approval", "Approved", "In 24 hours", "Cancelled"):  # fmt: skip
        assert any(needed in subject for subject in subjects), (needed, subjects)

    def on_site(url: str) -> bool:
        return url == live_server.url or url.startswith(live_server.url + "/")

    links: dict[str, str] = {}
    for message in mail.outbox:
        for link in links_of(message):
            links.setdefault(link, message.subject)
    # The personal calendar feed: its address on /events/mine/, and the URL: lines in it.
    feed_url = client_for(second).get(reverse("organizing:my_events")).context["feed_url"]
    links.setdefault(feed_url, "feed address")
    status, _url, feed = fetch(feed_url)
    assert status == 200
    for link in calendar_urls(feed.encode()):
        links.setdefault(link, "personal feed")

    kinds = {urllib.parse.urlsplit(link).path.strip("/").split("/")[0] for link in links}
    assert {"events", "rsvps", "unsubscribe", "email", "groups", "calendar", ""} <= kinds, kinds
    for link, where in links.items():
        assert on_site(link), (link, where)
        status, final, _body = fetch(link)
        assert status == 200, (link, where, status)
        assert on_site(final), (link, final)

    # RFC 8058 one-click unsubscribe: a POST to the List-Unsubscribe address, no cookie, no token.
    [to_members] = [m for m in mail.outbox if m.subject == "Tuesday"]
    [unsubscribe] = re.findall(r"<([^>]+)>", to_members.extra_headers["List-Unsubscribe"])
    assert to_members.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    status, _final, _body = fetch(unsubscribe, data=b"List-Unsubscribe=One-Click")
    assert status == 200
    assert not has_consented(first, common_actions.group_audience(group))
    # The cancel link of an RSVP cancels when followed and confirmed.
    [promoted] = [m for m in mail.outbox if "A place freed up" in m.subject]
    [cancel] = [link for link in LINK.findall(promoted.body) if "/rsvps/cancel/" in link]
    page = Client().get(urllib.parse.urlsplit(cancel).path)
    assert page.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_account_emails_link_to_the_site_url_not_to_the_host_the_request_came_through(
    live_server, settings, supporter
):
    settings.SITE_URL = live_server.url
    client = Client(HTTP_HOST="127.0.0.1")  # an internal address, as behind a proxy
    client.post(
        reverse("account_signup"),
        {"email": "nadia@example.org", "display_name": "Nadia Côté", "country": "CA", "postal_code": "H2X 1Y4",
         "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )  # fmt: skip
    Client(HTTP_HOST="127.0.0.1").post(reverse("account_reset_password"), {"email": supporter.email})

    confirmation, reset = mail.outbox
    for message in (confirmation, reset):
        links = [link for link in links_of(message) if "/accounts/" in link]
        assert links, message.body
        for link in links:
            assert link.startswith(live_server.url + "/"), link
            status, final, _body = fetch(link)
            assert status == 200, (link, status)
            assert final.startswith(live_server.url + "/"), final
