"""Writes: start a gift (limit reserved atomically), record what the processor says, refunds, monthly
gifts, fundraising pages and teams.

Every state change from a processor (`mark_succeeded`, `mark_failed`, `apply_refunded_total`,
`record_renewal`) is idempotent and commutative: applied twice, or in any order, the totals are the same.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.models import (
    DailyTotal,
    Donation,
    DonorAggregate,
    Frequency,
    FundraisingPage,
    GatewayCall,
    RecurringGift,
    RefundRequest,
    SavedPaymentMethod,
    Team,
    WebhookEvent,
)
from quartier.lib.text import render_markdown
from quartier.reach.actions import referral_code_for

logger = logging.getLogger(__name__)

DAILY_SHARDS = 8
UNDER_50_MINOR = 5_000
UNDER_200_MINOR = 20_000


class LimitExceeded(Exception):
    """The gift would take the donor past the legal limit; `remaining_minor` is what they may still give."""

    def __init__(self, remaining_minor: int) -> None:
        super().__init__(remaining_minor)
        self.remaining_minor = max(0, remaining_minor)


class DetailsRequired(Exception):
    """Above the threshold the law asks for employer and occupation."""


@dataclass(frozen=True)
class DonationDraft:
    first_name: str
    last_name: str
    email: str
    amount_minor: int
    currency: str
    frequency: str = Frequency.ONCE
    address_line: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "CA"
    employer: str = ""
    occupation: str = ""
    attestation: str = ""
    language: str = "en"
    supporter: Supporter | None = None
    page: FundraisingPage | None = None
    credited_to: Supporter | None = None
    refcode: str = ""
    show_name: bool = False

    @property
    def identity_key(self) -> str:
        return compliance.identity_key(
            first_name=self.first_name, last_name=self.last_name, postal_code=self.postal_code,
            country=self.country,
        )  # fmt: skip


# --- donors' aggregates ---------------------------------------------------------------------------


def _aggregate_row(identity_key: str, period: str) -> None:
    try:
        with transaction.atomic():
            DonorAggregate.objects.get_or_create(identity_key=identity_key, period=period)
    except IntegrityError:
        pass  # made by a simultaneous gift: it is there now


def reserve(*, identity_key: str, period: str, amount_minor: int, limit_minor: int | None) -> bool:
    """Hold `amount_minor` of the donor's limit for a checkout; raises `LimitExceeded` if it does not fit.

    One conditional UPDATE checks and writes: PostgreSQL re-checks the condition on the locked row,
    SQLite serialises writers, so two simultaneous gifts cannot together pass the limit.
    """
    if limit_minor is None:
        return False
    _aggregate_row(identity_key, period)
    updated = (
        DonorAggregate.objects.filter(identity_key=identity_key, period=period)
        .alias(committed=F("total_minor") + F("reserved_minor"))
        .filter(committed__lte=limit_minor - amount_minor)
        .update(reserved_minor=F("reserved_minor") + amount_minor)
    )
    if not updated:
        raise LimitExceeded(limit_minor - committed_minor(identity_key=identity_key, period=period))
    return True


def committed_minor(*, identity_key: str, period: str) -> int:
    row = DonorAggregate.objects.filter(identity_key=identity_key, period=period).first()
    return 0 if row is None else row.total_minor + row.reserved_minor


def given_minor(*, identity_key: str, period: str) -> int:
    row = DonorAggregate.objects.filter(identity_key=identity_key, period=period).first()
    return 0 if row is None else row.total_minor


def _release(donation: Donation) -> None:
    if donation.reservation_held:
        DonorAggregate.objects.filter(identity_key=donation.identity_key, period=donation.period).update(
            reserved_minor=F("reserved_minor") - donation.amount_minor
        )
        donation.reservation_held = False


# --- starting a gift ------------------------------------------------------------------------------


@transaction.atomic
def start_donation(*, draft: DonationDraft, gateway: str, express: bool = False) -> Donation:
    """A pending gift with its share of the limit reserved; the caller then sends the donor to pay."""
    rules = compliance.jurisdiction()
    period = compliance.period_for(rules=rules)
    key = draft.identity_key
    missing_details = not (draft.employer.strip() and draft.occupation.strip())
    threshold = rules.details_threshold_minor
    if (
        threshold is not None
        and missing_details
        and given_minor(identity_key=key, period=period) + draft.amount_minor > threshold
    ):
        raise DetailsRequired
    held = reserve(
        identity_key=key, period=period, amount_minor=draft.amount_minor,
        limit_minor=compliance.limit_for(period, rules=rules),
    )  # fmt: skip
    return Donation.objects.create(
        supporter=draft.supporter if draft.supporter and draft.supporter.is_authenticated else None,
        identity_key=key, first_name=draft.first_name.strip(), last_name=draft.last_name.strip(),
        email=draft.email.strip().lower(), address_line=draft.address_line.strip(), city=draft.city.strip(),
        region=draft.region.strip(), postal_code=draft.postal_code.strip().upper(), country=draft.country,
        employer=draft.employer.strip(), occupation=draft.occupation.strip(), attestation=draft.attestation,
        language=draft.language, amount_minor=draft.amount_minor, currency=draft.currency,
        frequency=draft.frequency, gateway=gateway, express=express, page=draft.page,
        credited_to=draft.credited_to, refcode=draft.refcode, show_name=draft.show_name, period=period,
        reservation_held=held,
    )  # fmt: skip


def idempotency_key_for(purpose: str) -> str:
    """The key of one API call, stored the first time and reused by every retry of it."""
    call, _created = GatewayCall.objects.get_or_create(
        purpose=purpose, defaults={"idempotency_key": str(uuid.uuid4())}
    )
    return call.idempotency_key


@transaction.atomic
def attach_checkout(*, donation: Donation, checkout_reference: str) -> None:
    Donation.objects.filter(pk=donation.pk, checkout_reference__isnull=True).update(
        checkout_reference=checkout_reference
    )
    donation.checkout_reference = checkout_reference


@transaction.atomic
def attach_payment_reference(*, donation_id: int, payment_reference: str) -> None:
    """Remember the payment's id (so a refund can find the gift), whatever arrives first."""
    if not payment_reference:
        return
    Donation.objects.filter(pk=donation_id, payment_reference__isnull=True).update(
        payment_reference=payment_reference
    )


