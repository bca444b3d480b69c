from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest

from quartier.accounts.models import Activity, Supporter
from quartier.lib.urls import absolute_url
from quartier.reach.actions import clean_referral_code, first_touch_code
from quartier.reach.models import CampaignCode, ReferralCode, SpreadRun


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


# --- spread analytics (`/organize/reach/spread/`) ---------------------------------------------------


def sharer_conversions() -> tuple[np.ndarray, np.ndarray]:
    """(supporter ids, conversions credited to each): everyone whose shares brought someone, read from
    the activity journal (`credited_to`: sign-ups, RSVPs, memberships, gifts), reversals left out.

    Each conversion came from at least one share seen, so it also counts as a share in the seed's
    impressions (a lower bound until shares themselves are recorded)."""
    rows = (
        Activity.objects.filter(credited_to__isnull=False, count__gt=0)
        .values("credited_to")
        .annotate(conversions=Count("pk"))
        .order_by("credited_to")
        .values_list("credited_to", "conversions")
    )
    pairs = np.array(list(rows), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def supporters_who_cannot_be_asked() -> np.ndarray:
    """Ids of accounts closed or deactivated: never proposed as someone to ask."""
    return np.fromiter(
        Supporter.objects.filter(Q(is_active=False) | Q(deleted_at__isnull=False)).values_list(
            "pk", flat=True
        ),
        dtype=np.int64,
    )


def latest_spread_run() -> SpreadRun | None:
    return SpreadRun.objects.order_by("-created_at", "-pk").first()


def spread_run_in_progress() -> SpreadRun | None:
    return SpreadRun.objects.filter(status__in=[SpreadRun.Status.QUEUED, SpreadRun.Status.RUNNING]).first()


def supporters_by_id(ids: list[int]) -> dict[int, Supporter]:
    """The supporters among `ids` who can still be shown (active, not deleted), in one query."""
    return {
        supporter.pk: supporter
        for supporter in Supporter.objects.filter(pk__in=ids, is_active=True, deleted_at__isnull=True).only(
            "pk",
            "display_name",
            "handle",
            "affiliation",
            "email_verified_at",
            "is_active",
            "is_staff",
            "deleted_at",
        )
    }
