"""Every write of fieldwork: campaigns and their universe, the call queue, walk lists, results.

The call queue hands each contact to one volunteer at a time: a lease (`Target.leased_to`,
`lease_expires_at`) taken with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and confirmed by a
conditional `UPDATE`; on SQLite the `BEGIN IMMEDIATE` transaction serialises claims. An expired lease
needs no sweeper: the queue treats it as free. The first volunteer to call a contact becomes its
`caller`, and only they get it again (after a no-answer cool-down or at a call-back time).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.fieldwork.models import (
    REACHED,
    Answer,
    Contact,
    FieldCampaign,
    Outcome,
    Question,
    Result,
    Script,
    Target,
    WalkList,
)
from quartier.lib.contacts import walking_order
from quartier.lib.geo import haversine_km

# Two different doors recorded closer together than this are faster than anyone walks between doors.
MIN_SECONDS_BETWEEN_DOORS = 20
# This many identical answered results in a row from one volunteer are flagged for review.
IDENTICAL_IN_A_ROW = 10
# A result recorded farther than this from the door, when the phone shares its position.
FAR_FROM_DOOR_KM = 0.3
# How far back a phone's clock may date a result (offline for a weekend at most).
OLDEST_OFFLINE_RESULT = timedelta(days=14)


class FieldworkError(Exception):
    """A rule said no; the message is translated and meant for the person who asked."""


# --- campaigns and their universe --------------------------------------------------------------


def add_targets(*, campaign: FieldCampaign, contacts: QuerySet[Contact], batch: int = 5000) -> int:
    """Put contacts in the campaign's universe (once each); returns how many were added."""
    added = 0
    zones = set(campaign.time_zones)
    ids = contacts.exclude(targets__campaign=campaign).values_list("pk", "time_zone", "phone")
    chunk: list[Target] = []

    def flush() -> int:
        Target.objects.bulk_create(chunk, ignore_conflicts=True, batch_size=batch)
        count = len(chunk)
        chunk.clear()
        return count

    for contact_id, zone, phone in ids.iterator(chunk_size=batch):
        zones.add(zone)
        chunk.append(Target(campaign=campaign, contact_id=contact_id, time_zone=zone, has_phone=bool(phone)))
        if len(chunk) >= batch:
            added += flush()
    if chunk:
        added += flush()
    if zones != set(campaign.time_zones):
        campaign.time_zones = sorted(zones)
        campaign.save(update_fields=["time_zones"])
    return added


# --- the call queue -------------------------------------------------------------------------------


def calling_zones(campaign: FieldCampaign, now: datetime) -> list[str]:
    """The campaign's time zones where it is now within calling hours (the contact's local time)."""
    open_zones = []
    for zone in campaign.time_zones:
        try:
            hour = now.astimezone(ZoneInfo(zone)).hour
        except (KeyError, ValueError):
            continue
        if campaign.calling_hours_start <= hour < campaign.calling_hours_end:
            open_zones.append(zone)
    return open_zones


def callable_targets(campaign: FieldCampaign, volunteer: Supporter, now: datetime) -> QuerySet[Target]:
    """What the volunteer may be handed now: queued, due, free, in calling hours, theirs or nobody's."""
    return Target.objects.filter(
        Q(leased_to__isnull=True) | Q(lease_expires_at__lte=now),
        Q(caller__isnull=True) | Q(caller=volunteer),
        campaign=campaign,
        status=Target.Status.QUEUED,
        has_phone=True,
        available_after__lte=now,
        time_zone__in=calling_zones(campaign, now),
        contact__do_not_call=False,
    )