# --- what the processor says ----------------------------------------------------------------------


def record_event_once(*, gateway: str, event_id: str, event_type: str) -> bool:
    """Insert the event's id; False when it was already applied. Call inside the state change's transaction."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(gateway=gateway, event_id=event_id, type=event_type)
    except IntegrityError:
        return False
    return True


def _shard(donation: Donation) -> int:
    return donation.pk % DAILY_SHARDS


def _add_to_daily(*, day, currency: str, shard: int, **changes: int) -> None:
    expressions = {name: F(name) + value for name, value in changes.items()}
    if DailyTotal.objects.filter(day=day, currency=currency, shard=shard).update(**expressions):
        return
    try:
        with transaction.atomic():
            DailyTotal.objects.create(day=day, currency=currency, shard=shard, **changes)
    except IntegrityError:
        DailyTotal.objects.filter(day=day, currency=currency, shard=shard).update(**expressions)


def _gift_activity_detail(donation: Donation) -> dict[str, object]:
    return {
        "page": donation.page_id,
        "recurring": donation.recurring_id is not None,
        "refcode": donation.refcode,
    }


@transaction.atomic
def mark_succeeded(
    *, donation_id: int, payment_reference: str = "", at: datetime | None = None
) -> Donation | None:
    """The gift is paid. Counts it once in every total; a refund that arrived first is applied too."""
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None:
        return None
    if payment_reference and not donation.payment_reference:
        donation.payment_reference = payment_reference
    if donation.status == Donation.Status.SUCCEEDED:
        donation.save(update_fields=["payment_reference"])
        return donation
    at = at or timezone.now()
    rules = compliance.jurisdiction()
    donation.status = Donation.Status.SUCCEEDED
    donation.succeeded_at = at
    changed = [
        "status",
        "succeeded_at",
        "payment_reference",
        "reservation_held",
        "flag",
        "flagged_at",
        "resolve_by",
    ]
    limit = (
        compliance.limit_for(donation.period, rules=rules) if donation.period or rules.limit_minor else None
    )
    if donation.reservation_held:
        DonorAggregate.objects.filter(identity_key=donation.identity_key, period=donation.period).update(
            reserved_minor=F("reserved_minor") - donation.amount_minor,
            total_minor=F("total_minor") + donation.net_minor,
        )
        donation.reservation_held = False
    elif limit is not None:
        # Paid without a reservation (a checkout that expired and was paid anyway, a monthly renewal):
        # the money is in; if it takes the donor past the limit, staff refund or redesignate it.
        _aggregate_row(donation.identity_key, donation.period)
        aggregate = DonorAggregate.objects.select_for_update().get(
            identity_key=donation.identity_key, period=donation.period
        )
        DonorAggregate.objects.filter(pk=aggregate.pk).update(
            total_minor=F("total_minor") + donation.net_minor
        )
        if aggregate.total_minor + aggregate.reserved_minor + donation.amount_minor > limit:
            donation.flag = Donation.Flag.OVER_LIMIT
            donation.flagged_at = at
            donation.resolve_by = at + timedelta(days=rules.excess_resolution_days)
    if (
        not donation.flag
        and rules.details_threshold_minor is not None
        and not (donation.employer and donation.occupation)
        and given_minor(identity_key=donation.identity_key, period=donation.period)
        > rules.details_threshold_minor
    ):
        donation.flag = Donation.Flag.MISSING_DETAILS
        donation.flagged_at = at
    donation.save(update_fields=changed)

    if donation.page_id:
        FundraisingPage.objects.filter(pk=donation.page_id).update(
            total_minor=F("total_minor") + donation.net_minor, gift_count=F("gift_count") + 1
        )
    monthly = donation.recurring_id is not None
    _add_to_daily(
        day=timezone.localdate(at), currency=donation.currency, shard=_shard(donation), gift_count=1,
        amount_minor=donation.amount_minor, under_50_count=int(donation.amount_minor < UNDER_50_MINOR),
        under_200_count=int(donation.amount_minor < UNDER_200_MINOR), recurring_count=int(monthly),
        recurring_minor=donation.amount_minor if monthly else 0,
        refund_count=int(donation.refunded_minor > 0), refund_minor=donation.refunded_minor,
    )  # fmt: skip
    record_activity(
        "donations.gift", supporter=donation.supporter, key=f"donation:{donation.pk}", occurred_at=at,
        amount=donation.amount_minor, currency=donation.currency, credited_to=donation.credited_to,
        detail=_gift_activity_detail(donation),
    )  # fmt: skip
    if donation.refunded_minor:
        _refund_activity(donation, donation.refunded_minor, at)
    from quartier.donations import tasks

    transaction.on_commit(lambda: tasks.send_receipt.delay(donation.pk))
    if donation.flag == Donation.Flag.MISSING_DETAILS:
        transaction.on_commit(lambda: tasks.send_details_follow_up.delay(donation.pk))
    return donation


def _refund_activity(donation: Donation, refunded_minor: int, at: datetime) -> None:
    record_activity(
        "donations.refund", supporter=donation.supporter, key=f"refund:{donation.pk}:{donation.refunded_minor}",
        occurred_at=at, amount=-refunded_minor, currency=donation.currency, credited_to=donation.credited_to,
        detail=_gift_activity_detail(donation),
    )  # fmt: skip


@transaction.atomic
def mark_failed(*, donation_id: int) -> Donation | None:
    """Declined, abandoned or expired: the reservation goes back to the donor's limit."""
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None or donation.status != Donation.Status.PENDING:
        return donation
    _release(donation)
    donation.status = Donation.Status.FAILED
    donation.save(update_fields=["status", "reservation_held"])
    return donation


