"""Attribution: who brought whom (cascade trees) and every conversion credited to a sharer.

A `CascadeNode` is one person's place in the who-brought-whom forest, set once, the first time the
person is seen (first touch): brought by a sharer's link (a child of the sharer's node), by a campaign
email (a root carrying its campaign code), or a sharer nobody brought (a root). A node's place never
changes afterwards, so the forest has no loop by construction. When the person deletes their account
the node stays with no name (`supporter` set to NULL): the trees keep their shape.

A `Conversion` is one thing a person did through a share link or a campaign email: a sign-up, an
RSVP, a gift, a fundraising page started, a status lent. It is credited to the sharer's node (or to a
campaign code when no person shared), once per (kind, source_key): a retried request or a replayed
webhook never counts twice.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.reach.models.codes import CampaignCode


class CascadeNode(models.Model):
    supporter = models.OneToOneField(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="cascade_node"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The cascade's first node (itself for a root), and the ids of every ancestor, root first
    # ("12/40/311"): a new conversion updates its ancestors' counters in one statement.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.TextField(blank=True)
    generation = models.PositiveIntegerField(default=0, help_text="0 for a root, 1 for whom it brought…")
    campaign_code = models.ForeignKey(
        CampaignCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField()
    # Counters kept up to date by `actions.attribution.record_conversion`, and checked by the periodic recompute.
    subtree_size = models.PositiveIntegerField(
        default=1, help_text="People in the tree from here, itself included."
    )
    deepest_generation = models.PositiveIntegerField(
        default=0, help_text="The deepest generation in the tree from here (on a root: the cascade's depth)."
    )
    direct_conversions = models.PositiveIntegerField(default=0)
    downstream_conversions = models.PositiveIntegerField(
        default=0, help_text="Conversions credited to this node or to anyone below it."
    )

    class Meta:
        verbose_name = _("cascade node")
        verbose_name_plural = _("cascade nodes")
        indexes: ClassVar = [
            models.Index(fields=["root"]),
            models.Index(fields=["joined_at"]),
            models.Index(fields=["-downstream_conversions"], name="reach_node_downstream"),
        ]

    def __str__(self) -> str:
        return f"node {self.pk} (generation {self.generation})"

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part]


class Conversion(models.Model):
    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        RSVP = "rsvp", _("RSVP")
        GIFT = "gift", _("Gift")
        GROUP_JOINED = "group_joined", _("Joined a group")
        FUNDRAISING_PAGE = "fundraising_page", _("Fundraising page started")
        LENT_STATUS = "lent_status", _("Status lent")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What makes it unique within its kind: the journal key ("supporter:12", "donation:40") or the
    # caller's own ("lent:7"). A second call with the same pair records nothing.
    source_key = models.CharField(max_length=120)
    converter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converter_node = models.ForeignKey(
        CascadeNode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The sharer credited (the parent in the tree for a sign-up), or the campaign email's code.
    credited_node = models.ForeignKey(
        CascadeNode, null=True, blank=True, on_delete=models.PROTECT, related_name="conversions"
    )
    campaign_code = models.ForeignKey(
        CampaignCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generation = models.PositiveIntegerField(default=1, help_text="The sharer's generation + 1.")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    amount = models.BigIntegerField(default=0, help_text="Minor units (cents) for a gift.")
    currency = models.CharField(max_length=3, blank=True)

    class Meta:
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "source_key"], name="reach_conversion_once"),
            models.CheckConstraint(
                condition=Q(credited_node__isnull=False) | Q(campaign_code__isnull=False),
                name="reach_conversion_credited",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_key}"


class CascadeSnapshot(models.Model):
    """The campaign's cascade metrics, recomputed by a periodic job (`tasks.recompute_cascades`).

    One row per scope ("campaign": every cascade). `metrics` is what `cascades.summarise` returns.
    """

    scope = models.CharField(max_length=40, unique=True)
    metrics = models.JSONField(default=dict)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0, help_text="How long the recompute took.")

    def __str__(self) -> str:
        return f"{self.scope} at {self.computed_at:%Y-%m-%d %H:%M}"


class AttributionCursor(models.Model):
    """How far the journal has been read into conversions (one row, pk 1)."""

    last_activity_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"journal read to {self.last_activity_id}"
