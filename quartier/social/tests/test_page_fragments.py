"""The signed-in social pages cache their shared part (`views/threads.py`: a post's comment thread, one
copy for every viewer) and render each viewer's part apart: a hit reads no comment, every write that
changes the thread is seen by the next signed-in viewer (a missing stamp bump fails here), and one
viewer's tools, token or conversations never reach another."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Affiliation
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import ModerationAction
from quartier.social.views import threads

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def rendered(monkeypatch) -> list[int]:
    """How many times the thread's shared part was rendered (a cache hit renders nothing)."""
    calls: list[int] = []
    original = threads.shared_thread

    def counting(comments):
        calls.append(len(comments))
        return original(comments)

    monkeypatch.setattr(threads, "shared_thread", counting)
    return calls


@pytest.fixture
def thread(people, make_post, django_capture_on_commit_callbacks):
    """A public post by `author` with a comment by `friend` (answered by `follower`) and one by `member`."""
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(people["author"], "Canvassing on Saturday")
        first = posts_actions.add_comment(author=people["friend"], post=post, body="Count me in")
        posts_actions.add_comment(author=people["follower"], post=post, body="Me too", parent=first)
        posts_actions.add_comment(author=people["member"], post=post, body="Which street?")
    return post


def deletable(html: str) -> set[int]:
    """The comments this page offers to delete."""
    return {int(found) for found in re.findall(r'action="/comments/(\d+)/delete/"', html)}


def reportable(html: str) -> set[int]:
    """The comments this page offers to report."""
    return {int(found) for found in re.findall(r'href="/report/comment/(\d+)/"', html)}


def test_the_second_signed_in_viewer_gets_the_thread_from_the_cache(
    people, thread, rendered, django_assert_num_queries
):
    first = client_for(people["stranger"]).get(thread.get_absolute_url())
    assert rendered == [2]
    assert "Count me in" in first.content.decode() and "Me too" in first.content.decode()
    other = client_for(people["member"])
    other.get("/")  # the session and the CSRF cookie settled before counting
    # Hit: the session, the post, their reaction, the block check (no comment read; the viewer's row
    # comes from the cache, `accounts.signed_in`).
    with django_assert_num_queries(4):
        again = other.get(thread.get_absolute_url())
    assert rendered == [2]
    assert "Which street?" in again.content.decode()


def test_a_miss_reads_the_comments_in_two_more_queries(people, thread, django_assert_num_queries):
    client = client_for(people["stranger"])
    client.get("/")
    with django_assert_num_queries(6):  # the four of a hit, the comments and their replies
        client.get(thread.get_absolute_url())


def test_each_viewer_gets_their_own_tools_from_the_shared_thread(people, thread, rendered):
    friend_page = client_for(people["friend"]).get(thread.get_absolute_url()).content.decode()
    stranger_page = client_for(people["stranger"]).get(thread.get_absolute_url()).content.decode()
    author_page = client_for(people["author"]).get(thread.get_absolute_url()).content.decode()
    anonymous_page = Client().get(thread.get_absolute_url()).content.decode()
    assert len(rendered) == 2  # once for the signed-in viewers, once for the anonymous page

    friends_comment = thread.comments.get(author=people["friend"]).pk
    all_comments = set(thread.comments.values_list("pk", flat=True))
    assert deletable(friend_page) == {friends_comment}
    assert reportable(friend_page) == all_comments - {friends_comment}
    assert deletable(stranger_page) == set()
    assert reportable(stranger_page) == all_comments
    assert deletable(author_page) == all_comments  # the post's author moderates their thread
    for page in (friend_page, stranger_page, author_page, anonymous_page):
        assert "<%" not in page  # no marker left
    assert "reply-box" not in anonymous_page and "comment-tools" not in anonymous_page
    assert "reply-box" in stranger_page


def test_no_viewer_gets_another_viewers_csrf_token(people, thread):
    def tokens(page: str) -> set[str]:
        return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))

    friend = client_for(people["friend"])
    stranger = client_for(people["stranger"])
    friend_tokens = tokens(friend.get(thread.get_absolute_url()).content.decode())
    stranger_page = stranger.get(thread.get_absolute_url())
    assert friend_tokens and tokens(stranger_page.content.decode())
    assert not friend_tokens & tokens(stranger_page.content.decode())
    response = stranger.post(
        reverse("social:comment", args=[thread.pk]),
        {
            "body": "Sent with my own token",
            "csrfmiddlewaretoken": tokens(stranger_page.content.decode()).pop(),
        },
    )
    assert response.status_code == 302


def test_a_comment_cannot_forge_a_marker(people, thread, django_capture_on_commit_callbacks):
    stranger = people["stranger"]
    with django_capture_on_commit_callbacks(execute=True):
        posts_actions.add_comment(author=people["member"], post=thread, body="<%tools:1:2%> <%reply:987%>")
    page = client_for(stranger).get(thread.get_absolute_url()).content.decode()
    assert "&lt;%tools:1:2%&gt;" in page
    assert 'value="987"' not in page  # no reply box for a forged comment


