"""Blogs (a supporter's, a group's, the campaign's), posts, comments, reactions and re-posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.lib.images import ImageRejected
from quartier.lib.page_cache import cached_anonymous_page, stamp
from quartier.organizing import access as organizing_access
from quartier.organizing.queries import groups as organizing_groups
from quartier.reach.queries import share_url_with_code
from quartier.social import access
from quartier.social.actions import common as common_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.forms import CommentForm, PostForm, ReactionForm, RepostForm
from quartier.social.models import Post, Reaction
from quartier.social.queries import connections as connections_queries
from quartier.social.queries import posts as posts_queries
from quartier.social.queries import search as search_queries
from quartier.social.queries import visibility as visibility_queries
from quartier.social.queries.posts import Cursor
from quartier.social.templatetags.social import card_stamps
from quartier.social.views import feed as feed_views
from quartier.social.views import threads
from quartier.social.views.common import back, error_text, image_error_text, refuse


def _blog_page(
    request: HttpRequest, template: str, context: dict, blog: tuple[str | None, ...], **which
) -> HttpResponse:
    cursor = Cursor.decode(request.GET.get("after"))
    posts, next_cursor = posts_queries.blog_posts(request.user, cursor=cursor, **which)
    context = {**context, "posts": posts, "next_cursor": next_cursor.encode() if next_cursor else ""}
    if request.headers.get("HX-Request") and cursor is not None:
        return render(request, "social/_post_page.html", context)
    # `blog`: the blog's own stamp (`blog:campaign`, …: bumped when a post joins or leaves it) and its
    # owner's (the person or group: renamed, closed, deleted).
    return cached_anonymous_page(
        request,
        lambda: render(request, template, context),
        depends_on=lambda: [*blog, *(name for post in posts for name in post_stamps(post))],
    )


post_stamps = card_stamps  # what a post's page shows of the post: what its card shows


def supporter_blog(request: HttpRequest, handle: str) -> HttpResponse:
    person = access.get_person(request.user, handle)
    me = request.user if request.user.is_authenticated else None
    is_own = me is not None and me.pk == person.pk
    return _blog_page(
        request,
        "social/blog.html",
        {
            "person": person,
            "is_own": is_own,
            "drafts": posts_queries.drafts_of(person) if is_own else [],
            "counts": connections_queries.connection_counts(person),
            "follows": connections_queries.is_following(me, person),
            "follows_me": connections_queries.is_following(person, me) if me else False,
            "has_blocked": bool(me) and visibility_queries.has_blocked(me, person),
            "feed_url": reverse("social:blog_feed", args=[person.handle]),
        },
        blog=(stamp("blog:supporter", person.pk), stamp("supporter", person.pk)),
        author=person,
    )


def group_blog(request: HttpRequest, slug: str) -> HttpResponse:
    group = organizing_access.get_visible_group(request.user, slug)
    return _blog_page(
        request,
        "social/group_blog.html",
        {
            "group": group,
            "is_member": organizing_groups.is_active_member(request.user, group.pk),
            "feed_url": reverse("social:group_blog_feed", args=[group.slug]),
        },
        blog=(stamp("blog:group", group.pk), stamp("group", group.pk)),
        group_id=group.pk,
    )


def campaign_blog(request: HttpRequest) -> HttpResponse:
    return _blog_page(
        request,
        "social/campaign_blog.html",
        {"feed_url": reverse("social:campaign_blog_feed")},
        blog=("blog:campaign",),
        campaign=True,
    )


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_readable_post(request.user, post_id, with_referral_code=True)
    me = request.user if request.user.is_authenticated else None
    reaction = Reaction.objects.filter(post=post, supporter=me).first() if me else None
    is_author = me is not None and me.pk == post.author_id
    may_comment = (
        me is not None
        and me.is_verified
        and post.is_published
        and not visibility_queries.has_blocked(post.author, me)
    )
    thread, comments = threads.comment_thread(request, post, may_comment=may_comment, is_author=is_author)
    context = {
        "post": post,
        "thread": thread,
        "comment_form": CommentForm(),
        "repost_form": RepostForm(initial={"visibility": Post.Visibility.PUBLIC}, prefix="repost"),
        "my_reaction": reaction,
        "reaction_kinds": Reaction.Kind.choices,
        "is_author": is_author,
        "may_comment": may_comment,
        "is_staff": visibility_queries.is_moderator(me),
        # Only a published public post can be opened by whoever receives the link.
        "share_link": share_url_with_code(
            post.get_absolute_url(), getattr(post, "viewer_referral_code", None)
        )
        if post.is_published and post.visibility == Post.Visibility.PUBLIC
        else "",
    }
    return cached_anonymous_page(
        request,
        lambda: render(request, "social/post_detail.html", context),
        depends_on=lambda: [*post_stamps(post), *threads.thread_stamps(post.pk, comments)],
    )


def _place_from(request: HttpRequest) -> dict:
    """Where a new post goes: ?group=<slug> (a member), ?campaign=1 (staff), else the author's blog."""
    slug = request.GET.get("group") or request.POST.get("group") or ""
    if slug:
        group = organizing_access.get_visible_group(request.user, slug)
        if not organizing_groups.is_active_member(request.user, group.pk):
            raise Http404
        return {"group": group}
    if (request.GET.get("campaign") or request.POST.get("campaign")) == "1":
        if not request.user.is_staff:
            raise Http404
        return {"for_campaign": True}
    return {}


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    place = _place_from(request)
    form = PostForm(request.POST or None, request.FILES or None, in_group="group" in place)
    if request.method == "POST" and form.is_valid():
        draft = posts_actions.PostDraft(
            title=form.cleaned_data["title"], body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"], **place,
        )  # fmt: skip
        try:
            post = posts_actions.create_post(
                author=request.user, draft=draft, publish="publish" in request.POST
            )
            if form.cleaned_data.get("image"):
                posts_actions.set_post_image(
                    post=post, upload=form.cleaned_data["image"], alt=form.cleaned_data["image_alt"]
                )
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        except ImageRejected as error:
            # The form is not shown again (the post exists): the reason goes with the warning.
            messages.warning(
                request, f"{image_error_text(error)} {_('Your post is saved as it was, without the image.')}"
            )
            return redirect("social:post_edit", post.pk)
        else:
            messages.success(request, _("Published.") if post.is_published else _("Saved as a draft."))
            return redirect(post.get_absolute_url())
    return render(
        request,
        "social/post_form.html",
        {"form": form, "place": place, "post": None},
        status=400 if form.errors else 200,
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_own_post(request.user, post_id)
    place = {"group": post.group} if post.group_id else ({"for_campaign": True} if post.for_campaign else {})
    initial = {
        "title": post.title,
        "body": post.body,
        "visibility": post.visibility,
        "image_alt": post.image_alt,
    }
    form = PostForm(
        request.POST or None, request.FILES or None, initial=initial, in_group=post.group_id is not None,
        has_image=bool(post.image),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        draft = posts_actions.PostDraft(
            title=form.cleaned_data["title"], body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"], **place,
        )  # fmt: skip
        try:
            posts_actions.update_post(post=post, draft=draft)
            if form.cleaned_data.get("image"):
                posts_actions.set_post_image(
                    post=post, upload=form.cleaned_data["image"], alt=form.cleaned_data["image_alt"]
                )
            elif post.image and form.cleaned_data["image_alt"] != post.image_alt:
                posts_actions.set_image_alt(post=post, alt=form.cleaned_data["image_alt"])
            if "publish" in request.POST and not post.is_published:
                posts_actions.publish_post(post=post)
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        except ImageRejected as error:
            form.add_error("image", image_error_text(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(post.get_absolute_url())
    return render(
        request,
        "social/post_form.html",
        {"form": form, "place": place, "post": post},
        status=400 if form.errors else 200,
    )


@require_POST
@verified_supporter_required
def post_publish(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_own_post(request.user, post_id)
    try:
        posts_actions.publish_post(post=post)
    except common_actions.SocialError as error:
        return refuse(request, error.code, post.get_absolute_url())
    messages.success(request, _("Published."))
    return redirect(post.get_absolute_url())


@require_POST
@login_required
def post_unpublish(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_own_post(request.user, post_id)
    posts_actions.unpublish_post(post=post)
    messages.success(request, _("Back to draft: only you can see it now."))
    return redirect(post.get_absolute_url())


@require_POST
@login_required
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_own_post(request.user, post_id)
    posts_actions.delete_post(post=post)
    messages.success(request, _("Post deleted."))
    return redirect("social:blog", request.user.handle)


@require_POST
@verified_supporter_required
def post_feature(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for_staff(request.user, post_id)
    try:
        posts_actions.set_featured(post=post, featured=request.POST.get("featured") == "1")
    except common_actions.SocialError as error:
        return refuse(request, error.code, post.get_absolute_url())
    messages.success(request, _("The campaign blog is updated."))
    return redirect(post.get_absolute_url())


@require_POST
@verified_supporter_required
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_readable_post(request.user, post_id)
    form = CommentForm(request.POST)
    from_feed = feed_views.is_from_feed(request)
    if not form.is_valid() and from_feed:
        return feed_views.tools_answer(
            request, post.pk, error=form.errors.get("body", [error_text("empty")])[0]
        )
    if not form.is_valid():
        is_author = post.author_id == request.user.pk
        thread, _comments = threads.comment_thread(request, post, may_comment=True, is_author=is_author)
        return render(
            request, "social/post_detail.html",
            {"post": post, "thread": thread, "comment_form": form, "repost_form": RepostForm(prefix="repost"),
             "reaction_kinds": Reaction.Kind.choices, "may_comment": True, "is_author": is_author,
             "is_staff": request.user.is_staff},
            status=400,
        )  # fmt: skip
    parent = None
    if form.cleaned_data.get("parent"):
        parent = access.get_comment_on(request.user, post, form.cleaned_data["parent"])
    try:
        comment = posts_actions.add_comment(
            author=request.user, post=post, body=form.cleaned_data["body"], parent=parent
        )
    except common_actions.SocialError as error:
        if from_feed:
            return feed_views.tools_answer(request, post.pk, error=error_text(error.code))
        return refuse(request, error.code, post.get_absolute_url())
    if from_feed:
        return feed_views.tools_answer(request, post.pk, comment=comment)
    if request.POST.get("from") == "feed":  # a plain form on the feed: back to the card
        return back(request, post.get_absolute_url())
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


@require_POST
@login_required
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = access.get_own_comment(request.user, comment_id)
    post_url = comment.post.get_absolute_url()
    posts_actions.delete_comment(comment=comment)
    messages.success(request, _("Comment deleted."))
    return redirect(post_url)


@require_POST
@verified_supporter_required
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_readable_post(request.user, post_id)
    form = ReactionForm(request.POST)
    try:
        if request.POST.get("remove") == "1":
            posts_actions.unreact(supporter=request.user, post=post)
        elif form.is_valid():
            posts_actions.react(supporter=request.user, post=post, kind=form.cleaned_data["kind"])
        else:
            return refuse(request, "not_found", post.get_absolute_url())
    except common_actions.SocialError as error:
        if feed_views.is_from_feed(request):
            return feed_views.tools_answer(request, post.pk, error=error_text(error.code))
        return refuse(request, error.code, post.get_absolute_url())
    if feed_views.is_from_feed(request):
        return feed_views.tools_answer(request, post.pk)
    return back(request, post.get_absolute_url())


@require_POST
@verified_supporter_required
def repost(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_readable_post(request.user, post_id)
    form = RepostForm(request.POST, prefix="repost")
    if not form.is_valid():
        messages.error(request, _("Choose who can read your re-post."))
        return redirect(post.get_absolute_url())
    try:
        shared = posts_actions.repost(
            supporter=request.user, post=post, comment=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
        )  # fmt: skip
    except common_actions.SocialError as error:
        return refuse(request, error.code, post.get_absolute_url())
    messages.success(request, _("Shared on your blog and with your followers."))
    return redirect(shared.get_absolute_url())


def search(request: HttpRequest) -> HttpResponse:
    from quartier.social.forms import SearchForm

    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "social/search.html",
        {
            "form": form,
            "text": text,
            "people": search_queries.search_people(request.user, text),
            "posts": search_queries.search_posts(request.user, text),
        },
    )
