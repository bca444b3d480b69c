"""What every social view shares: the messages for refusals, and replies for htmx and plain forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from quartier.lib.images import ImageRejected

ERRORS = {
    "self": _("You cannot do that to yourself."),
    "unverified": _("Please confirm your email address first: we sent you a link."),
    "blocked": _("You cannot do that: one of you blocked the other."),
    "suspended": _("Your account is suspended from posting, commenting and messaging for now."),
    "banned": _("Your account may no longer post, comment or send messages."),
    "not_staff": _("Only campaign staff can do that."),
    "not_member": _("Only the group's members can post on its blog."),
    "group_visibility_needs_group": _("“Members of the group” is for posts on a group's blog."),
    "empty": _("Write something first."),
    "too_long": _("This is too long."),
    "rate_limited": _("You are going too fast. Please wait a little and try again."),
    "first_contact_limited": _(
        "You have written to many people who do not follow you today. Please try again tomorrow."
    ),
    "reports_limited": _(
        "You have sent many reports in the last hour. Moderators will read them; please wait before sending more."
    ),
    "no_recipient": _("Say whom to write to."),
    "too_many_recipients": _("A conversation has 20 people at most."),
    "not_found": _("That is no longer available."),
    "not_participant": _("You are not in this conversation."),
    "feature_public_only": _("Only a published public post can be featured."),
    "not_moderator": _("Only moderators can do that."),
    "reason_needed": _("Give a reason: the author will read it."),
    "cannot_hide_profile": _("A profile cannot be hidden: warn, suspend or ban its owner instead."),
    "nothing_to_appeal": _("There is nothing to appeal in this decision."),
    "already_appealed": _("You have already appealed this decision."),
}
IMAGE_ERRORS = {
    "too_large": _("This image is too large: 5 MB at most."),
    "not_an_image": _("This file is not a JPEG, PNG or WebP image."),
    "too_many_pixels": _("This image has too many pixels: 40 megapixels at most."),
    "bad_shape": _(
        "This image is too long or too tall: its longer side may be at most three times its shorter side."
    ),
}


def error_text(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["not_found"]))


def image_error_text(error: ImageRejected) -> str:
    return str(IMAGE_ERRORS.get(error.code, IMAGE_ERRORS["not_an_image"]))


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (the `next` field, if it is on this site), else `fallback`."""
    target = request.POST.get("next") or ""
    # A path on this site only: `redirect("a b")` would look the text up as a view name, and a control
    # character cannot go in a Location header (both were 500s).
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def refuse(request: HttpRequest, code: str, fallback: str) -> HttpResponse:
    messages.error(request, error_text(code))
    return back(request, fallback)
