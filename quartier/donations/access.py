"""Permission-checked loaders: the only way a view gets a gift, a monthly gift or a page to act on."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db.models import QuerySet
from django.http import Http404

from quartier.accounts.models import Supporter
from quartier.donations.models import Donation, FundraisingPage, RecurringGift, Team

Viewer = Supporter | AnonymousUser
DETAILS_SALT = "quartier.donations.details"
# The employer and occupation follow-up link works without signing in (a donor may have no account) for
# this long; the rules ask for the details within 30 days of the gift.
DETAILS_LINK_MAX_AGE = 60 * 24 * 3600


def is_staff(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff and viewer.is_active)


def require_staff(viewer: Viewer) -> None:
    if not is_staff(viewer):
        raise Http404


def get_visible_page(
    viewer: Viewer, slug: str, *, pages: QuerySet[FundraisingPage] | None = None
) -> FundraisingPage:
    """Hidden pages are seen by their owner and staff only. `pages`: the columns to read (the page's own
    address reads only those it shows, `queries.pages_to_show`), with its owner."""
    if pages is None:
        pages = FundraisingPage.objects.select_related("owner", "team", "event")
    page = pages.filter(slug=slug).first()
    if page is None or not page.owner.is_active:
        raise Http404
    if page.status != FundraisingPage.Status.ACTIVE and not (is_staff(viewer) or owns(viewer, page)):
        raise Http404
    return page


def owns(viewer: Viewer, page: FundraisingPage) -> bool:
    return bool(viewer.is_authenticated and viewer.pk == page.owner_id)


def get_page_for_owner(viewer: Viewer, slug: str) -> FundraisingPage:
    page = FundraisingPage.objects.select_related("owner", "team").filter(slug=slug).first()
    if page is None or not owns(viewer, page):
        raise Http404
    return page


def get_page_for_staff(viewer: Viewer, slug: str) -> FundraisingPage:
    require_staff(viewer)
    page = FundraisingPage.objects.filter(slug=slug).first()
    if page is None:
        raise Http404
    return page


def get_visible_team(viewer: Viewer, slug: str) -> Team:
    team = Team.objects.select_related("captain").filter(slug=slug).first()
    if team is None:
        raise Http404
    return team


def get_own_donation(viewer: Viewer, donation_id: int) -> Donation:
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None or not viewer.is_authenticated or donation.supporter_id != viewer.pk:
        raise Http404
    return donation


def get_own_recurring(viewer: Viewer, recurring_id: int) -> RecurringGift:
    recurring = RecurringGift.objects.filter(pk=recurring_id).first()
    if recurring is None or not viewer.is_authenticated or recurring.supporter_id != viewer.pk:
        raise Http404
    return recurring


def get_donation_for_staff(viewer: Viewer, donation_id: int) -> Donation:
    require_staff(viewer)
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        raise Http404
    return donation


def get_checkout_donation(session, donation_id: int) -> Donation:
    """The gift this browser started (its id is kept in the session), for the return pages."""
    if donation_id not in session.get("donations.started", []):
        raise Http404
    donation = Donation.objects.select_related("page").filter(pk=donation_id).first()
    if donation is None:
        raise Http404
    return donation


def get_sandbox_checkout(reference: str) -> Donation:
    """The sandbox's hosted page is reached with its unguessable reference, like a processor's."""
    donation = (
        Donation.objects.select_related("page")
        .filter(checkout_reference=reference, gateway="sandbox")
        .first()
    )
    if donation is None:
        raise Http404
    return donation


def get_own_page_message(viewer: Viewer, message_id: int, *, source: str):
    """A message the viewer sent from their own page (outreach keeps it; this only reads it)."""
    from quartier.outreach.models import Message

    message = Message.objects.filter(pk=message_id, source=source).first()
    if message is None or not viewer.is_authenticated or message.sender_id != viewer.pk:
        raise Http404
    return message


def details_token(donation: Donation) -> str:
    """The signed part of the follow-up link that lets this gift's donor give their employer and
    occupation without an account."""
    return signing.dumps(donation.pk, salt=DETAILS_SALT)


def get_donation_from_details_token(token: str) -> Donation:
    """The gift a follow-up link was sent about; 404 for a forged, altered or expired link."""
    try:
        donation_id = signing.loads(token, salt=DETAILS_SALT, max_age=DETAILS_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        raise Http404 from None
    donation = Donation.objects.filter(pk=donation_id).first() if isinstance(donation_id, int) else None
    if donation is None:
        raise Http404
    return donation
