"""Word of mouth: the personal code a supporter's share links carry, so the campaign can credit them."""

from __future__ import annotations

from django.db import models

from quartier.accounts.models import Supporter


class ReferralCode(models.Model):
    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True)
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class CampaignCode(models.Model):
    """A referral code that belongs to no supporter: a campaign email's links carry one (issue 10), so
    the sign-ups, RSVPs and gifts they lead to can be counted for it (`detail["refcode"]` in the journal)."""

    code = models.CharField(max_length=16, unique=True)
    label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code