@transaction.atomic
def apply_refunded_total(
    *, donation_id: int, refunded_total_minor: int, at: datetime | None = None
) -> Donation | None:
    """The processor says this much of the gift is refunded in all: apply what is new (never twice)."""
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None:
        return None
    new_total = min(refunded_total_minor, donation.amount_minor)
    delta = new_total - donation.refunded_minor
    if delta <= 0:
        return donation
    at = at or timezone.now()
    donation.refunded_minor = new_total
    donation.save(update_fields=["refunded_minor"])
    if donation.status != Donation.Status.SUCCEEDED:
        return donation  # counted when (if) the success arrives
    DonorAggregate.objects.filter(identity_key=donation.identity_key, period=donation.period).update(
        total_minor=F("total_minor") - delta
    )
    if donation.page_id:
        FundraisingPage.objects.filter(pk=donation.page_id).update(total_minor=F("total_minor") - delta)
    _add_to_daily(
        day=timezone.localdate(at), currency=donation.currency, shard=_shard(donation), refund_count=1,
        refund_minor=delta,
    )  # fmt: skip
    _refund_activity(donation, delta, at)
    return donation


# --- monthly gifts --------------------------------------------------------------------------------


@transaction.atomic
def activate_recurring(
    *, donation_id: int, subscription_reference: str, at: datetime | None = None
) -> RecurringGift | None:
    """The first gift of a monthly gift started a subscription: record it once."""
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None or donation.frequency != Frequency.MONTHLY:
        return None
    at = at or timezone.now()
    recurring, created = RecurringGift.objects.get_or_create(
        subscription_reference=subscription_reference,
        defaults={
            "supporter": donation.supporter, "gateway": donation.gateway, "amount_minor": donation.amount_minor,
            "currency": donation.currency, "status": RecurringGift.Status.ACTIVE, "charges": 1,
            "next_charge_at": at + timedelta(days=30),
        },
    )  # fmt: skip
    if donation.recurring_id is None:
        donation.recurring = recurring
        donation.save(update_fields=["recurring"])
    if created:
        _add_to_daily(
            day=timezone.localdate(at), currency=recurring.currency, shard=recurring.pk % DAILY_SHARDS,
            monthly_change_minor=recurring.amount_minor, monthly_change_count=1,
        )  # fmt: skip
        record_activity(
            "donations.recurring_started", supporter=donation.supporter, key=f"recurring:{recurring.pk}",
            occurred_at=at, amount=recurring.amount_minor, currency=recurring.currency,
            credited_to=donation.credited_to, detail=_gift_activity_detail(donation),
        )  # fmt: skip
    return recurring


