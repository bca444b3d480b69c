"""Word of mouth's models, one module per subject."""

from quartier.reach.models.codes import CampaignCode, ReferralCode

__all__ = ["CampaignCode", "ReferralCode"]
