"""No input makes a page of `social` or `dashboard` answer 500 (issue 17, point 13), in the manner of
`test_no_500.py`: each endpoint starts from data it accepts, then Hypothesis replaces or removes fields
with hostile values, and its row ids with ids no row has. `reach` has no pages of its own: its share
links and `?ref=` codes are exercised through the pages that carry them (`test_no_500.py`).
`test_every_endpoint_is_covered` keeps the list complete as routes are added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.tests.conftest import join
from quartier.testing import client_for
from quartier.tests.test_no_500 import KEEP, PHASES, hostile_values

pytestmark = pytest.mark.django_db
make_event = organizing_fixtures.make_event
make_group = organizing_fixtures.make_group
NAMESPACES = ("social", "dashboard")
HOSTILE_IDS = ["9223372036854775807", "1"]  # the largest row id, and one that is someone else's or none


@dataclass
class World:
    author: Any
    member: Any
    staff: Any
    group: Any
    event: Any
    post: Any
    comment: Any
    conversation: Any
    report: Any
    action: Any
    appeal: Any


@dataclass
class Endpoint:
    name: str
    persona: str
    method: str
    args: Callable[[World], list]
    data: Callable[[World], dict[str, Any]] = lambda w: {}


def _none(_w: World) -> list:
    return []


POST_FORM = {"title": "Saturday", "body": "We knock on **doors**.", "visibility": "public", "publish": "1"}
ENDPOINTS = [
    Endpoint("social:feed", "member", "get", _none, lambda w: {"after": "2026-01-01T00:00:00|12"}),
    Endpoint("social:notifications", "author", "get", _none),
    Endpoint("social:notifications_read", "author", "post", _none),
    Endpoint("social:counts", "member", "get", _none),
    Endpoint("social:settings", "member", "post", _none,
             lambda w: {"shares_group_joins": "on", "email_frequency": "daily", "muted_kinds": ["reaction"],
                        "email_muted_kinds": ["comment"]}),
    Endpoint("social:connections", "member", "get", _none),
    Endpoint("social:follow", "member", "post", lambda w: [w.author.handle], lambda w: {"next": "/feed/"}),
    Endpoint("social:unfollow", "member", "post", lambda w: [w.author.handle], lambda w: {"next": "/feed/"}),
    Endpoint("social:block", "member", "post", lambda w: [w.staff.handle], lambda w: {"next": "//evil.example"}),
    Endpoint("social:unblock", "member", "post", lambda w: [w.staff.handle], lambda w: {"next": "/feed/"}),
    Endpoint("social:campaign_blog", "anonymous", "get", _none, lambda w: {"after": "x|y"}),
    Endpoint("social:campaign_blog_feed", "anonymous", "get", _none),
    Endpoint("social:group_blog", "member", "get", lambda w: [w.group.slug], lambda w: {"after": "1|1"}),
    Endpoint("social:group_blog_feed", "anonymous", "get", lambda w: [w.group.slug]),
    Endpoint("social:blog", "anonymous", "get", lambda w: [w.author.handle], lambda w: {"after": "\x00|1"}),
    Endpoint("social:blog_feed", "anonymous", "get", lambda w: [w.author.handle]),
    Endpoint("social:post_create", "member", "post", _none, lambda w: {**POST_FORM, "group": w.group.slug}),
    Endpoint("social:post", "anonymous", "get", lambda w: [w.post.pk], lambda w: {"ref": "abc"}),
    Endpoint("social:post_edit", "author", "post", lambda w: [w.post.pk], lambda w: POST_FORM),
    Endpoint("social:post_publish", "author", "post", lambda w: [w.post.pk]),
    Endpoint("social:post_unpublish", "author", "post", lambda w: [w.post.pk]),
    Endpoint("social:post_delete", "author", "post", lambda w: [w.post.pk]),
    Endpoint("social:post_feature", "staff", "post", lambda w: [w.post.pk], lambda w: {"featured": "1"}),
    Endpoint("social:comment", "member", "post", lambda w: [w.post.pk],
             lambda w: {"body": "Count me in", "parent": str(w.comment.pk)}),
    Endpoint("social:react", "member", "post", lambda w: [w.post.pk], lambda w: {"kind": "like", "remove": "0"}),
    Endpoint("social:repost", "member", "post", lambda w: [w.post.pk],
             lambda w: {"repost-body": "Read this", "repost-visibility": "public"}),
    Endpoint("social:comment_delete", "member", "post", lambda w: [w.comment.pk]),
    Endpoint("social:search", "member", "get", _none, lambda w: {"q": "doors"}),
    Endpoint("social:inbox", "member", "get", _none),
    Endpoint("social:conversation_new", "member", "post", _none,
             lambda w: {"to": w.author.handle, "title": "Hi", "body": "Hello"}),
    Endpoint("social:conversation", "member", "post", lambda w: [w.conversation.pk],
             lambda w: {"body": "Hello again", "before": "5"}),
    Endpoint("social:conversation_leave", "member", "post", lambda w: [w.conversation.pk]),
    Endpoint("social:group_conversation", "member", "post", lambda w: [w.group.slug], lambda w: {"rejoin": "1"}),
    Endpoint("social:event_conversation", "author", "post", lambda w: [w.event.pk], lambda w: {"rejoin": "1"}),
    Endpoint("social:report", "member", "post", lambda w: ["post", w.post.pk],
             lambda w: {"reason": "spam", "details": "Ads"}),
    Endpoint("social:moderation", "staff", "get", _none),
    Endpoint("social:moderation_decide", "staff", "post", lambda w: [w.report.pk],
             lambda w: {"kind": "hide", "reason": "Spam", "days": "7"}),
    Endpoint("social:appeal_decide", "staff", "post", lambda w: [w.appeal.pk],
             lambda w: {"grant": "1", "decision": "Fair enough"}),
    Endpoint("social:my_decisions", "member", "get", _none),
    Endpoint("social:appeal", "member", "post", lambda w: [w.action.pk], lambda w: {"text": "It was not spam"}),
    Endpoint("dashboard:personal", "member", "get", _none),
    Endpoint("dashboard:organize", "staff", "get", _none,
             lambda w: {"start": "2026-01-01", "end": "2026-12-31", "country": "CA", "region": "H2X",
                        "area": "CA:QC", "group": w.group.slug, "csv": "signups"}),
    Endpoint("dashboard:organize_group", "author", "get", lambda w: [w.group.slug],
             lambda w: {"start": "2026-01-01", "end": "2026-12-31", "csv": "events"}),
]  # fmt: skip


@pytest.fixture
def world(make_supporter, make_event, make_group, staff) -> World:
    author, member = make_supporter("Alice Author"), make_supporter("Mona Member")
    group = make_group(author)
    join(member, group)
    event = make_event(author)
    post = posts_actions.create_post(
        author=author, publish=True,
        draft=posts_actions.PostDraft(title="Doors", body="We knock", visibility="public"),
    )  # fmt: skip
    comment = posts_actions.add_comment(author=member, post=post, body="Great")
    conversation = conversations_actions.start_conversation(
        sender=author, recipients=[member], title="", body="Hello"
    )
    report = moderation_actions.report(reporter=member, reason="spam", details="", post=post)
    other = moderation_actions.report(reporter=author, reason="spam", details="", comment=comment)
    action = moderation_actions.moderate(moderator=staff, report=other, kind="warn", reason="Careful")
    appeal = moderation_actions.appeal(supporter=member, action=action, text="Unfair")
    return World(author=author, member=member, staff=staff, group=group, event=event, post=post,
                 comment=comment, conversation=conversation, report=report, action=action, appeal=appeal)  # fmt: skip


def _client(world: World, persona: str) -> Client:
    client = client_for(None if persona == "anonymous" else getattr(world, persona))
    client.raise_request_exception = True  # a 500 fails with its traceback
    return client


def test_every_endpoint_is_covered():
    routes = set()
    for namespace in NAMESPACES:
        resolver = get_resolver().namespace_dict[namespace][1]
        routes |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert routes == {endpoint.name for endpoint in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_no_hostile_input_makes_a_social_or_dashboard_page_answer_500(
    endpoint, world, django_capture_on_commit_callbacks
):
    base_args, base = endpoint.args(world), endpoint.data(world)
    keys = sorted(base)
    clients = [_client(world, endpoint.persona), _client(world, "anonymous"), _client(world, "member")]
    few = st.dictionaries(st.sampled_from(keys), hostile_values, max_size=2) if keys else st.just({})
    many = st.fixed_dictionaries({key: st.one_of(st.just(KEEP), hostile_values) for key in keys})
    # Row ids in the address: kept, the largest a row can have, or someone else's.
    ids = st.lists(
        st.one_of(st.just(KEEP), st.sampled_from(HOSTILE_IDS)),
        min_size=len(base_args),
        max_size=len(base_args),
    )

    @settings(
        max_examples=4, deadline=None, derandomize=True, database=None, phases=PHASES,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    @given(changes=st.one_of(few, many), swaps=ids)
    def check(changes: dict[str, Any], swaps: list) -> None:
        args = [
            original if swap is KEEP or (isinstance(original, str) and not original.isdigit()) else swap
            for original, swap in zip(base_args, swaps, strict=True)
        ]
        url = reverse(endpoint.name, args=args)
        data = {**base, **{key: value for key, value in changes.items() if value is not KEEP}}
        data = {key: value for key, value in data.items() if value is not None}
        for client in clients:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.get(url, data) if endpoint.method == "get" else client.post(url, data)
            assert response.status_code < 500, (endpoint.name, args, data)
            if endpoint.method == "post":  # a GET of a form page as well
                assert client.get(url).status_code < 500, (endpoint.name, args)

    check()


@pytest.mark.parametrize("target", ["a b", "a\nb", "/feed/\r\nSet-Cookie: x=1", "feed", "//evil.example/"])
def test_a_hostile_next_field_sends_back_to_the_page_not_a_500(world, target):
    response = _client(world, "member").post(
        reverse("social:follow", args=[world.author.handle]), {"next": target}
    )

    assert response.status_code == 302 and response["Location"] == world.author.get_absolute_url()
