"""Bad input: empty and huge posts, bad images, hostile text; clear messages, data kept, never a 500."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Comment, Post, Reaction
from quartier.testing import client_for, run_together

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "[click](javascript:alert(1))",
    '"><iframe src="javascript:alert(1)">',
]


class _Executable(HTMLParser):
    """Collects what a browser would run: script elements, on* handlers, javascript: links, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in {"iframe", "svg", "object", "embed"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.found.append(f"script {data}")

    def handle_endtag(self, tag):
        self._in_script = False


def executable_parts(html: str) -> list[str]:
    parser = _Executable()
    parser.feed(html)
    return parser.found


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return out.getvalue()


def test_an_empty_post_is_refused_with_a_message(people):
    response = client_for(people["author"]).post(
        reverse("social:post_create"), {"title": " ", "body": "", "visibility": "public"}
    )

    assert response.status_code == 400 and "Write a title or some text first." in response.content.decode()
    assert not Post.objects.exists()


def test_a_one_megabyte_post_is_refused_and_the_title_kept(people):
    response = client_for(people["author"]).post(
        reverse("social:post_create"),
        {"title": "My long essay", "body": "a" * 1_000_000, "visibility": "public"},
    )

    assert response.status_code == 400
    assert (
        "at most 20000 characters" in response.content.decode()
        and "My long essay" in response.content.decode()
    )
    assert not Post.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_and_the_text_kept(people):
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")

    response = client_for(people["author"]).post(
        reverse("social:post_create"),
        {
            "title": "With picture",
            "body": "Look",
            "visibility": "public",
            "image": fake,
            "image_alt": "A cat",
        },
    )

    assert response.status_code == 400 and "With picture" in response.content.decode()
    assert not Post.objects.exists()


def test_a_real_image_is_reencoded_without_metadata(people):
    upload = SimpleUploadedFile("photo.png", _png(), content_type="image/png")

    client_for(people["author"]).post(
        reverse("social:post_create"),
        {
            "title": "With picture",
            "body": "Look",
            "visibility": "public",
            "image": upload,
            "publish": "1",
            "image_alt": "A red square",
        },
    )

    post = Post.objects.get()
    assert post.image.name.endswith(".webp") and post.is_published
    with Image.open(post.image.path) as stored:
        assert stored.format == "WEBP" and "exif" not in stored.info


def test_group_visibility_needs_a_group(people):
    response = client_for(people["author"]).post(
        reverse("social:post_create"), {"title": "x", "body": "y", "visibility": "group"}
    )

    assert response.status_code == 400 and not Post.objects.exists()


@pytest.mark.parametrize("vector", VECTORS)
def test_hostile_text_is_kept_as_harmless_text(people, make_post, vector):
    post = make_post(people["author"], vector, body=vector)
    posts_actions.add_comment(author=people["friend"], post=post, body=vector)
    conversation = conversations_actions.start_conversation(
        sender=people["friend"], recipients=[people["author"]], title=vector, body=vector
    )

    for page in (
        client_for(people["follower"]).get(post.get_absolute_url()),
        client_for(people["author"]).get(conversation.get_absolute_url()),
        client_for(people["author"]).get(reverse("social:inbox")),
        client_for(people["follower"]).get(reverse("social:feed")),
    ):
        assert page.status_code == 200
        assert executable_parts(page.content.decode()) == []


@pytest.mark.parametrize(
    "url",
    ["/posts/0/", "/posts/999999/", "/messages/99999/", "/blog/nobody/", "/blog/group/nothing/", "/report/post/abc/",
     "/moderation/reports/5/", "/blog/nobody/feed.atom", "/feed/?after=%00%ff", "/search/?q=%00", "/search/?q=" + "x" * 5000],
)  # fmt: skip
def test_hostile_addresses_never_give_a_500(people, url):
    for persona in ("anonymous", "stranger", "moderator"):
        assert client_for(people[persona]).get(url).status_code in {200, 302, 404}, (persona, url)


def test_posting_to_a_missing_post_or_parent_changes_nothing(people, make_post):
    post = make_post(people["author"], "Real")
    client = client_for(people["friend"])

    assert client.post(reverse("social:comment", args=[999]), {"body": "x"}).status_code == 404
    assert (
        client.post(reverse("social:comment", args=[post.pk]), {"body": "x", "parent": "99999"}).status_code
        == 404
    )
    assert (
        client.post(reverse("social:comment", args=[post.pk]), {"body": "x", "parent": "nope"}).status_code
        == 400
    )
    assert client.post(reverse("social:react", args=[post.pk]), {"kind": "love-bomb"}).status_code == 302
    assert not Comment.objects.exists() and not Reaction.objects.exists()


def test_a_reply_to_a_reply_goes_under_the_first_comment(people, make_post):
    post = make_post(people["author"], "Threads")
    first = posts_actions.add_comment(author=people["friend"], post=post, body="First")
    reply = posts_actions.add_comment(author=people["author"], post=post, body="Reply", parent=first)
    deeper = posts_actions.add_comment(author=people["friend"], post=post, body="Deeper", parent=reply)

    assert deeper.parent == first and Post.objects.get(pk=post.pk).comment_count == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_reactions_and_double_clicked_comments_count_once(make_supporter):
    author, reader = make_supporter("Ann Author"), make_supporter("Rex Reader")
    post = posts_actions.create_post(
        author=author,
        draft=posts_actions.PostDraft(title="Race", body="Go", visibility="public"),
        publish=True,
    )

    run_together([lambda: posts_actions.react(supporter=reader, post=post, kind="like") for _ in range(6)])
    run_together(
        [lambda: posts_actions.add_comment(author=reader, post=post, body="Same words") for _ in range(6)]
    )

    post.refresh_from_db()
    assert (post.reaction_count, Reaction.objects.filter(post=post).count()) == (1, 1)
    assert (post.comment_count, Comment.objects.filter(post=post).count()) == (1, 1)


def test_the_post_page_with_200_comments_costs_a_few_queries(
    people, make_post, make_supporter, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(posts_actions, "COMMENTS_PER_HOUR", 10_000)
    post = make_post(people["author"], "Popular")
    writers = [make_supporter(f"Commenter {number}") for number in range(20)]
    for number in range(200):
        parent = None if number % 4 == 0 else Comment.objects.filter(post=post, parent__isnull=True).last()
        posts_actions.add_comment(
            author=writers[number % 20], post=post, body=f"Comment number {number}", parent=parent
        )
    client = client_for(people["follower"])

    client.get(post.get_absolute_url())
    with django_assert_max_num_queries(10):
        page = client.get(post.get_absolute_url()).content.decode()

    assert page.count('<article class="comment') == 200 and "Comment number 199" in page


def test_the_executable_check_itself_finds_each_vector_left_raw():
    for vector in [*VECTORS[:3], '<a href="javascript:alert(1)">x</a>', '<iframe src="x"></iframe>']:
        assert executable_parts(vector) != [], vector
