"""Word of mouth's models, one module per subject."""

from quartier.reach.models.codes import CampaignCode, ReferralCode
from quartier.reach.models.spread import SpreadRun

__all__ = ["CampaignCode", "ReferralCode", "SpreadRun"]
