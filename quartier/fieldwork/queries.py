"""Reads of fieldwork: turf selections, the queue's state, progress, the canvass page, exports."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quartier.accounts.models import Supporter
from quartier.fieldwork import areas
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
from quartier.lib import contacts as lib
from quartier.lib.contacts import display_phone

SYNC_SALT = "fieldwork.sync"
SYNC_MAX_AGE = 14 * 24 * 3600  # a list downloaded for a weekend offline still syncs


@dataclass
class Turf:
    """Which contacts a walk list or a phone bank takes: an area (polygon or circle), tags, results."""

    polygon: list[tuple[float, float]] | None = None
    center: tuple[float, float] | None = None
    radius_km: float | None = None
    tags: list[str] = field(default_factory=list)
    earlier_outcomes: list[str] = field(default_factory=list)  # "never" stands for no result yet
    needs_phone: bool = False


def contacts_in_scope(campaign: FieldCampaign) -> QuerySet[Contact]:
    """The contacts a campaign may reach: a group's campaign, those staff granted to that group while
    its fieldwork is approved; a campaign of no group (staff's), the campaign's own file. Never the
    whole table."""
    if campaign.group_id is not None:
        return Contact.objects.filter(
            scope_group_id=campaign.group_id, scope_group__fieldwork_access__isnull=False
        )
    return Contact.objects.filter(scope_group__isnull=True)


def select_contacts(turf: Turf, campaign: FieldCampaign) -> QuerySet[Contact]:
    """The contacts of the campaign's scope inside the turf, as one query: areas filter on the indexed
    bounding box, then the exact shape (polygon by ray casting, circle by haversine) in SQL
    (`areas`), on PostgreSQL and SQLite alike."""
    contacts = contacts_in_scope(campaign)
    for tag in turf.tags:
        folded = lib.tags_field([tag]).strip(",")
        if folded:
            contacts = contacts.filter(tags__contains=f",{folded},")
    if turf.earlier_outcomes:
        wanted = Q(last_outcome__in=[o for o in turf.earlier_outcomes if o != "never"])
        if "never" in turf.earlier_outcomes:
            wanted |= Q(last_outcome="")
        contacts = contacts.filter(wanted)
    if turf.needs_phone:
        contacts = contacts.exclude(phone="").filter(do_not_call=False)
    if turf.polygon:
        return areas.inside_polygon(contacts, turf.polygon)
    if turf.center and turf.radius_km:
        return areas.within_radius(contacts, turf.center[0], turf.center[1], turf.radius_km)
    return contacts


def door_candidates(campaign: FieldCampaign, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Which of `contacts` a cut may still put on a walk list of the campaign: of its scope, with an
    address (a household), not asked to be left alone, and not already on a list or done. Cutting
    reads these; the turf map counts them before the cut."""
    taken = Target.objects.filter(campaign=campaign).filter(
        Q(walk_list__isnull=False) | ~Q(status=Target.Status.QUEUED)
    )
    return (
        contacts.filter(pk__in=contacts_in_scope(campaign).values("pk"), do_not_knock=False)
        .exclude(household_key="")
        .exclude(pk__in=taken.values("contact_id"))
    )


# --- the call queue and progress ----------------------------------------------------------------


def queue_state(campaign: FieldCampaign, now: datetime | None = None) -> dict[str, int]:
    """Where every contact of the campaign stands, in one query: ready, and why the rest is blocked."""
    from quartier.fieldwork.actions.calls import calling_zones

    now = now or timezone.now()
    queued = Q(status=Target.Status.QUEUED)
    leased = queued & Q(leased_to__isnull=False, lease_expires_at__gt=now)
    free = queued & ~Q(leased_to__isnull=False, lease_expires_at__gt=now)
    counts = {
        "total": Count("pk"),
        "done": Count("pk", filter=Q(status=Target.Status.DONE)),
        "action": Count("pk", filter=Q(status=Target.Status.ACTION)),
        "leased": Count("pk", filter=leased),
        "callback": Count("pk", filter=free & Q(is_callback=True, available_after__gt=now)),
        "cooling": Count("pk", filter=free & Q(is_callback=False, available_after__gt=now)),
    }
    if campaign.is_phone_bank:
        zones = calling_zones(campaign, now)
        due = free & Q(available_after__lte=now)
        counts |= {
            "no_number": Count("pk", filter=due & Q(has_phone=False)),
            "do_not_call": Count("pk", filter=due & Q(has_phone=True, contact__do_not_call=True)),
            "quiet_hours": Count(
                "pk", filter=due & Q(has_phone=True, contact__do_not_call=False) & ~Q(time_zone__in=zones)
            ),
            "ready": Count(
                "pk", filter=due & Q(has_phone=True, contact__do_not_call=False, time_zone__in=zones)
            ),
        }
    else:
        counts |= {
            "unassigned": Count("pk", filter=queued & Q(walk_list__isnull=True)),
            "ready": Count("pk", filter=queued & Q(available_after__lte=now)),
        }
    return Target.objects.filter(campaign=campaign).aggregate(**counts)


def calls_resume_at(campaign: FieldCampaign, now: datetime | None = None) -> datetime | None:
    """When the first contact now held back by quiet hours in their own time zone may be called again
    (the next start of calling hours in one of their zones); None when no contact waits for that."""
    from quartier.fieldwork.actions.calls import calling_zones

    now = now or timezone.now()
    waiting = (
        Target.objects.filter(
            campaign=campaign, status=Target.Status.QUEUED, has_phone=True, available_after__lte=now,
            contact__do_not_call=False,
        )
        .exclude(time_zone__in=calling_zones(campaign, now))
        .values_list("time_zone", flat=True)
        .distinct()
    )  # fmt: skip
    starts = []
    for zone in waiting:
        try:
            local = now.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            continue
        start = local.replace(hour=campaign.calling_hours_start, minute=0, second=0, microsecond=0)
        starts.append(start if start > local else start + timedelta(days=1))
    return min(starts, default=None)


def results_summary(results: QuerySet[Result]) -> dict[str, int]:
    return results.aggregate(
        attempts=Count("pk"),
        doors=Count("target__contact__household_key", filter=Q(channel=Result.Channel.DOOR), distinct=True),
        calls=Count("pk", filter=Q(channel=Result.Channel.CALL)),
        reached=Count("pk", filter=Q(outcome__in=REACHED)),
        successes=Count("pk", filter=Q(is_success=True)),
        flagged=Count("pk", filter=~Q(quality_flags=[])),
    )


def progress(campaign: FieldCampaign) -> dict[str, object]:
    """Live counts for the campaign page: the queue, the results, by list, by volunteer, by question."""
    results = Result.objects.filter(campaign=campaign)
    by_outcome = dict(results.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    volunteers = list(
        results.exclude(volunteer=None)
        .values("volunteer", "volunteer__display_name")
        .annotate(
            results=Count("pk"),
            reached=Count("pk", filter=Q(outcome__in=REACHED)),
            flagged=Count("pk", filter=~Q(quality_flags=[])),
        )
        .order_by("-results")[:50]
    )
    lists = (
        list(
            WalkList.objects.filter(campaign=campaign)
            .select_related("assigned_to")
            .annotate(
                knocked=Count(
                    "targets", filter=~Q(targets__status=Target.Status.QUEUED) | Q(targets__attempts__gt=0)
                ),
            )
            .order_by("pk")[:200]
        )
        if not campaign.is_phone_bank
        else []
    )
    return {
        "queue": queue_state(campaign),
        "results": results_summary(results),
        "outcomes": [(label, by_outcome.get(value, 0)) for value, label in Outcome.choices],
        "volunteers": volunteers,
        "lists": lists,
        "answers": answers_by_question(campaign),
        "actions": results.filter(needs_action=True, action_resolved_at=None).count(),
    }


def answers_by_question(campaign: FieldCampaign) -> list[tuple[Question, list[tuple[str, int]]]]:
    if not campaign.script_id:
        return []
    questions = list(Question.objects.filter(script_id=campaign.script_id))
    counts = (
        Answer.objects.filter(result__campaign=campaign)
        .values_list("question_id", "value")
        .annotate(n=Count("pk"))
        .order_by("question_id", "-n")
    )
    grouped: dict[int, list[tuple[str, int]]] = {}
    for question_id, value, n in counts:
        grouped.setdefault(question_id, []).append((value, n))
    labelled = []
    for question in questions:
        labels = {choice["value"]: choice["label"] for choice in question.localised_choices()}
        labelled.append((question, [(labels.get(v, v), n) for v, n in grouped.get(question.pk, [])[:20]]))
    return labelled


def review_queue(campaigns: QuerySet[FieldCampaign]) -> dict[str, list[Result]]:
    """What organisers should look at: actions asked for, conflicts, quality flags."""
    results = Result.objects.filter(campaign__in=campaigns).select_related("campaign", "contact", "volunteer")
    return {
        "actions": list(
            results.filter(needs_action=True, action_resolved_at=None).order_by("received_at")[:100]
        ),
        "conflicts": list(results.exclude(conflict="").order_by("-received_at")[:100]),
        "flagged": list(results.exclude(quality_flags=[]).order_by("-received_at")[:100]),
    }


# --- the canvass page and the phone bank ------------------------------------------------------------


def script_payload(campaign: FieldCampaign, questions: list[Question] | None = None) -> dict[str, object]:
    """The script and survey for the page's script (`questions`: the campaign's, when already read)."""
    if questions is None:
        questions = list(Question.objects.filter(script_id=campaign.script_id)) if campaign.script_id else []
    return {
        "introduction": campaign.script.localised_introduction if campaign.script_id else "",
        "questions": [
            {
                "id": q.pk,
                "position": q.position,
                "kind": q.kind,
                "text": q.localised_text,
                "choices": q.localised_choices(),
                "success": q.defines_success,
            }
            for q in questions
        ],
        "outcomes": [{"value": value, "label": str(label)} for value, label in Outcome.choices],
        # The survey is asked only of people reached; the server ignores answers sent with another outcome.
        "survey_outcomes": sorted(outcome.value for outcome in REACHED),
    }


MERGE_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def volunteer_first_name(volunteer: Supporter) -> str:
    """What `{{ volunteer_first_name }}` becomes: the first word of the volunteer's display name.
    The canvass page fills its script in the browser (canvass.js `mergeScript`, offline too) from
    this and each person's `first_name`."""
    return (volunteer.display_name or "").strip().split(" ")[0]


def merge_script(text: str, *, contact: Contact, volunteer: Supporter) -> SafeString:
    """A script's text with its merge fields filled in, all of it escaped: `{{ first_name }}` (the
    contact's) and `{{ volunteer_first_name }}`. Unknown fields are left as written."""
    values = {
        "first_name": contact.first_name.strip(),
        "volunteer_first_name": volunteer_first_name(volunteer),
    }

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return str(escape(value)) if value is not None else match.group(0)

    # Escaping leaves braces, letters and spaces alone, so the fields are found in the escaped text.
    merged = MERGE_FIELD.sub(fill, str(escape(text)))
    return mark_safe(merged.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308 - every piece escaped


def contact_language(contact: Contact) -> str:
    """The contact's language, in words when the site knows it (the code otherwise)."""
    code = (contact.language or "").strip().lower()
    names = {key: str(name) for key, name in settings.LANGUAGES}
    return names.get(code.split("-")[0], code) if code else ""


def sync_token(walk_list: WalkList, volunteer: Supporter, target_ids: Sequence[int]) -> str:
    """Proof, carried by the offline page, that this volunteer held these doors when they loaded them."""
    return signing.dumps(
        {"l": walk_list.pk, "v": volunteer.pk, "t": list(target_ids)}, salt=SYNC_SALT, compress=True
    )


def read_sync_token(token: str, walk_list: WalkList, volunteer: Supporter) -> set[int] | None:
    try:
        data = signing.loads(token, salt=SYNC_SALT, max_age=SYNC_MAX_AGE)
    except (signing.BadSignature, TypeError):
        return None
    if not isinstance(data, dict) or data.get("l") != walk_list.pk or data.get("v") != volunteer.pk:
        return None
    return {int(pk) for pk in data.get("t", []) if isinstance(pk, int)}


# What a volunteer's list shows of a door and of a person: what knocking needs, nothing more (no
# coordinates, language, phone, email, tags, file id, or results of other campaigns). The canvass
# page, its offline copy and the printable list are all built from these keys.
DOOR_KEYS = ("address", "town", "postal_code", "people")
PERSON_KEYS = ("target", "name", "first_name", "status", "last_outcome", "do_not_knock")


def walk_list_doors(walk_list: WalkList) -> list[dict[str, object]]:
    """The list's doors in walking order, each with the people who live there (`DOOR_KEYS`,
    `PERSON_KEYS`: the least a volunteer needs at the door). Read as plain tuples: no model instance
    per door on a page every volunteer reloads."""
    rows = (
        Target.objects.filter(walk_list=walk_list)
        .order_by("position", "pk")
        .values_list(
            "pk",
            "status",
            "last_outcome",
            "contact__first_name",
            "contact__last_name",
            "contact__address",
            "contact__town",
            "contact__postal_code",
            "contact__household_key",
            "contact__do_not_knock",
        )
    )
    doors: dict[str, dict[str, object]] = {}
    for (
        pk,
        status,
        last_outcome,
        first_name,
        last_name,
        address,
        town,
        postal_code,
        household,
        no_knock,
    ) in rows:
        door = doors.setdefault(
            household or f"target:{pk}",
            {"address": address, "town": town, "postal_code": postal_code, "people": []},
        )
        door["people"].append(  # type: ignore[union-attr]
            {
                "target": pk,
                "name": f"{first_name} {last_name}".strip(),  # `Contact.name`
                "first_name": first_name.strip(),  # the script's {{ first_name }}
                "status": status,
                "last_outcome": last_outcome,
                "do_not_knock": no_knock,
            }
        )
    return list(doors.values())


def phone_of(target: Target) -> dict[str, str]:
    return {"e164": target.contact.phone, "display": display_phone(target.contact.phone)}


# --- what a volunteer sees ------------------------------------------------------------------------


def open_phone_banks_from_home() -> QuerySet[FieldCampaign]:
    return FieldCampaign.objects.filter(
        kind=FieldCampaign.Kind.PHONE_BANK, is_open=True, open_from_home=True
    ).order_by("-created_at")


def dashboard_counters(supporter: Supporter) -> dict:
    """The panel's counts as expressions, read with the other panels' in one query by the dashboard."""
    from quartier.fieldwork.access import held_walk_lists

    def results(channel: str):
        return Coalesce(
            Subquery(
                Result.objects.filter(volunteer_id=supporter.pk, channel=channel)
                .values("volunteer_id")
                .annotate(total=Count("pk"))
                .values("total")
            ),
            0,
        )

    return {
        "fieldwork_walk_lists": Exists(held_walk_lists(supporter)),
        "fieldwork_doors": results(Result.Channel.DOOR),
        "fieldwork_calls": results(Result.Channel.CALL),
        "fieldwork_open_banks": Exists(open_phone_banks_from_home()),
    }


def dashboard_summary(supporter: Supporter, counters: dict | None = None) -> dict[str, object]:
    """For the personal dashboard: my walk lists, my phone banks, phone banks open from home. Given
    `counters` (see `dashboard_counters`), it reads only the lists that are not empty."""
    from quartier.accounts.queries import read_together
    from quartier.fieldwork.access import held_walk_lists

    if counters is None:
        counters = read_together(supporter, dashboard_counters(supporter))
    totals = {"doors": counters["fieldwork_doors"] or 0, "calls": counters["fieldwork_calls"] or 0}
    lists = []
    if counters["fieldwork_walk_lists"]:
        lists = list(held_walk_lists(supporter).only("name").order_by("-assigned_at", "-pk")[:5])
    mine = []
    if totals["calls"]:
        mine = list(
            Result.objects.filter(volunteer=supporter, channel=Result.Channel.CALL)
            .values("campaign_id", "campaign__name")
            .annotate(calls=Count("pk"))
            .order_by("-calls")[:5]
        )
    open_banks = (
        list(open_phone_banks_from_home().only("name")[:5]) if counters["fieldwork_open_banks"] else []
    )
    if not (lists or mine or open_banks or totals["doors"] or totals["calls"]):
        return {}
    return {"walk_lists": lists, "phone_banks": mine, "open_phone_banks": open_banks, "totals": totals}


# --- export ---------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "result_id", "campaign", "channel", "recorded_at", "outcome", "reached", "success", "contact_id",
    "external_id", "first_name", "last_name", "address", "postal_code", "phone", "volunteer_id",
    "walk_list", "notes", "answers", "needs_action", "quality_flags", "conflict",
]  # fmt: skip


def export_rows(campaign: FieldCampaign) -> Iterator[list[object]]:
    """Every result of the campaign as CSV rows (the header first), read in chunks."""
    yield EXPORT_HEADER
    questions = {q.pk: q.text for q in Question.objects.filter(script_id=campaign.script_id)}
    results = (
        Result.objects.filter(campaign=campaign)
        .select_related("contact", "walk_list")
        .prefetch_related("answers")
        .order_by("pk")
    )
    for result in results.iterator(chunk_size=2000):
        contact = result.contact
        answers = "; ".join(
            f"{questions.get(a.question_id, a.question_id)}: {a.value}" for a in result.answers.all()
        )
        yield [
            result.pk, campaign.name, result.channel, result.recorded_at.isoformat(), result.outcome,
            result.reached, result.is_success, contact.pk, contact.external_id, contact.first_name,
            contact.last_name, contact.address, contact.postal_code, contact.phone, result.volunteer_id or "",
            result.walk_list.name if result.walk_list else "", result.notes, answers, result.needs_action,
            ",".join(result.quality_flags), result.conflict,
        ]  # fmt: skip
