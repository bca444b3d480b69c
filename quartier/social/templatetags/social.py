"""Tags of the social pages. `{% post_card post %}` builds its HTML in Python (with `format_html`, every
value escaped), as does the comment thread (`views/threads.py`): a feed shows 20 cards and a post may
have hundreds of comments, and the template language costs about a millisecond per card or comment
where this costs a tenth of that.
"""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.accounts.templatetags.supporters import disclosure, supporter_name
from quartier.lib.page_cache import stamp
from quartier.social.emails import link_of

register = template.Library()


@register.simple_tag
def inbox_rows(rows) -> SafeString:
    """The inbox's conversations, built in Python (one `format_html` per row, no template per row): the
    list shows up to 50 with their people, and the template language cost a third of a millisecond each."""
    group, event, untitled, with_ = _("Group"), _("Event"), _("Conversation"), _("with")
    out = []
    for row in rows:
        conversation = row.conversation
        if conversation.kind == "group":
            title = format_html("{}: {}", group, conversation.group.name)
        elif conversation.kind == "event":
            title = format_html("{}: {}", event, conversation.event.title)
        else:
            title = format_html("{}", conversation.title or untitled)
        others = ""
        if row.others:
            names = mark_safe(", ".join(supporter_name(person) for person in row.others))  # noqa: S308 - each escaped
            others = format_html(' <span class="muted">{} {}</span>', with_, names)
        unread = ""
        if row.unread_count:
            label = ngettext("%(counter)s unread", "%(counter)s unread", row.unread_count) % {
                "counter": row.unread_count
            }
            unread = format_html(' <span class="count" aria-label="{}">{}</span>', label, row.unread_count)
        text = ""
        if row.last_text:
            text = format_html(' <p class="muted">{}</p>', Truncator(row.last_text).chars(120))
        out.append(
            format_html(
                '<li class="{}"><a href="{}"><strong>{}</strong></a>{}{}{}</li>',
                "unread" if row.unread_count else "",
                url_of("social:conversation", conversation.pk),
                title,
                others,
                unread,
                text,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - each row built with format_html


@register.simple_tag(takes_context=True)
def message_rows(context, rows) -> SafeString:
    """A conversation's messages, built in Python (no template per message): the sender, the time, the
    text, and a report link on the others' messages."""
    viewer_id = getattr(context.get("user"), "pk", None)
    deleted, report = _("Deleted supporter"), _("Report")
    report_url = reverse("social:report", args=["message", "0"])[: -len("0/")]
    names: dict[int, SafeString] = {}
    out = []
    for message in rows:
        if message.sender is None:
            sender = format_html("{}", deleted)
        else:
            if message.sender_id not in names:
                names[message.sender_id] = supporter_name(message.sender, link=True)
            sender = names[message.sender_id]
        local = timezone.localtime(message.created_at)
        tools = ""
        if message.sender_id != viewer_id:
            tools = format_html(' <a class="muted" href="{}{}/">{}</a>', report_url, message.pk, report)
        line = format_html(
            '<li class="card chat-message" id="message-{}"><p>{} <span class="muted">· <time datetime="{}">{}</time>'
            '</span>{}</p><div class="user-text">{}</div></li>',
            message.pk, sender, local.isoformat(), date_format(local, "DATETIME_FORMAT"), tools,
            mark_safe(message.body_html),  # noqa: S308 - sanitised by nh3 when it was written
        )  # fmt: skip
        out.append(line)
    return mark_safe("".join(out))  # noqa: S308 - each message built with format_html


@register.simple_tag
def notification_link(notification) -> str:
    return link_of(notification)


def when(moment) -> SafeString:
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(), date_format(local, "SHORT_DATETIME_FORMAT")
    )


def _label(css: str, text: str, title: str = "") -> SafeString:
    if title:
        return format_html('<span class="label {}" title="{}">{}</span>', css, title, text)
    return format_html('<span class="label {}">{}</span>', css, text)


@register.simple_tag
def post_card(post, hide_place: bool = False, level: int = 2, tools: SafeString | str = "") -> SafeString:
    """A post as a card: author with their label, where and when, the text, the shared post, counts.
    `level` is its title's heading level: 2 in a list under the page's h1, 1 on the post's own page
    (where a post without a title gets a heading for screen readers only)."""
    level = 1 if level == 1 else 2
    url = url_of("social:post", post.pk)
    head = [supporter_name(post.author, link=True)]
    if post.for_campaign:
        head.append(_label("label-campaign", _("For the campaign"), _("Written in the name of the campaign")))
    if post.shared_id:
        head.append(format_html('<span class="muted">{}</span>', _("shared")))
    if post.group_id and not hide_place:
        head.append(
            format_html(
                '<span class="muted">{} <a href="{}">{}</a></span>',
                _("in"),
                url_of("social:group_blog", post.group.slug),
                post.group.name,
            )
        )
    if post.published_at:
        head.append(format_html('<a class="muted post-time" href="{}">{}</a>', url, when(post.published_at)))
    if post.visibility != "public":
        head.append(_label("label-visibility", post.get_visibility_display()))
    if not post.is_published:
        head.append(_label("label-draft", _("Draft")))
    parts = [format_html('<header class="post-head">{}</header>', mark_safe(" ".join(head)))]  # noqa: S308 - each part escaped
    parts.append(disclosure(post.author))  # a labelled author's post says who they are to the campaign
    if post.title:
        parts.append(
            format_html('<h{} class="post-title"><a href="{}">{}</a></h{}>', level, url, post.title, level)
        )
    elif level == 1:
        parts.append(
            format_html(
                '<h1 class="visually-hidden">{}</h1>',
                _("Post by %(name)s") % {"name": post.author.display_name},
            )
        )
    if post.body_html:
        parts.append(format_html('<div class="user-text">{}</div>', mark_safe(post.body_html)))  # noqa: S308 - sanitised by nh3
    if post.image:
        parts.append(
            format_html(
                '<img class="post-image" src="{}" alt="{}" loading="lazy" width="{}" height="{}">',
                post.image.url,
                post.image_alt,
                post.image_width or 600,
                post.image_height or 600,
            )
        )
    if post.shared_id:
        parts.append(_shared(post.shared))
    counts = [
        format_html(
            '<a href="{}#comments">{}</a>',
            url,
            ngettext("%(counter)s comment", "%(counter)s comments", post.comment_count)
            % {"counter": post.comment_count},
        ),
        format_html(
            "{}",
            ngettext("%(counter)s reaction", "%(counter)s reactions", post.reaction_count)
            % {"counter": post.reaction_count},
        ),
    ]
    if post.repost_count:
        counts.append(
            format_html(
                "{}",
                ngettext("shared %(counter)s time", "shared %(counter)s times", post.repost_count)
                % {"counter": post.repost_count},
            )
        )
    if tools:  # the feed's like and comment tools show the counts themselves
        parts.append(tools)
    else:
        foot = mark_safe(" · ".join(counts))  # noqa: S308 - each part escaped
        parts.append(format_html('<footer class="post-foot muted">{}</footer>', foot))
    return format_html(
        '<article class="card post" id="post-{}">{}</article>',
        post.pk,
        mark_safe("".join(parts)),  # noqa: S308
    )


def _shared(shared) -> SafeString:
    if shared is None or shared.hidden_at is not None or not shared.is_published:
        return format_html('<p class="empty">{}</p>', _("The shared post is no longer available."))
    url = shared.get_absolute_url()
    who = supporter_name(shared.author, link=True)
    if shared.for_campaign:
        who = format_html("{} {}", who, _label("label-campaign", _("For the campaign")))
    title = (
        format_html('<p><strong><a href="{}">{}</a></strong></p>', url, shared.title) if shared.title else ""
    )
    body = Truncator(shared.body_html).words(80, html=True)
    return format_html(
        '<blockquote class="shared-post"><p>{}</p>{}<div class="user-text">{}</div><p><a href="{}">{}</a></p></blockquote>',
        who,
        title,
        mark_safe(body),  # noqa: S308 - sanitised by nh3, cut on word boundaries by Truncator(html=True)
        url,
        _("Read the shared post"),
    )


def csrf_input(request) -> SafeString:
    """The hidden CSRF field of the request's forms, made once per request (`get_token` masks the secret
    anew on every call, which cost more than a feed card)."""
    found = getattr(request, "_social_csrf_input", None)
    if found is None:
        found = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        request._social_csrf_input = found
    return found


_URL_PARTS: dict[tuple[str, str], list[str]] = {}
_SOME_ID = 987654321


def url_of(name: str, value: int | str | None = None) -> str:
    """`reverse(name)` or `reverse(name, args=[value])` for an id or a slug (nothing to quote), the
    pattern reversed once per process and script prefix: a feed page asks for a hundred of them."""
    key = (name, get_script_prefix())
    parts = _URL_PARTS.get(key)
    if parts is None:
        parts = _URL_PARTS[key] = (
            [reverse(name)] if value is None else reverse(name, args=[_SOME_ID]).split(str(_SOME_ID))
        )
    return parts[0] if value is None else str(value).join(parts)


def card_stamps(post) -> list[str | None]:
    """The stamps of what a post's card or page shows: the post (its text and counts), its author, its
    group, and the post it shares with that post's author."""
    names = [stamp("post", post.pk), stamp("supporter", post.author_id), stamp("group", post.group_id)]
    if post.shared_id:
        names.append(stamp("post", post.shared_id))
        if "shared" in post._state.fields_cache and post.shared is not None:
            names.append(stamp("supporter", post.shared.author_id))
    return names


@register.simple_tag(takes_context=True)
def feed_tools(context, post) -> SafeString:
    """Like and comment from a feed card: plain forms that post back to the feed, enhanced by htmx to
    swap this block only. Nothing for someone who may not react (address not confirmed)."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is None or not viewer.is_authenticated or not viewer.is_verified or not post.is_published:
        return SafeString("")
    return tools_block(
        request, post, liked=post.pk in context.get("liked", ()), comment=context.get("new_comment"),
        error=context.get("tools_error", ""),
    )  # fmt: skip


def tools_block(request, post, *, liked: bool, comment=None, error: str = "") -> SafeString:
    """The block `feed_tools` draws, also the htmx answer of a like or a comment sent from the feed."""
    csrf = csrf_input(request)
    hidden = format_html(
        '{}<input type="hidden" name="next" value="{}#post-{}"><input type="hidden" name="from" value="feed">',
        csrf, url_of("social:feed"), post.pk,
    )  # fmt: skip
    react_url, comment_url = url_of("social:react", post.pk), url_of("social:comment", post.pk)
    target = f"#tools-{post.pk}"
    likes = ngettext("%(counter)s like", "%(counter)s likes", post.reaction_count) % {
        "counter": post.reaction_count
    }
    if liked:
        intent, label = SafeString('<input type="hidden" name="remove" value="1">'), _("Liked")
    else:
        intent, label = SafeString('<input type="hidden" name="kind" value="like">'), _("Like")
    like = format_html(
        '<form method="post" action="{}" class="inline" hx-post="{}" hx-target="{}" hx-swap="outerHTML" '
        'hx-disabled-elt="find button">{}{}<button type="submit" class="secondary like-button" aria-pressed="{}">'
        "{}</button></form> <span>{}</span>",
        react_url, react_url, target, hidden, intent, "true" if liked else "false", label, likes,
    )  # fmt: skip
    comments = format_html(
        '<a href="{}#comments">{}</a>',
        url_of("social:post", post.pk),
        ngettext("%(counter)s comment", "%(counter)s comments", post.comment_count)
        % {"counter": post.comment_count},
    )
    shown = ""
    if comment is not None:
        shown = format_html(
            '<article class="comment" id="comment-{}"><p>{} <span class="muted">· {}</span></p>'
            '<div class="user-text">{}</div></article>',
            comment.pk, supporter_name(comment.author, link=True), when(comment.created_at),
            mark_safe(comment.body_html),  # noqa: S308 - sanitised by nh3 when it was written
        )  # fmt: skip
    problem = format_html('<p class="error" role="alert">{}</p>', error) if error else ""
    box = format_html(
        '<form method="post" action="{}" class="feed-comment" hx-post="{}" hx-target="{}" hx-swap="outerHTML" '
        'hx-disabled-elt="find button">{}<label for="feed-comment-{}">{}</label>'
        '<textarea id="feed-comment-{}" name="body" rows="2" maxlength="4000" required></textarea>'
        '<button type="submit" class="secondary">{}</button></form>',
        comment_url, comment_url, target, hidden, post.pk, _("Your comment"), post.pk, _("Comment"),
    )  # fmt: skip
    return format_html(
        '<footer class="post-tools" id="tools-{}"><p class="post-foot">{} · {}</p>{}{}{}</footer>',
        post.pk, like, comments, shown, problem, box,
    )  # fmt: skip
