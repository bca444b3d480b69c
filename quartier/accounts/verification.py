"""Writes behind the verification badges: vouches, phone codes, check-ins and matching gifts.

Other apps record what they witnessed through these actions: organizing when a host checks someone in
(`record_met_in_person`), donations when a gift succeeds (`record_gift`). Who counts as a leader is
told by organizing through `leader_checks` (accounts may not import it). Every change ends with
`refresh_badges`, which rewrites `Supporter.shown_badges` from the rows.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from quartier.accounts import branding, sms
from quartier.accounts.activity import record_activity
from quartier.accounts.badges import EVERY_BADGE, Badge
from quartier.accounts.models import Supporter
from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch
from quartier.lib.page_cache import bump, stamp
from quartier.lib.places import normalise_postal_code

# --- who is a leader ---------------------------------------------------------------------------------

_leader_checks: list[Callable[[Supporter], bool]] = []


def register_leader_check(check: Callable[[Supporter], bool]) -> None:
    """Organizing registers "leads a group" from its `ready()`; staff are leaders without it."""
    if check not in _leader_checks:
        _leader_checks.append(check)


def is_leader(supporter: Supporter | None) -> bool:
    if supporter is None or not supporter.is_authenticated or not supporter.is_verified:
        return False
    return supporter.is_staff or any(check(supporter) for check in _leader_checks)


# --- the badges on the row ---------------------------------------------------------------------------


def earned_badges(supporter: Supporter) -> Badge:
    earned = Badge(0)
    if supporter.email_verified_at is not None:
        earned |= Badge.EMAIL
    kinds = set(Verification.objects.filter(supporter=supporter).values_list("kind", flat=True))
    for kind, badge in (
        (Verification.Kind.PHONE, Badge.PHONE),
        (Verification.Kind.IN_PERSON, Badge.IN_PERSON),
        (Verification.Kind.DONOR, Badge.DONOR),
    ):
        if kind in kinds:
            earned |= badge
    if Vouch.objects.filter(vouchee=supporter, revoked_at__isnull=True, voucher__is_active=True).exists():
        earned |= Badge.VOUCHED
    return earned


@transaction.atomic
def refresh_badges(supporter: Supporter) -> int:
    """Recompute the badges shown next to the supporter's name; return them."""
    locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
    shown = 0 if not locked.is_active else int(earned_badges(locked) & ~Badge(locked.hidden_badges))
    if shown != locked.shown_badges:
        Supporter.objects.filter(pk=locked.pk).update(shown_badges=shown)
        bump(stamp("supporter", locked.pk))  # their profile, and every page that shows their name
    supporter.shown_badges = shown
    return shown


@transaction.atomic
def set_hidden_badges(*, supporter: Supporter, hidden: Badge) -> int:
    """The supporter's choice of which earned badges not to show (a privacy setting)."""
    Supporter.objects.filter(pk=supporter.pk).update(hidden_badges=int(hidden & EVERY_BADGE))
    supporter.hidden_badges = int(hidden & EVERY_BADGE)
    return refresh_badges(supporter)


# --- vouches -----------------------------------------------------------------------------------------


class VouchRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def vouch(*, voucher: Supporter, vouchee: Supporter, note: str = "") -> Vouch:
    """A leader vouches for a supporter: the vouchee gets the badge while one active vouch stands."""
    # One vouch at a time per leader; both rows locked in one order (by id), as `refresh_badges` will
    # lock the vouchee's: two leaders vouching for each other at once cannot deadlock.
    list(
        Supporter.objects.select_for_update()
        .filter(pk__in=[voucher.pk, vouchee.pk])
        .order_by("pk")
        .only("pk")
    )
    if not is_leader(voucher):
        raise VouchRefused(_("Only group leaders and campaign staff can vouch for someone."))
    if vouchee.pk == voucher.pk:
        raise VouchRefused(_("You cannot vouch for yourself."))
    if not vouchee.is_verified:
        raise VouchRefused(_("This person has not confirmed their email address yet."))
    existing = Vouch.objects.filter(voucher=voucher, vouchee=vouchee).first()
    if existing is not None and existing.revoked_at is None:
        return existing
    since = timezone.now() - timedelta(days=1)
    given_today = Vouch.objects.filter(voucher=voucher, created_at__gte=since).count()
    if given_today >= settings.VOUCHES_PER_LEADER_PER_DAY:
        raise VouchRefused(_("You have vouched for many people today. Please try again tomorrow."))
    now = timezone.now()
    if existing is not None:
        existing.revoked_at, existing.created_at, existing.note = None, now, note[:280]
        existing.save(update_fields=["revoked_at", "created_at", "note"])
        given = existing
    else:
        given = Vouch.objects.create(voucher=voucher, vouchee=vouchee, note=note[:280], created_at=now)
    record_activity("accounts.vouched", supporter=vouchee, key=f"vouch:{given.pk}:{now.timestamp()}",
                    credited_to=voucher, occurred_at=now)  # fmt: skip
    refresh_badges(vouchee)
    return given


