"""Results of a door or a call: answers checked, quality flags, what happens to the contact next, the organiser's queue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.models import (
    REACHED,
    Answer,
    Contact,
    FieldCampaign,
    Outcome,
    Question,
    Result,
    Target,
    WalkList,
)
from quartier.lib.geo import haversine_km

# Two different doors recorded closer together than this are faster than anyone walks between doors.
MIN_SECONDS_BETWEEN_DOORS = 20

# This many identical answered results in a row from one volunteer are flagged for review.
IDENTICAL_IN_A_ROW = 10

# A result recorded farther than this from the door, when the phone shares its position.
FAR_FROM_DOOR_KM = 0.3

# How far back a phone's clock may date a result (offline for a weekend at most).
OLDEST_OFFLINE_RESULT = timedelta(days=14)


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
    """A success needs someone reached: an answer noted on a closed door or a wrong number is no success."""
    if outcome not in REACHED:
        return False
    question = (
        Question.objects.filter(script_id=campaign.script_id, defines_success=True).first()
        if campaign.script_id
        else None
    )
    if question is None:
        return outcome == Outcome.SUPPORTIVE
    return any(value in question.success_values for value in answers.get(question.pk, []))


def _clean_answers(
    campaign: FieldCampaign, outcome: str, answers: dict[int, list[str]]
) -> list[tuple[Question, str]]:
    """Keep only answers to the campaign's questions, with values the question allows, given by a
    person who was reached (the survey follows the outcome: answers sent with another are ignored)."""
    if not campaign.script_id or not answers or outcome not in REACHED:
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
    answers = _clean_answers(campaign, data.outcome, data.answers)
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
