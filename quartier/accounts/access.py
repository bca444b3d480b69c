"""Permission-checked loaders: the only way a view gets a supporter it may show or act on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from quartier.accounts.models import Cause, Supporter
from quartier.accounts.queries import profile_to_show

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def get_visible_supporter(viewer: Supporter | AnonymousUser, handle: str) -> Supporter:
    """A supporter whose profile page `viewer` may open.

    Profiles are public once the email address is verified; before that, and after deletion or
    deactivation, only the person and staff can see them.
    """
    supporter = (
        Supporter.objects.select_related("profile")
        .prefetch_related(Prefetch("profile__causes", queryset=Cause.objects.order_by("name_en")))
        .filter(handle=handle)
        .first()
    )
    if supporter is None or not _may_open_profile(
        viewer, supporter.pk, supporter.is_verified, supporter.deleted_at
    ):
        raise Http404
    return supporter


def _may_open_profile(
    viewer: Supporter | AnonymousUser, pk: int, is_verified: bool, deleted_at: object
) -> bool:
    if deleted_at is not None:
        return False
    is_self = viewer.is_authenticated and viewer.pk == pk
    return is_verified or is_self or (viewer.is_authenticated and viewer.is_staff)


@dataclass(frozen=True)
class ProfileOwner:
    """The few columns of a supporter that say who may open their profile and what the viewer's own part
    of the page shows (the staff's transparency-label form)."""

    pk: int
    handle: str
    display_name: str
    affiliation: str
    is_verified: bool

    @classmethod
    def of(cls, supporter: Supporter) -> ProfileOwner:
        return cls(
            pk=supporter.pk,
            handle=supporter.handle,
            display_name=supporter.display_name,
            affiliation=supporter.affiliation,
            is_verified=supporter.is_verified,
        )


def get_profile_to_show(viewer: Supporter | AnonymousUser, handle: str) -> Supporter:
    """`get_visible_supporter` with only the columns the profile page shows (`queries.profile_to_show`),
    in one query: for a page rendered whole (an anonymous visitor's, cached whole)."""
    supporter = profile_to_show(handle=handle)
    if supporter is None or not _may_open_profile(
        viewer, supporter.pk, supporter.is_verified, supporter.deleted_at
    ):
        raise Http404
    return supporter


def get_profile_owner(viewer: Supporter | AnonymousUser, handle: str) -> ProfileOwner:
    """`get_visible_supporter`'s rule from one narrow query: the profile page reads the rest of the row
    only when its cached part must be rendered again."""
    row = (
        Supporter.objects.filter(handle=handle)
        .values_list("pk", "display_name", "affiliation", "email_verified_at", "is_active", "deleted_at")
        .first()
    )
    if row is None:
        raise Http404
    pk, display_name, affiliation, email_verified_at, is_active, deleted_at = row
    is_verified = email_verified_at is not None and is_active  # `Supporter.is_verified`
    if not _may_open_profile(viewer, pk, is_verified, deleted_at):
        raise Http404
    return ProfileOwner(
        pk=pk, handle=handle, display_name=display_name, affiliation=affiliation, is_verified=is_verified
    )


def get_supporter_for_staff(viewer: Supporter | AnonymousUser, handle: str) -> Supporter:
    if not (viewer.is_authenticated and viewer.is_staff):
        raise Http404
    supporter = Supporter.objects.filter(handle=handle, deleted_at__isnull=True).first()
    if supporter is None:
        raise Http404
    return supporter


def verified_supporter_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anything public (posting, hosting, creating groups) waits until the email address is verified."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_verified:
            messages.warning(request, _("Please confirm your email address first: we sent you a link."))
            return redirect("account_email")
        return view(request, *args, **kwargs)

    return wrapper


def require_staff(viewer: Supporter | AnonymousUser) -> None:
    """Campaign-wide settings (branding) are for active staff; anyone else finds nothing there."""
    if not (viewer.is_authenticated and viewer.is_staff and viewer.is_active):
        raise Http404


def get_vouchee_for_leader(viewer: Supporter | AnonymousUser, handle: str) -> Supporter:
    """A supporter a leader may vouch for: a verified, active account other than their own.

    Anyone but a group leader or staff finds nothing here (404, as for a profile they may not open).
    """
    from quartier.accounts.verification import is_leader

    if not (viewer.is_authenticated and is_leader(viewer)):
        raise Http404
    supporter = Supporter.objects.filter(handle=handle, deleted_at__isnull=True, is_active=True).first()
    if supporter is None or supporter.pk == viewer.pk or not supporter.is_verified:
        raise Http404
    return supporter