def warm(viewer, post) -> str:
    """Fill the shared part, check a second viewer gets it from the cache, return what they see."""
    client_for(viewer).get(post.get_absolute_url())
    return client_for(viewer).get(post.get_absolute_url()).content.decode()


def hide(people, comment, kind=ModerationAction.Kind.HIDE):
    report = moderation_actions.report(
        reporter=people["stranger"], reason="spam", details="", comment=comment
    )
    moderation_actions.moderate(moderator=people["moderator"], report=report, kind=kind, reason="Spam")


@pytest.mark.parametrize(
    ("write", "shows", "hides"),
    [
        (lambda p, post: posts_actions.add_comment(author=p["stranger"], post=post, body="A new voice"),
         "A new voice", None),
        (lambda p, post: posts_actions.add_comment(
            author=p["stranger"], post=post, body="A late reply", parent=post.comments.get(body="Which street?")),
         "A late reply", None),
        (lambda p, post: posts_actions.delete_comment(comment=post.comments.get(body="Which street?")),
         None, "Which street?"),
        (lambda p, post: hide(p, post.comments.get(body="Me too")), None, "Me too"),
        (lambda p, post: accounts_actions.set_affiliation(
            supporter=p["member"], affiliation=Affiliation.AMBASSADOR, changed_by=p["moderator"]),
         "Campaign ambassador", None),
        (lambda p, post: accounts_actions.delete_account(supporter=p["member"]), None, "Which street?"),
    ],
    ids=["new comment", "new reply", "comment deleted", "comment hidden", "author labelled", "author gone"],
)  # fmt: skip
def test_the_next_signed_in_viewer_sees_every_change_to_the_thread(
    people, thread, rendered, write, shows, hides, django_capture_on_commit_callbacks
):
    viewer = people["follower"]
    before = warm(viewer, thread)
    assert len(rendered) == 1
    if shows:
        assert shows not in before
    if hides:
        assert hides in before
    with django_capture_on_commit_callbacks(execute=True):
        write(people, thread)
    after = client_for(viewer).get(thread.get_absolute_url()).content.decode()
    if shows:
        assert shows in after
    if hides:
        assert hides not in after


def test_a_restored_comment_comes_back(people, thread, django_capture_on_commit_callbacks):
    comment = thread.comments.get(body="Me too")
    with django_capture_on_commit_callbacks(execute=True):
        hide(people, comment)
    assert "Me too" not in warm(people["follower"], thread)
    with django_capture_on_commit_callbacks(execute=True):
        hide(people, comment, kind=ModerationAction.Kind.RESTORE)
    assert "Me too" in client_for(people["follower"]).get(thread.get_absolute_url()).content.decode()


def test_a_like_shows_at_once_to_the_viewer_who_liked(people, thread, django_capture_on_commit_callbacks):
    viewer = people["follower"]
    warm(viewer, thread)
    with django_capture_on_commit_callbacks(execute=True):
        posts_actions.react(supporter=viewer, post=thread, kind="like")
    page = client_for(viewer).get(thread.get_absolute_url()).content.decode()
    assert "1 reaction" in page
    assert 'aria-pressed="true"' in page
    other = client_for(people["stranger"]).get(thread.get_absolute_url()).content.decode()
    assert "1 reaction" in other and 'aria-pressed="true"' not in other


def test_the_inbox_lists_only_the_viewers_own_conversations(people):
    author, friend, stranger = people["author"], people["friend"], people["stranger"]
    conversations_actions.start_conversation(
        sender=author, recipients=[friend], title="Plans", body="Secret plan"
    )
    conversations_actions.start_conversation(
        sender=stranger, recipients=[people["follower"]], title="Other", body="Another secret"
    )
    friend_inbox = client_for(friend).get(reverse("social:inbox")).content.decode()
    assert "Secret plan" in friend_inbox and "Alice Author" in friend_inbox
    assert "Another secret" not in friend_inbox and "Other" not in friend_inbox
    stranger_inbox = client_for(stranger).get(reverse("social:inbox")).content.decode()
    assert "Secret plan" not in stranger_inbox and "Another secret" in stranger_inbox


def test_the_inbox_reads_the_same_few_queries_for_many_conversations(
    people, make_supporter, django_assert_num_queries
):
    author = people["author"]
    client = client_for(author)
    for number in range(2):
        conversations_actions.start_conversation(
            sender=make_supporter(f"Writer {number}"), recipients=[author], title="", body="Hello"
        )
    client.get(reverse("social:inbox"))
    with django_assert_num_queries(3) as few:  # session, conversations, their people (viewer: cached)
        client.get(reverse("social:inbox"))
    for number in range(2, 8):
        conversations_actions.start_conversation(
            sender=make_supporter(f"Writer {number}"), recipients=[author], title="", body="Hello"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("social:inbox")).content.decode()
    assert page.count('class="unread"') == 8
