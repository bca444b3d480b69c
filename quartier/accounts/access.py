"""Permission-checked loaders: the only way a view gets a supporter it may show or act on."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from quartier.accounts.models import Cause, Supporter

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
    if supporter is None or supporter.deleted_at is not None:
        raise Http404
    is_self = viewer.is_authenticated and viewer.pk == supporter.pk
    if not supporter.is_verified and not is_self and not (viewer.is_authenticated and viewer.is_staff):
        raise Http404
    return supporter


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