def claim_next_call(
    *, volunteer: Supporter, campaign: FieldCampaign, now: datetime | None = None
) -> Target | None:
    """Lease the next contact to call to this volunteer, or give back the one they already hold."""
    now = now or timezone.now()
    if not (campaign.is_open and campaign.is_phone_bank):
        raise FieldworkError(_("This phone bank is closed."))
    expires = now + timedelta(minutes=campaign.lease_minutes)
    with transaction.atomic():
        held = Target.objects.filter(
            campaign=campaign, leased_to=volunteer, lease_expires_at__gt=now, status=Target.Status.QUEUED
        ).first()
        if held is not None:
            return held
        if not calling_zones(campaign, now):
            return None  # quiet hours wherever its contacts live, or no contacts yet
        if connection.vendor == "postgresql":
            return _claim_in_one_statement(campaign, volunteer, now, expires)
        for _attempt in range(10):
            candidate = (
                callable_targets(campaign, volunteer, now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("available_after", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if candidate is None:
                return None
            # The conditional UPDATE is the claim: it fails if anyone took the row since we read it.
            claimed = (
                callable_targets(campaign, volunteer, now)
                .filter(pk=candidate)
                .update(leased_to=volunteer, lease_expires_at=expires)
            )
            if claimed:
                return Target.objects.select_related("contact").get(pk=candidate)
    return None


def _claim_in_one_statement(
    campaign: FieldCampaign, volunteer: Supporter, now: datetime, expires: datetime
) -> Target | None:
    """PostgreSQL: `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`, one round
    trip; the inner query is the same `callable_targets` the other databases use."""
    candidates = (
        callable_targets(campaign, volunteer, now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("available_after", "pk")
        .values("pk")[:1]
    )
    select_sql, params = candidates.query.get_compiler(connection=connection).as_sql()
    table = Target._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET leased_to_id = %s, lease_expires_at = %s WHERE id = ({select_sql}) "  # noqa: S608 (our own compiled SQL)
            "RETURNING id, contact_id, attempts, caller_id",
            [volunteer.pk, expires, *params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Target(
        pk=row[0], campaign=campaign, contact_id=row[1], attempts=row[2], caller_id=row[3],
        leased_to_id=volunteer.pk, lease_expires_at=expires, status=Target.Status.QUEUED,
    )  # fmt: skip


@transaction.atomic
def release_call(*, volunteer: Supporter, target: Target) -> bool:
    """Give a leased contact back to the queue at once (the volunteer skipped it)."""
    return bool(
        Target.objects.filter(pk=target.pk, leased_to=volunteer).update(leased_to=None, lease_expires_at=None)
    )


# --- results --------------------------------------------------------------------------------------


@dataclass
class ResultInput:
    outcome: str
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    answers: dict[int, list[str]] = field(default_factory=dict)  # question id → answer values
    notes: str = ""
    recorded_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    do_not_contact: bool = False
    needs_action: bool = False
    action_note: str = ""
    callback_at: datetime | None = None


def _success_of(campaign: FieldCampaign, outcome: str, answers: dict[int, list[str]]) -> bool:
    question = (
        Question.objects.filter(script_id=campaign.script_id, defines_success=True).first()
        if campaign.script_id
        else None
    )
    if question is None:
        return outcome == Outcome.SUPPORTIVE
    return any(value in question.success_values for value in answers.get(question.pk, []))


def _clean_answers(campaign: FieldCampaign, answers: dict[int, list[str]]) -> list[tuple[Question, str]]:
    """Keep only answers to the campaign's questions, with values the question allows."""
    if not campaign.script_id or not answers:
        return []
    questions = {q.pk: q for q in Question.objects.filter(script_id=campaign.script_id)}
    kept: list[tuple[Question, str]] = []
    for question_id, values in answers.items():
        question = questions.get(question_id)
        if question is None:
            continue
        allowed = {choice["value"] for choice in question.localised_choices()}
        values = [str(v)[:500] for v in values if str(v).strip()]
        if question.kind == Question.Kind.TEXT:
            kept.extend((question, value) for value in values[:1])
        elif question.kind == Question.Kind.MULTIPLE:
            kept.extend((question, value) for value in dict.fromkeys(values) if value in allowed)
        else:
            kept.extend((question, value) for value in values[:1] if value in allowed)
    return kept


def _quality_flags(
    *, volunteer: Supporter | None, target: Target, data: ResultInput, recorded_at: datetime, channel: str
) -> list[str]:
    flags: list[str] = []
    contact = target.contact
    if (
        data.latitude is not None
        and data.longitude is not None
        and contact.latitude is not None
        and contact.longitude is not None
        and haversine_km(data.latitude, data.longitude, contact.latitude, contact.longitude)
        > FAR_FROM_DOOR_KM
    ):
        flags.append("far_from_door")
    if volunteer is None:
        return flags
    recent = Result.objects.filter(volunteer=volunteer, campaign_id=target.campaign_id, channel=channel)
    if channel == Result.Channel.DOOR:
        window = timedelta(seconds=MIN_SECONDS_BETWEEN_DOORS)
        too_close = (
            recent.filter(recorded_at__gt=recorded_at - window, recorded_at__lt=recorded_at + window)
            .exclude(contact__household_key=contact.household_key)
            .exists()
        )
        if too_close:
            flags.append("too_fast")
    if data.outcome in REACHED:
        previous = list(
            recent.order_by("-recorded_at", "-pk").values_list("outcome", "notes")[: IDENTICAL_IN_A_ROW - 1]
        )
        if len(previous) == IDENTICAL_IN_A_ROW - 1 and set(previous) == {(data.outcome, data.notes)}:
            flags.append("identical_answers")
    return flags


def record_result(
    *,
    volunteer: Supporter,
    target: Target,
    data: ResultInput,
    channel: str,
    walk_list: WalkList | None = None,
    conflict: str = "",
) -> tuple[Result, bool]:
    """Record a door or a call once per idempotency key and move the contact on in the queue.

    Returns (result, created). A result older than the target's latest one is kept but does not
    change the target's state (offline results synced out of order). `conflict` says why staff
    should look at it (recorded by someone who no longer holds the list).
    """
    if data.outcome not in Outcome.values:
        raise FieldworkError(_("Choose a result."))
    existing = Result.objects.filter(idempotency_key=data.idempotency_key).first()
    if existing is not None:
        if existing.target_id != target.pk or existing.volunteer_id != volunteer.pk:
            raise FieldworkError(_("This result was already sent for another door or call."))
        return existing, False
    now = timezone.now()
    recorded_at = data.recorded_at or now
    recorded_at = min(max(recorded_at, now - OLDEST_OFFLINE_RESULT), now)
    try:
        with transaction.atomic():
            return _record(volunteer, target, data, channel, walk_list, conflict, recorded_at, now), True
    except IntegrityError:
        # The same key sent twice at once: the other request recorded it.
        existing = Result.objects.filter(idempotency_key=data.idempotency_key).first()
        if existing is None:
            raise
        return existing, False


def _record(
    volunteer: Supporter,
    target: Target,
    data: ResultInput,
    channel: str,
    walk_list: WalkList | None,
    conflict: str,
    recorded_at: datetime,
    now: datetime,
) -> Result:
    locked = Target.objects.select_for_update().select_related("contact", "campaign").get(pk=target.pk)
    campaign = locked.campaign
    answers = _clean_answers(campaign, data.answers)
    answer_map: dict[int, list[str]] = {}
    for question, value in answers:
        answer_map.setdefault(question.pk, []).append(value)
    result = Result.objects.create(
        campaign=campaign,
        target=locked,
        contact=locked.contact,
        walk_list=walk_list,
        volunteer=volunteer,
        channel=channel,
        outcome=data.outcome,
        is_success=_success_of(campaign, data.outcome, answer_map),
        notes=data.notes[:2000],
        idempotency_key=data.idempotency_key,
        recorded_at=recorded_at,
        received_at=now,
        latitude=data.latitude,
        longitude=data.longitude,
        needs_action=data.needs_action,
        action_note=data.action_note[:500],
        quality_flags=_quality_flags(
            volunteer=volunteer, target=locked, data=data, recorded_at=recorded_at, channel=channel
        ),
        conflict=conflict[:200],
    )
    Answer.objects.bulk_create(Answer(result=result, question=q, value=v) for q, v in answers)
    _move_on(locked, result, data, channel, now)
    _honour_contact_wishes(locked.contact, data.outcome, data.do_not_contact, channel)
    record_activity(
        "fieldwork.call" if channel == Result.Channel.CALL else "fieldwork.door",
        supporter=volunteer,
        key=f"result:{result.pk}",
        occurred_at=recorded_at,
        group_id=campaign.group_id,
        detail={
            "result": result.outcome,
            "reached": result.reached,
            "campaign": campaign.pk,
            "answers": [{"question": q.text, "answer": v} for q, v in answers],
        },
    )
    return result


def _move_on(target: Target, result: Result, data: ResultInput, channel: str, now: datetime) -> None:
    """The target's next state, from its newest result only."""
    fields: dict[str, object] = {"attempts": F("attempts") + 1}
    if channel == Result.Channel.CALL and target.caller_id is None:
        fields["caller"] = result.volunteer
    if target.leased_to_id == result.volunteer_id:
        fields |= {"leased_to": None, "lease_expires_at": None}
    newest = target.last_recorded_at is None or result.recorded_at >= target.last_recorded_at
    if newest:
        campaign = target.campaign
        fields |= {
            "last_outcome": result.outcome,
            "last_recorded_at": result.recorded_at,
            "is_callback": False,
        }
        if result.needs_action:
            fields["status"] = Target.Status.ACTION
        elif result.outcome == Outcome.NOT_HOME and target.attempts + 1 < campaign.max_attempts:
            fields |= {
                "status": Target.Status.QUEUED,
                "available_after": max(now, result.recorded_at) + timedelta(minutes=campaign.retry_minutes),
            }
        elif result.outcome == Outcome.COME_BACK_LATER:
            later = data.callback_at if data.callback_at and data.callback_at > now else None
            fields |= {
                "status": Target.Status.QUEUED,
                "is_callback": True,
                "available_after": later or now + timedelta(hours=campaign.callback_hours),
            }
        else:
            fields["status"] = Target.Status.DONE
        Contact.objects.filter(pk=target.contact_id).update(last_outcome=result.outcome, updated_at=now)
    Target.objects.filter(pk=target.pk).update(**fields)


def _honour_contact_wishes(contact: Contact, outcome: str, do_not_contact: bool, channel: str) -> None:
    """Do-not-call and do-not-knock apply at once to every campaign; so do a death and a wrong number."""
    changes: dict[str, object] = {}
    if outcome == Outcome.DECEASED or (do_not_contact and channel == Result.Channel.CALL):
        changes["do_not_call"] = True
    if outcome == Outcome.DECEASED or (do_not_contact and channel == Result.Channel.DOOR):
        changes["do_not_knock"] = True
    if changes:
        Contact.objects.filter(pk=contact.pk).update(**changes)
        # Release any lease another volunteer holds on this person right now.
        Target.objects.filter(contact=contact, status=Target.Status.QUEUED).exclude(leased_to=None).filter(
            campaign__kind=FieldCampaign.Kind.PHONE_BANK
        ).update(leased_to=None, lease_expires_at=None)
    if outcome == Outcome.WRONG_NUMBER:
        Target.objects.filter(contact=contact).update(has_phone=False)


@transaction.atomic
def resolve_action(*, result: Result, done_by: Supporter, back_to_queue: bool) -> None:
    """An organiser dealt with a result that asked for them; the contact is done or queued again."""
    updated = Result.objects.filter(pk=result.pk, action_resolved_at=None).update(
        action_resolved_at=timezone.now(), action_note=F("action_note")
    )
    if updated:
        Target.objects.filter(pk=result.target_id, status=Target.Status.ACTION).update(
            status=Target.Status.QUEUED if back_to_queue else Target.Status.DONE,
            available_after=timezone.now(),
        )


# --- walking campaigns ----------------------------------------------------------------------------


@dataclass
class Door:
    household_key: str
    street: str
    number: int | None
    latitude: float | None
    longitude: float | None
    target_ids: list[int]


def cut_walk_lists(
    *,
    campaign: FieldCampaign,
    contacts: QuerySet[Contact],
    doors_per_list: int,
    max_lists: int,
    name_prefix: str = "",
) -> list[WalkList]:
    """Cut the selected contacts' doors (not yet on a list of this campaign, not done) into walk lists.

    Doors are households; they are read in (postal code, street, number) order from an index, so
    that each list covers a compact stretch of streets, and only as many as the lists need. Each
    list is then put in walking order (`walking_order`). Contacts who asked not to be knocked on, and
    those without an address, are left out. Only the contacts taken join the campaign's universe.
    """
    if campaign.kind != FieldCampaign.Kind.CANVASS:
        raise FieldworkError(_("Walk lists belong to walking campaigns."))
    if not 1 <= doors_per_list <= 500 or not 1 <= max_lists <= 5000:
        raise FieldworkError(_("Choose between 1 and 500 doors per list, and at most 5,000 lists."))
    taken = Target.objects.filter(campaign=campaign).filter(
        Q(walk_list__isnull=False) | ~Q(status=Target.Status.QUEUED)
    )
    rows = (
        contacts.filter(do_not_knock=False)
        .exclude(household_key="")
        .exclude(pk__in=taken.values("contact_id"))
        .order_by("postal_code", "street_name", "house_number", "pk")
        .values_list(
            "pk",
            "household_key",
            "street_name",
            "house_number",
            "latitude",
            "longitude",
            "time_zone",
            "phone",
        )
    )
    wanted = doors_per_list * max_lists
    with transaction.atomic():
        doors: dict[str, Door] = {}
        people: dict[int, tuple[str, str]] = {}
        for pk, household, street, number, lat, lon, zone, phone in rows.iterator(chunk_size=5000):
            door = doors.get(household)
            if door is None:
                if len(doors) >= wanted:
                    break
                door = doors[household] = Door(household, street, number, lat, lon, [])
            door.target_ids.append(pk)  # contact ids until the targets exist
            people[pk] = (zone, phone)
        chunks = [list(doors.values())[i : i + doors_per_list] for i in range(0, len(doors), doors_per_list)]
        start = WalkList.objects.filter(campaign=campaign).count()
        lists: list[WalkList] = []
        for number, chunk in enumerate(chunks, start=start + 1):
            points = [(d.latitude, d.longitude) for d in chunk if d.latitude is not None]
            lists.append(
                WalkList(
                    campaign=campaign,
                    name=f"{name_prefix or campaign.name} · {number}"[:140],
                    door_count=len(chunk),
                    contact_count=sum(len(d.target_ids) for d in chunk),
                    center_latitude=sum(p[0] for p in points) / len(points) if points else None,
                    center_longitude=sum(p[1] for p in points) / len(points) if points else None,
                )
            )
        WalkList.objects.bulk_create(lists, batch_size=1000)
        placed: dict[int, tuple[WalkList, int]] = {}  # contact id → (list, position)
        for walk_list, chunk in zip(lists, chunks, strict=True):
            route = walking_order([(d.street, d.number, d) for d in chunk])
            position = 0
            for door in route:
                for contact_id in door.target_ids:  # type: ignore[attr-defined]
                    position += 1
                    placed[contact_id] = (walk_list, position)
        existing = dict(
            Target.objects.filter(campaign=campaign, contact_id__in=list(placed)).values_list(
                "contact_id", "pk"
            )
        )
        Target.objects.bulk_create(
            [
                Target(
                    campaign=campaign,
                    contact_id=contact_id,
                    walk_list=walk_list,
                    position=position,
                    time_zone=people[contact_id][0],
                    has_phone=bool(people[contact_id][1]),
                )
                for contact_id, (walk_list, position) in placed.items()
                if contact_id not in existing
            ],
            batch_size=2000,
        )
        Target.objects.bulk_update(
            [
                Target(pk=existing[contact_id], walk_list=walk_list, position=position)
                for contact_id, (walk_list, position) in placed.items()
                if contact_id in existing
            ],
            ["walk_list", "position"],
            batch_size=2000,
        )
        zones = {zone for zone, _phone in people.values()} - set(campaign.time_zones)
        if zones:
            campaign.time_zones = sorted({*campaign.time_zones, *zones})
            campaign.save(update_fields=["time_zones"])
    return lists


@transaction.atomic
def assign_walk_list(*, walk_list: WalkList, volunteer: Supporter | None, shift=None) -> WalkList:
    """Give a list to a volunteer (or to an event shift's attendees), or take it back (None)."""
    WalkList.objects.filter(pk=walk_list.pk).update(
        assigned_to=volunteer, shift=shift, assigned_at=timezone.now() if volunteer or shift else None
    )
    walk_list.refresh_from_db()
    return walk_list


def claim_list_near(
    *, volunteer: Supporter, latitude: float, longitude: float, campaigns: Iterable[FieldCampaign]
) -> WalkList | None:
    """The nearest walk list nobody holds, in the given open walking campaigns, now the volunteer's."""
    campaign_ids = [c.pk for c in campaigns if c.is_open and c.kind == FieldCampaign.Kind.CANVASS]
    free = WalkList.objects.filter(
        campaign_id__in=campaign_ids, assigned_to=None, shift=None, center_latitude__isnull=False
    )
    box = 0.5  # degrees: about 50 km, then the nearest first
    candidates = list(
        free.filter(
            center_latitude__range=(latitude - box, latitude + box),
            center_longitude__range=(longitude - box * 1.5, longitude + box * 1.5),
        ).values_list("pk", "center_latitude", "center_longitude")[:500]
    )
    candidates.sort(key=lambda row: haversine_km(latitude, longitude, row[1], row[2]))
    for pk, _lat, _lon in candidates[:20]:
        with transaction.atomic():
            if WalkList.objects.filter(pk=pk, assigned_to=None, shift=None).update(
                assigned_to=volunteer, assigned_at=timezone.now()
            ):
                return WalkList.objects.get(pk=pk)
    return None


# --- scripts --------------------------------------------------------------------------------------


@dataclass
class QuestionDraft:
    kind: str
    text: str
    text_fr: str
    choices: list[dict]
    defines_success: bool
    success_values: list[str]


@transaction.atomic
def save_script(
    *,
    script: Script | None,
    name: str,
    introduction: str,
    introduction_fr: str,
    questions: list[QuestionDraft],
) -> Script:
    """Create or replace a script with its questions, numbered 1, 2, … in the order given.

    Answers already recorded keep pointing at their questions: a question that stays (same position)
    is updated in place, one removed is deleted only if nobody answered it.
    """
    if sum(1 for q in questions if q.defines_success) > 1:
        raise FieldworkError(_("Only one question can define success."))
    for position, question in enumerate(questions, start=1):
        for choice in question.choices:
            if (
                choice.get("next") is not None
                and choice["next"] != 0
                and not position < choice["next"] <= len(questions)
            ):
                raise FieldworkError(
                    _("Question %(number)s: an answer can only lead to a later question.")
                    % {"number": position}
                )
    if script is None:
        script = Script.objects.create(name=name, introduction=introduction, introduction_fr=introduction_fr)
    else:
        Script.objects.filter(pk=script.pk).update(
            name=name, introduction=introduction, introduction_fr=introduction_fr
        )
        script.refresh_from_db()
    existing = {q.position: q for q in Question.objects.filter(script=script)}
    Question.objects.filter(script=script).update(defines_success=False)
    for position, draft in enumerate(questions, start=1):
        values = {
            "kind": draft.kind, "text": draft.text, "text_fr": draft.text_fr, "choices": draft.choices,
            "defines_success": draft.defines_success, "success_values": draft.success_values,
        }  # fmt: skip
        if position in existing:
            Question.objects.filter(pk=existing[position].pk).update(**values)
        else:
            Question.objects.create(script=script, position=position, **values)
    for position, question in existing.items():
        if position > len(questions):
            if Answer.objects.filter(question=question).exists():
                raise FieldworkError(_("A question people already answered cannot be removed."))
            question.delete()
    return script
