"""Conversions credited to sharers, and the who-brought-whom trees they grow.

    record_conversion(kind=Conversion.Kind.RSVP, source_key=f"rsvp:{rsvp.pk}", converter=person,
                      credited_to=sharer, occurred_at=rsvp.created_at)

The one way a conversion is written: idempotent on (kind, source_key), never credited to the converter
themselves, and a sign-up places the new person under the sharer once (first touch, so no loop). The
counters of the affected cascade (subtree sizes, downstream conversions, the deepest generation below) move in
the same transaction with one UPDATE over the ancestors' ids: no recompute.

Most conversions are read from the activity journal (`sync_from_journal`, a periodic task): sign-ups
happen in `accounts`, which cannot import reach (docs/decisions.md, "Attribution from the journal").
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter
from quartier.reach.models import AttributionCursor, CampaignCode, CascadeNode, Conversion, ReferralCode

# Journal kinds that are conversions when they were credited to a sharer or a campaign code.
JOURNAL_KINDS: dict[str, str] = {
    "reach.referral_signup": Conversion.Kind.SIGNUP,
    "accounts.signup": Conversion.Kind.SIGNUP,  # credited only through `detail["refcode"]`
    "organizing.rsvp": Conversion.Kind.RSVP,
    "organizing.group_joined": Conversion.Kind.GROUP_JOINED,
    "donations.gift": Conversion.Kind.GIFT,
    "donations.page_created": Conversion.Kind.FUNDRAISING_PAGE,
    "reach.status_lent": Conversion.Kind.LENT_STATUS,
}
SYNC_BATCH = 2_000
LATE_COMMIT_SECONDS = 600  # journal rows recorded this recently are read again (a slow transaction)


def node_for(supporter: Supporter, *, joined_at: datetime | None = None) -> CascadeNode:
    """The supporter's node, made as a root (a sharer nobody brought) when they have none yet."""
    node = CascadeNode.objects.filter(supporter=supporter).first()
    if node is not None:
        return node
    try:
        with transaction.atomic():
            node = CascadeNode.objects.create(
                supporter=supporter, joined_at=joined_at or supporter.date_joined or timezone.now()
            )
    except IntegrityError:  # made at the same moment by another request
        return CascadeNode.objects.get(supporter=supporter)
    CascadeNode.objects.filter(pk=node.pk).update(root=node)
    node.root_id = node.pk
    return node


def _place_under(
    converter: Supporter | None, parent: CascadeNode | None, campaign_code: CampaignCode | None, at: datetime
) -> CascadeNode | None:
    """A sign-up's new node: under the sharer's node, or a root carrying the campaign code.

    First touch: someone who already has a node keeps their place (which is also why no loop can form:
    a parent always existed before its child)."""
    if converter is None:
        node = None
    else:
        node = CascadeNode.objects.filter(supporter=converter).first()
        if node is not None:
            return node
    if parent is None:
        created = CascadeNode.objects.create(supporter=converter, joined_at=at, campaign_code=campaign_code)
        CascadeNode.objects.filter(pk=created.pk).update(root=created)
        created.root_id = created.pk
        return created
    ancestors = [*parent.ancestor_ids(), parent.pk]
    created = CascadeNode.objects.create(
        supporter=converter, parent=parent, root_id=parent.root_id or parent.pk, joined_at=at,
        generation=parent.generation + 1, deepest_generation=parent.generation + 1,
        path="/".join(str(pk) for pk in ancestors),
        campaign_code=None,
    )  # fmt: skip
    CascadeNode.objects.filter(pk__in=ancestors).update(
        subtree_size=F("subtree_size") + 1,
        deepest_generation=Greatest(F("deepest_generation"), Value(created.generation)),
    )
    return created


def _credit(node: CascadeNode) -> None:
    """One more conversion for the sharer, and one more downstream for each of their ancestors."""
    ancestors = [*node.ancestor_ids(), node.pk]
    CascadeNode.objects.filter(pk__in=ancestors).update(
        downstream_conversions=F("downstream_conversions") + 1,
        direct_conversions=Case(
            When(pk=node.pk, then=F("direct_conversions") + 1),
            default=F("direct_conversions"),
            output_field=IntegerField(),
        ),
    )