def first_donation(recurring: RecurringGift) -> Donation | None:
    return recurring.donations.order_by("created_at", "pk").first()


@transaction.atomic
def record_renewal(
    *, recurring: RecurringGift, payment_reference: str, at: datetime | None = None
) -> Donation | None:
    """One month's charge of a monthly gift, recorded once per payment reference."""
    existing = Donation.objects.filter(payment_reference=payment_reference).first()
    if existing is not None:
        return existing
    template = first_donation(recurring)
    if template is None:
        return None
    at = at or timezone.now()
    fields = {
        name: getattr(template, name)
        for name in (
            "supporter_id", "identity_key", "first_name", "last_name", "email", "address_line", "city", "region",
            "postal_code", "country", "employer", "occupation", "attestation", "language", "currency", "gateway",
            "page_id", "credited_to_id", "refcode", "show_name",
        )
    }  # fmt: skip
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                **fields, amount_minor=recurring.amount_minor, frequency=Frequency.MONTHLY, recurring=recurring,
                payment_reference=payment_reference, period=compliance.period_for(at), created_at=at,
            )  # fmt: skip
    except IntegrityError:
        return Donation.objects.filter(payment_reference=payment_reference).first()
    RecurringGift.objects.filter(pk=recurring.pk).update(
        charges=F("charges") + 1, next_charge_at=at + timedelta(days=30)
    )
    return mark_succeeded(donation_id=donation.pk, at=at)


@transaction.atomic
def mark_recurring_cancelled(*, recurring_id: int, at: datetime | None = None) -> RecurringGift | None:
    recurring = RecurringGift.objects.select_for_update().filter(pk=recurring_id).first()
    if recurring is None or recurring.status == RecurringGift.Status.CANCELLED:
        return recurring
    at = at or timezone.now()
    was_active = recurring.status == RecurringGift.Status.ACTIVE
    recurring.status = RecurringGift.Status.CANCELLED
    recurring.cancelled_at = at
    recurring.save(update_fields=["status", "cancelled_at"])
    if was_active:
        _add_to_daily(
            day=timezone.localdate(at), currency=recurring.currency, shard=recurring.pk % DAILY_SHARDS,
            monthly_change_minor=-recurring.amount_minor, monthly_change_count=-1,
        )  # fmt: skip
        template = first_donation(recurring)
        record_activity(
            "donations.recurring_cancelled", supporter=recurring.supporter, key=f"recurring-cancel:{recurring.pk}",
            occurred_at=at, count=-1, amount=-recurring.amount_minor, currency=recurring.currency,
            credited_to=template.credited_to if template else None,
        )  # fmt: skip
    return recurring


