"""Contacts, scripts, walking and calling campaigns, their queues (targets), walk lists and results."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.fieldwork.storage import private_storage
from quartier.organizing.models import Event, Group, Shift


class Contact(models.Model):
    """A person from a voter or contact file: the people canvassed and called (not supporters).

    `dedupe_key` is the merge rule (see `lib.contacts.dedupe_key`): the file's own id when it has one,
    otherwise the normalised name and household (address + postal code), otherwise name and phone.
    """

    external_id = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    house_number = models.PositiveIntegerField(null=True, blank=True)
    street_name = models.CharField(max_length=160, blank=True)  # normalised, for the walking order
    town = models.CharField(max_length=80, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, default="CA")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    household_key = models.CharField(max_length=240, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # E.164, or blank
    time_zone = models.CharField(max_length=64, default="America/Toronto")
    language = models.CharField(max_length=10, blank=True)
    tags = models.CharField(max_length=500, blank=True)  # ",tag,other," so that one tag is one LIKE
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_knock = models.BooleanField(_("do not knock"), default=False)
    last_outcome = models.CharField(max_length=20, blank=True)
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="fieldwork_contacts"
    )
    dedupe_key = models.CharField(max_length=255, unique=True)
    # The contact's scope: None is the campaign's own file (staff campaigns reach it); a group is a
    # local group staff granted these contacts to (that group's campaigns reach them, nobody else's).
    scope_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted to"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["scope_group", "postal_code", "street_name"], name="contact_scope"),
            models.Index(fields=["latitude", "longitude"], name="contact_location"),
            models.Index(fields=["postal_code", "street_name", "house_number"], name="contact_walk_order"),
            models.Index(fields=["email"], name="contact_email"),
        ]

    def __str__(self) -> str:
        return self.name or self.dedupe_key

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]


class GroupAccess(models.Model):
    """Staff's approval that a local group may run fieldwork: without it, its leaders create no
    campaign and run none (creating a group needs no approval, so leading one proves nothing)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="fieldwork_access")
    approved_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("why this group may do fieldwork"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("group fieldwork access")
        verbose_name_plural = _("group fieldwork access")

    def __str__(self) -> str:
        return str(self.group)


class Script(models.Model):
    """What volunteers say and ask, shared by any number of campaigns; written in English and French."""

    name = models.CharField(_("name"), max_length=120)
    introduction = models.TextField(_("introduction"), blank=True)
    introduction_fr = models.TextField(_("introduction in French"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    @property
    def localised_introduction(self) -> str:
        return self.introduction_fr if get_language() == "fr" and self.introduction_fr else self.introduction


class Question(models.Model):
    """A survey question. `choices` is a list of {"value", "label", "label_fr", "next"}: `next` is the
    position of the question an answer leads to (None: the following one, 0: the end)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")
        SCALE = "scale", _("Scale from 1 to 5")

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    text_fr = models.CharField(_("question in French"), max_length=300, blank=True)
    choices = models.JSONField(default=list, blank=True)
    defines_success = models.BooleanField(default=False)
    # The answers that count as a success when this question defines it (a scale: "4", "5").
    success_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["script", "position"], name="question_position_once"),
            models.UniqueConstraint(
                fields=["script"], condition=Q(defines_success=True), name="one_success_question"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def localised_text(self) -> str:
        return self.text_fr if get_language() == "fr" and self.text_fr else self.text

    def localised_choices(self) -> list[dict]:
        french = get_language() == "fr"
        if self.kind == self.Kind.SCALE:
            return [{"value": str(n), "label": str(n), "next": None} for n in range(1, 6)]
        return [
            {
                "value": choice["value"],
                "label": (choice.get("label_fr") if french and choice.get("label_fr") else choice["label"]),
                "next": choice.get("next"),
            }
            for choice in self.choices
        ]


class Outcome(models.TextChoices):
    """The canned results of a door or a call."""

    NOT_HOME = "not_home", _("Not home / no answer")
    MOVED = "moved", _("Moved")
    REFUSED = "refused", _("Refused")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DECEASED = "deceased", _("Deceased")
    SUPPORTIVE = "supportive", _("Supportive")
    UNDECIDED = "undecided", _("Undecided")
    OPPOSED = "opposed", _("Opposed")
    COME_BACK_LATER = "come_back_later", _("Come back later")


# Outcomes where the volunteer spoke with the person.
REACHED = frozenset({Outcome.SUPPORTIVE, Outcome.UNDECIDED, Outcome.OPPOSED, Outcome.REFUSED})
# Outcomes after which the contact goes back to the queue (after a cool-down or at the call-back time).
RETRIED = frozenset({Outcome.NOT_HOME, Outcome.COME_BACK_LATER})


class FieldCampaign(models.Model):
    """A walking campaign (canvass) or a calling campaign (phone bank) over a universe of contacts."""

    class Kind(models.TextChoices):
        CANVASS = "canvass", _("Walking campaign (door to door)")
        PHONE_BANK = "phone_bank", _("Calling campaign (phone bank)")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=140)
    description = models.TextField(_("what volunteers should know"), blank=True)
    script = models.ForeignKey(Script, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_open = models.BooleanField(_("open"), default=True)
    # A phone bank anyone verified may join from home (otherwise: the event's attendees, leaders, staff).
    open_from_home = models.BooleanField(_("open to volunteers calling from home"), default=False)
    lease_minutes = models.PositiveSmallIntegerField(default=15)
    retry_minutes = models.PositiveIntegerField(_("minutes before calling back a no-answer"), default=120)
    callback_hours = models.PositiveIntegerField(_("hours before a 'come back later'"), default=24)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    # "Get a list near me": how many unfinished lists of this campaign one volunteer may hold, and how
    # long a list with no result recorded since it was taken stays theirs before it goes back.
    max_lists_per_volunteer = models.PositiveSmallIntegerField(
        _("walk lists one volunteer may hold"), default=2
    )
    list_return_hours = models.PositiveIntegerField(
        _("hours before an unworked walk list goes back"), default=48
    )
    calling_hours_start = models.PositiveSmallIntegerField(default=9)  # local time of the contact
    calling_hours_end = models.PositiveSmallIntegerField(default=21)
    # The contacts' time zones (kept by `add_targets`): the queue asks which of them are in calling hours.
    time_zones = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(calling_hours_start__lt=models.F("calling_hours_end"), calling_hours_end__lte=24),
                name="calling_hours_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:campaign", args=[self.pk])

    @property
    def is_phone_bank(self) -> bool:
        return self.kind == self.Kind.PHONE_BANK


class WalkList(models.Model):
    """N doors of a walking campaign, in walking order, held by one volunteer or one event shift."""

    campaign = models.ForeignKey(FieldCampaign, on_delete=models.CASCADE, related_name="walk_lists")
    name = models.CharField(max_length=140)
    assigned_to = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="walk_lists"
    )
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    door_count = models.PositiveIntegerField(default=0)
    contact_count = models.PositiveIntegerField(default=0)
    center_latitude = models.FloatField(null=True, blank=True)
    center_longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["campaign", "assigned_to"], name="walklist_campaign_holder"),
            models.Index(fields=["assigned_to"], name="walklist_holder"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:canvass", args=[self.pk])


class Target(models.Model):
    """A contact in a campaign's universe: its place in the call queue or on a walk list."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In the queue")
        DONE = "done", _("Done")
        ACTION = "action", _("Waiting for an organiser")

    campaign = models.ForeignKey(FieldCampaign, on_delete=models.CASCADE, related_name="targets")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="targets")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Copied from the contact so that the queue filters on this table's index alone.
    time_zone = models.CharField(max_length=64, default="America/Toronto")
    has_phone = models.BooleanField(default=False)
    available_after = models.DateTimeField(default=timezone.now)
    is_callback = models.BooleanField(default=False)
    leased_to = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The volunteer who called first: nobody else ever calls this contact in this campaign.
    caller = models.ForeignKey(Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    walk_list = models.ForeignKey(
        WalkList, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )
    position = models.PositiveIntegerField(default=0)
    last_outcome = models.CharField(max_length=20, blank=True)
    last_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="target_once_per_campaign"),
        ]
        indexes: ClassVar = [
            # The claim's fair ORDER BY (attempts, available_after, id) read straight from the index: no
            # sort, LIMIT 1 (untried contacts first, then the longest waiting).
            models.Index(
                fields=["campaign", "status", "attempts", "available_after", "id"], name="target_fair_queue"
            ),
            # A volunteer's own call-backs, handed out first when due.
            models.Index(
                fields=["campaign", "caller", "available_after"],
                condition=Q(is_callback=True, status="queued"),
                name="target_callbacks",
            ),
            models.Index(fields=["campaign", "leased_to"], name="target_lease"),
            models.Index(fields=["walk_list", "position"], name="target_walk_order"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.campaign_id}"


class Result(models.Model):
    """One door knocked or one call made, recorded once per idempotency key."""

    class Channel(models.TextChoices):
        DOOR = "door", _("Door")
        CALL = "call", _("Call")

    campaign = models.ForeignKey(FieldCampaign, on_delete=models.CASCADE, related_name="results")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="results")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="results")
    walk_list = models.ForeignKey(
        WalkList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    volunteer = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="fieldwork_results"
    )
    channel = models.CharField(max_length=4, choices=Channel.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    is_success = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=2000)
    idempotency_key = models.CharField(max_length=80, unique=True)
    recorded_at = models.DateTimeField()  # when the volunteer tapped it (the phone's clock, bounded)
    received_at = models.DateTimeField(default=timezone.now)
    latitude = models.FloatField(null=True, blank=True)  # where the phone was, when it shared it
    longitude = models.FloatField(null=True, blank=True)
    needs_action = models.BooleanField(default=False)
    action_note = models.CharField(max_length=500, blank=True)
    action_resolved_at = models.DateTimeField(null=True, blank=True)
    quality_flags = models.JSONField(default=list, blank=True)
    # Recorded, but not by the list's holder at the time (the list was reassigned): staff decide.
    conflict = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["recorded_at", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["campaign", "recorded_at"], name="result_campaign_time"),
            models.Index(fields=["volunteer", "recorded_at"], name="result_volunteer_time"),
            models.Index(
                fields=["campaign"],
                condition=Q(needs_action=True, action_resolved_at=None),
                name="result_actions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} for {self.contact_id}"

    @property
    def reached(self) -> bool:
        return self.outcome in REACHED


class Answer(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=500)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["question", "value"], name="answer_by_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class ImportJob(models.Model):
    """A contact file being imported: uploaded, mapped, then streamed by a Celery task."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting for the column mapping")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Stopped by an error")

    # Private storage (`PRIVATE_STORAGE_ROOT`, never served): the file is deleted when the job ends.
    file = models.FileField(storage=private_storage, upload_to="fieldwork-imports/", blank=True)
    uploaded_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=12, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field name → column index
    country = models.CharField(max_length=2, default="CA")
    extra_tags = models.CharField(max_length=200, blank=True)
    # The scope the imported contacts get: None, the campaign's own file; a group, granted to it.
    scope_group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_bytes = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    linked_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.bytes_done / self.total_bytes) if self.total_bytes else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ImportProblem(models.Model):
    """A line of an import that did not load (or loaded without a value), with the reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    loaded = models.BooleanField(default=False)  # the row loaded, without the value in question

    class Meta:
        ordering: ClassVar = ["line", "pk"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