@transaction.atomic
def record_conversion(
    *,
    kind: str,
    source_key: str,
    converter: Supporter | None,
    credited_to: Supporter | None = None,
    campaign_code: str = "",
    occurred_at: datetime | None = None,
    amount: int = 0,
    currency: str = "",
) -> Conversion | None:
    """Credit one conversion to the sharer (or the campaign code when no person shared), once.

    Returns the conversion (the existing one when this (kind, source_key) was recorded before), or
    None when nothing can be credited: no sharer nor code, or the converter sharing with themselves.
    """
    if kind not in Conversion.Kind.values:
        raise ValueError(f"Unknown conversion kind {kind!r}")
    if not source_key or len(source_key) > 120:
        raise ValueError("A conversion needs a source key of 1 to 120 characters")
    if credited_to is not None and converter is not None and credited_to.pk == converter.pk:
        return None  # never credited for one's own conversion
    code = None
    if credited_to is None:
        code = CampaignCode.objects.filter(code=campaign_code).first() if campaign_code else None
        if code is None:
            return None
    existing = Conversion.objects.filter(kind=kind, source_key=source_key).first()
    if existing is not None:
        return existing
    at = occurred_at or timezone.now()
    sharer = node_for(credited_to) if credited_to is not None else None
    try:
        with transaction.atomic():
            conversion = Conversion.objects.create(
                kind=kind, source_key=source_key, converter=converter, credited_node=sharer,
                campaign_code=code, generation=sharer.generation + 1 if sharer else 0, occurred_at=at,
                amount=amount, currency=currency.upper(),
            )  # fmt: skip
    except IntegrityError:  # the same conversion recorded at the same moment (a retried webhook)
        return Conversion.objects.get(kind=kind, source_key=source_key)
    if kind == Conversion.Kind.SIGNUP:
        converter_node = _place_under(converter, sharer, code, at)
    else:
        converter_node = CascadeNode.objects.filter(supporter=converter).first() if converter else None
    if converter_node is not None:
        Conversion.objects.filter(pk=conversion.pk).update(converter_node=converter_node)
        conversion.converter_node = converter_node
    if sharer is not None:
        _credit(sharer)
    return conversion


def _credit_of(activity: Activity) -> tuple[Supporter | None, str]:
    """Whom a journal row credits: its `credited_to`, else the owner of `detail["refcode"]`, else
    that refcode as a campaign code."""
    refcode = str((activity.detail or {}).get("refcode") or "")[:16]
    if activity.credited_to_id is not None:
        return activity.credited_to, ""
    if not refcode:
        return None, ""
    owner = (
        ReferralCode.objects.filter(code=refcode, supporter__is_active=True)
        .select_related("supporter")
        .first()
    )
    return (owner.supporter, "") if owner else (None, refcode)


def record_from_activity(activity: Activity) -> Conversion | None:
    kind = JOURNAL_KINDS.get(activity.kind)
    if kind is None or activity.count <= 0:
        return None
    credited, campaign_code = _credit_of(activity)
    if credited is None and not campaign_code:
        return None
    return record_conversion(
        kind=kind, source_key=activity.key, converter=activity.supporter, credited_to=credited,
        campaign_code=campaign_code, occurred_at=activity.occurred_at, amount=max(activity.amount, 0),
        currency=activity.currency,
    )  # fmt: skip


def _credited_rows() -> QuerySet[Activity]:
    """Journal rows that can be conversions: of a converting kind, and credited to someone or to a code
    (most rows are neither, and are never read)."""
    return Activity.objects.filter(kind__in=list(JOURNAL_KINDS)).filter(
        Q(credited_to__isnull=False) | Q(detail__has_key="refcode")
    )


def sync_from_journal(*, batch: int = SYNC_BATCH) -> int:
    """Read the journal rows recorded since the last run into conversions; returns how many were read.

    The first runs read the whole journal, batch by batch (the backfill); later runs read what is new,
    plus the last minutes again, since a slow transaction can commit a lower id after a higher one was
    read (recording is idempotent, so reading twice adds nothing)."""
    cursor, _created = AttributionCursor.objects.get_or_create(pk=1)
    rows = (
        _credited_rows()
        .filter(pk__gt=cursor.last_activity_id)
        .select_related("supporter", "credited_to")
        .order_by("pk")[:batch]
    )
    read = 0
    last = cursor.last_activity_id
    for activity in rows:
        record_from_activity(activity)
        last = activity.pk
        read += 1
    late = (
        _credited_rows()
        .filter(
            pk__lte=cursor.last_activity_id,
            recorded_at__gte=timezone.now() - timedelta(seconds=LATE_COMMIT_SECONDS),
        )
        .select_related("supporter", "credited_to")
    )
    for activity in late.order_by("pk")[:batch]:
        if not Conversion.objects.filter(kind=JOURNAL_KINDS[activity.kind], source_key=activity.key).exists():
            record_from_activity(activity)
    if last != cursor.last_activity_id:
        AttributionCursor.objects.filter(pk=1).update(last_activity_id=last, updated_at=timezone.now())
    return read


def sync_everything(*, seconds: float | None = None) -> int:
    """Read the journal batch after batch until it is all read (the demo, a restore), or for at most
    `seconds` (the periodic task: a long backfill goes on at the next run)."""
    total = 0
    started = time.monotonic()
    while read := sync_from_journal():
        total += read
        if seconds is not None and time.monotonic() - started > seconds:
            break
    return total


def forget_supporter(supporter: Supporter) -> None:
    """Account deletion: the person's node and conversions stay, with no name (the trees keep their
    shape and the campaign its counts)."""
    CascadeNode.objects.filter(supporter=supporter).update(supporter=None)
    Conversion.objects.filter(converter=supporter).update(converter=None)
