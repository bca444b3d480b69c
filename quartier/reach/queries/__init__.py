from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest

from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.reach.actions import clean_referral_code, first_touch_code
from quartier.reach.models import CampaignCode, ReferralCode


def referrer_from(request: HttpRequest) -> Supporter | None:
    """Who shared the link that brought this visitor, if anyone (never the visitor themselves).

    First touch: the code remembered from the first shared link the visitor opened wins over this
    page's own `?ref=` (`actions.remember_referral`)."""
    code = first_touch_code(request) or clean_referral_code(request.GET.get("ref"))
    if not code:
        return None
    referrer = Supporter.objects.filter(referralcode__code=code, is_active=True).first()
    if referrer is None or (request.user.is_authenticated and referrer.pk == request.user.pk):
        return None
    return referrer


def share_url(path: str, sharer: Supporter | None) -> str:
    """An absolute link to `path` carrying the sharer's referral code when there is a sharer.

    Shared links are opened elsewhere, later, by other people: they start with SITE_URL, never with the
    host this visitor happened to use (see docs/decisions.md).

    A read: the code is made with the account (sign-up) or the page (fundraising pages); someone
    without one yet shares the plain link, and no page view ever writes a row.
    """
    if sharer is None or not sharer.is_authenticated:
        return absolute_url(path)
    return share_url_with_code(
        path, ReferralCode.objects.filter(supporter=sharer).values_list("code", flat=True).first()
    )


def viewer_referral_code(sharer: Supporter) -> Subquery:
    """The sharer's referral code (or None) as an expression, for a page to read with its own row and
    hand to `share_url_with_code`: no query of its own."""
    return Subquery(ReferralCode.objects.filter(supporter=sharer).values("code")[:1])


# The sharer's code as a scalar subquery of raw SQL (one parameter: the supporter's id), for pages that
# read their rows in one statement (`organizing.queries.event_page`).
REFERRAL_CODE_SQL = f"SELECT code FROM {ReferralCode._meta.db_table} WHERE supporter_id = %s"  # noqa: S608


def share_url_with_code(path: str, code: str | None) -> str:
    """`share_url` once the sharer's code is read with another query (`referral_code_of`,
    `viewer_referral_code`; None: no code, the plain link)."""
    url = absolute_url(path)
    return f"{url}?{urlencode({'ref': code})}" if code else url


def referral_code_of(supporter_column: str) -> Subquery:
    """The referral code of the supporter in `supporter_column` of the outer query, as a column of it
    (a page that shares its owner's link reads the code with the page)."""
    return Subquery(ReferralCode.objects.filter(supporter_id=OuterRef(supporter_column)).values("code")[:1])


def refcode_from(request: HttpRequest) -> str:
    """The referral code that brought this visitor (a supporter's or a campaign email's), or "".

    What an action records as `detail["refcode"]` in the activity journal, so that it is credited to
    the share link or the email it came through.
    """
    remembered = first_touch_code(request)
    if remembered:
        return remembered  # first touch
    code = clean_referral_code(request.GET.get("ref"))
    if code and (
        ReferralCode.objects.filter(code=code).exists() or CampaignCode.objects.filter(code=code).exists()
    ):
        return code
    return ""