@transaction.atomic
def revoke_vouch(*, voucher: Supporter, vouchee: Supporter) -> bool:
    """The voucher takes their word back. True when a standing vouch was revoked."""
    revoked = Vouch.objects.filter(voucher=voucher, vouchee=vouchee, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        refresh_badges(vouchee)
    return bool(revoked)


# --- met in person and donor: recorded by the apps that witnessed them --------------------------------


@transaction.atomic
def record_met_in_person(*, supporter: Supporter, host: Supporter | None, event_id: int) -> bool:
    """A host checked the supporter in at an event. True when the badge is new."""
    if host is not None and host.pk == supporter.pk:
        return False  # nobody vouches for themselves by checking in at their own event
    _verification, created = Verification.objects.get_or_create(
        supporter=supporter, kind=Verification.Kind.IN_PERSON,
        defaults={"evidence": f"event:{event_id}", "verified_by": host},
    )  # fmt: skip
    if created:
        refresh_badges(supporter)
    return created


@transaction.atomic
def withdraw_met_in_person(*, supporter: Supporter, event_id: int) -> bool:
    """A check-in was undone: the badge goes if that check-in was its evidence."""
    deleted, _by_model = Verification.objects.filter(
        supporter=supporter, kind=Verification.Kind.IN_PERSON, evidence=f"event:{event_id}"
    ).delete()
    if deleted:
        refresh_badges(supporter)
    return bool(deleted)


def _name_key(name: str) -> str:
    """`Hélène  Côté-Roy` and `helene cote roy` compare equal: no accents, case, punctuation or spacing."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(
        char if char.isalnum() else " " for char in decomposed if not unicodedata.combining(char)
    )
    return " ".join(letters.split())


def gift_matches_profile(
    supporter: Supporter, *, first_name: str, last_name: str, postal_code: str, country: str
) -> bool:
    if not supporter.postal_code or not supporter.display_name or country != supporter.country:
        return False
    same_name = _name_key(f"{first_name} {last_name}") == _name_key(supporter.display_name)
    same_code = normalise_postal_code(country, postal_code) == normalise_postal_code(
        supporter.country, supporter.postal_code
    )
    return bool(same_name and same_code and _name_key(first_name) and _name_key(last_name))


@transaction.atomic
def record_gift(
    *, supporter: Supporter, gift_id: int, first_name: str, last_name: str, postal_code: str, country: str
) -> bool:
    """A gift succeeded: the donor badge when its billing name and postal code match the profile."""
    if not supporter.is_active or not gift_matches_profile(
        supporter, first_name=first_name, last_name=last_name, postal_code=postal_code, country=country
    ):
        return False
    _verification, created = Verification.objects.get_or_create(
        supporter=supporter, kind=Verification.Kind.DONOR, defaults={"evidence": f"gift:{gift_id}"}
    )
    if created:
        refresh_badges(supporter)
    return created


@transaction.atomic
def withdraw_gift(*, supporter: Supporter, gift_id: int) -> bool:
    """A gift was refunded in full: the badge goes if that gift was its evidence."""
    deleted, _by_model = Verification.objects.filter(
        supporter=supporter, kind=Verification.Kind.DONOR, evidence=f"gift:{gift_id}"
    ).delete()
    if deleted:
        refresh_badges(supporter)
    return bool(deleted)


# --- phone codes -------------------------------------------------------------------------------------

CODE_DIGITS = 6


class PhoneOutcome(enum.Enum):
    SENT = "sent"
    INVALID_NUMBER = "invalid_number"
    NUMBER_TAKEN = "number_taken"
    TOO_MANY_FOR_ACCOUNT = "too_many_for_account"
    TOO_MANY_FOR_NUMBER = "too_many_for_number"
    CONFIRMED = "confirmed"
    WRONG_CODE = "wrong_code"
    NO_CODE = "no_code"  # none asked for, or it expired
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True)
class PhoneResult:
    outcome: PhoneOutcome
    challenge: PhoneChallenge | None = None


def _code_hash(challenge_secret: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{challenge_secret}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _salt(supporter_id: int, phone_number: str) -> str:
    return f"phone:{supporter_id}:{phone_number}"


@transaction.atomic
def send_phone_code(*, supporter: Supporter, raw_number: str) -> PhoneResult:
    """Text a fresh code to the number, within the limits per account and per number."""
    phone_number = sms.normalize_phone(raw_number, supporter.country)
    if phone_number is None:
        return PhoneResult(PhoneOutcome.INVALID_NUMBER)
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)  # one request at a time
    if (
        Verification.objects.filter(kind=Verification.Kind.PHONE, evidence=phone_number)
        .exclude(supporter=supporter)
        .exists()
    ):
        return PhoneResult(PhoneOutcome.NUMBER_TAKEN)
    now = timezone.now()
    recent_for_account = PhoneChallenge.objects.filter(
        supporter=supporter, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent_for_account >= settings.PHONE_CODES_PER_ACCOUNT_PER_HOUR:
        return PhoneResult(PhoneOutcome.TOO_MANY_FOR_ACCOUNT)
    recent_for_number = PhoneChallenge.objects.filter(
        phone_number=phone_number, created_at__gte=now - timedelta(days=1)
    ).count()
    if recent_for_number >= settings.PHONE_CODES_PER_NUMBER_PER_DAY:
        return PhoneResult(PhoneOutcome.TOO_MANY_FOR_NUMBER)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # Only the newest code counts: earlier ones stop working.
    PhoneChallenge.objects.filter(supporter=supporter, confirmed_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    challenge = PhoneChallenge.objects.create(
        supporter=supporter, phone_number=phone_number, code_hash=_code_hash(_salt(supporter.pk, phone_number), code),
        created_at=now, expires_at=now + timedelta(minutes=settings.PHONE_CODE_LIFETIME_MINUTES),
    )  # fmt: skip
    with override(supporter.language):
        body = _("%(code)s is your %(campaign)s verification code. It expires in %(minutes)s minutes.") % {
            "code": code,
            "campaign": branding.current().name,
            "minutes": settings.PHONE_CODE_LIFETIME_MINUTES,
        }
    transaction.on_commit(lambda: sms.gateway().send(to=phone_number, body=body))
    return PhoneResult(PhoneOutcome.SENT, challenge)


def confirm_phone_code(*, supporter: Supporter, code: str) -> PhoneResult:
    """Check a typed code against the supporter's newest live challenge; each try counts, once."""
    now = timezone.now()
    challenge = (
        PhoneChallenge.objects.filter(supporter=supporter, confirmed_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if challenge is None:
        return PhoneResult(PhoneOutcome.NO_CODE)
    # The try is counted before the code is compared, with a conditional UPDATE: tries at once cannot
    # pass the limit between a read and a write.
    counted = PhoneChallenge.objects.filter(
        pk=challenge.pk, confirmed_at__isnull=True, attempts__lt=settings.PHONE_CODE_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        return PhoneResult(PhoneOutcome.TOO_MANY_ATTEMPTS, challenge)
    typed = "".join(code.split())
    expected = challenge.code_hash
    if not hmac.compare_digest(_code_hash(_salt(supporter.pk, challenge.phone_number), typed), expected):
        return PhoneResult(PhoneOutcome.WRONG_CODE, challenge)
    return _confirm(supporter, challenge)


@transaction.atomic
def _confirm(supporter: Supporter, challenge: PhoneChallenge) -> PhoneResult:
    used = PhoneChallenge.objects.filter(pk=challenge.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    if not used:
        return PhoneResult(PhoneOutcome.NO_CODE, challenge)
    try:
        with transaction.atomic():
            Verification.objects.update_or_create(
                supporter=supporter, kind=Verification.Kind.PHONE,
                defaults={"evidence": challenge.phone_number, "verified_at": timezone.now()},
            )  # fmt: skip
    except IntegrityError:  # another account confirmed this number meanwhile
        return PhoneResult(PhoneOutcome.NUMBER_TAKEN, challenge)
    refresh_badges(supporter)
    return PhoneResult(PhoneOutcome.CONFIRMED, challenge)


@transaction.atomic
def remove_phone(*, supporter: Supporter) -> bool:
    """The supporter takes their number back: the badge goes, the number is free for another account."""
    deleted, _by_model = Verification.objects.filter(
        supporter=supporter, kind=Verification.Kind.PHONE
    ).delete()
    if deleted:
        refresh_badges(supporter)
    return bool(deleted)
