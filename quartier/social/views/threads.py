"""A post's comment thread in two parts: what every viewer sees alike (the comments, their authors and
times), rendered once per version of the thread and cached (`cached_fragment`), and each viewer's own
part (delete or report on each comment, the reply boxes) put in its place on every request.

The shared part holds a marker where a viewer's part goes: `<%tools:<comment>:<author>%>` after each
comment's text, `<%reply:<comment>%>` after each top-level comment's replies. Neither can come from a
comment: text is escaped and user HTML sanitised, so `<` never reaches the page as itself (the same
ground as `lib.page_cache`'s placeholders). Filling them in is one regular-expression pass over the
stored HTML: no query, no template.

The shared part depends on the thread's stamp (`comments:<post>`, bumped by every write that adds,
removes, hides or restores a comment) and on each author's (`supporter:<id>`: a new name, a closed
account), not on the post's own stamp, which reactions bump many times a minute on a busy post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quartier.accounts.templatetags.supporters import supporter_name
from quartier.lib.page_cache import cached_fragment, stamp
from quartier.social.models import Comment, Post
from quartier.social.queries import posts as posts_queries
from quartier.social.templatetags.social import when

MARKER = re.compile(r"<%(tools|reply):(\d+)(?::(\d+))?%>")
ID = "\x00"  # where a comment's id goes in the viewer's parts (never in a label or a URL)


def shared_thread(comments: list[Comment]) -> str:
    """Every comment with its replies, as any viewer sees them, with the markers of the viewer's part."""
    names: dict[int, SafeString] = {}  # a thread has far fewer authors than comments

    def one(comment: Comment, css: str, inner: str = "") -> str:
        if comment.author_id not in names:
            names[comment.author_id] = supporter_name(comment.author, link=True)
        return format_html(
            '<article class="{}" id="comment-{}"><p>{} <span class="muted">· {}</span></p>'
            '<div class="user-text">{}</div><%tools:{}:{}%>{}</article>',
            css, comment.pk, names[comment.author_id], when(comment.created_at),
            mark_safe(comment.body_html),  # noqa: S308 - sanitised by nh3 when it was written
            comment.pk, comment.author_id, mark_safe(inner),  # noqa: S308 - built here with format_html
        )  # fmt: skip

    out = []
    for comment in comments:
        replies = "".join(one(reply, "comment reply") for reply in comment.shown_replies)
        out.append(one(comment, "comment", f"{replies}<%reply:{comment.pk}%>"))
    return "".join(out)


def viewer_thread(
    request: HttpRequest, shared: str, *, post_id: int, may_comment: bool, is_author: bool
) -> SafeString:
    """`shared` with this viewer's tools and reply boxes in place of its markers (none for a visitor)."""
    viewer = request.user
    if not viewer.is_authenticated:
        return mark_safe(MARKER.sub("", shared))  # noqa: S308 - `shared` is HTML built by shared_thread
    # Each part escaped once here, the comment's id (digits, from the marker) joined in where `ID` stands:
    # a thread has hundreds of markers, and `format_html` per marker cost more than the rest of the page.
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    delete_url = escape(reverse("social:comment_delete", args=[0])[: -len("0/delete/")])
    report_url = escape(reverse("social:report", args=["comment", "0"])[: -len("0/")])
    comment_url = escape(reverse("social:comment", args=[post_id]))
    delete = (
        f'<form method="post" action="{delete_url}{ID}/delete/" class="inline">{csrf}'
        f'<button type="submit" class="link-button">{escape(_("Delete"))}</button></form>'
    )
    report = f'<a class="muted" href="{report_url}{ID}/">{escape(_("Report"))}</a>'
    tools = {  # split where the id goes; by (the viewer wrote the comment, the viewer wrote the post)
        (True, True): f'<p class="comment-tools">{delete}</p>'.split(ID),
        (True, False): f'<p class="comment-tools">{delete}</p>'.split(ID),
        (False, True): f'<p class="comment-tools">{delete} {report}</p>'.split(ID),
        (False, False): f'<p class="comment-tools">{report}</p>'.split(ID),
    }
    reply_label = escape(_("Reply"))
    reply = (
        f'<details class="reply-box"><summary>{reply_label}</summary><form method="post" action="{comment_url}">'
        f'{csrf}<input type="hidden" name="parent" value="{ID}"><label for="reply-{ID}">'
        f'{escape(_("Your reply"))}</label><textarea id="reply-{ID}" name="body" rows="2" maxlength="4000" '
        f'required></textarea><button type="submit" class="secondary">{reply_label}</button></form></details>'
        if may_comment
        else ""
    ).split(ID)
    viewer_id = str(viewer.pk)

    def fill(match: re.Match) -> str:
        kind, comment_id, author_id = match.groups()
        if kind == "tools":
            return comment_id.join(tools[author_id == viewer_id, is_author])
        return comment_id.join(reply)

    return mark_safe(MARKER.sub(fill, shared))  # noqa: S308 - every part escaped above


def thread_stamps(post_id: int, comments: Iterable[Comment]) -> list[str | None]:
    """What the shared part shows: the thread, and each comment's author."""
    names = [stamp("comments", post_id)]
    for top in comments:
        names += [stamp("supporter", comment.author_id) for comment in (top, *top.shown_replies)]
    return names


def comment_thread(
    request: HttpRequest, post: Post, *, may_comment: bool, is_author: bool
) -> tuple[SafeString, list[Comment]]:
    """The thread of `post` for this viewer, and the comments read for it (none when the shared part came
    from the cache). Signed-in viewers share one cached copy per post (keyed by post, language and time
    zone: it shows nothing that differs between viewers); anonymous visitors get the whole page from the
    page cache instead, whose entry must name every author's stamp, so their thread is read afresh."""
    loaded: list[Comment] = []

    def render() -> str:
        loaded.extend(posts_queries.comments_of(post, request.user))
        return shared_thread(loaded)

    if request.user.is_authenticated:
        shared = cached_fragment(
            request,
            f"post:{post.pk}:comments:any-viewer",
            render,
            depends_on=lambda: thread_stamps(post.pk, loaded),
        )
    else:
        shared = render()
    thread = viewer_thread(request, shared, post_id=post.pk, may_comment=may_comment, is_author=is_author)
    return thread, loaded