@transaction.atomic
def change_recurring_amount(*, recurring: RecurringGift, amount_minor: int) -> RecurringGift:
    locked = RecurringGift.objects.select_for_update().get(pk=recurring.pk)
    if locked.status != RecurringGift.Status.ACTIVE or amount_minor == locked.amount_minor:
        return locked
    _add_to_daily(
        day=timezone.localdate(), currency=locked.currency, shard=locked.pk % DAILY_SHARDS,
        monthly_change_minor=amount_minor - locked.amount_minor,
    )  # fmt: skip
    locked.amount_minor = amount_minor
    locked.save(update_fields=["amount_minor"])
    return locked


def cancel_recurring(*, recurring: RecurringGift) -> RecurringGift | None:
    """Stop a monthly gift at the processor, then here (the processor's event, if any, changes nothing)."""
    from quartier.donations.gateways import gateway_for

    gateway_for(recurring.gateway).cancel_recurring(recurring)
    return mark_recurring_cancelled(recurring_id=recurring.pk)


def update_recurring_amount(*, recurring: RecurringGift, amount_minor: int) -> RecurringGift:
    from quartier.donations.gateways import gateway_for

    gateway_for(recurring.gateway).change_recurring_amount(recurring, amount_minor)
    return change_recurring_amount(recurring=recurring, amount_minor=amount_minor)


@transaction.atomic
def remember_payment_method(
    *, supporter: Supporter | None, gateway: str, customer_reference: str, method_reference: str, label: str
) -> None:
    if supporter is None or not customer_reference or not method_reference:
        return
    SavedPaymentMethod.objects.update_or_create(
        supporter=supporter, gateway=gateway,
        defaults={"customer_reference": customer_reference, "method_reference": method_reference, "label": label},
    )  # fmt: skip


# --- refunds ---------------------------------------------------------------------------------------


class RefundNotAllowed(Exception):
    pass


@transaction.atomic
def request_refund(*, donation: Donation, supporter: Supporter, reason: str) -> RefundRequest:
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    if locked.status != Donation.Status.SUCCEEDED or locked.refunded_minor >= locked.amount_minor:
        raise RefundNotAllowed
    pending = RefundRequest.objects.filter(donation=locked, status=RefundRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    return RefundRequest.objects.create(donation=locked, requested_by=supporter, reason=reason.strip())


def refund(*, donation: Donation, by: Supporter, amount_minor: int | None = None) -> Donation | None:
    """Refund the rest of a gift (or part) at the processor, then record it; retries reuse the key."""
    from quartier.donations.gateways import gateway_for

    donation.refresh_from_db()
    if donation.status != Donation.Status.SUCCEEDED:
        raise RefundNotAllowed
    remaining = donation.amount_minor - donation.refunded_minor
    amount = remaining if amount_minor is None else min(amount_minor, remaining)
    if amount <= 0:
        raise RefundNotAllowed
    key = idempotency_key_for(f"refund:{donation.pk}:{donation.refunded_minor + amount}")
    refunded_total = gateway_for(donation.gateway).refund(donation, amount, idempotency_key=key)
    with transaction.atomic():
        result = apply_refunded_total(donation_id=donation.pk, refunded_total_minor=refunded_total)
        RefundRequest.objects.filter(donation=donation, status=RefundRequest.Status.PENDING).update(
            status=RefundRequest.Status.APPROVED, decided_by=by, decided_at=timezone.now()
        )
        Donation.objects.filter(pk=donation.pk, flag=Donation.Flag.OVER_LIMIT).update(
            resolved_at=timezone.now()
        )
    return result


@transaction.atomic
def decline_refund(*, refund_request: RefundRequest, by: Supporter) -> None:
    RefundRequest.objects.filter(pk=refund_request.pk, status=RefundRequest.Status.PENDING).update(
        status=RefundRequest.Status.DECLINED, decided_by=by, decided_at=timezone.now()
    )


@transaction.atomic
def resolve_flag(*, donation: Donation) -> None:
    Donation.objects.filter(pk=donation.pk).exclude(flag="").update(resolved_at=timezone.now())


@transaction.atomic
def complete_details(*, donation: Donation, employer: str, occupation: str) -> None:
    Donation.objects.filter(pk=donation.pk).update(employer=employer.strip(), occupation=occupation.strip())
    Donation.objects.filter(pk=donation.pk, flag=Donation.Flag.MISSING_DETAILS).update(
        resolved_at=timezone.now()
    )


# --- fundraising pages and teams ------------------------------------------------------------------


@dataclass(frozen=True)
class PageDraft:
    title: str
    story: str
    goal_minor: int
    event: object = None
    team: Team | None = None


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:60] or "page"
    slug = base
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def create_page(*, owner: Supporter, draft: PageDraft) -> FundraisingPage:
    page = FundraisingPage.objects.create(
        owner=owner, slug=_unique_slug(FundraisingPage, draft.title), title=draft.title.strip(),
        story=draft.story, story_html=render_markdown(draft.story), goal_minor=draft.goal_minor,
        currency=compliance.campaign_currency(), event=draft.event, team=draft.team,
    )  # fmt: skip
    referral_code_for(owner)  # the page's share link carries it: made now, not on a visitor's first view
    record_activity(
        "donations.page_created", supporter=owner, key=f"page:{page.pk}", detail={"page": page.pk},
        group_id=None,
    )  # fmt: skip
    return page


