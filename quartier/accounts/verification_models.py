"""What backs the verification badges: a leader's vouch, the verifications recorded, phone codes.

The email badge reads allauth's `EmailAddress.verified`; the others read these rows, written only by
`quartier/accounts/verification.py`. What each badge proves and does not prove is written once, in
`quartier/accounts/badges.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter


class Vouch(models.Model):
    """A leader's word that they know a supporter to be a real person: the "vouched by a leader" badge.

    The voucher is a group leader or campaign staff when the vouch is given (checked by
    `verification.vouch`); a vouch is revoked, never deleted, so that the trust graph keeps its
    history. One vouch per (voucher, vouchee): vouching again after a revocation revives the row.
    """

    voucher = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="vouches_given")
    vouchee = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="vouches_received")
    note = models.CharField(_("how you know them"), max_length=280, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["voucher", "vouchee"], name="vouch_once_per_pair"),
            models.CheckConstraint(condition=~models.Q(voucher=models.F("vouchee")), name="vouch_not_self"),
        ]
        indexes: ClassVar = [models.Index(fields=["vouchee", "revoked_at"], name="vouch_received")]

    def __str__(self) -> str:
        return f"{self.voucher_id} vouches for {self.vouchee_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Verification(models.Model):
    """A verification a supporter earned, one per kind: a confirmed phone, a check-in, a matching gift.

    `evidence` says what was checked without repeating personal details elsewhere: the phone number
    (E.164) for a phone, `event:<id>` for a check-in, `gift:<id>` for a gift. One phone number verifies
    one account at a time (the partial unique constraint), so a pile of accounts cannot share one.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone verified")
        IN_PERSON = "in_person", _("Met in person")
        DONOR = "donor", _("Donor")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="verifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    evidence = models.CharField(max_length=40, blank=True)
    verified_by = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="verifications_made"
    )
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["supporter", "kind"], name="verification_once_per_kind"),
            models.UniqueConstraint(
                fields=["evidence"], condition=models.Q(kind="phone"), name="verification_phone_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.supporter_id}"


class PhoneChallenge(models.Model):
    """A code texted to a number to prove the supporter holds it: only its hash is kept.

    A challenge expires (`expires_at`), allows a few attempts (`attempts`, counted with a
    conditional `UPDATE` so two tries at once cannot both slip under the limit) and is used once.
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="phone_challenges")
    phone_number = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["supporter", "created_at"], name="phone_challenge_by_supporter"),
            models.Index(fields=["phone_number", "created_at"], name="phone_challenge_by_number"),
        ]

    def __str__(self) -> str:
        return f"phone challenge {self.pk} for {self.supporter_id}"
