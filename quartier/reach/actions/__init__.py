"""Share links and referral attribution (`attribution`: conversions and cascade trees)."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.reach.models import CampaignCode, ReferralCode, SpreadRun

SESSION_KEY = "reach.referral_code"
CAMPAIGN_SESSION_KEY = "reach.campaign_code"
SEEN_AT_SESSION_KEY = "reach.referral_seen_at"  # when the remembered code was first seen (epoch seconds)
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes: people read these aloud


def referral_code_for(supporter: Supporter) -> str:
    """The supporter's personal code, made if they have none (at sign-up, and with a fundraising page).

    A write: pages never call it (`queries.share_url` only reads)."""
    existing = ReferralCode.objects.filter(supporter=supporter).values_list("code", flat=True).first()
    if existing:
        return existing
    for _attempt in range(5):
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        try:
            with transaction.atomic():
                return ReferralCode.objects.get_or_create(supporter=supporter, defaults={"code": code})[
                    0
                ].code
        except IntegrityError:
            continue  # the random code was taken: draw another
    raise IntegrityError("could not draw a free referral code")


def new_campaign_code(label: str) -> str:
    """A fresh code for something the campaign sends (an email): never a supporter's code."""
    for _attempt in range(5):
        code = "m" + "".join(secrets.choice(ALPHABET) for _ in range(9))
        if ReferralCode.objects.filter(code=code).exists():
            continue
        try:
            with transaction.atomic():
                CampaignCode.objects.create(code=code, label=label[:200])
        except IntegrityError:
            continue
        return code
    raise IntegrityError("could not draw a free campaign code")


def clean_referral_code(raw: object) -> str:
    """A `?ref=` value as a code to look up, or "" when it cannot be one (PostgreSQL refuses NUL)."""
    code = str(raw or "").strip().lower()[:16]
    return code if code.isascii() and code.isalnum() else ""


def remember_referral(request: HttpRequest) -> None:
    """Keep the `?ref=` code of a shared link in the session, so a later RSVP credits the sharer.

    First touch: the first code seen is kept for `REACH_ATTRIBUTION_DAYS`; a later link does not
    replace it within that window. Only the server-side session holds it (no cookie of its own, nothing
    stored about a visitor who does nothing: docs/privacy.md, "Cookies")."""
    code = clean_referral_code(request.GET.get("ref"))
    if not code:
        return
    if first_touch_code(request):
        return
    if ReferralCode.objects.filter(code=code).exists():
        request.session[SESSION_KEY] = code
        request.session.pop(CAMPAIGN_SESSION_KEY, None)
    elif CampaignCode.objects.filter(code=code).exists():
        request.session[CAMPAIGN_SESSION_KEY] = code
        request.session.pop(SESSION_KEY, None)
    else:
        return
    request.session[SEEN_AT_SESSION_KEY] = int(time.time())


def first_touch_code(request: HttpRequest) -> str:
    """The code remembered from the visitor's first shared link, if it is still within the window."""
    code = request.session.get(SESSION_KEY) or request.session.get(CAMPAIGN_SESSION_KEY)
    if not code:
        return ""
    seen_at = request.session.get(SEEN_AT_SESSION_KEY)
    window = settings.REACH_ATTRIBUTION_DAYS * 86_400
    if isinstance(seen_at, int) and time.time() - seen_at > window:
        for key in (SESSION_KEY, CAMPAIGN_SESSION_KEY, SEEN_AT_SESSION_KEY):
            request.session.pop(key, None)
        return ""
    return clean_referral_code(code)


# --- spread analytics (`/organize/reach/spread/`) ---------------------------------------------------

ABANDONED_AFTER = timedelta(hours=1)  # a run still unfinished then lost its worker


def request_spread_analysis(*, seeds_wanted: int, memory_mb: int) -> tuple[SpreadRun, bool]:
    """Queue an analysis of k = `seeds_wanted` people to ask (the job runs after commit), unless one is
    already under way: (the run, whether it is new). Runs abandoned by a dead worker are marked failed."""
    from quartier.reach import tasks

    with transaction.atomic():
        SpreadRun.objects.filter(
            status__in=[SpreadRun.Status.QUEUED, SpreadRun.Status.RUNNING],
            created_at__lt=timezone.now() - ABANDONED_AFTER,
        ).update(status=SpreadRun.Status.FAILED, error="abandoned", finished_at=timezone.now())
        under_way = SpreadRun.objects.filter(
            status__in=[SpreadRun.Status.QUEUED, SpreadRun.Status.RUNNING]
        ).first()
        if under_way is not None:
            return under_way, False
        run = SpreadRun.objects.create(seeds_wanted=seeds_wanted, memory_mb=memory_mb)
        transaction.on_commit(lambda: tasks.analyse_spread.delay(run.pk))
    return run, True