@transaction.atomic
def update_page(*, page: FundraisingPage, draft: PageDraft) -> FundraisingPage:
    page.title = draft.title.strip()
    page.story = draft.story
    page.story_html = render_markdown(draft.story)
    page.goal_minor = draft.goal_minor
    page.team = draft.team
    page.event = draft.event
    page.save(update_fields=["title", "story", "story_html", "goal_minor", "team", "event"])
    return page


def set_page_photo(*, page: FundraisingPage, upload) -> FundraisingPage:
    from django.core.files.base import ContentFile

    from quartier.lib import images

    data = images.reencode_image(upload, size=800)
    old = page.photo.name if page.photo else ""
    page.photo.save(f"{page.slug}-{secrets.token_hex(4)}.webp", ContentFile(data), save=False)
    page.save(update_fields=["photo"])
    if old:
        storage = page.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return page


@transaction.atomic
def set_page_status(*, page: FundraisingPage, status: str) -> None:
    FundraisingPage.objects.filter(pk=page.pk).update(status=status)


@transaction.atomic
def create_team(*, captain: Supporter, name: str) -> Team:
    return Team.objects.create(captain=captain, name=name.strip(), slug=_unique_slug(Team, name))


# --- sandbox clock --------------------------------------------------------------------------------


def renew_due_sandbox_gifts(*, now: datetime | None = None) -> int:
    """Charge every sandbox monthly gift that is due (the sandbox's stand-in for the processor's clock)."""
    now = now or timezone.now()
    renewed = 0
    due = RecurringGift.objects.filter(
        gateway="sandbox", status=RecurringGift.Status.ACTIVE, next_charge_at__lte=now
    ).order_by("next_charge_at")
    for recurring in due.iterator():
        while recurring.next_charge_at and recurring.next_charge_at <= now:
            reference = f"sbx_inv_{recurring.pk}_{recurring.charges + 1}"
            record_renewal(recurring=recurring, payment_reference=reference, at=recurring.next_charge_at)
            recurring.refresh_from_db()
            renewed += 1
    return renewed


def expire_stale_checkouts(*, now: datetime | None = None, hours: int = 24) -> int:
    """Checkouts nobody paid within `hours` (Stripe's sessions expire after 24 h): give their reservation back."""
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    stale = Donation.objects.filter(status=Donation.Status.PENDING, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    expired = 0
    for donation_id in list(stale[:10_000]):
        donation = mark_failed(donation_id=donation_id)
        expired += int(donation is not None and donation.status == Donation.Status.FAILED)
    return expired


def sandbox_reference(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


def default_gateway() -> str:
    return settings.DONATIONS_GATEWAY
