"""Summary tables the dashboards read, fed from the activity journal (`accounts.Activity`).

Nothing here is written by another app: `actions.roll_up` consumes new journal rows past the
`Cursor`, and `actions.rebuild` recounts everything from the journal. Every figure is a sum of
journal rows, so both give the same numbers (a property test checks it).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.dashboard import kinds

ALL_REGIONS = "*"


class Cursor(models.Model):
    """How far the rollups have read the journal: every row up to `last_id`, except the `gaps`.

    A journal row can commit after a row with a higher id (two transactions in flight): the ids
    skipped when the cursor moved on are kept in `gaps` with the time they were first missed, and
    looked for again on every run until `GAP_PATIENCE` has passed (a rolled-back id never appears).
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"


class RegionFigure(models.Model):
    """Campaign figures for one local day, metric and region.

    `region` is the postal prefix at every length from 1 to 3 characters, and `*` for everyone, so
    that any region filter reads rows of one key rather than summing thousands of areas.
    """

    day = models.DateField()
    metric = models.CharField(max_length=48)
    region = models.CharField(max_length=10)
    label = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["region", "metric", "day", "label"], name="regionfigure_key")
        ]
        # The map and "everyone" read one metric over days across every region.
        indexes: ClassVar = [models.Index(fields=["metric", "day"], name="regionfigure_metric_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.region}"


class GroupFigure(models.Model):
    """The same figures for one local group (the journal row's `group_id`)."""

    day = models.DateField()
    metric = models.CharField(max_length=48)
    group_id = models.BigIntegerField()
    label = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group_id", "metric", "day", "label"], name="groupfigure_key")
        ]
        # "Active groups" reads one metric over days across every group.
        indexes: ClassVar = [models.Index(fields=["metric", "day"], name="groupfigure_metric_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} group {self.group_id}"


class Period(models.TextChoices):
    WEEK = "week", _("week")  # Monday to Sunday
    MONTH = "month", _("month")


class PeriodFigure(models.Model):
    """What a week's or a month's row holds, whatever it counts for (a region, a group)."""

    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()
    metric = models.CharField(max_length=48)
    label = models.CharField(max_length=200, blank=True)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class RegionPeriodFigure(PeriodFigure):
    """The sums of `RegionFigure` over a week (from its Monday) or a calendar month (from its first day),
    kept by the same rollups, so that a long range reads a few dozen rows rather than a row per day."""

    region = models.CharField(max_length=10)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["region", "metric", "period", "start", "label"], name="regionperiodfigure_key"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["metric", "period", "start"], name="regionperiodfigure_metric")
        ]

    def __str__(self) -> str:
        return f"{self.period} of {self.start} {self.metric} {self.region}"


class GroupPeriodFigure(PeriodFigure):
    """The sums of `GroupFigure` over a week or a month (see `RegionPeriodFigure`)."""

    group_id = models.BigIntegerField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["group_id", "metric", "period", "start", "label"], name="groupperiodfigure_key"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["metric", "period", "start"], name="groupperiodfigure_metric")
        ]

    def __str__(self) -> str:
        return f"{self.period} of {self.start} {self.metric} group {self.group_id}"


class SupporterFigure(models.Model):
    """One supporter's figures for one local day and metric.

    `metric` is the journal kind for what they did, and `credited:<kind>` for what others did
    through them (gifts through their page, sign-ups through their link).
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    metric = models.CharField(max_length=48)
    count = models.BigIntegerField(default=0)
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["supporter", "day", "metric"], name="supporterfigure_key")
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.day} {self.metric}"


class LastActive(models.Model):
    """The last local day a supporter did anything in the journal, for "active in the last 30 days"."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True, related_name="+")
    day = models.DateField()
    activity_id = models.BigIntegerField(default=0, help_text="The journal row that set it.")
    region = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["day", "region"])]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.day}"


class Referral(models.Model):
    """Who brought whom in (from `reach.referral_signup`), to follow reach down the chain."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True, related_name="+")
    referrer = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes: ClassVar = [models.Index(fields=["referrer"])]

    def __str__(self) -> str:
        return f"{self.supporter_id} by {self.referrer_id}"


# Points per action (per RAISED_UNIT of money for `credited:donations.gift`): what the campaign values,
# from the field (doors, calls, events) to giving and taking part online. Staff change them in the admin.
DEFAULT_WEIGHTS = {
    "fieldwork.door": 1,
    "fieldwork.call": 1,
    "organizing.attended": 3,
    "organizing.event_hosted": 5,
    "organizing.rsvp": 1,
    "organizing.group_created": 5,
    "organizing.group_joined": 1,
    "donations.gift": 2,
    "donations.recurring_started": 3,
    "donations.page_created": 2,
    "credited:donations.gift": 1,  # per RAISED_UNIT of money raised through my pages and links
    "credited:reach.referral_signup": 3,
    "credited:organizing.rsvp": 1,
    "credited:organizing.group_joined": 1,
    "social.post": 1,
    "social.comment": 1,
    "social.message": 1,
    "outreach.sent": 0,  # counts emails delivered: one send to a network would outweigh a month of doors
    "accounts.verified": 0,
}
DEFAULT_LEVELS = [1, 4, 8, 15, 25, 40, 60, 90, 130]


class IndexRules(models.Model):
    """The campaign's rules for the activity index (one row, edited in the admin).

    The index counts only the last `window_days`, so a change of rules or a quiet month never takes
    away what someone did long ago: there is nothing cumulative to lose.
    """

    window_days = models.PositiveIntegerField(_("decay window (days)"), default=90)
    weights = models.JSONField(
        _("points per action"),
        default=dict,
        blank=True,
        help_text=_("Journal kind → points. Money raised counts per 10 units of currency."),
    )
    levels = models.JSONField(
        _("points needed for levels 2 to 10"), default=list, blank=True, help_text=_("Nine rising numbers.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activity index rules")
        verbose_name_plural = _("activity index rules")

    def __str__(self) -> str:
        return str(_("Activity index rules"))

    def clean(self) -> None:
        levels = self.levels or DEFAULT_LEVELS
        if len(levels) != 9 or any(not isinstance(level, int) or level < 1 for level in levels):
            raise ValidationError({"levels": _("Give nine whole numbers of at least 1.")})
        if levels != sorted(levels):
            raise ValidationError(
                {"levels": _("Each level needs at least as many points as the one before.")}
            )
        for kind, weight in (self.weights or {}).items():
            if not isinstance(weight, int) or weight < 0 or kind not in kinds.NAMES:
                raise ValidationError({"weights": _("Each weight is a journal kind and a whole number ≥ 0.")})
